//! Allocations worked out by hand.

use super::*;
use crate::error::DomainError;
use time::macros::datetime;
use time::Duration;

const T0: OffsetDateTime = datetime!(2026-03-01 09:00 UTC);

fn member(id: &str, quantity: i64, ceiling: i64, minutes: i64) -> MemberDemand {
    MemberDemand {
        member_id: id.to_owned(),
        quantity,
        price_ceiling_minor: ceiling,
        committed_at: T0 + Duration::minutes(minutes),
        order: 0,
    }
}

fn offer(id: &str, price: i64, available: i64, minutes: i64) -> VendorOffer {
    VendorOffer {
        vendor_id: id.to_owned(),
        unit_price_minor: price,
        available_quantity: available,
        responded_at: T0 + Duration::minutes(minutes),
        order: 0,
    }
}

fn pro_rata(members: &[MemberDemand], offers: &[VendorOffer]) -> AllocationPlan {
    allocate(
        AllocationMethod::LowestPriceProRata,
        members,
        offers,
        Currency::TZS,
    )
    .expect("allocates")
}

/// `(member, vendor, quantity)` of each line, in plan order.
fn shares(plan: &AllocationPlan) -> Vec<(&str, &str, i64)> {
    plan.results
        .iter()
        .map(|l| (l.member_id.as_str(), l.vendor_id.as_str(), l.quantity))
        .collect()
}

#[test]
fn short_supply_is_split_by_largest_remainder() {
    // 30 among needs 20/10/7: quotas 16.22, 8.11, 5.68 -> 16, 8, 5 and the last unit to .68.
    let members = [
        member("m1", 20, 1000, 0),
        member("m2", 10, 1000, 1),
        member("m3", 7, 1000, 2),
    ];
    let plan = pro_rata(&members, &[offer("v1", 900, 30, 0)]);
    assert_eq!(
        shares(&plan),
        [("m1", "v1", 16), ("m2", "v1", 8), ("m3", "v1", 6)]
    );
    let first = &plan.results[0];
    assert_eq!(first.rule, "lowest price within ceiling");
    assert_eq!(
        first.explanation,
        "pro rata share of 30 units among 3 members needing 37"
    );
    assert_eq!((first.unit_price_minor, first.amount_minor), (900, 14_400));
    let unfilled: Vec<(&str, i64, &str)> = plan
        .unfilled
        .iter()
        .map(|u| (u.member_id.as_str(), u.quantity, u.reason.as_str()))
        .collect();
    let ran_out = "not enough supply within price ceiling 10.00";
    assert_eq!(
        unfilled,
        [("m1", 4, ran_out), ("m2", 2, ran_out), ("m3", 1, ran_out)]
    );
    assert_eq!(
        plan.totals,
        AllocationTotals {
            allocated_quantity: 30,
            unfilled_quantity: 7,
            amount_minor: 27_000,
        }
    );
}

#[test]
fn equal_remainders_go_to_the_earlier_commitment() {
    // 20 among three needs of 10: 6.67 each, the two spare units to the two earliest.
    let members = [
        member("late", 10, 1000, 60),
        member("early", 10, 1000, 0),
        member("mid", 10, 1000, 30),
    ];
    let plan = pro_rata(&members, &[offer("v1", 500, 20, 0)]);
    assert_eq!(
        shares(&plan),
        [("early", "v1", 7), ("mid", "v1", 7), ("late", "v1", 6)]
    );
}

#[test]
fn the_next_vendor_serves_those_still_short_within_their_ceiling() {
    let members = [
        member("m1", 20, 1000, 0),
        member("m2", 10, 920, 1),
        member("m3", 7, 1000, 2),
    ];
    let offers = [offer("v2", 950, 20, 0), offer("v1", 900, 30, 5)];
    let plan = pro_rata(&members, &offers);
    assert_eq!(
        shares(&plan),
        [
            ("m1", "v1", 16),
            ("m2", "v1", 8),
            ("m3", "v1", 6),
            ("m1", "v2", 4),
            ("m3", "v2", 1),
        ]
    );
    assert_eq!(
        plan.results[3].explanation,
        "need met in full: 20 units available for 2 members needing 5"
    );
    assert_eq!(plan.unfilled.len(), 1);
    assert_eq!(
        (
            plan.unfilled[0].member_id.as_str(),
            plan.unfilled[0].quantity
        ),
        ("m2", 2)
    );
    assert_eq!(
        plan.unfilled[0].reason,
        "not enough supply within price ceiling 9.20"
    );
}

#[test]
fn a_member_below_every_price_is_told_so() {
    let members = [member("m1", 5, 1000, 0), member("cheap", 3, 800, 1)];
    let plan = pro_rata(&members, &[offer("v1", 950, 100, 0)]);
    assert_eq!(shares(&plan), [("m1", "v1", 5)]);
    assert_eq!(
        plan.results[0].explanation,
        "need met in full: 100 units available for 1 member needing 5"
    );
    assert_eq!(
        plan.unfilled[0].reason,
        "no vendor within price ceiling 8.00"
    );
}

#[test]
fn equal_prices_go_to_the_earlier_response() {
    let offers = [offer("second", 900, 10, 60), offer("first", 900, 10, 0)];
    let plan = pro_rata(&[member("m1", 15, 900, 0)], &offers);
    assert_eq!(shares(&plan), [("m1", "first", 10), ("m1", "second", 5)]);
}

#[test]
fn the_ceiling_prints_with_the_currency_decimals() {
    for (code, ceiling, text) in [("UGX", 950, "950"), ("KWD", 9_500, "9.500")] {
        let currency = Currency::parse(code).expect("supported");
        let plan = allocate(
            AllocationMethod::LowestPriceProRata,
            &[member("m1", 1, 100_000, 0), member("m2", 1, ceiling, 1)],
            &[offer("v1", 99_999, 5, 0)],
            currency,
        )
        .expect("allocates");
        assert_eq!(
            plan.unfilled[0].reason,
            format!("no vendor within price ceiling {text}")
        );
    }
}

#[test]
fn single_vendor_takes_everything_at_the_cheapest_price_within_every_ceiling() {
    let members = [member("m1", 50, 1000, 0), member("m2", 70, 950, 1)];
    let offers = [
        offer("short", 800, 100, 0),
        offer("dear", 960, 150, 0),
        offer("fit", 950, 130, 0),
    ];
    let plan = allocate(
        AllocationMethod::SingleVendor,
        &members,
        &offers,
        Currency::TZS,
    )
    .expect("one vendor fits");
    assert_eq!(shares(&plan), [("m1", "fit", 50), ("m2", "fit", 70)]);
    assert_eq!(plan.results[0].rule, "single vendor");
    assert_eq!(
        plan.results[0].explanation,
        "cheapest vendor able to supply all 120 units within every member's price ceiling"
    );
    assert!(plan.unfilled.is_empty());
    assert_eq!(plan.totals.amount_minor, 120 * 950);

    let refusal = allocate(
        AllocationMethod::SingleVendor,
        &members,
        &offers[..2],
        Currency::TZS,
    )
    .expect_err("no vendor fits");
    assert_eq!(
        refusal.to_string(),
        "single_vendor: no vendor can supply all 120 units within every member's price ceiling (the lowest is 9.50)"
    );
    assert_eq!(
        DomainError::from(refusal),
        DomainError::Conflict(crate::error::Refusal::new(
            "allocation-conflict",
            "single_vendor: no vendor can supply all 120 units within every member's price ceiling (the lowest is 9.50)"
        ))
    );
}

#[test]
fn refusals_name_what_is_missing() {
    let members = [member("m1", 5, 500, 0)];
    let refuse = |members: &[MemberDemand], offers: &[VendorOffer]| {
        allocate(
            AllocationMethod::LowestPriceProRata,
            members,
            offers,
            Currency::TZS,
        )
        .expect_err("refused")
    };
    assert_eq!(
        refuse(&members, &[offer("v1", 100, 0, 0)]),
        AllocationRefusal::NoValidResponse
    );
    assert_eq!(
        refuse(&[member("m1", 0, 500, 0)], &[offer("v1", 100, 5, 0)]),
        AllocationRefusal::NothingCommitted
    );
    let priced_out = refuse(&members, &[offer("v1", 600, 5, 0)]);
    assert_eq!(
        priced_out.to_string(),
        "lowest_price_pro_rata: no vendor's price is within any member's price ceiling (the highest is 5.00)"
    );
    assert_eq!(priced_out.kind(), "allocation-conflict");
    assert_eq!(
        refuse(
            &[member("m1", 1_000_000_000, i64::MAX, 0)],
            &[offer("v1", 2_000_000_000, 1_000_000_000, 0)]
        ),
        AllocationRefusal::TooLarge
    );
}

#[test]
fn methods_have_their_wire_names() {
    assert_eq!(
        AllocationMethod::default().as_str(),
        "lowest_price_pro_rata"
    );
    assert_eq!(
        AllocationMethod::parse("single_vendor"),
        Some(AllocationMethod::SingleVendor)
    );
    assert_eq!(AllocationMethod::parse("first_come"), None);
}
