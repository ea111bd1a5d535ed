//! `lowest_price_pro_rata`: vendors cheapest first; each one's supply goes to the members still
//! short whose ceiling admits its price, all they need if it suffices, else shared in
//! proportion to need by largest remainder (ties to the earlier commitment).

use super::apportion::largest_remainder;
use super::{
    line, within_ceiling, wording, AllocationLine, AllocationRefusal, MemberDemand, Unfilled,
    VendorOffer,
};
use crate::money::{Currency, Money};

/// Lines and shortfalls; `members` by commitment, `offers` by price (as `allocate` sorts them).
pub(super) fn lowest_price_pro_rata(
    members: &[&MemberDemand],
    offers: &[&VendorOffer],
    currency: Currency,
) -> Result<(Vec<AllocationLine>, Vec<Unfilled>), AllocationRefusal> {
    let mut short: Vec<i64> = members.iter().map(|m| m.quantity).collect();
    let mut lines = Vec::new();
    for offer in offers {
        let eligible: Vec<usize> = (0..members.len())
            .filter(|&i| {
                short[i] > 0
                    && within_ceiling(offer.unit_price_minor, members[i].price_ceiling_minor)
            })
            .collect();
        if eligible.is_empty() {
            continue;
        }
        let needs: Vec<i64> = eligible.iter().map(|&i| short[i]).collect();
        // The members' total commitment fits an i64 (checked by the caller), so any need does.
        let need: i64 = needs.iter().sum();
        let supply = offer.available_quantity;
        let (shares, explanation) = if supply >= need {
            (needs, wording::need_met(supply, eligible.len(), need))
        } else {
            let shares = largest_remainder(supply, &needs).ok_or(AllocationRefusal::TooLarge)?;
            (
                shares,
                wording::pro_rata_share(supply, eligible.len(), need),
            )
        };
        for (&i, share) in eligible.iter().zip(shares) {
            if share > 0 {
                short[i] -= share;
                lines.push(line(
                    members[i],
                    offer,
                    share,
                    wording::RULE_LOWEST_PRICE,
                    explanation.clone(),
                )?);
            }
        }
    }
    if lines.is_empty() {
        let highest = members
            .iter()
            .map(|m| m.price_ceiling_minor)
            .max()
            .unwrap_or_default();
        return Err(AllocationRefusal::NothingWithinCeilings {
            highest_ceiling: Money::from_minor(highest, currency),
        });
    }
    let unfilled = members
        .iter()
        .zip(short)
        .filter(|(_, quantity)| *quantity > 0)
        .map(|(m, quantity)| Unfilled {
            member_id: m.member_id.clone(),
            quantity,
            reason: shortfall_reason(m, offers, currency),
        })
        .collect();
    Ok((lines, unfilled))
}

/// Whether the member was priced out by every vendor or the vendors it could afford ran out.
fn shortfall_reason(member: &MemberDemand, offers: &[&VendorOffer], currency: Currency) -> String {
    let ceiling = Money::from_minor(member.price_ceiling_minor, currency);
    if offers
        .iter()
        .any(|o| within_ceiling(o.unit_price_minor, member.price_ceiling_minor))
    {
        wording::supply_ran_out(ceiling)
    } else {
        wording::no_vendor_within(ceiling)
    }
}
