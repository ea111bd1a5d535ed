//! Bodies of the sourcing routes: jobs, the RFQ and vendors' responses (snake_case).

use super::dto::ItemBody;
use crate::envelope::rfc3339;
use groupbuy_domain::money::{Currency, Money};
use groupbuy_domain::procurement::{
    AwardView, InvitedVendor, IssuedDocument, Job, ResponseView, RfqView, SettlementView,
    VendorResponse,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A durable job: long work answered with 202 and polled here.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobView {
    /// `job_...`.
    pub id: String,
    /// What it does.
    #[serde(rename = "type")]
    #[schema(value_type = crate::openapi::enums::JobType)]
    pub job_type: String,
    /// Where it is.
    #[schema(value_type = crate::openapi::enums::JobStatus)]
    pub status: String,
    /// The group buy it works on.
    pub groupbuy_id: String,
    /// Where its result is read once it succeeded.
    pub result_url: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// When it was queued (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Succeeded or failed.
    #[schema(format = DateTime)]
    pub finished_at: Option<String>,
}

impl From<Job> for JobView {
    fn from(j: Job) -> Self {
        Self {
            id: j.id.to_string(),
            job_type: j.job_type.as_str().to_owned(),
            status: j.status.as_str().to_owned(),
            groupbuy_id: j.groupbuy_id.to_string(),
            result_url: j.result_url,
            error: j.error,
            created_at: rfc3339(j.created_at),
            finished_at: j.finished_at.map(rfc3339),
        }
    }
}

/// A vendor invited to quote.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VendorBody {
    /// The vendor's id (its token's `sub`), unique in the RFQ.
    #[schema(example = "vendor_papyrus", min_length = 1, max_length = 100)]
    pub vendor_id: String,
    /// Display name.
    #[schema(example = "Papyrus Ltd", min_length = 1, max_length = 200)]
    pub name: String,
    /// How to reach it.
    pub contact: Option<String>,
}

impl From<InvitedVendor> for VendorBody {
    fn from(v: InvitedVendor) -> Self {
        Self {
            vendor_id: v.vendor_id,
            name: v.name,
            contact: v.contact,
        }
    }
}

/// Body of `POST /groupbuy/{id}/rfq`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenRfqBody {
    /// 1-50 vendors, unique `vendor_id`.
    #[schema(min_items = 1, max_items = 50)]
    pub vendors: Vec<VendorBody>,
    /// When quoting closes (RFC 3339, in the future).
    #[schema(format = DateTime, example = "2026-12-15T12:00:00Z")]
    pub due_date: String,
}

/// Body of `POST /groupbuy/{id}/rfq/responses`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseBody {
    /// Price per committed unit (> 0, the currency's decimals).
    #[schema(value_type = crate::openapi::scalars::PositiveMoney)]
    #[serde(deserialize_with = "crate::platform::extract::json_number")]
    pub unit_price: Decimal,
    /// Units the vendor can supply (>= 1).
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    pub available_quantity: i64,
    /// Until when the offer holds (RFC 3339).
    #[schema(format = DateTime)]
    pub valid_until: String,
    /// Days to deliver.
    #[schema(minimum = 0, maximum = 365)]
    pub lead_time_days: Option<i64>,
    /// Free text.
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
    /// The VAT category and rate of the price (default: the vendor's `default_vat`).
    pub vat: Option<super::party_dto::VatBody>,
}

/// A vendor's response (its latest version in an RFQ view).
#[derive(Debug, Serialize, ToSchema)]
pub struct VendorResponseView {
    /// `rsp_...`.
    pub id: String,
    /// The vendor.
    pub vendor_id: String,
    /// 1 for the first, + 1 per revision.
    pub version: i64,
    /// Null while sealed bids hide it.
    #[schema(value_type = Option<crate::openapi::scalars::Money>)]
    pub unit_price: Option<Decimal>,
    /// Units offered.
    pub available_quantity: i64,
    /// Until when it holds.
    #[schema(format = DateTime)]
    pub valid_until: String,
    /// Whether it still holds.
    pub valid: bool,
    /// Days to deliver.
    pub lead_time_days: Option<i64>,
    /// Free text.
    pub notes: Option<String>,
    /// When this version arrived (RFC 3339, UTC); each revision is a new version.
    #[schema(format = DateTime)]
    pub submitted_at: String,
}

impl From<ResponseView> for VendorResponseView {
    fn from(r: ResponseView) -> Self {
        Self {
            id: r.id.to_string(),
            vendor_id: r.vendor_id,
            version: r.version,
            unit_price: r.unit_price.map(|m| m.to_decimal()),
            available_quantity: r.available_quantity,
            valid_until: rfc3339(r.valid_until),
            valid: r.valid,
            lead_time_days: r.lead_time_days,
            notes: r.notes,
            submitted_at: rfc3339(r.submitted_at),
        }
    }
}

impl From<VendorResponse> for VendorResponseView {
    fn from(r: VendorResponse) -> Self {
        Self {
            id: r.id.to_string(),
            vendor_id: r.vendor_id,
            version: r.version,
            unit_price: Some(r.unit_price.to_decimal()),
            available_quantity: r.available_quantity,
            valid_until: rfc3339(r.valid_until),
            valid: true,
            lead_time_days: r.lead_time_days,
            notes: r.notes,
            submitted_at: rfc3339(r.submitted_at),
        }
    }
}

/// An RFQ as the caller may see it: the organiser every vendor and response (prices hidden
/// under sealed bids until the due date), an invited vendor only its own response.
#[derive(Debug, Serialize, ToSchema)]
pub struct RfqBody {
    /// `rfq_...`.
    pub id: String,
    /// The group buy.
    pub groupbuy_id: String,
    /// OPEN (taking responses) or CLOSED.
    #[schema(value_type = crate::openapi::enums::RfqStatus)]
    pub status: String,
    /// When quoting closes.
    #[schema(format = DateTime)]
    pub due_date: String,
    /// When the RFQ was opened (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub opened_at: String,
    /// Currency of prices.
    #[schema(value_type = crate::openapi::enums::Currency)]
    pub currency: String,
    /// What one unit contains.
    pub items: Vec<ItemBody>,
    /// Units committed by the pool.
    pub committed_quantity: i64,
    /// Invited vendors (the organiser only).
    pub vendors: Option<Vec<VendorBody>>,
    /// Latest response of each vendor the caller may see.
    pub responses: Vec<VendorResponseView>,
    /// Whether prices are hidden (sealed bids before the due date).
    pub prices_sealed: bool,
}

impl From<RfqView> for RfqBody {
    fn from(v: RfqView) -> Self {
        Self {
            id: v.id.to_string(),
            groupbuy_id: v.groupbuy_id.to_string(),
            status: v.status.as_str().to_owned(),
            due_date: rfc3339(v.due_date),
            opened_at: rfc3339(v.opened_at),
            currency: v.currency.code().to_owned(),
            items: v.items.into_iter().map(ItemBody::from).collect(),
            committed_quantity: v.committed_quantity,
            vendors: v
                .vendors
                .map(|vs| vs.into_iter().map(VendorBody::from).collect()),
            responses: v
                .responses
                .into_iter()
                .map(VendorResponseView::from)
                .collect(),
            prices_sealed: v.prices_sealed,
        }
    }
}

crate::payload!(JobView, RfqBody, VendorResponseView);

/// An amount in minor units of `currency`, as the JSON number clients read.
fn major(minor: i64, currency: Currency) -> Decimal {
    Money::from_minor(minor, currency).to_decimal()
}

/// One allocation line: who gets how many from whom, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationLineView {
    /// The member organisation.
    pub member_id: String,
    /// The vendor supplying it.
    pub vendor_id: String,
    /// Units this member gets from this vendor.
    pub quantity: i64,
    /// The vendor's price per unit.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub unit_price: Decimal,
    /// `quantity x unit_price`.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub amount: Decimal,
    /// The rule that decided it (`lowest price within ceiling`).
    pub rule: String,
    /// Why this line is what it is (`pro rata share of 37 units among 3 members needing 50`).
    pub explanation: String,
}

/// Units a member committed that no vendor supplies, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnfilledView {
    /// The member organisation.
    pub member_id: String,
    /// Units short.
    pub quantity: i64,
    /// Why (`no vendor within price ceiling 9.50`).
    pub reason: String,
}

/// Sums over the lines the caller sees.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationTotalsView {
    /// Units allocated.
    pub allocated_quantity: i64,
    /// Units unfilled.
    pub unfilled_quantity: i64,
    /// Value of the allocated units.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub amount: Decimal,
}

/// An allocation as the caller may see it (members their lines, vendors theirs).
#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationView {
    /// `alloc_...`.
    pub id: String,
    /// The group buy.
    pub groupbuy_id: String,
    /// `lowest_price_pro_rata` or `single_vendor`.
    #[schema(value_type = crate::openapi::enums::AllocationMethod)]
    pub method: String,
    /// ISO 4217 code of every amount: the group buy's currency.
    #[schema(value_type = crate::openapi::enums::Currency)]
    pub currency: String,
    /// The lines.
    pub results: Vec<AllocationLineView>,
    /// What no vendor supplies.
    pub unfilled: Vec<UnfilledView>,
    /// Sums over the lines and shortfalls the caller sees, not the whole allocation.
    pub totals: AllocationTotalsView,
    /// When it was made.
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<AwardView> for AllocationView {
    fn from(v: AwardView) -> Self {
        let c = v.currency;
        Self {
            id: v.id.to_string(),
            groupbuy_id: v.groupbuy_id.to_string(),
            method: v.method.as_str().to_owned(),
            currency: c.code().to_owned(),
            results: v
                .results
                .into_iter()
                .map(|l| AllocationLineView {
                    member_id: l.member_id,
                    vendor_id: l.vendor_id,
                    quantity: l.quantity,
                    unit_price: major(l.unit_price_minor, c),
                    amount: major(l.amount_minor, c),
                    rule: l.rule,
                    explanation: l.explanation,
                })
                .collect(),
            unfilled: v
                .unfilled
                .into_iter()
                .map(|u| UnfilledView {
                    member_id: u.member_id,
                    quantity: u.quantity,
                    reason: u.reason,
                })
                .collect(),
            totals: AllocationTotalsView {
                allocated_quantity: v.totals.allocated_quantity,
                unfilled_quantity: v.totals.unfilled_quantity,
                amount: major(v.totals.amount_minor, c),
            },
            created_at: rfc3339(v.created_at),
        }
    }
}

/// One line of a settlement document.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentLineView {
    /// What is charged.
    pub description: String,
    /// The unit's SKU (none on the fee line).
    pub sku: Option<String>,
    /// Units charged (1 on the fee line).
    pub quantity: i64,
    /// Price per unit.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub unit_price: Decimal,
    /// `quantity x unit_price`.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub amount: Decimal,
    /// The member the line concerns.
    pub member_id: Option<String>,
    /// The vendor the line concerns.
    pub vendor_id: Option<String>,
}

/// A payable (to a vendor) or receivable (from a member), whole.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    /// `doc_...`.
    pub id: String,
    /// PAYABLE or RECEIVABLE.
    #[serde(rename = "type")]
    #[schema(value_type = crate::openapi::enums::DocumentType)]
    pub kind: String,
    /// Its number.
    pub number: String,
    /// The vendor (payable) or member (receivable).
    pub counterparty: String,
    /// Day of issue.
    #[schema(format = Date)]
    pub issue_date: String,
    /// Issue date + `rules.payment_terms_days`.
    #[schema(format = Date)]
    pub due_date: String,
    /// ISO 4217 code of every amount: the group buy's currency.
    #[schema(value_type = crate::openapi::enums::Currency)]
    pub currency: String,
    /// Goods lines, then the organiser's fee line when there is a fee.
    pub lines: Vec<DocumentLineView>,
    /// The organiser's fee this document carries.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub fee: Decimal,
    /// The sum of its lines (net of VAT).
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub total: Decimal,
    /// Seller, buyer and VAT as its invoice states them, copied at settlement; absent on
    /// documents settled before parties existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice: Option<super::party_dto::InvoiceView>,
}

impl From<IssuedDocument> for DocumentView {
    fn from(d: IssuedDocument) -> Self {
        let (id, doc) = (d.id, d.document);
        let c = doc.currency;
        Self {
            id: id.to_string(),
            kind: doc.kind.as_str().to_owned(),
            number: doc.number,
            counterparty: doc.counterparty,
            issue_date: doc.issue_date.to_string(),
            due_date: doc.due_date.to_string(),
            currency: c.code().to_owned(),
            lines: doc
                .lines
                .into_iter()
                .map(|l| DocumentLineView {
                    description: l.description,
                    sku: l.sku,
                    quantity: l.quantity,
                    unit_price: major(l.unit_price_minor, c),
                    amount: major(l.amount_minor, c),
                    member_id: l.member_id,
                    vendor_id: l.vendor_id,
                })
                .collect(),
            fee: major(doc.fee_minor, c),
            total: major(doc.total_minor, c),
            invoice: doc
                .invoice
                .map(|t| super::party_dto::InvoiceView::new(t, doc.total_minor, c)),
        }
    }
}

/// Sums over every document: receivables == payables + fees, to the minor unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettlementTotalsView {
    /// Owed to vendors.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub payables: Decimal,
    /// Owed by members.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub receivables: Decimal,
    /// The organiser's fees.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub fees: Decimal,
}

/// A settlement as the caller may see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettlementBody {
    /// `stl_...`.
    pub id: String,
    /// The group buy.
    pub groupbuy_id: String,
    /// The allocation it settles.
    pub allocation_id: String,
    /// ISO 4217 code of every amount: the group buy's currency.
    #[schema(value_type = crate::openapi::enums::Currency)]
    pub currency: String,
    /// The documents the caller may see.
    pub documents: Vec<DocumentView>,
    /// Sums over every document of the settlement.
    pub totals: SettlementTotalsView,
    /// When it was settled.
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<SettlementView> for SettlementBody {
    fn from(v: SettlementView) -> Self {
        let c = v.currency;
        Self {
            id: v.id.to_string(),
            groupbuy_id: v.groupbuy_id.to_string(),
            allocation_id: v.allocation_id.to_string(),
            currency: c.code().to_owned(),
            documents: v.documents.into_iter().map(DocumentView::from).collect(),
            totals: SettlementTotalsView {
                payables: major(v.totals.payables_minor, c),
                receivables: major(v.totals.receivables_minor, c),
                fees: major(v.totals.fees_minor, c),
            },
            created_at: rfc3339(v.created_at),
        }
    }
}

crate::payload!(AllocationView, SettlementBody, DocumentView);
