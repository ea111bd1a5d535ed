//! `single_vendor`: one vendor, the cheapest that can supply every committed unit at a price
//! within every member's ceiling, takes the whole award.

use super::{
    line, within_ceiling, wording, AllocationLine, AllocationRefusal, MemberDemand, VendorOffer,
};
use crate::money::{Currency, Money};

/// One line per member from the winning vendor; `offers` come cheapest first.
pub(super) fn single_vendor(
    members: &[&MemberDemand],
    offers: &[&VendorOffer],
    committed: i64,
    currency: Currency,
) -> Result<Vec<AllocationLine>, AllocationRefusal> {
    let lowest_ceiling = members
        .iter()
        .map(|m| m.price_ceiling_minor)
        .min()
        .unwrap_or_default();
    let winner = offers
        .iter()
        .find(|o| {
            o.available_quantity >= committed && within_ceiling(o.unit_price_minor, lowest_ceiling)
        })
        .ok_or(AllocationRefusal::SingleVendorImpossible {
            total: committed,
            lowest_ceiling: Money::from_minor(lowest_ceiling, currency),
        })?;
    members
        .iter()
        .map(|m| {
            line(
                m,
                winner,
                m.quantity,
                wording::RULE_SINGLE_VENDOR,
                wording::single_vendor(committed),
            )
        })
        .collect()
}
