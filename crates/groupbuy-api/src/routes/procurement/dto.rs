//! Request and response bodies of `/groupbuy` (snake_case, as seed 002 writes them).

use crate::envelope::rfc3339;
use groupbuy_domain::platform::{AuditRecord, ChainVerdict};
use groupbuy_domain::procurement::{
    Commitment, CommitmentsSummary, GroupBuyStats, GroupBuyView, Item, Rules,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One item of a group buy: what ONE committed unit contains.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    /// Stock-keeping unit, unique within the group buy (1-64 characters).
    #[schema(example = "PAPER-A4-80", min_length = 1, max_length = 64)]
    pub sku: String,
    /// Name (1-200 characters).
    #[schema(example = "A4 copy paper, 80 g/m2", min_length = 1, max_length = 200)]
    pub name: String,
    /// Unit of measure (1-32 characters).
    #[schema(example = "box", min_length = 1, max_length = 32)]
    pub unit: String,
    /// How many of `unit` one committed unit holds.
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    pub quantity_per_unit: Option<i64>,
    /// UN/ECE Recommendation 20 unit code its invoices state (`KGM`, `XBG`, `EA`; `C62`
    /// when none).
    #[schema(value_type = Option<crate::openapi::enums::UnitCode>, example = "XBG")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_code: Option<String>,
}

impl From<ItemBody> for Item {
    fn from(b: ItemBody) -> Self {
        Self {
            sku: b.sku,
            name: b.name,
            unit: b.unit,
            quantity_per_unit: b.quantity_per_unit,
            unit_code: b.unit_code,
        }
    }
}

impl From<Item> for ItemBody {
    fn from(i: Item) -> Self {
        Self {
            sku: i.sku,
            name: i.name,
            unit: i.unit,
            quantity_per_unit: i.quantity_per_unit,
            unit_code: i.unit_code,
        }
    }
}

/// `rules.allocation`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationRule {
    /// How short supply is shared.
    #[schema(value_type = crate::openapi::enums::AllocationMethod)]
    pub method: String,
}

/// The rules of a group buy (every one optional in a request; shown with defaults).
#[derive(Debug, Serialize, ToSchema)]
pub struct RulesView {
    /// Capacity in units; null = no cap.
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    pub max_quantity: Option<i64>,
    /// The most one organisation may commit; null = no cap.
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    pub max_per_member: Option<i64>,
    /// Organisations allowed to commit; null = any. Never empty.
    pub eligible_orgs: Option<Vec<String>>,
    /// `public` (default): every organisation sees it; `private`: only the organiser, the
    /// eligible and the committed organisations.
    #[schema(value_type = crate::openapi::enums::Visibility)]
    pub visibility: String,
    /// `{"method": "lowest_price_pro_rata" | "single_vendor"}` (default the first).
    pub allocation: AllocationRule,
    /// Whether sourcing may start below target (default false).
    pub allow_partial: bool,
    /// The organiser's fee on members' goods, 0-1000 basis points (default 0).
    #[schema(minimum = 0, maximum = 1000)]
    pub organiser_fee_bps: u32,
    /// Days from a settlement document's issue to its due date, 1-365 (default 30).
    #[schema(minimum = 1, maximum = 365)]
    pub payment_terms_days: u32,
    /// Whether vendors' prices stay hidden until the RFQ's due date (default false).
    pub sealed_bids: bool,
    /// The VAT of the organiser's fee; null: the organiser's `default_vat`.
    pub organiser_fee_vat: Option<super::party_dto::VatView>,
}

impl From<&Rules> for RulesView {
    fn from(r: &Rules) -> Self {
        Self {
            max_quantity: r.max_quantity,
            max_per_member: r.max_per_member,
            eligible_orgs: r.eligible_orgs.clone(),
            visibility: r.visibility.as_str().to_owned(),
            allocation: AllocationRule {
                method: r.allocation.method.as_str().to_owned(),
            },
            allow_partial: r.allow_partial,
            organiser_fee_bps: r.organiser_fee_bps,
            payment_terms_days: r.payment_terms_days,
            sealed_bids: r.sealed_bids,
            organiser_fee_vat: r.organiser_fee_vat.map(Into::into),
        }
    }
}

/// `rules.allocation` as a request sends it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct AllocationRuleBody {
    /// How short supply is shared (default lowest_price_pro_rata).
    #[schema(value_type = Option<crate::openapi::enums::AllocationMethod>)]
    pub method: Option<String>,
}

/// The rules of a new group buy: each optional (absent or null takes its default), an
/// unknown name is 422. (Documentation only: `Rules::from_json` reads them.)
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct RulesBody {
    /// Capacity in units (1-1,000,000,000); absent = no cap.
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    pub max_quantity: Option<i64>,
    /// The most one organisation may commit (1-1,000,000,000); absent = no cap.
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    pub max_per_member: Option<i64>,
    /// Organisations allowed to commit (1-1000 ids of 1-200 characters); absent = any.
    #[schema(min_items = 1, max_items = 1000, value_type = Option<Vec<crate::openapi::scalars::OrgIdText>>)]
    pub eligible_orgs: Option<Vec<String>>,
    /// `public` (default) or `private`.
    #[schema(value_type = Option<crate::openapi::enums::Visibility>)]
    pub visibility: Option<String>,
    /// `{"method": ...}`.
    pub allocation: Option<AllocationRuleBody>,
    /// Whether sourcing may start below target (default false).
    pub allow_partial: Option<bool>,
    /// The organiser's fee, 0-1000 basis points (default 0).
    #[schema(minimum = 0, maximum = 1000)]
    pub organiser_fee_bps: Option<u32>,
    /// Days to pay a settlement document, 1-365 (default 30).
    #[schema(minimum = 1, maximum = 365)]
    pub payment_terms_days: Option<u32>,
    /// Whether prices stay hidden until the RFQ's due date (default false).
    pub sealed_bids: Option<bool>,
    /// The VAT of the organiser's fee (default: the organiser's `default_vat`).
    pub organiser_fee_vat: Option<super::party_dto::VatBody>,
}

/// Body of `POST /groupbuy`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGroupBuyBody {
    /// Title, 1-200 characters.
    #[schema(example = "Copy paper for Q1", min_length = 1, max_length = 200)]
    pub title: String,
    /// Free text up to 10000 characters; a blank one is kept as none.
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// 1-100 items, unique `sku`.
    #[schema(min_items = 1, max_items = 100)]
    pub items: Vec<ItemBody>,
    /// Units the pool aims for (>= 1).
    #[schema(minimum = 1, maximum = 1_000_000_000, example = 500)]
    pub target_quantity: i64,
    /// The smallest commitment a member may make (>= 1).
    #[schema(minimum = 1, maximum = 1_000_000_000, example = 10)]
    pub min_commitment: i64,
    /// When commitments close (RFC 3339, in the future).
    #[schema(format = DateTime, example = "2026-12-31T18:00:00Z")]
    pub deadline: String,
    /// ISO 4217 (default USD).
    #[schema(value_type = Option<crate::openapi::enums::Currency>, example = "USD")]
    pub currency: Option<String>,
    /// Rules; unknown names are 422.
    #[schema(value_type = Option<RulesBody>)]
    pub rules: Option<serde_json::Value>,
}

/// Body of `POST /groupbuy/{id}/commit`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitBody {
    /// Units (>= the group buy's `min_commitment`).
    #[schema(minimum = 1, maximum = 1_000_000_000, example = 40)]
    pub quantity: i64,
    /// The most the organisation pays per unit (> 0, the currency's decimals).
    #[schema(value_type = crate::openapi::scalars::PositiveMoney)]
    #[serde(deserialize_with = "crate::platform::extract::json_number")]
    pub price_ceiling: Decimal,
    /// The member's purchase order reference (1-200 characters): its invoice's buyer
    /// reference (default: the pool's id).
    #[schema(example = "PO-2026-0042", max_length = 200)]
    pub purchase_order_ref: Option<String>,
}

/// Progress of a group buy toward its target.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsView {
    /// Units committed (ACTIVE commitments).
    pub committed_quantity: i64,
    /// Committed organisations: shown to the organiser and platform admins only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub members: Option<i64>,
    /// committed / target x 100, two decimals; above 100 when over-subscribed.
    #[schema(value_type = f64, example = 62.5)]
    pub progress_percentage: Decimal,
    /// Units still free under `rules.max_quantity`; null when uncapped.
    pub remaining_capacity: Option<i64>,
    /// Whether commitments reach the target.
    pub target_reached: bool,
}

impl From<GroupBuyStats> for StatsView {
    fn from(s: GroupBuyStats) -> Self {
        Self {
            committed_quantity: s.committed_quantity,
            members: s.members,
            progress_percentage: s.progress_percentage,
            remaining_capacity: s.remaining_capacity,
            target_reached: s.target_reached,
        }
    }
}

/// The organiser's view of all commitments (never who committed what).
#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentsSummaryView {
    /// ACTIVE commitments.
    pub count: i64,
    /// Their units.
    pub total_quantity: i64,
    /// The lowest price ceiling among them.
    #[schema(value_type = Option<crate::openapi::scalars::Money>)]
    pub lowest_price_ceiling: Option<Decimal>,
    /// The highest.
    #[schema(value_type = Option<crate::openapi::scalars::Money>)]
    pub highest_price_ceiling: Option<Decimal>,
}

impl From<CommitmentsSummary> for CommitmentsSummaryView {
    fn from(s: CommitmentsSummary) -> Self {
        Self {
            count: s.count,
            total_quantity: s.total_quantity,
            lowest_price_ceiling: s.lowest_price_ceiling.map(|m| m.to_decimal()),
            highest_price_ceiling: s.highest_price_ceiling.map(|m| m.to_decimal()),
        }
    }
}

/// A commitment of one organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentView {
    /// `cmt_...`.
    pub id: String,
    /// The group buy (`gb_...`).
    pub groupbuy_id: String,
    /// The committing organisation.
    pub member_id: String,
    /// Units committed (at least the group buy's `min_commitment`); a WITHDRAWN one keeps its last.
    pub quantity: i64,
    /// The most it pays per unit.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub price_ceiling: Decimal,
    /// Currency of the price ceiling.
    #[schema(value_type = crate::openapi::enums::Currency)]
    pub currency: String,
    /// ACTIVE or WITHDRAWN.
    #[schema(value_type = crate::openapi::enums::CommitmentStatus)]
    pub status: String,
    /// First committed.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last changed.
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// The purchase order reference, when given.
    pub purchase_order_ref: Option<String>,
}

impl From<Commitment> for CommitmentView {
    fn from(c: Commitment) -> Self {
        Self {
            id: c.id.to_string(),
            groupbuy_id: c.group_buy_id.to_string(),
            member_id: c.member_id,
            quantity: c.quantity,
            price_ceiling: c.price_ceiling.to_decimal(),
            currency: c.price_ceiling.currency().code().to_owned(),
            status: c.status.as_str().to_owned(),
            created_at: rfc3339(c.created_at),
            updated_at: rfc3339(c.updated_at),
            purchase_order_ref: c.purchase_order_ref,
        }
    }
}

/// A procurement group buy, as the caller may see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcurementGroupBuyView {
    /// `gb_...`.
    pub id: String,
    /// Trimmed title, 1 to 200 characters.
    pub title: String,
    /// Free text up to 10000 characters; null when absent or blank.
    pub description: Option<String>,
    /// What one committed unit contains.
    pub items: Vec<ItemBody>,
    /// Units the pool aims for.
    pub target_quantity: i64,
    /// The smallest commitment.
    pub min_commitment: i64,
    /// When commitments close.
    #[schema(format = DateTime)]
    pub deadline: String,
    /// ISO 4217 code of price ceilings and settlement; USD when the organiser named none.
    #[schema(value_type = crate::openapi::enums::Currency)]
    pub currency: String,
    /// Rules, with defaults filled in.
    pub rules: RulesView,
    /// Lifecycle state.
    #[schema(value_type = crate::openapi::enums::ProcurementStatus)]
    pub status: String,
    /// The organising organisation.
    pub org_id: String,
    /// The user who created it.
    pub created_by: String,
    /// When it was created (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last changed.
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Incremented by every change; the `ETag` header is `"<version>"`.
    pub version: i64,
    /// Progress toward the target; `members` only for the organiser and platform admins.
    pub stats: StatsView,
    /// The caller's organisation's ACTIVE commitment, if any.
    pub my_commitment: Option<CommitmentView>,
    /// Only for the organiser (and platform admins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitments_summary: Option<CommitmentsSummaryView>,
}

impl From<GroupBuyView> for ProcurementGroupBuyView {
    fn from(v: GroupBuyView) -> Self {
        let g = v.group_buy;
        Self {
            id: g.id.to_string(),
            title: g.title,
            description: g.description,
            items: g.items.into_iter().map(ItemBody::from).collect(),
            target_quantity: g.target_quantity,
            min_commitment: g.min_commitment,
            deadline: rfc3339(g.deadline),
            currency: g.currency.code().to_owned(),
            rules: RulesView::from(&g.rules),
            status: g.status.as_str().to_owned(),
            org_id: g.org_id,
            created_by: g.created_by,
            created_at: rfc3339(g.created_at),
            updated_at: rfc3339(g.updated_at),
            version: g.version,
            stats: StatsView::from(v.stats),
            my_commitment: v.my_commitment.map(CommitmentView::from),
            commitments_summary: v.commitments_summary.map(CommitmentsSummaryView::from),
        }
    }
}

/// Filters of `GET /groupbuy`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this status.
    #[param(value_type = Option<crate::openapi::enums::ProcurementStatus>)]
    pub status: Option<String>,
    /// Deadline strictly before (RFC 3339).
    #[param(format = DateTime)]
    pub deadline_before: Option<String>,
    /// Deadline strictly after (RFC 3339).
    #[param(format = DateTime)]
    pub deadline_after: Option<String>,
    /// Organised by this organisation.
    pub org_id: Option<String>,
    /// Created by this user.
    pub created_by: Option<String>,
    /// A `next_cursor` you were given.
    #[param(pattern = "^[0-9]{0,18}$")]
    #[serde(default, deserialize_with = "crate::platform::extract::cursor")]
    pub cursor: Option<String>,
    /// 1-100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// One entry of a group buy's audit chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryBody {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// `aud_...`.
    pub id: String,
    /// When it happened (RFC 3339 UTC, whole seconds; the hash covers microseconds).
    #[schema(format = DateTime)]
    pub at: String,
    /// Who (`user:<sub>`, `system:<job>`).
    pub actor: String,
    /// The acting organisation.
    pub org_id: Option<String>,
    /// What was done (`create`, `commitment.create`, `cancel`, ...).
    #[schema(value_type = crate::openapi::enums::ProcurementAuditAction)]
    pub action: String,
    /// Status before.
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: Option<String>,
    /// The request that caused it.
    pub request_id: String,
    /// Facts of the change.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// The previous entry's hash (64 zeros first).
    pub prev_hash: String,
    /// SHA-256 (hex) of this entry's canonical encoding and `prev_hash`.
    pub hash: String,
}

impl From<AuditRecord> for AuditEntryBody {
    fn from(r: AuditRecord) -> Self {
        Self {
            seq: r.seq,
            id: r.id,
            at: crate::envelope::rfc3339(r.at),
            actor: r.actor,
            org_id: r.org_id,
            action: r.action,
            from_status: r.from_status,
            to_status: r.to_status,
            request_id: r.request_id,
            details: r.details,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// What recomputing the audit chain found.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditVerificationView {
    /// Every entry hashes to its `hash` and links to its predecessor.
    pub valid: bool,
    /// How many entries were checked.
    pub entries: u64,
    /// The last entry's hash.
    pub head_hash: Option<String>,
    /// The first entry where the chain breaks.
    pub first_invalid_seq: Option<i64>,
}

impl From<ChainVerdict> for AuditVerificationView {
    fn from(v: ChainVerdict) -> Self {
        Self {
            valid: v.valid,
            entries: v.entries,
            head_hash: v.head_hash,
            first_invalid_seq: v.first_invalid_seq,
        }
    }
}

crate::payload!(
    ProcurementGroupBuyView,
    CommitmentView,
    AuditEntryBody,
    AuditVerificationView
);
