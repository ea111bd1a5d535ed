//! Orders on both backends: a shop's list (status, cursor, tenancy), the lifecycle with
//! its events, and a cancellation's refund and restock, each exactly once, with money
//! conserved and every wallet equal to its ledger after each.

mod contention;

use crate::db::Database;
use crate::group_purchase::tests::{assert_money_conserved, buy, ctx, fund, product, t0, tzs};
use crate::platform::schema::events;
use crate::schema::wallet_ledger;
use diesel::prelude::*;
use groupbuy_domain::catalog::CatalogStore;
use groupbuy_domain::order::{
    CancelReason, Order, OrderCommand, OrderStatus, OrderStore, Shipment,
};
use groupbuy_domain::platform::Answer;
use groupbuy_domain::wallet::WalletStore;
use groupbuy_domain::{DomainError, Principal};
use uuid::Uuid;

/// The merchant who owns the shop of every test product (`product` creates it).
pub(crate) fn merchant() -> Principal {
    Principal {
        user_id: "merchant".into(),
        roles: vec!["merchant".into()],
        ..Default::default()
    }
}

pub(crate) fn other_merchant() -> Principal {
    Principal {
        user_id: "other-merchant".into(),
        roles: vec!["merchant".into()],
        ..Default::default()
    }
}

pub(crate) fn admin() -> Principal {
    Principal {
        user_id: "admin".into(),
        roles: vec!["platform-admin".into()],
        ..Default::default()
    }
}

/// Completes a group of `buyers.len()` one-seat buyers of `product`; returns each
/// buyer's order (in `buyers`' order).
pub(crate) fn complete(db: &Database, product: Uuid, buyers: &[&str]) -> Vec<Order> {
    let mut group = None;
    for b in buyers {
        fund(db, b, 80_000);
        group = Some(buy(db, b, product, 1, group, t0()).expect("buy"));
    }
    buyers
        .iter()
        .map(|b| {
            let page = db.my_orders(b, None, 100).expect("orders");
            page.items
                .into_iter()
                .find(|o| o.origin.group_instance_id() == group)
                .expect("an order of the group")
        })
        .collect()
}

pub(crate) fn ship() -> OrderCommand {
    OrderCommand::Ship(Shipment::parse("DHL", "TRK-1").expect("valid"))
}

pub(crate) fn cancel() -> OrderCommand {
    OrderCommand::Cancel(CancelReason::parse("Out of stock").expect("valid"))
}

pub(crate) fn apply(
    db: &Database,
    who: &Principal,
    id: Uuid,
    c: OrderCommand,
) -> Result<Order, DomainError> {
    db.change(who, id, c, &ctx(t0()), Answer::none())
}

/// The problem kind of a 409.
pub(crate) fn conflict(r: Result<Order, DomainError>) -> &'static str {
    match r {
        Err(DomainError::Conflict(c)) => c.kind(),
        other => panic!("not a conflict: {other:?}"),
    }
}

fn shop_of(db: &Database, product: Uuid) -> Uuid {
    db.product(product).expect("product").shop_id
}

fn stock(db: &Database, product: Uuid) -> i64 {
    db.product(product).expect("product").stock_quantity
}

/// Wallet entries with this reference (the merchant ledger's lines share it).
fn entries(db: &Database, reference: &str) -> Vec<(String, i64)> {
    db.read(|c| {
        Ok(wallet_ledger::table
            .filter(wallet_ledger::reference.eq(reference))
            .filter(wallet_ledger::account_kind.eq("WALLET"))
            .select((wallet_ledger::kind, wallet_ledger::amount_minor))
            .load(c)?)
    })
    .expect("ledger")
}

/// The outbox's (type, subject, audience) of events about orders.
fn order_events(db: &Database) -> Vec<(String, String, String)> {
    db.read(|c| {
        Ok(events::table
            .filter(events::subject.like("order:%"))
            .order(events::seq)
            .select((events::event_type, events::subject, events::audience_id))
            .load(c)?)
    })
    .expect("events")
}

fn a_shop_lists_its_orders_newest_first_by_status_and_cursor(db: &Database) {
    let p = product(db, 2, None);
    let shop = shop_of(db, p);
    let first = complete(db, p, &["a", "b"]);
    let second = complete(db, p, &["c", "d"]);
    let page = db
        .shop_orders(&merchant(), shop, None, None, 3)
        .expect("page 1");
    let ids: Vec<Uuid> = page.items.iter().map(|o| o.id).collect();
    assert_eq!(
        ids,
        vec![second[1].id, second[0].id, first[1].id],
        "newest first"
    );
    assert!(page.items.iter().all(|o| o.origin.shop_id() == Some(shop)));
    let rest = db
        .shop_orders(&merchant(), shop, None, page.next_cursor, 3)
        .expect("page 2");
    assert_eq!(
        rest.items.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![first[0].id]
    );
    assert_eq!(rest.next_cursor, None);
    apply(db, &merchant(), first[0].id, ship()).expect("ship");
    apply(db, &merchant(), second[0].id, cancel()).expect("cancel");
    let of = |status| {
        db.shop_orders(&merchant(), shop, Some(status), None, 100)
            .expect("filtered")
            .items
            .into_iter()
            .map(|o| o.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(of(OrderStatus::Shipped), vec![first[0].id]);
    assert_eq!(of(OrderStatus::Cancelled), vec![second[0].id]);
    assert_eq!(of(OrderStatus::Confirmed), vec![second[1].id, first[1].id]);
    assert_eq!(of(OrderStatus::Delivered), Vec::<Uuid>::new());
    // A platform admin sees it; another merchant and an unknown shop get the same 404.
    assert_eq!(
        db.shop_orders(&admin(), shop, None, None, 100)
            .expect("admin")
            .items
            .len(),
        4
    );
    let missing = Uuid::new_v4();
    for (who, id) in [(other_merchant(), shop), (merchant(), missing)] {
        assert_eq!(
            db.shop_orders(&who, id, None, None, 10).unwrap_err(),
            DomainError::NotFound(format!("Shop not found with ID: {id}"))
        );
    }
    assert!(matches!(
        db.shop_orders(&merchant(), shop, None, Some("x".into()), 10),
        Err(DomainError::Validation { .. })
    ));
    assert_money_conserved(db);
}

fn ship_then_deliver_shows_the_buyer_tracking_and_refuses_the_rest(db: &Database) {
    let p = product(db, 1, None);
    let [order] = complete(db, p, &["a"]).try_into().expect("one order");
    // Another merchant's order is a missing order, for every action.
    for c in [ship(), OrderCommand::Deliver, cancel()] {
        assert_eq!(
            apply(db, &other_merchant(), order.id, c.clone()).unwrap_err(),
            DomainError::NotFound("Order not found".into())
        );
        assert_eq!(
            apply(db, &merchant(), Uuid::new_v4(), c).unwrap_err(),
            DomainError::NotFound("Order not found".into())
        );
    }
    assert_eq!(
        conflict(apply(db, &merchant(), order.id, OrderCommand::Deliver)),
        "order-not-deliverable"
    );
    let shipped = apply(db, &merchant(), order.id, ship()).expect("ship");
    assert_eq!(shipped.status, OrderStatus::Shipped);
    let seen = db.order("a", order.id).expect("the buyer's view");
    assert_eq!(seen, shipped, "the buyer sees what was written");
    assert_eq!(
        (seen.carrier.as_deref(), seen.tracking_number.as_deref()),
        (Some("DHL"), Some("TRK-1"))
    );
    assert_eq!(seen.shipped_at, Some(t0()));
    assert_eq!(
        conflict(apply(db, &merchant(), order.id, ship())),
        "order-not-shippable"
    );
    assert_eq!(
        conflict(apply(db, &merchant(), order.id, cancel())),
        "order-not-cancellable"
    );
    // A platform admin may act on any shop's order.
    let delivered = apply(db, &admin(), order.id, OrderCommand::Deliver).expect("deliver");
    assert_eq!(delivered.status, OrderStatus::Delivered);
    assert_eq!(delivered.delivered_at, Some(t0()));
    for c in [ship(), OrderCommand::Deliver, cancel()] {
        apply(db, &merchant(), order.id, c).expect_err("nothing after DELIVERED");
    }
    let subject = format!("order:{}", order.id);
    assert_eq!(
        order_events(db),
        vec![
            ("order.shipped".into(), subject.clone(), "merchant".into()),
            ("order.delivered".into(), subject, "merchant".into()),
        ],
        "one event per change, to the shop's owner; none for a refusal"
    );
    assert_eq!(db.wallet("a", t0()).expect("wallet").balance, tzs(0));
    assert_money_conserved(db);
}

fn cancelling_refunds_once_and_restocks_once(db: &Database) {
    let p = product(db, 2, None);
    let before = stock(db, p);
    let orders = complete(db, p, &["a", "b"]);
    assert_eq!(stock(db, p), before - 2, "completion took the units");
    let cancelled = apply(db, &merchant(), orders[0].id, cancel()).expect("cancel");
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert_eq!(cancelled.cancel_reason.as_deref(), Some("Out of stock"));
    assert_eq!(cancelled.cancelled_at, Some(t0()));
    assert_eq!(db.wallet("a", t0()).expect("wallet").balance, tzs(80_000));
    assert_eq!(stock(db, p), before - 1, "its unit is back");
    for c in [cancel(), ship(), OrderCommand::Deliver] {
        apply(db, &merchant(), orders[0].id, c).expect_err("nothing after CANCELLED");
    }
    let reference = format!("order-cancel:{}", orders[0].id);
    assert_eq!(entries(db, &reference), vec![("REFUND".into(), 8_000_000)]);
    assert_eq!(db.wallet("a", t0()).expect("wallet").balance, tzs(80_000));
    assert_eq!(stock(db, p), before - 1, "restocked once");
    // The other order of the group is untouched; shipping it moves no money or stock.
    apply(db, &merchant(), orders[1].id, ship()).expect("ship");
    assert_eq!(db.wallet("b", t0()).expect("wallet").balance, tzs(0));
    assert_eq!(stock(db, p), before - 1);
    let kinds: Vec<String> = order_events(db).into_iter().map(|e| e.0).collect();
    assert_eq!(kinds, ["order.cancelled", "order.shipped"]);
    assert_money_conserved(db);
}

/// An idempotent cancellation stores its answer with its effect; one whose key another
/// attempt answered first rolls back, refunding and restocking nothing.
fn a_cancellation_answered_elsewhere_refunds_nothing(db: &Database) {
    use groupbuy_domain::platform::{
        answered_elsewhere, IdempotencyBegin, IdempotencyStore, StoredResponse,
    };
    let p = product(db, 1, None);
    let [order] = complete(db, p, &["a"]).try_into().expect("one order");
    let before = stock(db, p);
    let response = |body: &str| StoredResponse {
        status: 200,
        body: body.into(),
        content_type: "text/plain".into(),
        headers: Vec::new(),
    };
    let key = |key: &str| {
        let begun = db
            .begin("merchant", key, "fp", t0(), time::Duration::seconds(15))
            .expect("begin");
        assert_eq!(begun, IdempotencyBegin::Proceed);
        Answer::on_key("merchant", key, move |o: &Order| {
            response(o.status.as_str())
        })
    };
    let late = key("k1");
    db.complete("merchant", "k1", response("the other attempt"), t0())
        .expect("answered elsewhere");
    let err = db
        .change(&merchant(), order.id, cancel(), &ctx(t0()), late.clone())
        .unwrap_err();
    assert_eq!(err, answered_elsewhere());
    assert_eq!(late.stored(), None);
    assert_eq!(
        db.order("a", order.id).expect("order").status,
        OrderStatus::Confirmed
    );
    assert_eq!(
        (db.wallet("a", t0()).expect("w").balance, stock(db, p)),
        (tzs(0), before)
    );
    let answer = key("k2");
    db.change(&merchant(), order.id, cancel(), &ctx(t0()), answer.clone())
        .expect("cancel");
    assert_eq!(answer.stored().map(|s| s.body), Some("CANCELLED".into()));
    assert_eq!(entries(db, &format!("order-cancel:{}", order.id)).len(), 1);
    assert_eq!(stock(db, p), before + 1);
    assert_money_conserved(db);
}

crate::on_both_backends!(
    a_shop_lists_its_orders_newest_first_by_status_and_cursor,
    ship_then_deliver_shows_the_buyer_tracking_and_refuses_the_rest,
    cancelling_refunds_once_and_restocks_once,
    a_cancellation_answered_elsewhere_refunds_nothing,
);
