//! What a pool's counterparties are told through their own webhook endpoints, beside the
//! organiser's events: an invited vendor its invitation (`rfq.invited`), then its own lines
//! of the allocation (`allocation.created`) and its payable (`settlement.completed`); a
//! member organisation its own lines and shortfall, then its receivable. Each party's
//! payload is the organiser's cut down to what that party reads through the API
//! ([`AwardView`], [`SettlementView`]), so no party receives another's lines, quantities
//! or prices. A member that is also the organiser gets the organiser's events only.

use super::allocation::AllocationPlan;
use super::group_buy::{GroupBuy, Item};
use super::settle::{DocumentSummaryData, SettlementRecord, SettlementView, SettlementViewer};
use super::settlement::DocumentKind;
use super::sourcing::award::{AllocationCreatedData, Award, AwardData, AwardView, AwardViewer};
use super::sourcing::rfq::Rfq;
use crate::money::Money;
use crate::platform::{rfc3339, Audience, ChangeContext, DomainEvent, EventType};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Who receives a vendor's events: the endpoints its tokens (role `vendor`, `sub` = the
/// vendor id) registered without an organisation.
pub fn vendor_audience(vendor_id: &str) -> Audience {
    Audience::User(vendor_id.to_owned())
}

/// `data` of `rfq.invited`: what one invited vendor quotes for. Neither the other invited
/// vendors nor the members are named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RfqInvitedData {
    /// `gb_...`.
    pub groupbuy_id: String,
    /// `rfq_...`: where to respond (`POST /groupbuy/{groupbuy_id}/rfq/responses`).
    pub rfq_id: String,
    /// The invited vendor (the receiver).
    pub vendor_id: String,
    /// The name it was invited under (printed on its payable).
    pub vendor_name: String,
    /// The pool's title.
    pub title: String,
    /// What one unit contains.
    pub items: Vec<Item>,
    /// Units to quote for: the pool's committed quantity.
    pub quantity: i64,
    /// Currency of the quote.
    pub currency: String,
    /// RFC 3339: when responses close.
    pub due_date: String,
    /// Whether vendors' prices stay hidden from the organiser until the due date.
    pub sealed_bids: bool,
    /// RFC 3339: when it happened.
    pub at: String,
}

/// One `rfq.invited` per vendor `rfq` invites to `g` (as the RFQ left it), in the RFQ's order.
pub(crate) fn rfq_invitations(g: &GroupBuy, rfq: &Rfq, ctx: &ChangeContext) -> Vec<DomainEvent> {
    rfq.vendors
        .iter()
        .map(|v| {
            let data = RfqInvitedData {
                groupbuy_id: g.id.to_string(),
                rfq_id: rfq.id.to_string(),
                vendor_id: v.vendor_id.clone(),
                vendor_name: v.name.clone(),
                title: g.title.clone(),
                items: g.items.clone(),
                quantity: g.committed_quantity,
                currency: g.currency.code().to_owned(),
                due_date: rfc3339(rfq.due_date),
                sealed_bids: g.rules.sealed_bids,
                at: rfc3339(ctx.now),
            };
            DomainEvent::new(
                EventType::RfqInvited,
                g.subject(),
                vendor_audience(&v.vendor_id),
                &data,
            )
        })
        .collect()
}

/// The members `award` names (allocated or left short), but the organiser, in id order.
fn members(g: &GroupBuy, award: &Award) -> BTreeSet<String> {
    let plan = &award.plan;
    plan.results
        .iter()
        .map(|l| &l.member_id)
        .chain(plan.unfilled.iter().map(|u| &u.member_id))
        .filter(|m| **m != g.org_id)
        .cloned()
        .collect()
}

/// `allocation.created` as `viewer` may read `award`: its lines, its shortfall, totals over
/// those.
fn award_event(
    g: &GroupBuy,
    award: &Award,
    viewer: &AwardViewer,
    audience: Audience,
    ctx: &ChangeContext,
) -> DomainEvent {
    let view = AwardView::new(award, viewer);
    let plan = AllocationPlan {
        method: view.method,
        currency: view.currency,
        results: view.results,
        unfilled: view.unfilled,
        totals: view.totals,
    };
    let data = AllocationCreatedData {
        groupbuy_id: g.id.to_string(),
        allocation: AwardData::of(view.id, &plan),
        at: rfc3339(ctx.now),
    };
    DomainEvent::new(EventType::AllocationCreated, g.subject(), audience, &data)
}

/// `allocation.created` for each member `award` names (its own lines and shortfall) and
/// each vendor `rfq` invited (its own lines: none when it won nothing).
pub(crate) fn allocation_notices(
    g: &GroupBuy,
    award: &Award,
    rfq: &Rfq,
    ctx: &ChangeContext,
) -> Vec<DomainEvent> {
    let to_members = members(g, award).into_iter().map(|m| {
        let audience = Audience::Organisation(m.clone());
        award_event(g, award, &AwardViewer::Member(m), audience, ctx)
    });
    let to_vendors = rfq.vendors.iter().map(|v| {
        let viewer = AwardViewer::Vendor(v.vendor_id.clone());
        award_event(g, award, &viewer, vendor_audience(&v.vendor_id), ctx)
    });
    to_members.chain(to_vendors).collect()
}

/// `settlement.completed` as `viewer` may read `record`: its documents, totals over those.
pub(crate) fn settlement_event(
    g: &GroupBuy,
    record: &SettlementRecord,
    viewer: &SettlementViewer,
    audience: Audience,
    ctx: &ChangeContext,
) -> DomainEvent {
    let view = SettlementView::new(record, viewer);
    let money = |minor| Money::from_minor(minor, view.currency).to_decimal();
    let data = super::settle::SettlementCompletedData {
        groupbuy_id: g.id.to_string(),
        settlement: super::settle::SettlementData {
            id: view.id.to_string(),
            allocation_id: view.allocation_id.to_string(),
            currency: view.currency.code().to_owned(),
            documents: view
                .documents
                .iter()
                .map(|d| DocumentSummaryData::of(d, view.currency))
                .collect(),
            payables: money(view.totals.payables_minor),
            receivables: money(view.totals.receivables_minor),
            fees: money(view.totals.fees_minor),
        },
        at: rfc3339(ctx.now),
    };
    DomainEvent::new(EventType::SettlementCompleted, g.subject(), audience, &data)
}

/// `settlement.completed` for each member with a receivable (that one) and each vendor
/// with a payable (that one), in the documents' order.
pub(crate) fn settlement_notices(
    g: &GroupBuy,
    record: &SettlementRecord,
    ctx: &ChangeContext,
) -> Vec<DomainEvent> {
    record
        .documents
        .iter()
        .filter_map(|d| {
            let who = d.document.counterparty.clone();
            let (viewer, audience) = match d.document.kind {
                DocumentKind::Receivable if who == g.org_id => return None,
                DocumentKind::Receivable => (
                    SettlementViewer::Member(who.clone()),
                    Audience::Organisation(who),
                ),
                DocumentKind::Payable => {
                    let audience = vendor_audience(&who);
                    (SettlementViewer::Vendor(who), audience)
                }
            };
            Some(settlement_event(g, record, &viewer, audience, ctx))
        })
        .collect()
}

#[cfg(test)]
#[path = "notify_tests.rs"]
mod tests;
