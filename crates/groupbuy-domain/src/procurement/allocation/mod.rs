//! Allocation: which member gets how many units from which vendor at what price, and why.
//!
//! A pure function of the commitments, the vendors' offers and the method. Money is integer
//! minor units of the plan's currency (`*_minor: i64`, as [`Money`] stores it); every text
//! formats it with the currency's decimals (`9.50`). Amounts and totals stay within
//! [`Money::MAX_MINOR`], or the allocation is refused rather than wrapped.
//!
//! Which inputs count: a member with `quantity <= 0` asks for nothing and is left out; an offer
//! counts as a valid response when `available_quantity > 0` and `unit_price_minor >= 0`
//! (expiry and revisions are the caller's to resolve before calling). Ties break on time, then
//! on `order` (the caller's insertion sequence), then on the id, so the plan never depends on
//! the order of the input slices.

pub(crate) mod apportion;
mod pro_rata;
mod refusal;
mod single_vendor;
mod wording;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use refusal::AllocationRefusal;

use crate::money::{Currency, Money};
use time::OffsetDateTime;

pub use super::rules::AllocationMethod;

/// Whether a member whose price ceiling is `ceiling_minor` accepts a vendor's
/// `unit_price_minor`: at or under the ceiling. The one rule every allocation method (and
/// the organiser's comparison of responses) applies.
pub fn within_ceiling(unit_price_minor: i64, ceiling_minor: i64) -> bool {
    unit_price_minor <= ceiling_minor
}

/// One member's commitment, as allocation sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberDemand {
    /// The committed organisation.
    pub member_id: String,
    /// Units committed.
    pub quantity: i64,
    /// The highest unit price the member accepts, in minor units.
    pub price_ceiling_minor: i64,
    /// When the commitment was (last) made: earlier wins a tie.
    pub committed_at: OffsetDateTime,
    /// The caller's sequence, breaking ties between equal times.
    pub order: u64,
}

/// One vendor's current response to the RFQ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorOffer {
    /// The invited vendor.
    pub vendor_id: String,
    /// Price per committed unit, in minor units.
    pub unit_price_minor: i64,
    /// Units the vendor can supply.
    pub available_quantity: i64,
    /// When the response (revision) arrived: earlier wins a price tie.
    pub responded_at: OffsetDateTime,
    /// The caller's sequence, breaking ties between equal times.
    pub order: u64,
}

/// Units one member gets from one vendor, with the reason in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationLine {
    /// The member receiving the units.
    pub member_id: String,
    /// The vendor supplying them.
    pub vendor_id: String,
    /// Units allocated.
    pub quantity: i64,
    /// The vendor's unit price, in minor units.
    pub unit_price_minor: i64,
    /// `quantity * unit_price_minor`.
    pub amount_minor: i64,
    /// The rule that chose this vendor (`lowest price within ceiling`).
    pub rule: String,
    /// Why the quantity is what it is (`pro rata share of 30 units among 3 members needing 37`).
    pub explanation: String,
}

/// Units a member committed that no vendor could supply, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfilled {
    /// The member left short.
    pub member_id: String,
    /// Units not allocated.
    pub quantity: i64,
    /// Why (`no vendor within price ceiling 9.50`).
    pub reason: String,
}

/// Sums over a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AllocationTotals {
    /// Units allocated.
    pub allocated_quantity: i64,
    /// Units left unfilled.
    pub unfilled_quantity: i64,
    /// The allocated lines' amounts, in minor units.
    pub amount_minor: i64,
}

/// The award: its lines (vendors by ascending price, members by commitment), what stayed
/// unfilled (by commitment) and the totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationPlan {
    /// The method applied.
    pub method: AllocationMethod,
    /// The currency of every amount.
    pub currency: Currency,
    /// Who gets what from whom.
    pub results: Vec<AllocationLine>,
    /// Who stays short, and why.
    pub unfilled: Vec<Unfilled>,
    /// Sums over the lines and the shortfalls.
    pub totals: AllocationTotals,
}

/// Allocates the members' commitments among the vendors' offers by `method`.
///
/// # Errors
/// An [`AllocationRefusal`] (409) when nothing is committed, no response is valid, or the
/// method cannot be applied to these facts (the text names the conflict).
pub fn allocate(
    method: AllocationMethod,
    members: &[MemberDemand],
    offers: &[VendorOffer],
    currency: Currency,
) -> Result<AllocationPlan, AllocationRefusal> {
    let members = by_commitment(members);
    if members.is_empty() {
        return Err(AllocationRefusal::NothingCommitted);
    }
    let offers = by_price(offers);
    if offers.is_empty() {
        return Err(AllocationRefusal::NoValidResponse);
    }
    let committed = checked_sum(members.iter().map(|m| m.quantity))?;
    let (results, unfilled) = match method {
        AllocationMethod::LowestPriceProRata => {
            pro_rata::lowest_price_pro_rata(&members, &offers, currency)?
        }
        AllocationMethod::SingleVendor => (
            single_vendor::single_vendor(&members, &offers, committed, currency)?,
            Vec::new(),
        ),
    };
    let totals = totals(&results, &unfilled)?;
    Ok(AllocationPlan {
        method,
        currency,
        results,
        unfilled,
        totals,
    })
}

/// Members asking for something, earliest commitment first.
fn by_commitment(members: &[MemberDemand]) -> Vec<&MemberDemand> {
    let mut out: Vec<&MemberDemand> = members.iter().filter(|m| m.quantity > 0).collect();
    out.sort_by(|a, b| {
        (a.committed_at, a.order, &a.member_id).cmp(&(b.committed_at, b.order, &b.member_id))
    });
    out
}

/// Valid offers, cheapest first, earlier response first among equal prices.
fn by_price(offers: &[VendorOffer]) -> Vec<&VendorOffer> {
    let mut out: Vec<&VendorOffer> = offers
        .iter()
        .filter(|o| o.available_quantity > 0 && o.unit_price_minor >= 0)
        .collect();
    out.sort_by(|a, b| {
        (a.unit_price_minor, a.responded_at, a.order, &a.vendor_id).cmp(&(
            b.unit_price_minor,
            b.responded_at,
            b.order,
            &b.vendor_id,
        ))
    });
    out
}

/// A line of `quantity` units for `member` from `offer`, its amount checked against the bound.
fn line(
    member: &MemberDemand,
    offer: &VendorOffer,
    quantity: i64,
    rule: &str,
    explanation: String,
) -> Result<AllocationLine, AllocationRefusal> {
    let amount_minor = quantity
        .checked_mul(offer.unit_price_minor)
        .filter(|a| *a <= Money::MAX_MINOR)
        .ok_or(AllocationRefusal::TooLarge)?;
    Ok(AllocationLine {
        member_id: member.member_id.clone(),
        vendor_id: offer.vendor_id.clone(),
        quantity,
        unit_price_minor: offer.unit_price_minor,
        amount_minor,
        rule: rule.to_owned(),
        explanation,
    })
}

fn totals(
    results: &[AllocationLine],
    unfilled: &[Unfilled],
) -> Result<AllocationTotals, AllocationRefusal> {
    let amount_minor = checked_sum(results.iter().map(|l| l.amount_minor))?;
    if amount_minor > Money::MAX_MINOR {
        return Err(AllocationRefusal::TooLarge);
    }
    Ok(AllocationTotals {
        allocated_quantity: checked_sum(results.iter().map(|l| l.quantity))?,
        unfilled_quantity: checked_sum(unfilled.iter().map(|u| u.quantity))?,
        amount_minor,
    })
}

fn checked_sum(mut values: impl Iterator<Item = i64>) -> Result<i64, AllocationRefusal> {
    values
        .try_fold(0i64, |acc, v| acc.checked_add(v))
        .ok_or(AllocationRefusal::TooLarge)
}
