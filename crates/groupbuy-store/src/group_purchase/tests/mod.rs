//! Group purchase use cases on both backends, with money conservation checked after each.

mod answers;
mod batches;
mod conservation;
mod consistency;
mod contention;
mod events;
mod reads;
mod round_trips;
mod statements;
mod sweep;

use crate::db::Database;
use crate::schema::products;
pub(crate) use conservation::assert_money_conserved;
use diesel::prelude::*;
use groupbuy_domain::catalog::{CatalogStore, ProductDraft, ProductFields, ShopDraft};
use groupbuy_domain::group_purchase::{
    CheckoutRequest, GroupPurchaseStore, GroupStatus, ParticipantStatus,
};
use groupbuy_domain::order::OrderStore;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::platform::ChangeContext;
use groupbuy_domain::wallet::WalletStore;
use groupbuy_domain::{Currency, DomainError, Money, Principal, Refusal};
use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

pub(crate) fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_760_000_000).expect("time")
}

/// A change made at `now` in request `req-test`.
pub(crate) fn ctx(now: OffsetDateTime) -> ChangeContext {
    ChangeContext::new("user:test", "req-test", now)
}

pub(crate) fn user(id: &str) -> Principal {
    Principal {
        user_id: id.into(),
        name: Some(format!("{id}_name")),
        ..Default::default()
    }
}

pub(crate) fn tzs(major: i64) -> Money {
    Money::from_minor(major * 100, Currency::TZS)
}

/// A product (price 80 000 TZS, `seats` per group, 1 h groups) in a new shop.
pub(crate) fn product(db: &Database, seats: i32, cap: Option<i32>) -> Uuid {
    let m = Principal {
        user_id: "merchant".into(),
        roles: vec!["merchant".into()],
        ..Default::default()
    };
    let shop = db
        .create_shop(
            &m,
            ShopDraft::parse("Shop", None).expect("valid"),
            t0(),
            Answer::none(),
        )
        .expect("shop");
    let draft = ProductDraft::parse(ProductFields {
        name: "Headphones".into(),
        image: None,
        regular_price: Decimal::from(150_000),
        group_price: Decimal::from(80_000),
        currency: None,
        stock_quantity: 10_000,
        group_buying_enabled: true,
        group_max_size: seats,
        group_time_limit_hours: Decimal::ONE,
        max_per_customer: cap,
    })
    .expect("valid");
    db.create_product(&m, shop.id, draft, t0(), Answer::none())
        .expect("product")
        .id
}

/// Credits and buys; returns the group id.
pub(crate) fn buy(
    db: &Database,
    who: &str,
    product: Uuid,
    qty: i32,
    group: Option<Uuid>,
    now: OffsetDateTime,
) -> Result<Uuid, DomainError> {
    let session = db.create_checkout(
        &user(who),
        CheckoutRequest {
            product_id: product,
            quantity: qty,
            group_instance_id: group,
        },
        &ctx(now),
        Answer::none(),
    )?;
    let paid = db.pay(&user(who), session.id, &ctx(now), Answer::none())?;
    Ok(paid.group_instance_id.expect("group id"))
}

pub(crate) fn fund(db: &Database, who: &str, major: i64) {
    db.credit(who, tzs(major), "test", t0(), Answer::none())
        .expect("credit");
}

fn scenario_1_create_join_complete(db: &Database) {
    let p = product(db, 10, None);
    for (u, amount) in [("a", 160_000), ("b", 240_000), ("c", 400_000)] {
        fund(db, u, amount);
    }
    let g = buy(db, "a", p, 2, None, t0()).expect("create");
    buy(db, "b", p, 3, Some(g), t0()).expect("join");
    let detail = db.group(g).expect("group");
    assert_eq!(detail.group.seats_occupied, 5);
    assert_eq!(
        detail.group.name,
        format!("{}-Headphones", detail.group.code.as_str())
    );
    assert_eq!(db.catalog_reserved(p), 10);
    buy(db, "c", p, 5, Some(g), t0()).expect("join and complete");
    let detail = db.group(g).expect("group");
    assert_eq!(detail.group.status, GroupStatus::Completed);
    assert!(detail.group.completed_at.is_some());
    for u in ["a", "b", "c"] {
        let orders = db.my_orders(u, None, 10).expect("orders");
        assert_eq!(orders.items.len(), 1, "one order for {u}");
        assert_eq!(db.wallet(u, t0()).expect("wallet").balance.minor(), 0);
    }
    let product = db.product(p).expect("product");
    assert_eq!(
        (product.stock_quantity, product.reserved_quantity),
        (9_990, 0)
    );
    fund(db, "d", 80_000);
    let err = buy(db, "d", p, 1, Some(g), t0()).unwrap_err();
    assert_eq!(
        err,
        DomainError::Rule(Refusal::new(
            "group-full",
            "Group is full. Seats occupied: 10/10"
        ))
    );
    assert_eq!(db.wallet("d", t0()).expect("wallet").balance, tzs(80_000));
    assert_money_conserved(db);
}

fn scenario_4_hybrid_purchases(db: &Database) {
    let p = product(db, 10, None);
    fund(db, "a", 400_000);
    let g = buy(db, "a", p, 2, None, t0()).expect("create");
    buy(db, "a", p, 3, Some(g), t0()).expect("again");
    let detail = db.group(g).expect("group");
    let mine = detail.member("a").expect("member");
    assert_eq!(mine.participant.quantity, 5);
    assert_eq!(mine.participant.purchase_count, 2);
    assert_eq!(mine.purchases.len(), 2);
    assert_eq!(detail.total_participants(), 1);
}

fn refusals_leave_everything_untouched(db: &Database) {
    let p = product(db, 5, Some(3));
    fund(db, "a", 1_000_000);
    let err = buy(db, "a", p, 8, None, t0()).unwrap_err();
    assert_eq!(
        err,
        DomainError::Rule(Refusal::new(
            "exceeds-group-size",
            "Quantity (8) exceeds group max size (5)"
        ))
    );
    let g = buy(db, "a", p, 2, None, t0()).expect("create");
    let err = buy(db, "a", p, 2, Some(g), t0()).unwrap_err();
    assert_eq!(
        err,
        DomainError::Rule(Refusal::new(
            "customer-cap",
            "Maximum seats per customer is 3. You have: 2, requested: 2"
        ))
    );
    // a poor buyer: checkout opens but payment is refused, nothing moves
    fund(db, "poor", 1);
    let session = db
        .create_checkout(
            &user("poor"),
            CheckoutRequest {
                product_id: p,
                quantity: 1,
                group_instance_id: Some(g),
            },
            &ctx(t0()),
            Answer::none(),
        )
        .expect("session");
    let err = db
        .pay(&user("poor"), session.id, &ctx(t0()), Answer::none())
        .unwrap_err();
    assert!(
        matches!(err, DomainError::Rule(ref m) if m.starts_with("Insufficient wallet balance")),
        "{err:?}"
    );
    assert_eq!(db.group(g).expect("group").group.seats_occupied, 2);
    assert_eq!(db.wallet("poor", t0()).expect("wallet").balance, tzs(1));
    // expired before the sweep ran
    let late = t0() + Duration::hours(2);
    let err = buy(db, "a", p, 1, Some(g), late).unwrap_err();
    assert!(
        matches!(err, DomainError::Rule(ref m) if m.starts_with("Group has expired at: ")),
        "{err:?}"
    );
    // paying twice answers with the paid session and debits nothing
    fund(db, "b", 200_000);
    let s = db
        .create_checkout(
            &user("b"),
            CheckoutRequest {
                product_id: p,
                quantity: 1,
                group_instance_id: Some(g),
            },
            &ctx(t0()),
            Answer::none(),
        )
        .expect("session");
    let paid = db
        .pay(&user("b"), s.id, &ctx(t0()), Answer::none())
        .expect("paid");
    assert_eq!(
        db.pay(&user("b"), s.id, &ctx(t0()), Answer::none())
            .expect("paid again"),
        paid
    );
    // another buyer cannot pay (or see) it
    assert!(matches!(
        db.pay(&user("c"), s.id, &ctx(t0()), Answer::none()),
        Err(DomainError::NotFound(_))
    ));
    assert_eq!(db.wallet("b", t0()).expect("wallet").balance, tzs(120_000));
    assert_money_conserved(db);
}

fn scenario_2_transfers_move_seats_and_money(db: &Database) {
    let p = product(db, 10, None);
    fund(db, "a", 1_000_000);
    fund(db, "b", 1_000_000);
    let g1 = buy(db, "a", p, 3, None, t0()).expect("g1");
    let g2 = buy(db, "b", p, 1, None, t0()).expect("g2");
    let moved = db
        .transfer(&user("a"), g1, g2, 2, &ctx(t0()), Answer::none())
        .expect("transfer");
    assert_eq!(moved.participant.quantity, 2);
    assert_eq!(moved.participant.total_paid, tzs(160_000));
    assert!(moved.participant.has_transferred);
    assert_eq!(
        moved.transfers[0].reason,
        format!(
            "Transferred 2 seats from group {}",
            db.group(g1).expect("g1").group.code.as_str()
        )
    );
    assert_eq!(
        db.group(g1)
            .expect("g1")
            .member("a")
            .expect("still in")
            .participant
            .quantity,
        1
    );
    let err = db
        .transfer(&user("a"), g1, g2, 2, &ctx(t0()), Answer::none())
        .unwrap_err();
    assert_eq!(
        err,
        DomainError::Rule(Refusal::new(
            "not-enough-seats-to-transfer",
            "Not enough seats to transfer. You have: 1, requested: 2"
        ))
    );
    assert_eq!(
        db.transfer(&user("c"), g1, g2, 1, &ctx(t0()), Answer::none())
            .unwrap_err(),
        DomainError::NotFound("You are not a participant in the source group".into())
    );
    // full transfer empties g1: it is deleted and its stock released
    db.transfer(&user("a"), g1, g2, 1, &ctx(t0()), Answer::none())
        .expect("full transfer");
    let g1d = db.group(g1).expect("g1");
    assert_eq!(g1d.group.status, GroupStatus::Deleted);
    assert_eq!(
        g1d.participants[0].participant.status,
        ParticipantStatus::TransferredOut
    );
    assert_eq!(db.catalog_reserved(p), 10);
    // the moved money is refunded with the target group
    db.expire_due(&ctx(t0() + Duration::hours(2)), 100)
        .expect("sweep");
    assert_eq!(
        db.wallet("a", t0()).expect("wallet").balance,
        tzs(1_000_000)
    );
    assert_money_conserved(db);
}

fn scenario_3_expiry_refunds_exactly_once(db: &Database) {
    let p = product(db, 10, None);
    fund(db, "a", 500_000);
    fund(db, "b", 500_000);
    let g = buy(db, "a", p, 2, None, t0()).expect("create");
    buy(db, "b", p, 1, Some(g), t0()).expect("join");
    assert_eq!(
        db.expire_due(&ctx(t0() + Duration::minutes(59)), 100)
            .expect("sweep"),
        0
    );
    let later = t0() + Duration::hours(1);
    assert_eq!(db.expire_due(&ctx(later), 100).expect("sweep"), 1);
    assert_eq!(db.expire_due(&ctx(later), 100).expect("sweep"), 0);
    let detail = db.group(g).expect("group");
    assert_eq!(detail.group.status, GroupStatus::Failed);
    assert!(detail
        .participants
        .iter()
        .all(|p| p.participant.status == ParticipantStatus::Refunded));
    assert_eq!(db.wallet("a", later).expect("wallet").balance, tzs(500_000));
    assert_eq!(db.wallet("b", later).expect("wallet").balance, tzs(500_000));
    assert_eq!(db.catalog_reserved(p), 0);
    assert_money_conserved(db);
}

fn rename_rules(db: &Database) {
    let p = product(db, 10, None);
    fund(db, "a", 500_000);
    fund(db, "b", 500_000);
    let g1 = buy(db, "a", p, 1, None, t0()).expect("g1");
    let g2 = buy(db, "b", p, 1, None, t0()).expect("g2");
    assert_eq!(
        db.rename("a", g1, "  Dar Deal ", &ctx(t0()))
            .expect("renamed")
            .group
            .name,
        "Dar Deal"
    );
    assert_eq!(
        db.rename("b", g2, "Dar Deal", &ctx(t0())).unwrap_err(),
        DomainError::Rule(Refusal::new(
            "name-taken",
            "Group name already taken: Dar Deal"
        ))
    );
    assert_eq!(
        db.rename("b", g1, "Mine", &ctx(t0())).unwrap_err(),
        DomainError::Rule(Refusal::new(
            "not-initiator",
            "Only the group initiator can change the group name"
        ))
    );
    assert_eq!(
        db.rename("a", Uuid::new_v4(), "Mine", &ctx(t0()))
            .unwrap_err(),
        DomainError::NotFound("Group not found".into())
    );
    db.delete_group(g2, &ctx(t0())).expect("admin delete");
    assert_eq!(
        db.rename("b", g2, "Other", &ctx(t0())).unwrap_err(),
        DomainError::Rule(Refusal::new("rename-closed", "Cannot rename deleted group"))
    );
    assert_eq!(db.wallet("b", t0()).expect("wallet").balance, tzs(500_000));
    assert_money_conserved(db);
}

impl Database {
    fn catalog_reserved(&self, product: Uuid) -> i64 {
        self.read(|conn| {
            Ok(products::table
                .find(product.to_string())
                .select(products::reserved_quantity)
                .first(conn)?)
        })
        .expect("reserved")
    }
}

crate::on_both_backends!(
    scenario_1_create_join_complete,
    scenario_2_transfers_move_seats_and_money,
    scenario_3_expiry_refunds_exactly_once,
    scenario_4_hybrid_purchases,
    refusals_leave_everything_untouched,
    rename_rules,
);
