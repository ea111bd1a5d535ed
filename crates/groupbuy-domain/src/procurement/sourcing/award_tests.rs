//! The award worked through: three members, two vendors, the cheaper one short of supply.

use super::*;
use crate::procurement::commitment::CommitmentStatus;
use crate::procurement::group_buy::tests::{caller, ctx, t0};
use crate::procurement::ids::{CommitmentId, ResponseId};
use crate::procurement::rules::Rules;
use crate::procurement::sourcing::rfq::tests::sourcing;
use crate::procurement::sourcing::rfq_response::submit_response;
use crate::procurement::sourcing::rfq_response::tests::{fields, vendor_caller};
use crate::procurement::GroupBuyStatus;
use time::Duration;
use uuid::Uuid;

fn commitment(
    n: u128,
    member: &str,
    quantity: i64,
    ceiling_minor: i64,
    minutes: i64,
) -> Commitment {
    Commitment {
        id: CommitmentId::new(Uuid::from_u128(100 + n)),
        group_buy_id: GroupBuyId::new(Uuid::from_u128(1)),
        member_id: member.into(),
        quantity,
        price_ceiling: Money::from_minor(ceiling_minor, Currency::parse("USD").expect("usd")),
        purchase_order_ref: None,
        status: CommitmentStatus::Active,
        created_at: t0() - Duration::days(1),
        updated_at: t0() - Duration::days(1) + Duration::minutes(minutes),
    }
}

/// A 50 (ceiling 10.00), B 30 (10.00), C 20 (12.00); a withdrawn D that must not count.
pub(crate) fn commitments() -> Vec<Commitment> {
    let mut withdrawn = commitment(4, "org_d", 40, 2000, 4);
    withdrawn.status = CommitmentStatus::Withdrawn;
    vec![
        commitment(1, "org_a", 50, 1000, 1),
        commitment(2, "org_b", 30, 1000, 2),
        commitment(3, "org_c", 20, 1200, 3),
        withdrawn,
    ]
}

/// The pool SOURCING under `rules`, its RFQ, and the responses: Mills 9.00 for 60 (short),
/// revised from 9.50; Farm 11.00 for 100.
pub(crate) fn quoted(rules: Rules) -> (GroupBuy, Rfq, Vec<VendorResponse>) {
    let (g, rfq) = sourcing(rules);
    let at = |h| ChangeContext {
        now: t0() + Duration::hours(h),
        ..ctx()
    };
    let id = |n| ResponseId::new(Uuid::from_u128(n));
    let mills = vendor_caller("v_mills");
    let m1 = submit_response(&rfq, &g, &mills, fields("9.50", 60), None, id(1), &at(1))
        .expect("m1")
        .response;
    let m2 = submit_response(
        &rfq,
        &g,
        &mills,
        fields("9.00", 60),
        Some(&m1),
        id(1),
        &at(3),
    )
    .expect("m2")
    .response;
    let farm = submit_response(
        &rfq,
        &g,
        &vendor_caller("v_farm"),
        fields("11.00", 100),
        None,
        id(2),
        &at(2),
    )
    .expect("farm")
    .response;
    (g, rfq, vec![m1, farm, m2])
}

fn organiser(g: &GroupBuy) -> Viewer {
    Viewer::of(&caller("org_acme"), g, false)
}

/// The award the job writes at t0 + 1 day.
pub(crate) fn awarded(rules: Rules) -> (GroupBuy, Rfq, Award) {
    let (rfq, award, t) = allocating(rules);
    (t.group_buy, rfq, award)
}

/// The allocation job's transition at t0 + 1 day, with the RFQ and the award.
pub(crate) fn allocating(rules: Rules) -> (Rfq, Award, Transition) {
    let (g, rfq, responses) = quoted(rules);
    let later = ChangeContext {
        now: t0() + Duration::days(1),
        ..ctx()
    };
    let plan = build_allocation(&g, &commitments(), &responses, later.now).expect("plan");
    let id = AllocationId::new(Uuid::from_u128(30));
    let (award, t) =
        allocate_transition(&g, "org_acme", id, &rfq, plan, &later).expect("allocates");
    (rfq, award, t)
}

#[test]
fn commitments_and_latest_valid_responses_feed_the_allocation() {
    let demands = member_demands(&commitments());
    let members: Vec<(&str, i64, i64, u64)> = demands
        .iter()
        .map(|d| {
            (
                d.member_id.as_str(),
                d.quantity,
                d.price_ceiling_minor,
                d.order,
            )
        })
        .collect();
    assert_eq!(
        members,
        vec![
            ("org_a", 50, 1000, 0),
            ("org_b", 30, 1000, 1),
            ("org_c", 20, 1200, 2)
        ]
    );
    let (_, _, responses) = quoted(Rules::default());
    let offers = vendor_offers(&responses, t0() + Duration::days(1));
    let shown: Vec<(&str, i64, i64)> = offers
        .iter()
        .map(|o| {
            (
                o.vendor_id.as_str(),
                o.unit_price_minor,
                o.available_quantity,
            )
        })
        .collect();
    assert_eq!(shown, vec![("v_farm", 1100, 100), ("v_mills", 900, 60)]);
    // Quotes hold for ten days: after that nothing counts.
    assert!(vendor_offers(&responses, t0() + Duration::days(11)).is_empty());
}

#[test]
fn a_short_vendor_is_shared_pro_rata_and_the_rest_explained() {
    let (g, _, responses) = quoted(Rules::default());
    let plan =
        build_allocation(&g, &commitments(), &responses, t0() + Duration::days(1)).expect("plan");
    let lines: Vec<(&str, &str, i64, i64)> = plan
        .results
        .iter()
        .map(|l| {
            (
                l.member_id.as_str(),
                l.vendor_id.as_str(),
                l.quantity,
                l.amount_minor,
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            ("org_a", "v_mills", 30, 27_000),
            ("org_b", "v_mills", 18, 16_200),
            ("org_c", "v_mills", 12, 10_800),
            ("org_c", "v_farm", 8, 8_800),
        ]
    );
    assert_eq!(
        plan.results[0].explanation,
        "pro rata share of 60 units among 3 members needing 100"
    );
    assert_eq!(plan.results[0].rule, "lowest price within ceiling");
    let short: Vec<(&str, i64, &str)> = plan
        .unfilled
        .iter()
        .map(|u| (u.member_id.as_str(), u.quantity, u.reason.as_str()))
        .collect();
    assert_eq!(
        short,
        vec![
            ("org_a", 20, "not enough supply within price ceiling 10.00"),
            ("org_b", 12, "not enough supply within price ceiling 10.00"),
        ]
    );
    assert_eq!(
        plan.totals.allocated_quantity + plan.totals.unfilled_quantity,
        100
    );
}

#[test]
fn allocating_is_checked_before_the_job() {
    let (g, rfq, responses) = quoted(Rules::default());
    let now = t0() + Duration::days(1);
    let c = commitments();
    assert!(check_can_allocate(&g, &organiser(&g), Some(&rfq), &c, &responses, now).is_ok());
    let member = Viewer::of(&caller("org_a"), &g, true);
    assert_eq!(
        check_can_allocate(&g, &member, Some(&rfq), &c, &responses, now)
            .expect_err("member")
            .to_string(),
        "Only the organising organisation may allocate this group buy"
    );
    assert_eq!(
        check_can_allocate(&g, &organiser(&g), Some(&rfq), &c, &[], now)
            .expect_err("no response")
            .to_string(),
        "No valid vendor response to allocate from"
    );
    assert_eq!(
        check_can_allocate(
            &g,
            &organiser(&g),
            Some(&rfq),
            &c,
            &responses,
            t0() + Duration::days(11)
        )
        .expect_err("lapsed")
        .to_string(),
        "No valid vendor response to allocate from"
    );
    let open = GroupBuy {
        status: GroupBuyStatus::Open,
        ..g.clone()
    };
    assert_eq!(
        check_can_allocate(&open, &organiser(&open), Some(&rfq), &c, &responses, now)
            .expect_err("open")
            .to_string(),
        "Cannot allocate a group buy in status OPEN; allowed: commit, withdraw, cancel, rfq"
    );
}

#[test]
fn single_vendor_against_the_facts_is_refused_naming_the_conflict() {
    let single = Rules {
        allocation: crate::procurement::rules::Allocation {
            method: AllocationMethod::SingleVendor,
        },
        ..Rules::default()
    };
    let (g, rfq, responses) = quoted(single);
    let err = check_can_allocate(
        &g,
        &organiser(&g),
        Some(&rfq),
        &commitments(),
        &responses,
        t0() + Duration::days(1),
    )
    .expect_err("conflict");
    assert_eq!(err.status(), 409);
    assert_eq!(
        err.to_string(),
        "single_vendor: no vendor can supply all 100 units within every member's price ceiling (the lowest is 10.00)"
    );
}

#[test]
fn sealed_bids_are_allocated_from_the_due_date_on_only() {
    let sealed = Rules {
        sealed_bids: true,
        ..Rules::default()
    };
    let (g, rfq, responses) = quoted(sealed);
    let c = commitments();
    let early = rfq.due_date - Duration::seconds(1);
    let err = check_can_allocate(&g, &organiser(&g), Some(&rfq), &c, &responses, early)
        .expect_err("sealed");
    assert_eq!(err.status(), 409);
    assert_eq!(
        err.to_string(),
        format!(
            "Bids are sealed until the RFQ's due date {}; allocate from then on",
            crate::platform::rfc3339(rfq.due_date)
        )
    );
    // Unsealed bids may still be allocated early (it closes the RFQ).
    let open = GroupBuy {
        rules: Rules::default(),
        ..g.clone()
    };
    assert!(
        check_can_allocate(&open, &organiser(&open), Some(&rfq), &c, &responses, early).is_ok()
    );
    assert!(
        check_can_allocate(&g, &organiser(&g), Some(&rfq), &c, &responses, rfq.due_date).is_ok()
    );
}

#[test]
fn the_job_allocates_and_says_so_in_the_seeds_shape() {
    let (rfq, award, t) = allocating(Rules::default());
    let id = award.id;
    assert_eq!(t.group_buy.status, GroupBuyStatus::Allocated);
    assert_eq!(award.rfq_id, rfq.id);
    let data = &t.events[0].data;
    assert_eq!(t.events[0].event_type.as_str(), "allocation.created");
    assert_eq!(data["groupbuy_id"], "gb_00000000000000000000000000000001");
    assert_eq!(
        data["allocation"]["id"],
        "alloc_0000000000000000000000000000001e"
    );
    let first = &data["allocation"]["results"][0];
    assert_eq!(first["member_id"], "org_a");
    assert_eq!(first["quantity"], 30);
    assert_eq!(first["vendor_id"], "v_mills");
    assert_eq!(first["unit_price"].to_string(), "9.00");
    assert_eq!(first["amount"].to_string(), "270.00");
    assert_eq!(data["allocation"]["unfilled"][1]["quantity"], 12);
    assert_eq!(t.audit[0].action, "allocate");
    assert_eq!(t.audit[0].to_status.as_deref(), Some("ALLOCATED"));
    // Allocated: no second allocation.
    let later = ChangeContext {
        now: award.created_at,
        ..ctx()
    };
    assert!(allocate_transition(&t.group_buy, "org_acme", id, &rfq, award.plan, &later).is_err());
}

#[test]
fn each_viewer_sees_its_own_lines() {
    let (g, rfq, award) = awarded(Rules::default());
    let of = |who: &Principal| AwardViewer::of(who, &g, &award, &rfq);
    let all = AwardView::new(&award, &of(&caller("org_acme")).expect("organiser"));
    assert_eq!(all.results.len(), 4);
    assert_eq!(all.totals.amount_minor, 62_800);

    let c = AwardView::new(&award, &of(&caller("org_c")).expect("member"));
    assert!(c.results.iter().all(|l| l.member_id == "org_c"));
    assert_eq!(c.results.len(), 2);
    assert!(c.unfilled.is_empty());
    assert_eq!(c.totals.amount_minor, 19_600);

    let a = AwardView::new(&award, &of(&caller("org_a")).expect("member"));
    assert_eq!(a.unfilled.len(), 1);
    assert_eq!(a.totals.unfilled_quantity, 20);

    let farm = AwardView::new(&award, &of(&vendor_caller("v_farm")).expect("vendor"));
    assert_eq!(farm.results.len(), 1);
    assert!(farm.unfilled.is_empty());
    assert_eq!(farm.totals.allocated_quantity, 8);

    for who in [caller("org_d"), caller("org_z"), vendor_caller("v_other")] {
        assert_eq!(
            of(&who),
            Err(SourcingRefusal::AllocationNotFound),
            "{}",
            who.user_id
        );
    }
}
