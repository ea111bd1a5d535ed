//! The award: the RFQ's responses and the pool's commitments fed to [`allocate`], checked
//! before the job is queued ([`check_can_allocate`], a dry run, so a conflict of the rules
//! with the facts is a 409 at once), written by the job ([`allocate_transition`]):
//! SOURCING -> ALLOCATED, `allocation.created` in the seed's shape.

use super::refusal::SourcingRefusal;
use super::rfq::Rfq;
use super::rfq_response::{latest_responses, VendorResponse, ROLE_VENDOR};
use super::rfq_view::prices_visible;
use crate::error::DomainError;
use crate::money::{Currency, Money};
use crate::platform::{rfc3339, ChangeContext, DomainEvent, EventType};
use crate::principal::Principal;
use crate::procurement::access::Viewer;
use crate::procurement::allocation::{
    allocate, AllocationLine, AllocationPlan, AllocationRefusal, AllocationTotals, MemberDemand,
    Unfilled, VendorOffer,
};
use crate::procurement::commitment::Commitment;
use crate::procurement::events::organiser;
use crate::procurement::group_buy::{Action, GroupBuy};
use crate::procurement::ids::{AllocationId, GroupBuyId, RfqId};
use crate::procurement::lifecycle::Transition;
use crate::procurement::notify::allocation_notices;
use crate::procurement::refusal::At;
use crate::procurement::rules::AllocationMethod;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;

/// A written allocation: the plan, under its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Award {
    /// `alloc_<uuid simple hex>`, given when the allocation is written.
    pub id: AllocationId,
    /// The group buy.
    pub groupbuy_id: GroupBuyId,
    /// The RFQ whose responses it allocated.
    pub rfq_id: RfqId,
    /// Who gets what from whom, who stays short, and why.
    pub plan: AllocationPlan,
    /// When the job wrote it.
    pub created_at: OffsetDateTime,
}

/// The ACTIVE commitments as allocation demands, in the order given (the store lists them
/// oldest first); a commitment counts from its last change (`updated_at`), so a member that
/// raised its quantity late does not win ties with it.
pub fn member_demands(commitments: &[Commitment]) -> Vec<MemberDemand> {
    commitments
        .iter()
        .filter(|c| c.is_active())
        .zip(0u64..)
        .map(|(c, order)| MemberDemand {
            member_id: c.member_id.clone(),
            quantity: c.quantity,
            price_ceiling_minor: c.price_ceiling.minor(),
            committed_at: c.updated_at,
            order,
        })
        .collect()
}

/// The offers that count at `now`: each vendor's latest version, if its quote still holds
/// (`valid_until` not passed). A lapsed latest version does not bring back an older one.
pub fn vendor_offers(responses: &[VendorResponse], now: OffsetDateTime) -> Vec<VendorOffer> {
    latest_responses(responses)
        .into_iter()
        .filter(|r| r.is_valid_at(now))
        .zip(0u64..)
        .map(|(r, order)| VendorOffer {
            vendor_id: r.vendor_id.clone(),
            unit_price_minor: r.unit_price.minor(),
            available_quantity: r.available_quantity,
            responded_at: r.submitted_at,
            order,
        })
        .collect()
}

/// The plan `g`'s rules make of its commitments and the responses (every version) at `now`.
///
/// # Errors
/// The [`AllocationRefusal`] naming why not (nothing committed, no valid response, the
/// method against the facts).
pub fn build_allocation(
    g: &GroupBuy,
    commitments: &[Commitment],
    responses: &[VendorResponse],
    now: OffsetDateTime,
) -> Result<AllocationPlan, AllocationRefusal> {
    allocate(
        g.rules.allocation.method,
        &member_demands(commitments),
        &vendor_offers(responses, now),
        g.currency,
    )
}

/// Checks `POST /groupbuy/{id}/allocate` before its job is queued, in this order: visible
/// (404), organiser (403), SOURCING (409 naming the status), sealed bids before the RFQ's
/// due date (409 naming it), then a dry run of the allocation (409: no valid response, or
/// the rules against the facts). Returns the plan the job would write now. Without
/// `rules.sealed_bids` an allocation may come before the due date: it closes the RFQ early;
/// with it, allocating would show the organiser every price before the due date.
///
/// # Errors
/// The refusals above.
pub fn check_can_allocate(
    g: &GroupBuy,
    viewer: &Viewer,
    rfq: Option<&Rfq>,
    commitments: &[Commitment],
    responses: &[VendorResponse],
    now: OffsetDateTime,
) -> Result<AllocationPlan, SourcingRefusal> {
    viewer.require_organiser(g, "allocate this group buy")?;
    g.check_action(Action::Allocate)?;
    if let Some(rfq) = rfq.filter(|r| !prices_visible(g, r, now)) {
        return Err(SourcingRefusal::BidsSealed(At(rfq.due_date)));
    }
    Ok(build_allocation(g, commitments, responses, now)?)
}

/// One line of `allocation.created` and of the allocation's wire form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AwardLineData {
    /// The member.
    pub member_id: String,
    /// Units this member gets from this vendor.
    pub quantity: i64,
    /// The vendor.
    pub vendor_id: String,
    /// The vendor's unit price.
    pub unit_price: Decimal,
    /// `quantity * unit_price`.
    pub amount: Decimal,
    /// The rule that chose the vendor.
    pub rule: String,
    /// Why the quantity is what it is.
    pub explanation: String,
}

/// A shortfall in `allocation.created`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnfilledData {
    /// The member.
    pub member_id: String,
    /// Units not allocated.
    pub quantity: i64,
    /// Why the member was left short, in words (`no vendor within price ceiling 9.50`).
    pub reason: String,
}

/// `data.allocation` of `allocation.created`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AwardData {
    /// `alloc_...`.
    pub id: String,
    /// `lowest_price_pro_rata` or `single_vendor`.
    pub method: String,
    /// Currency code.
    pub currency: String,
    /// Who gets what from whom.
    pub results: Vec<AwardLineData>,
    /// Who stays short.
    pub unfilled: Vec<UnfilledData>,
    /// Units allocated.
    pub allocated_quantity: i64,
    /// Units unfilled.
    pub unfilled_quantity: i64,
    /// Sum of the amounts.
    pub amount: Decimal,
}

/// `data` of `allocation.created`: `{groupbuy_id, allocation: {id, results: [...]}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllocationCreatedData {
    /// `gb_...`.
    pub groupbuy_id: String,
    /// The allocation.
    pub allocation: AwardData,
    /// RFC 3339: when it happened.
    pub at: String,
}

impl AwardData {
    /// The wire form of `id`'s `plan`.
    pub fn of(id: AllocationId, plan: &AllocationPlan) -> Self {
        let money = |minor| Money::from_minor(minor, plan.currency).to_decimal();
        Self {
            id: id.to_string(),
            method: plan.method.as_str().to_owned(),
            currency: plan.currency.code().to_owned(),
            results: plan
                .results
                .iter()
                .map(|l| AwardLineData {
                    member_id: l.member_id.clone(),
                    quantity: l.quantity,
                    vendor_id: l.vendor_id.clone(),
                    unit_price: money(l.unit_price_minor),
                    amount: money(l.amount_minor),
                    rule: l.rule.clone(),
                    explanation: l.explanation.clone(),
                })
                .collect(),
            unfilled: plan
                .unfilled
                .iter()
                .map(|u| UnfilledData {
                    member_id: u.member_id.clone(),
                    quantity: u.quantity,
                    reason: u.reason.clone(),
                })
                .collect(),
            allocated_quantity: plan.totals.allocated_quantity,
            unfilled_quantity: plan.totals.unfilled_quantity,
            amount: money(plan.totals.amount_minor),
        }
    }
}

/// Writes `plan` as allocation `id` of `g` for `rfq` (the job, acting for the organising
/// `org_id`): ALLOCATED, `allocation.created`, audit `allocate`. The job computes `plan`
/// with [`build_allocation`] at run time, from the responses as they then stand.
///
/// # Errors
/// `InvalidTransition` (409) when `g` is no longer SOURCING.
pub fn allocate_transition(
    g: &GroupBuy,
    org_id: &str,
    id: AllocationId,
    rfq: &Rfq,
    plan: AllocationPlan,
    ctx: &ChangeContext,
) -> Result<(Award, Transition), DomainError> {
    let details = json!({
        "allocation_id": id.to_string(),
        "rfq_id": rfq.id.to_string(),
        "method": plan.method.as_str(),
        "allocated_quantity": plan.totals.allocated_quantity,
        "unfilled_quantity": plan.totals.unfilled_quantity,
        "amount": Money::from_minor(plan.totals.amount_minor, plan.currency).to_decimal(),
    });
    let (next, entry) = g.advance(Action::Allocate, Some(org_id), details, ctx)?;
    let data = AllocationCreatedData {
        groupbuy_id: next.id.to_string(),
        allocation: AwardData::of(id, &plan),
        at: rfc3339(ctx.now),
    };
    let said = DomainEvent::new(
        EventType::AllocationCreated,
        next.subject(),
        organiser(&next),
        &data,
    );
    let award = Award {
        id,
        groupbuy_id: next.id,
        rfq_id: rfq.id,
        plan,
        created_at: ctx.now,
    };
    let mut events = vec![said];
    events.extend(allocation_notices(&next, &award, rfq, ctx));
    Ok((
        award,
        Transition {
            group_buy: next,
            events,
            audit: vec![entry],
        },
    ))
}

/// How a caller stands toward an allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwardViewer {
    /// The organising organisation, or a platform admin: everything.
    Organiser,
    /// A member organisation: its own lines and shortfall.
    Member(String),
    /// An invited vendor: its own lines (none when it won nothing).
    Vendor(String),
}

impl AwardViewer {
    /// How `caller` stands toward `award` of `g` (invited vendors from `rfq`): the
    /// organiser, then a member named in the award, then an invited vendor.
    ///
    /// # Errors
    /// `AllocationNotFound` (404) for anyone else.
    pub fn of(
        caller: &Principal,
        g: &GroupBuy,
        award: &Award,
        rfq: &Rfq,
    ) -> Result<Self, SourcingRefusal> {
        if Viewer::of(caller, g, false).is_organiser_or_admin() {
            return Ok(Self::Organiser);
        }
        let plan = &award.plan;
        if let Some(org) = caller.org_id.as_deref().filter(|o| !o.trim().is_empty()) {
            let named = plan.results.iter().any(|l| l.member_id == org)
                || plan.unfilled.iter().any(|u| u.member_id == org);
            if named {
                return Ok(Self::Member(org.to_owned()));
            }
        }
        if caller.has_role(ROLE_VENDOR) && rfq.invited(&caller.user_id).is_some() {
            return Ok(Self::Vendor(caller.user_id.clone()));
        }
        Err(SourcingRefusal::AllocationNotFound)
    }
}

/// An allocation as one viewer may see it; totals are over what it sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardView {
    /// The allocation's own id (`alloc_<uuid simple hex>`), the same for every viewer.
    pub id: AllocationId,
    /// The group buy.
    pub groupbuy_id: GroupBuyId,
    /// The method applied.
    pub method: AllocationMethod,
    /// Currency of every amount.
    pub currency: Currency,
    /// The lines it may see.
    pub results: Vec<AllocationLine>,
    /// The shortfalls it may see.
    pub unfilled: Vec<Unfilled>,
    /// Sums over those.
    pub totals: AllocationTotals,
    /// When it was written.
    pub created_at: OffsetDateTime,
}

impl AwardView {
    /// What `viewer` sees of `award`.
    pub fn new(award: &Award, viewer: &AwardViewer) -> Self {
        let plan = &award.plan;
        let (results, unfilled): (Vec<AllocationLine>, Vec<Unfilled>) = match viewer {
            AwardViewer::Organiser => (plan.results.clone(), plan.unfilled.clone()),
            AwardViewer::Member(m) => (
                plan.results
                    .iter()
                    .filter(|l| &l.member_id == m)
                    .cloned()
                    .collect(),
                plan.unfilled
                    .iter()
                    .filter(|u| &u.member_id == m)
                    .cloned()
                    .collect(),
            ),
            AwardViewer::Vendor(v) => (
                plan.results
                    .iter()
                    .filter(|l| &l.vendor_id == v)
                    .cloned()
                    .collect(),
                Vec::new(),
            ),
        };
        // Subsets of a plan whose sums fit: these sums fit too.
        let totals = AllocationTotals {
            allocated_quantity: results.iter().map(|l| l.quantity).sum(),
            unfilled_quantity: unfilled.iter().map(|u| u.quantity).sum(),
            amount_minor: results.iter().map(|l| l.amount_minor).sum(),
        };
        Self {
            id: award.id,
            groupbuy_id: award.groupbuy_id,
            method: plan.method,
            currency: plan.currency,
            results,
            unfilled,
            totals,
            created_at: award.created_at,
        }
    }
}

#[cfg(test)]
#[path = "award_tests.rs"]
pub(crate) mod tests;
