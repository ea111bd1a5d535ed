//! Settling an award: [`settle`] turns it into one PAYABLE per awarded vendor and one
//! RECEIVABLE per allocated member, in one transaction: ALLOCATED -> SETTLED,
//! `settlement.completed`. Who may settle, and who sees which document.

use super::access::{require_scope, Viewer, SCOPE_WRITE};
use super::events::organiser;
use super::group_buy::{Action, GroupBuy};
use super::ids::{AllocationId, DocumentId, GroupBuyId, SettlementId};
use super::lifecycle::Transition;
use super::notify::{settlement_event, settlement_notices};
use super::settlement::{
    invoice_terms, settle, AwardedLine, Document, DocumentKind, InvoicingInput, ItemInfo,
    SettlementInput, SettlementTotals,
};
use super::sourcing::award::Award;
use super::sourcing::refusal::SourcingRefusal;
use super::sourcing::rfq::Rfq;
use super::sourcing::rfq_response::ROLE_VENDOR;
use crate::error::DomainError;
use crate::money::{Currency, Money};
use crate::platform::ChangeContext;
use crate::principal::Principal;
pub use crate::principal::SCOPE_FINANCE_WRITE;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// A settlement document under its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedDocument {
    /// `doc_<uuid simple hex>`; how a viewer fetches this one document.
    pub id: DocumentId,
    /// The document, whole.
    pub document: Document,
}

/// A written settlement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementRecord {
    /// `stl_<uuid simple hex>`, given when the settlement is written.
    pub id: SettlementId,
    /// The group buy.
    pub groupbuy_id: GroupBuyId,
    /// The allocation it settled.
    pub allocation_id: AllocationId,
    /// Currency of every amount.
    pub currency: Currency,
    /// Payables by vendor, then receivables by member.
    pub documents: Vec<IssuedDocument>,
    /// Sums over all documents: receivables == payables + fees.
    pub totals: SettlementTotals,
    /// When it was settled.
    pub created_at: OffsetDateTime,
}

/// Checks `POST /groupbuy/{id}/settle`, in this order: scopes `groupbuy:write` and
/// `finance:write` (403), visible (404), organiser (403), status (409: `Group buy already
/// settled` when SETTLED, else naming the status).
///
/// # Errors
/// The refusals above.
pub fn check_can_settle(
    g: &GroupBuy,
    viewer: &Viewer,
    caller: &Principal,
) -> Result<(), SourcingRefusal> {
    require_scope(caller, SCOPE_WRITE)?;
    require_scope(caller, SCOPE_FINANCE_WRITE)?;
    viewer.require_organiser(g, "settle this group buy")?;
    g.check_action(Action::Settle)?;
    Ok(())
}

/// `GB-<first 8 hex of the group buy's id, upper case>`: the prefix of its documents'
/// numbers (`GB-0F9C1D2E-0001`).
pub fn document_number_prefix(g: &GroupBuy) -> String {
    let hex = g.id.uuid().simple().to_string().to_uppercase();
    format!("GB-{}", &hex[..8])
}

/// One document as `settlement.completed` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentSummaryData {
    /// `doc_...`.
    pub id: String,
    /// `PAYABLE` or `RECEIVABLE`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its number.
    pub number: String,
    /// The vendor or member.
    pub counterparty: String,
    /// `YYYY-MM-DD`.
    pub due_date: String,
    /// Its share of the organiser's fee.
    pub fee: Decimal,
    /// Its total.
    pub total: Decimal,
}

/// `data.settlement` of `settlement.completed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettlementData {
    /// `stl_...`.
    pub id: String,
    /// `alloc_...`.
    pub allocation_id: String,
    /// Currency code.
    pub currency: String,
    /// The documents.
    pub documents: Vec<DocumentSummaryData>,
    /// All payables.
    pub payables: Decimal,
    /// All receivables.
    pub receivables: Decimal,
    /// The organiser's fee.
    pub fees: Decimal,
}

/// `data` of `settlement.completed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettlementCompletedData {
    /// `gb_...`.
    pub groupbuy_id: String,
    /// The settlement.
    pub settlement: SettlementData,
    /// RFC 3339: when it happened.
    pub at: String,
}

fn date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

impl DocumentSummaryData {
    /// The summary of `d`, its amounts in `currency`'s decimals.
    pub fn of(d: &IssuedDocument, currency: Currency) -> Self {
        let money = |minor| Money::from_minor(minor, currency).to_decimal();
        Self {
            id: d.id.to_string(),
            kind: d.document.kind.as_str().to_owned(),
            number: d.document.number.clone(),
            counterparty: d.document.counterparty.clone(),
            due_date: date(d.document.due_date),
            fee: money(d.document.fee_minor),
            total: money(d.document.total_minor),
        }
    }
}

/// Settles `award` of `g` as settlement `id` (the organising `org_id` asked): documents
/// issued on `ctx.now`'s date, due `rules.payment_terms_days` later, with
/// `rules.organiser_fee_bps` shared among the receivables; numbered
/// `{number_prefix}-0001` on; vendors named as `rfq` invited them; each document's id
/// from `mint`; each document's invoice terms from `invoicing` (the parties' data as it
/// stands now, copied into the document). SETTLED, `settlement.completed`, audit `settle`.
///
/// # Errors
/// `AlreadySettled` or `InvalidTransition` (409) by status; a `SettlementRefusal`
/// otherwise (nothing to settle, amounts too large, party data missing, O mixed).
#[allow(clippy::too_many_arguments)]
pub fn settle_transition(
    g: &GroupBuy,
    org_id: &str,
    award: &Award,
    rfq: &Rfq,
    id: SettlementId,
    number_prefix: &str,
    mint: &mut dyn FnMut() -> DocumentId,
    invoicing: &InvoicingInput,
    ctx: &ChangeContext,
) -> Result<(SettlementRecord, Transition), DomainError> {
    g.check_action(Action::Settle)?;
    let currency = award.plan.currency;
    let input = SettlementInput {
        lines: award.plan.results.iter().map(AwardedLine::from).collect(),
        items: g
            .items
            .iter()
            .map(|i| ItemInfo {
                sku: i.sku.clone(),
                name: i.name.clone(),
            })
            .collect(),
        vendor_names: rfq.vendor_names(),
        member_names: BTreeMap::new(),
        organiser_fee_bps: g.rules.organiser_fee_bps,
        payment_terms_days: g.rules.payment_terms_days,
        issue_date: ctx.now.date(),
        currency,
        number_prefix: number_prefix.to_owned(),
        first_sequence: 1,
    };
    let settled = settle(&input).map_err(SourcingRefusal::from)?;
    let terms = invoice_terms(&settled.documents, invoicing).map_err(SourcingRefusal::from)?;
    let documents: Vec<IssuedDocument> = settled
        .documents
        .into_iter()
        .zip(terms)
        .map(|(document, terms)| IssuedDocument {
            id: mint(),
            document: Document {
                invoice: Some(terms),
                ..document
            },
        })
        .collect();
    let money = |minor| Money::from_minor(minor, currency).to_decimal();
    let totals = settled.totals;
    let details = json!({
        "settlement_id": id.to_string(),
        "allocation_id": award.id.to_string(),
        "documents": documents.len(),
        "payables": money(totals.payables_minor),
        "receivables": money(totals.receivables_minor),
        "fees": money(totals.fees_minor),
    });
    let (next, entry) = g.advance(Action::Settle, Some(org_id), details, ctx)?;
    let record = SettlementRecord {
        id,
        groupbuy_id: next.id,
        allocation_id: award.id,
        currency,
        documents,
        totals,
        created_at: ctx.now,
    };
    let mut events = vec![settlement_event(
        &next,
        &record,
        &SettlementViewer::All,
        organiser(&next),
        ctx,
    )];
    events.extend(settlement_notices(&next, &record, ctx));
    Ok((
        record,
        Transition {
            group_buy: next,
            events,
            audit: vec![entry],
        },
    ))
}

/// How a caller stands toward a settlement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettlementViewer {
    /// The organising organisation or a platform admin: every document.
    All,
    /// A member organisation: its receivable.
    Member(String),
    /// A vendor (role `vendor`, `sub`): its payable.
    Vendor(String),
}

impl SettlementViewer {
    /// How `caller` (seeing `g` as `viewer`) stands toward `record` of `g`. Scopes grant
    /// nothing here: a `finance:write` holder sees only what its organisation (or, as a
    /// vendor, itself) is party to.
    ///
    /// # Errors
    /// For a caller party to no document, `GroupBuyNotFound` (404) when it cannot see `g`
    /// (as for a missing pool), else `SettlementNotFound` (404).
    pub fn of(
        caller: &Principal,
        viewer: &Viewer,
        g: &GroupBuy,
        record: &SettlementRecord,
    ) -> Result<Self, SourcingRefusal> {
        if viewer.is_organiser_or_admin() {
            return Ok(Self::All);
        }
        let party = |kind: DocumentKind, who: &str| {
            record
                .documents
                .iter()
                .any(|d| d.document.kind == kind && d.document.counterparty == who)
        };
        if let Some(org) = viewer
            .org_id()
            .filter(|o| party(DocumentKind::Receivable, o))
        {
            return Ok(Self::Member(org.to_owned()));
        }
        if caller.has_role(ROLE_VENDOR) && party(DocumentKind::Payable, &caller.user_id) {
            return Ok(Self::Vendor(caller.user_id.clone()));
        }
        viewer.require_visible(g)?;
        Err(SourcingRefusal::SettlementNotFound)
    }

    /// Whether it may see `d`.
    pub fn sees(&self, d: &Document) -> bool {
        match self {
            Self::All => true,
            Self::Member(m) => d.kind == DocumentKind::Receivable && &d.counterparty == m,
            Self::Vendor(v) => d.kind == DocumentKind::Payable && &d.counterparty == v,
        }
    }

    /// The document `doc_id` of `record`, if it may see it.
    ///
    /// # Errors
    /// `DocumentNotFound` (404).
    pub fn document<'a>(
        &self,
        record: &'a SettlementRecord,
        doc_id: DocumentId,
    ) -> Result<&'a IssuedDocument, SourcingRefusal> {
        record
            .documents
            .iter()
            .find(|d| d.id == doc_id && self.sees(&d.document))
            .ok_or(SourcingRefusal::DocumentNotFound)
    }
}

/// A settlement as one viewer may see it; totals are over what it sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementView {
    /// The settlement's own id (`stl_<uuid simple hex>`), the same for every viewer.
    pub id: SettlementId,
    /// The group buy.
    pub groupbuy_id: GroupBuyId,
    /// The allocation settled.
    pub allocation_id: AllocationId,
    /// Currency of every amount.
    pub currency: Currency,
    /// The documents it may see, whole.
    pub documents: Vec<IssuedDocument>,
    /// Sums over those.
    pub totals: SettlementTotals,
    /// When it was settled.
    pub created_at: OffsetDateTime,
}

impl SettlementView {
    /// What `viewer` sees of `record`.
    pub fn new(record: &SettlementRecord, viewer: &SettlementViewer) -> Self {
        let documents: Vec<IssuedDocument> = record
            .documents
            .iter()
            .filter(|d| viewer.sees(&d.document))
            .cloned()
            .collect();
        // Subsets of a settlement whose sums fit: these sums fit too.
        let sum = |kind: DocumentKind, f: fn(&Document) -> i64| {
            documents
                .iter()
                .filter(|d| d.document.kind == kind)
                .map(|d| f(&d.document))
                .sum::<i64>()
        };
        let totals = SettlementTotals {
            payables_minor: sum(DocumentKind::Payable, |d| d.total_minor),
            receivables_minor: sum(DocumentKind::Receivable, |d| d.total_minor),
            fees_minor: sum(DocumentKind::Receivable, |d| d.fee_minor),
        };
        Self {
            id: record.id,
            groupbuy_id: record.groupbuy_id,
            allocation_id: record.allocation_id,
            currency: record.currency,
            documents,
            totals,
            created_at: record.created_at,
        }
    }
}

#[cfg(test)]
#[path = "settle_tests.rs"]
pub(crate) mod tests;
