//! Properties every allocation keeps, whatever the commitments and offers.

use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;
use time::macros::datetime;
use time::Duration;

const T0: OffsetDateTime = datetime!(2026-03-01 09:00 UTC);

fn members() -> impl Strategy<Value = Vec<MemberDemand>> {
    // Few distinct times, so ties on time (broken by order) happen often.
    prop::collection::vec((-2i64..60, 0i64..2_000, 0i64..4), 1..9).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (quantity, ceiling, minutes))| MemberDemand {
                member_id: format!("m{i}"),
                quantity,
                price_ceiling_minor: ceiling,
                committed_at: T0 + Duration::minutes(minutes),
                order: u64::try_from(i).expect("small"),
            })
            .collect()
    })
}

fn offers() -> impl Strategy<Value = Vec<VendorOffer>> {
    prop::collection::vec((0i64..2_000, -5i64..120, 0i64..4), 0..6).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (price, available, minutes))| VendorOffer {
                vendor_id: format!("v{i}"),
                unit_price_minor: price,
                available_quantity: available,
                responded_at: T0 + Duration::minutes(minutes),
                order: u64::try_from(i).expect("small"),
            })
            .collect()
    })
}

fn method() -> impl Strategy<Value = AllocationMethod> {
    prop_oneof![
        Just(AllocationMethod::LowestPriceProRata),
        Just(AllocationMethod::SingleVendor)
    ]
}

fn sum_by<'a>(pairs: impl Iterator<Item = (&'a str, i64)>) -> BTreeMap<&'a str, i64> {
    let mut out = BTreeMap::new();
    for (id, q) in pairs {
        *out.entry(id).or_default() += q;
    }
    out
}

/// Replays the pro-rata walk from the plan and checks each short vendor's split against the
/// exact proportional shares: within one unit of each.
fn check_proportional(
    plan: &AllocationPlan,
    members: &[MemberDemand],
    offers: &[VendorOffer],
) -> Result<(), TestCaseError> {
    let mut short: BTreeMap<&str, i64> = members
        .iter()
        .filter(|m| m.quantity > 0)
        .map(|m| (m.member_id.as_str(), m.quantity))
        .collect();
    for offer in by_price(offers) {
        let eligible: Vec<&MemberDemand> = members
            .iter()
            .filter(|m| short.get(m.member_id.as_str()).is_some_and(|s| *s > 0))
            .filter(|m| m.price_ceiling_minor >= offer.unit_price_minor)
            .collect();
        let need: i64 = eligible.iter().map(|m| short[m.member_id.as_str()]).sum();
        for m in eligible {
            let got: i64 = plan
                .results
                .iter()
                .filter(|l| l.vendor_id == offer.vendor_id && l.member_id == m.member_id)
                .map(|l| l.quantity)
                .sum();
            let still = short[m.member_id.as_str()];
            if offer.available_quantity < need {
                // |got - supply * still / need| < 1, in integers.
                let exact = i128::from(offer.available_quantity) * i128::from(still);
                let scaled = i128::from(got) * i128::from(need);
                prop_assert!((scaled - exact).abs() < i128::from(need));
            } else {
                prop_assert_eq!(got, still);
            }
            short.insert(m.member_id.as_str(), still - got);
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn every_unit_is_accounted_for_within_ceilings_and_supply(
        method in method(),
        members in members(),
        offers in offers(),
    ) {
        let Ok(plan) = allocate(method, &members, &offers, Currency::TZS) else {
            return Ok(());
        };
        let allocated = sum_by(plan.results.iter().map(|l| (l.member_id.as_str(), l.quantity)));
        let unfilled = sum_by(plan.unfilled.iter().map(|u| (u.member_id.as_str(), u.quantity)));
        for m in &members {
            let id = m.member_id.as_str();
            let got = allocated.get(id).copied().unwrap_or(0);
            let committed = m.quantity.max(0);
            prop_assert!(got <= committed);
            prop_assert_eq!(got + unfilled.get(id).copied().unwrap_or(0), committed);
        }
        let supplied = sum_by(plan.results.iter().map(|l| (l.vendor_id.as_str(), l.quantity)));
        for o in &offers {
            prop_assert!(supplied.get(o.vendor_id.as_str()).copied().unwrap_or(0) <= o.available_quantity.max(0));
        }
        for l in &plan.results {
            let m = members.iter().find(|m| m.member_id == l.member_id).expect("a member");
            let o = offers.iter().find(|o| o.vendor_id == l.vendor_id).expect("a vendor");
            prop_assert!(l.quantity > 0);
            prop_assert!(l.unit_price_minor <= m.price_ceiling_minor);
            prop_assert_eq!(l.unit_price_minor, o.unit_price_minor);
            prop_assert_eq!(l.amount_minor, l.quantity * l.unit_price_minor);
        }
        prop_assert_eq!(plan.totals.allocated_quantity, allocated.values().sum::<i64>());
        prop_assert_eq!(plan.totals.unfilled_quantity, unfilled.values().sum::<i64>());
        prop_assert_eq!(plan.totals.amount_minor, plan.results.iter().map(|l| l.amount_minor).sum::<i64>());
        if method == AllocationMethod::LowestPriceProRata {
            check_proportional(&plan, &members, &offers)?;
            // Nobody stays short while a vendor within its ceiling has units left.
            for u in &plan.unfilled {
                let m = members.iter().find(|m| m.member_id == u.member_id).expect("a member");
                for o in offers.iter().filter(|o| o.available_quantity > 0 && o.unit_price_minor <= m.price_ceiling_minor) {
                    prop_assert_eq!(supplied.get(o.vendor_id.as_str()).copied().unwrap_or(0), o.available_quantity);
                }
            }
        } else {
            prop_assert!(plan.unfilled.is_empty());
            let vendors: std::collections::BTreeSet<&str> = plan.results.iter().map(|l| l.vendor_id.as_str()).collect();
            prop_assert_eq!(vendors.len(), 1);
        }
    }

    #[test]
    fn refusals_are_true(method in method(), members in members(), offers in offers()) {
        let Err(refusal) = allocate(method, &members, &offers, Currency::TZS) else {
            return Ok(());
        };
        let asking: Vec<&MemberDemand> = members.iter().filter(|m| m.quantity > 0).collect();
        let valid: Vec<&VendorOffer> = offers.iter().filter(|o| o.available_quantity > 0).collect();
        match refusal {
            AllocationRefusal::NothingCommitted => prop_assert!(asking.is_empty()),
            AllocationRefusal::NoValidResponse => prop_assert!(valid.is_empty()),
            AllocationRefusal::NothingWithinCeilings { .. } => prop_assert!(valid.iter().all(|o| asking.iter().all(|m| o.unit_price_minor > m.price_ceiling_minor))),
            AllocationRefusal::SingleVendorImpossible { total, .. } => {
                prop_assert_eq!(total, asking.iter().map(|m| m.quantity).sum::<i64>());
                prop_assert!(!valid.iter().any(|o| o.available_quantity >= total && asking.iter().all(|m| o.unit_price_minor <= m.price_ceiling_minor)));
            }
            AllocationRefusal::TooLarge => prop_assert!(false, "small inputs are never too large"),
        }
    }

    #[test]
    fn the_plan_does_not_depend_on_input_order(
        method in method(),
        (members, shuffled_members) in members().prop_flat_map(|m| (Just(m.clone()), Just(m).prop_shuffle())),
        (offers, shuffled_offers) in offers().prop_flat_map(|o| (Just(o.clone()), Just(o).prop_shuffle())),
    ) {
        prop_assert_eq!(
            allocate(method, &members, &offers, Currency::TZS),
            allocate(method, &shuffled_members, &shuffled_offers, Currency::TZS)
        );
    }
}
