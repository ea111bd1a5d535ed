use super::*;
use crate::catalog::{GroupTimeLimit, Product};
use crate::group_purchase::instance::GroupCode;
use crate::money::{Currency, Money};
use proptest::prelude::*;
use rust_decimal::Decimal;
use time::Duration;
use uuid::Uuid;

pub(crate) fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_760_000_000).expect("time")
}

pub(crate) fn group(total: i32, occupied: i32) -> GroupInstance {
    GroupInstance {
        id: Uuid::new_v4(),
        code: GroupCode::from_stored("GP-A3X7K9".into()),
        name: "GP-A3X7K9-Headphones".into(),
        product_id: Uuid::nil(),
        shop_id: Uuid::nil(),
        initiator_id: "alice".into(),
        initiator_name: "alice".into(),
        unit_price: Money::from_minor(8_000_000, Currency::TZS),
        regular_price: Money::from_minor(15_000_000, Currency::TZS),
        total_seats: total,
        seats_occupied: occupied,
        status: GroupStatus::Open,
        duration_hours: Decimal::from(24),
        max_per_customer: None,
        created_at: t0(),
        expires_at: t0() + Duration::hours(24),
        completed_at: None,
        updated_at: t0(),
    }
}

pub(crate) fn participant(qty: i32) -> Participant {
    Participant {
        id: Uuid::new_v4(),
        group_id: Uuid::nil(),
        user_id: "alice".into(),
        user_name: "alice".into(),
        user_picture: None,
        quantity: qty,
        total_paid: Money::from_minor(8_000_000 * i64::from(qty), Currency::TZS),
        status: ParticipantStatus::Active,
        joined_at: t0(),
        purchase_count: 1,
        has_transferred: false,
        checkout_session_id: None,
    }
}

pub(crate) fn product() -> Product {
    Product {
        id: Uuid::nil(),
        shop_id: Uuid::nil(),
        name: "Headphones".into(),
        image: None,
        regular_price: Money::from_minor(15_000_000, Currency::TZS),
        group_price: Money::from_minor(8_000_000, Currency::TZS),
        stock_quantity: 100,
        reserved_quantity: 0,
        group_buying_enabled: true,
        group_max_size: 5,
        group_time_limit: GroupTimeLimit::parse(Decimal::from(24)).expect("valid"),
        max_per_customer: Some(4),
        created_at: t0(),
        updated_at: t0(),
    }
}

fn msg(r: Result<(), Refused>) -> String {
    match r {
        Err(refused) => refused.to_string(),
        Ok(()) => panic!("expected a refusal"),
    }
}

fn join(g: &GroupInstance, quantity: i32, held: i32, now: OffsetDateTime) -> Result<(), Refused> {
    check_join(JoinCheck {
        group: g,
        quantity,
        already_held: held,
        now,
    })
}

#[test]
fn new_group_refusals() {
    let mut p = product();
    p.group_buying_enabled = false;
    assert_eq!(
        msg(check_new_group(&p, 1)),
        "Group buying is not enabled for this product"
    );
    assert_eq!(
        msg(check_new_group(&product(), 8)),
        "Quantity (8) exceeds group max size (5)"
    );
    assert_eq!(
        msg(check_new_group(&product(), 5)),
        "Maximum seats per customer is 4. You have: 0, requested: 5"
    );
    let mut p = product();
    p.reserved_quantity = 97;
    assert_eq!(
        msg(check_new_group(&p, 1)),
        "Insufficient stock to open a group. Available: 3, required: 5"
    );
    assert!(check_new_group(&product(), 2).is_ok());
}

#[test]
fn join_refusals_have_the_spec_messages() {
    let g = group(10, 10);
    assert_eq!(
        msg(join(&g, 1, 0, t0())),
        "Group is full. Seats occupied: 10/10"
    );
    let g = group(5, 0);
    assert_eq!(
        msg(join(&g, 8, 0, t0())),
        "Quantity (8) exceeds group max size (5)"
    );
    let g = group(10, 9);
    assert_eq!(
        msg(join(&g, 2, 0, t0())),
        "Not enough seats available. Requested: 2, Available: 1"
    );
    let g = group(10, 1);
    assert_eq!(
        msg(join(&g, 1, 0, t0() + Duration::hours(24))),
        "Group has expired at: 2025-10-10T08:53:20Z"
    );
    let mut g = group(10, 1);
    g.max_per_customer = Some(3);
    assert_eq!(
        msg(join(&g, 2, 2, t0())),
        "Maximum seats per customer is 3. You have: 2, requested: 2"
    );
    g.status = GroupStatus::Deleted;
    assert_eq!(msg(join(&g, 1, 0, t0())), "Group has been deleted");
    g.status = GroupStatus::Completed;
    assert!(msg(join(&g, 1, 0, t0())).starts_with("Group is full"));
}

#[test]
fn transfer_refusals_have_the_spec_messages() {
    let source = group(10, 3);
    let mut target = group(10, 9);
    let mine = participant(1);
    let check = |s: &GroupInstance, t: &GroupInstance, m: Option<&Participant>, q: i32| {
        check_transfer(TransferCheck {
            source: s,
            target: t,
            mine_in_source: m,
            held_in_target: 0,
            quantity: q,
            now: t0(),
        })
    };
    assert_eq!(
        msg(check(&source, &source, Some(&mine), 1)),
        "Source and target groups must be different"
    );
    assert_eq!(
        msg(check(&source, &target, None, 1)),
        "You are not a participant in the source group"
    );
    assert_eq!(
        msg(check(&source, &target, Some(&mine), 2)),
        "Not enough seats to transfer. You have: 1, requested: 2"
    );
    let two = participant(2);
    assert_eq!(
        msg(check(&source, &target, Some(&two), 2)),
        "Not enough seats available. Requested: 2, Available: 1"
    );
    target.product_id = Uuid::new_v4();
    assert_eq!(
        msg(check(&source, &target, Some(&mine), 1)),
        "Cannot transfer between groups with different products"
    );
    target.product_id = source.product_id;
    target.shop_id = Uuid::new_v4();
    assert_eq!(
        msg(check(&source, &target, Some(&mine), 1)),
        "Cannot transfer between groups from different shops"
    );
    target.shop_id = source.shop_id;
    target.unit_price = Money::from_minor(7_500_000, Currency::TZS);
    assert_eq!(
        msg(check(&source, &target, Some(&mine), 1)),
        "Cannot transfer. Price mismatch: 80000.00 vs 75000.00"
    );
    target.unit_price = source.unit_price;
    target.status = GroupStatus::Completed;
    assert_eq!(
        msg(check(&source, &target, Some(&mine), 1)),
        "Cannot transfer to a group with status: COMPLETED"
    );
    assert!(check(&source, &group(10, 0), Some(&mine), 1).is_ok());
}

#[test]
fn rename_rules_in_the_spec_order() {
    let g = group(10, 1);
    assert_eq!(
        msg(check_rename(&g, "bob", t0())),
        "Only the group initiator can change the group name"
    );
    let mut d = g.clone();
    d.status = GroupStatus::Deleted;
    assert_eq!(
        msg(check_rename(&d, "alice", t0())),
        "Cannot rename deleted group"
    );
    d.status = GroupStatus::Completed;
    assert_eq!(
        msg(check_rename(&d, "alice", t0())),
        "Cannot rename group with status: COMPLETED"
    );
    assert_eq!(
        msg(check_rename(&g, "alice", t0() + Duration::days(2))),
        "Cannot rename expired group"
    );
    assert!(check_rename(&g, "alice", t0()).is_ok());
    assert_eq!(parse_group_name("  ab  ").unwrap_err(), Refused::NameLength);
    assert_eq!(
        parse_group_name(&"x".repeat(101)).unwrap_err(),
        Refused::NameLength
    );
    assert_eq!(parse_group_name("  My Deal ").expect("valid"), "My Deal");
}

proptest! {
    /// Whatever sequence of join attempts runs, accepted joins never overfill the group.
    #[test]
    fn accepted_joins_never_overfill(total in 1i32..30, attempts in proptest::collection::vec(1i32..8, 0..40)) {
        let mut g = group(total, 0);
        for q in attempts {
            if join(&g, q, 0, t0()).is_ok() {
                g.seats_occupied += q;
            }
            prop_assert!(g.seats_occupied <= g.total_seats);
        }
    }

    /// A transfer that passes the rules fits both groups.
    #[test]
    fn accepted_transfers_fit(have in 1i32..10, want in 1i32..10, target_occupied in 0i32..10) {
        let source = group(10, have);
        let target = group(10, target_occupied);
        let mine = participant(have);
        let ok = check_transfer(TransferCheck { source: &source, target: &target, mine_in_source: Some(&mine), held_in_target: 0, quantity: want, now: t0() }).is_ok();
        prop_assert_eq!(ok, want <= have && target_occupied + want <= 10);
    }
}
