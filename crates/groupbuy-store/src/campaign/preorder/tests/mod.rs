//! Pre-orders on both backends: a close opens one session per signed-in pledge (and
//! nothing without terms), a payment debits once and becomes an order of the handle
//! settled less commission, a late or unfunded one moves nothing, the sweep expires what
//! was not paid, a cancellation reverses it, and nobody else reads any of it. Money is
//! conserved after each ([`crate::testing::money_violations`]).

mod contention;

use crate::group_purchase::tests::assert_money_conserved;
use crate::platform::schema::events;
use crate::Database;
use diesel::prelude::*;
use groupbuy_domain::campaign::{
    Action, CampaignStore, ChangeContext, GroupBuyDraft, GroupBuyFields, Handle, HandleDraft,
    InterestRequest, Preorder, PreorderStatus, PreorderStore, RollupQuery, Slug, VisitorId,
};
use groupbuy_domain::ledger::{CommissionRate, LedgerStore};
use groupbuy_domain::order::{CancelReason, OrderCommand, OrderOrigin, OrderStatus, OrderStore};
use groupbuy_domain::platform::Answer;
use groupbuy_domain::wallet::WalletStore;
use groupbuy_domain::{DomainError, Money, Principal};
use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

pub(super) fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_760_000_000).expect("time")
}

pub(super) fn owner() -> Principal {
    Principal {
        user_id: "m1".into(),
        roles: vec!["merchant".into()],
        ..Principal::default()
    }
}

pub(super) fn user(id: &str) -> Principal {
    Principal {
        user_id: id.into(),
        ..Principal::default()
    }
}

pub(super) fn ctx(now: OffsetDateTime) -> ChangeContext {
    ChangeContext::new("user:test", "req-test", now)
}

pub(super) fn h() -> Handle {
    Handle::parse("preorders").expect("handle")
}

pub(super) fn s() -> Slug {
    Slug::parse("teak-lamps").expect("slug")
}

/// 4,500.00 TZS a unit.
pub(super) fn tzs(minor: i64) -> Money {
    Money::from_minor(minor, groupbuy_domain::money::Currency::TZS)
}

/// A published campaign of m1 (4,500.00 TZS a unit, closes once 2 visitors are in) with
/// `window` hours to pay, when given.
pub(super) fn campaign(db: &Database, window: Option<i64>) {
    db.create_handle(
        &owner(),
        HandleDraft::parse("preorders", "Pre-orders").expect("handle"),
        t0(),
        Answer::none(),
    )
    .expect("handle");
    let fields = GroupBuyFields {
        slug: "teak-lamps".into(),
        title: "Teak lamps".into(),
        description: None,
        unit_price: Decimal::new(4500, 0),
        currency: None,
        min_participants: Some(2),
        min_quantity: None,
        max_quantity: None,
        closes_at: t0() + Duration::days(1),
        preorder_window_hours: window,
    };
    let draft = GroupBuyDraft::parse(fields, t0()).expect("draft");
    db.create_group_buy(&owner(), &h(), draft, &ctx(t0()), Answer::none())
        .expect("create");
    db.transition(
        &owner(),
        &h(),
        &s(),
        Action::Publish,
        &ctx(t0()),
        Answer::none(),
    )
    .expect("publish");
}

pub(super) fn pledge(db: &Database, visitor: &VisitorId, quantity: i64) {
    db.put_interest(
        &h(),
        &s(),
        visitor,
        InterestRequest::parse(Some(quantity), None).expect("request"),
        &ctx(t0()),
    )
    .expect("interest");
}

pub(super) fn close(db: &Database) {
    db.transition(
        &owner(),
        &h(),
        &s(),
        Action::Close,
        &ctx(t0()),
        Answer::none(),
    )
    .expect("close");
}

pub(super) fn session_of(db: &Database, who: &str) -> Preorder {
    db.my_preorder(&h(), &s(), who)
        .expect("read")
        .expect("a session")
}

pub(super) fn pay(
    db: &Database,
    who: &str,
    id: Uuid,
    at: OffsetDateTime,
) -> Result<Preorder, DomainError> {
    db.pay_preorder(&user(who), id, &ctx(at), Answer::none())
}

pub(super) fn fund(db: &Database, who: &str, minor: i64) {
    db.credit(who, tzs(minor), "test", t0(), Answer::none())
        .expect("credit");
}

fn wallet(db: &Database, who: &str) -> i64 {
    db.wallet(who, t0()).map(|w| w.balance.minor()).unwrap_or(0)
}

/// The `data` of every event of `event_type` in the outbox, oldest first.
fn events_of_type(db: &Database, event_type: &str) -> Vec<serde_json::Value> {
    let data: Vec<String> = db
        .read(|c| {
            Ok(events::table
                .filter(events::event_type.eq(event_type))
                .order(events::seq.asc())
                .select(events::data)
                .load(c)?)
        })
        .expect("events");
    data.iter()
        .map(|d| serde_json::from_str(d).expect("json"))
        .collect()
}

fn conflict_kind(r: Result<Preorder, DomainError>) -> &'static str {
    match r {
        Err(DomainError::Conflict(c)) => c.kind(),
        other => panic!("expected a 409, got {other:?}"),
    }
}

fn a_close_opens_one_session_per_signed_in_pledge(db: &Database) {
    campaign(db, Some(48));
    pledge(db, &VisitorId::user("alice"), 3);
    pledge(db, &VisitorId::user("bob"), 1);
    pledge(db, &VisitorId::anonymous(Uuid::from_u128(7)), 5);
    assert_eq!(db.my_preorder(&h(), &s(), "alice").expect("read"), None);
    close(db);
    let alice = session_of(db, "alice");
    assert_eq!(alice.status, PreorderStatus::PendingPayment);
    assert_eq!(alice.quantity, 3);
    assert_eq!(alice.total_amount, tzs(1_350_000));
    assert_eq!(alice.expires_at, t0() + Duration::hours(48));
    assert_eq!(session_of(db, "bob").total_amount, tzs(450_000));
    let counts = db.preorder_counts(&owner(), &h(), &s()).expect("counts");
    assert_eq!((counts.pledged, counts.pending, counts.paid), (2, 2, 0));
    let opened = events_of_type(db, "campaign.preorders_opened");
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0]["sessions"], 2);
    assert_eq!(opened[0]["anonymous_interests"], 1);
    assert_money_conserved(db);
}

fn without_terms_a_close_opens_nothing(db: &Database) {
    campaign(db, None);
    pledge(db, &VisitorId::user("alice"), 3);
    pledge(db, &VisitorId::user("bob"), 1);
    close(db);
    assert_eq!(db.my_preorder(&h(), &s(), "alice").expect("read"), None);
    let counts = db.preorder_counts(&owner(), &h(), &s()).expect("counts");
    assert_eq!(counts.pledged, 0);
    assert!(events_of_type(db, "campaign.preorders_opened").is_empty());
}

fn a_paid_preorder_is_an_order_of_the_handle_settled_less_commission(db: &Database) {
    let db = &db
        .clone()
        .with_default_commission(CommissionRate::from_bps(250, "commissionBps").expect("rate"));
    campaign(db, Some(2));
    pledge(db, &VisitorId::user("alice"), 3);
    pledge(db, &VisitorId::user("bob"), 1);
    close(db);
    fund(db, "alice", 2_000_000);
    let session = session_of(db, "alice");
    let at = t0() + Duration::hours(1);
    let paid = pay(db, "alice", session.id, at).expect("paid");
    assert_eq!(paid.status, PreorderStatus::Paid);
    assert_eq!(paid.settled_at, Some(at));
    let order_id = paid.order_id.expect("an order");
    assert!(paid.transaction_id.is_some());
    assert_eq!(wallet(db, "alice"), 2_000_000 - 1_350_000);
    // A retry answers with the paid session and debits nothing.
    assert_eq!(pay(db, "alice", session.id, at).expect("again"), paid);
    assert_eq!(wallet(db, "alice"), 2_000_000 - 1_350_000);
    let mine = db.order("alice", order_id).expect("the buyer's order");
    assert_eq!(mine.status, OrderStatus::Confirmed);
    assert_eq!(mine.total_amount, tzs(1_350_000));
    // 2.5% of 13,500.00 is 337.50.
    assert_eq!(mine.commission, tzs(33_750));
    assert!(
        matches!(mine.origin, OrderOrigin::Preorder { preorder_id, .. } if preorder_id == session.id)
    );
    let to_ship = db
        .handle_orders(&owner(), &h(), Some(OrderStatus::Confirmed), None, 20)
        .expect("the handle's orders");
    assert_eq!(to_ship.items.len(), 1);
    assert_eq!(to_ship.items[0].id, order_id);
    let balance = db.handle_balance(&owner(), &h()).expect("balance");
    assert_eq!(balance[0].available, tzs(1_350_000 - 33_750));
    let statement = db
        .handle_statement(&owner(), &h(), None, 20)
        .expect("lines");
    assert_eq!(statement.items.len(), 2, "settled, then commission");
    let created = events_of_type(db, "order.created");
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["order_id"], order_id.to_string());
    assert_eq!(created[0]["handle"], "preorders");
    let counts = db.preorder_counts(&owner(), &h(), &s()).expect("counts");
    assert_eq!((counts.pledged, counts.pending, counts.paid), (2, 1, 1));
    // The platform admin's rollup, of this handle and of all.
    for handle in [Some(h()), None] {
        let query = RollupQuery {
            status: None,
            handle,
            stuck_draft_age: Duration::hours(72),
            cursor: None,
            limit: 20,
        };
        let rollup = db.rollup(query, at).expect("rollup");
        assert_eq!(rollup.preorders, counts);
    }
    assert_money_conserved(db);
}

fn an_unfunded_or_late_payment_moves_nothing_and_the_sweep_expires_it(db: &Database) {
    campaign(db, Some(2));
    pledge(db, &VisitorId::user("alice"), 3);
    pledge(db, &VisitorId::user("bob"), 1);
    close(db);
    fund(db, "bob", 100);
    let bob = session_of(db, "bob");
    let refused = pay(db, "bob", bob.id, t0() + Duration::minutes(5));
    assert!(matches!(refused, Err(DomainError::Rule(_))), "{refused:?}");
    assert_eq!(session_of(db, "bob").status, PreorderStatus::PendingPayment);
    assert_eq!(wallet(db, "bob"), 100);
    fund(db, "alice", 2_000_000);
    let alice = session_of(db, "alice");
    let deadline = alice.expires_at;
    // At the deadline, before the sweep marks it: refused all the same.
    assert_eq!(
        conflict_kind(pay(db, "alice", alice.id, deadline)),
        "preorder-expired"
    );
    assert_eq!(
        db.expire_preorders(deadline - Duration::seconds(1), 100)
            .expect("sweep"),
        0
    );
    assert_eq!(db.expire_preorders(deadline, 100).expect("sweep"), 2);
    assert_eq!(
        db.expire_preorders(deadline, 100).expect("sweep"),
        0,
        "once"
    );
    assert_eq!(session_of(db, "alice").status, PreorderStatus::Expired);
    assert_eq!(
        conflict_kind(pay(db, "alice", alice.id, deadline)),
        "preorder-expired"
    );
    assert_eq!(wallet(db, "alice"), 2_000_000);
    let counts = db.preorder_counts(&owner(), &h(), &s()).expect("counts");
    assert_eq!((counts.pledged, counts.expired, counts.paid), (2, 2, 0));
    assert_money_conserved(db);
}

fn cancelling_a_preorder_refunds_it_and_reverses_the_handles_settlement(db: &Database) {
    campaign(db, Some(2));
    pledge(db, &VisitorId::user("alice"), 2);
    pledge(db, &VisitorId::user("bob"), 1);
    close(db);
    fund(db, "alice", 900_000);
    let paid = pay(db, "alice", session_of(db, "alice").id, t0()).expect("paid");
    assert_eq!(wallet(db, "alice"), 0);
    let cancel = OrderCommand::Cancel(CancelReason::parse("Out of teak").expect("reason"));
    let order_id = paid.order_id.expect("order");
    let stranger = db.change(
        &user("m2"),
        order_id,
        cancel.clone(),
        &ctx(t0()),
        Answer::none(),
    );
    assert!(matches!(stranger, Err(DomainError::NotFound(_))));
    let cancelled = db
        .change(&owner(), order_id, cancel, &ctx(t0()), Answer::none())
        .expect("cancelled");
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert_eq!(wallet(db, "alice"), 900_000);
    let balance = db.handle_balance(&owner(), &h()).expect("balance");
    assert_eq!(balance[0].available, tzs(0));
    assert_money_conserved(db);
}

fn nobody_else_reads_a_session_or_the_handles_side(db: &Database) {
    campaign(db, Some(2));
    pledge(db, &VisitorId::user("alice"), 2);
    pledge(db, &VisitorId::user("bob"), 1);
    close(db);
    let alice = session_of(db, "alice");
    fund(db, "bob", 900_000);
    // Bob cannot pay (or read) Alice's session: not found, as a missing one.
    assert!(matches!(
        pay(db, "bob", alice.id, t0()),
        Err(DomainError::NotFound(_))
    ));
    assert!(matches!(
        db.preorder("bob", alice.id),
        Err(DomainError::NotFound(_))
    ));
    assert_eq!(db.preorder("alice", alice.id).expect("hers").id, alice.id);
    assert_eq!(wallet(db, "bob"), 900_000);
    let m2 = Principal {
        user_id: "m2".into(),
        roles: vec!["merchant".into()],
        ..Principal::default()
    };
    assert!(matches!(
        db.handle_orders(&m2, &h(), None, None, 20),
        Err(DomainError::NotFound(_))
    ));
    assert!(matches!(
        db.handle_balance(&m2, &h()),
        Err(DomainError::NotFound(_))
    ));
    assert!(matches!(
        db.handle_statement(&m2, &h(), None, 20),
        Err(DomainError::NotFound(_))
    ));
    assert!(matches!(
        db.preorder_counts(&m2, &h(), &s()),
        Err(DomainError::NotFound(_))
    ));
}

crate::on_both_backends!(
    a_close_opens_one_session_per_signed_in_pledge,
    without_terms_a_close_opens_nothing,
    a_paid_preorder_is_an_order_of_the_handle_settled_less_commission,
    an_unfunded_or_late_payment_moves_nothing_and_the_sweep_expires_it,
    cancelling_a_preorder_refunds_it_and_reverses_the_handles_settlement,
    nobody_else_reads_a_session_or_the_handles_side,
);
