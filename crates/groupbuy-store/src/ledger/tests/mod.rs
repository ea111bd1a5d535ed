//! The merchant ledger on both backends: every completion settles its orders into the
//! shop's balance less the commission (the shop's own rate or the default, read in the
//! completing transaction), a cancellation reverses both, payouts never pass the balance,
//! only the shop's owner or a platform admin reads it, and money is conserved after each.

mod contention;

use crate::db::Database;
use crate::group_purchase::tests::{
    assert_money_conserved, buy, ctx, fund, product, t0, tzs, user,
};
use crate::order::tests::{admin, apply, cancel, complete, merchant, other_merchant};
use crate::platform::schema::events;
use diesel::prelude::*;
use groupbuy_domain::catalog::CatalogStore;
use groupbuy_domain::group_purchase::GroupPurchaseStore;
use groupbuy_domain::ledger::{CommissionRate, LedgerStore, Payout, PayoutDraft};
use groupbuy_domain::order::{OrderStatus, OrderStore};
use groupbuy_domain::platform::Answer;
use groupbuy_domain::wallet::{LedgerKind, WalletStore};
use groupbuy_domain::{DomainError, Money};
use rust_decimal::Decimal;
use uuid::Uuid;

pub(super) fn rate(bps: i64) -> CommissionRate {
    CommissionRate::from_bps(bps, "commissionBps").expect("rate")
}

pub(super) fn shop_of(db: &Database, product: Uuid) -> Uuid {
    db.product(product).expect("product").shop_id
}

/// The shop's TZS balance (zero before its first settlement).
pub(super) fn balance(db: &Database, shop: Uuid) -> Money {
    let b = db.balance(&admin(), shop).expect("balance");
    b.balances.first().map_or(tzs(0), |m| m.available)
}

pub(super) fn payout(db: &Database, shop: Uuid, major: i64) -> Result<Payout, DomainError> {
    let draft = PayoutDraft::parse(Decimal::from(major), None, "bank 1").expect("valid");
    db.record_payout(shop, draft, &ctx(t0()), Answer::none())
}

fn kinds(db: &Database, shop: Uuid) -> Vec<LedgerKind> {
    let page = db
        .statement(&merchant(), shop, None, 100)
        .expect("statement");
    page.items.iter().map(|e| e.kind).collect()
}

fn platform_revenue(db: &Database) -> i64 {
    let page = db
        .read(|c| {
            crate::wallet::lines_of(c, &groupbuy_domain::wallet::Account::platform(), None, 1)
        })
        .expect("lines");
    page.items.first().map_or(0, |e| e.balance_after.minor())
}

fn completion_settles_each_order_less_the_default_commission(db: &Database) {
    // 2.5% of 80,000.00 is 2,000.00 per order.
    let db = &db.clone().with_default_commission(rate(250));
    let p = product(db, 3, None);
    let shop = shop_of(db, p);
    let orders = complete(db, p, &["a", "b", "c"]);
    assert!(orders.iter().all(|o| o.commission == tzs(2_000)));
    assert_eq!(balance(db, shop), tzs(3 * 78_000));
    assert_eq!(platform_revenue(db), tzs(3 * 2_000).minor());
    use LedgerKind::{Commission, OrderSettled};
    assert_eq!(
        kinds(db, shop),
        [
            Commission,
            OrderSettled,
            Commission,
            OrderSettled,
            Commission,
            OrderSettled
        ],
        "newest first, each order its settlement then its commission"
    );
    let b = db.balance(&merchant(), shop).expect("balance");
    assert_eq!(b.commission.effective(), rate(250));
    assert_eq!(b.commission.own, None);
    assert_money_conserved(db);
}

fn a_shops_own_rate_overrides_the_default_until_cleared_and_is_audited(db: &Database) {
    let db = &db.clone().with_default_commission(rate(250));
    let p = product(db, 1, None);
    let shop = shop_of(db, p);
    let set = db
        .set_commission(shop, Some(rate(1_000)), &ctx(t0()))
        .expect("set");
    assert_eq!(set.effective(), rate(1_000));
    let first = complete(db, p, &["a"]);
    assert_eq!(first[0].commission, tzs(8_000), "10% of 80,000.00");
    db.set_commission(shop, Some(CommissionRate::ZERO), &ctx(t0()))
        .expect("zero");
    assert_eq!(
        complete(db, p, &["b"])[0].commission,
        tzs(0),
        "its own zero"
    );
    let cleared = db.set_commission(shop, None, &ctx(t0())).expect("cleared");
    assert_eq!(cleared.effective(), rate(250));
    assert_eq!(
        complete(db, p, &["c"])[0].commission,
        tzs(2_000),
        "the default again"
    );
    let chain = db
        .read(|c| crate::platform::audit::chain(c, &format!("shop:{shop}")))
        .expect("chain");
    let actions: Vec<&str> = chain.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["commission.set"; 3]);
    assert_eq!(chain[0].details["to_bps"], 1_000);
    assert_eq!(chain[2].details["to_bps"], serde_json::Value::Null);
    assert!(matches!(
        db.set_commission(Uuid::new_v4(), None, &ctx(t0())),
        Err(DomainError::NotFound(_))
    ));
    assert_money_conserved(db);
}

fn cancelling_reverses_the_settlement_and_the_commission(db: &Database) {
    let db = &db.clone().with_default_commission(rate(250));
    let p = product(db, 2, None);
    let shop = shop_of(db, p);
    let orders = complete(db, p, &["a", "b"]);
    let cancelled = apply(db, &merchant(), orders[0].id, cancel()).expect("cancelled");
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert_eq!(
        balance(db, shop),
        tzs(78_000),
        "only the other order's money"
    );
    assert_eq!(platform_revenue(db), tzs(2_000).minor());
    assert_eq!(db.wallet("a", t0()).expect("wallet").balance, tzs(80_000));
    let statement = db.statement(&merchant(), shop, None, 2).expect("statement");
    let newest: Vec<(LedgerKind, i64)> = statement
        .items
        .iter()
        .map(|e| (e.kind, e.amount.minor()))
        .collect();
    assert_eq!(
        newest,
        [
            (LedgerKind::OrderCancelled, -tzs(80_000).minor()),
            (LedgerKind::CommissionReversed, tzs(2_000).minor()),
        ]
    );
    assert!(statement
        .items
        .iter()
        .all(|e| e.reference == format!("order-cancel:{}", orders[0].id)));
    assert!(statement.next_cursor.is_some());
    assert_money_conserved(db);
}

fn payouts_take_from_the_balance_never_past_it_and_are_told(db: &Database) {
    let p = product(db, 2, None);
    let shop = shop_of(db, p);
    complete(db, p, &["a", "b"]);
    let paid = payout(db, shop, 100_000).expect("paid out");
    assert_eq!(paid.entry.kind, LedgerKind::Payout);
    assert_eq!(paid.entry.balance_after, tzs(60_000));
    assert_eq!(paid.entry.reference, "bank 1");
    match payout(db, shop, 60_001) {
        Err(DomainError::Conflict(r)) => {
            assert_eq!(r.kind(), "insufficient-shop-balance");
            assert_eq!(
                r.message(),
                "Insufficient shop balance. Balance: 60000.00 TZS, required: 60001.00 TZS"
            );
        }
        other => panic!("{other:?}"),
    }
    payout(db, shop, 60_000).expect("everything");
    assert_eq!(balance(db, shop), tzs(0));
    let told: Vec<(String, String, String)> = db
        .read(|c| {
            Ok(events::table
                .filter(events::event_type.eq("payout.recorded"))
                .select((events::subject, events::audience_id, events::data))
                .load(c)?)
        })
        .expect("events");
    assert_eq!(told.len(), 2, "one event per payout recorded");
    assert_eq!(told[0].0, format!("shop:{shop}"));
    assert_eq!(told[0].1, "merchant");
    assert!(told[0].2.contains("\"reference\":\"bank 1\""));
    assert!(matches!(
        payout(db, Uuid::new_v4(), 1),
        Err(DomainError::NotFound(_))
    ));
    assert_money_conserved(db);
}

fn a_cancellation_of_money_paid_out_is_refused_whole(db: &Database) {
    let p = product(db, 1, None);
    let shop = shop_of(db, p);
    let orders = complete(db, p, &["a"]);
    payout(db, shop, 1).expect("a little");
    let refused = apply(db, &merchant(), orders[0].id, cancel());
    assert!(
        matches!(refused, Err(DomainError::Conflict(ref r)) if r.kind() == "insufficient-shop-balance"),
        "{refused:?}"
    );
    assert_eq!(
        db.order("a", orders[0].id).expect("order").status,
        OrderStatus::Confirmed,
        "nothing of it happened"
    );
    assert_eq!(db.wallet("a", t0()).expect("wallet").balance, tzs(0));
    assert_money_conserved(db);
}

fn only_the_owner_or_a_platform_admin_reads_a_shop(db: &Database) {
    let p = product(db, 1, None);
    let shop = shop_of(db, p);
    complete(db, p, &["a"]);
    let missing = format!("Shop not found with ID: {shop}");
    for r in [
        db.balance(&other_merchant(), shop).map(|_| ()),
        db.statement(&other_merchant(), shop, None, 10).map(|_| ()),
    ] {
        assert!(
            matches!(r, Err(DomainError::NotFound(ref m)) if *m == missing),
            "{r:?}"
        );
    }
    assert_eq!(db.balance(&admin(), shop).expect("admin").balances.len(), 1);
    assert_eq!(
        db.statement(&admin(), shop, None, 10)
            .expect("admin")
            .items
            .len(),
        1
    );
    assert!(matches!(
        db.statement(&merchant(), shop, Some("x".into()), 10),
        Err(DomainError::Validation { .. })
    ));
    // A shop with no settled order yet has no balance, not an error.
    let fresh = shop_of(db, product(db, 1, None));
    assert!(db
        .balance(&merchant(), fresh)
        .expect("balance")
        .balances
        .is_empty());
}

/// A group filled by a seat transfer completes through the same writer: its orders settle.
fn a_transfer_that_fills_a_group_settles_it(db: &Database) {
    let db = &db.clone().with_default_commission(rate(250));
    let p = product(db, 2, None);
    let shop = shop_of(db, p);
    for who in ["a", "b"] {
        fund(db, who, 80_000);
    }
    let g1 = buy(db, "a", p, 1, None, t0()).expect("g1");
    let g2 = buy(db, "b", p, 1, None, t0()).expect("g2");
    assert_eq!(
        balance(db, shop),
        tzs(0),
        "nothing settles while groups are open"
    );
    db.transfer(&user("a"), g1, g2, 1, &ctx(t0()), Answer::none())
        .expect("transferred");
    assert_eq!(balance(db, shop), tzs(2 * 78_000));
    assert_money_conserved(db);
}

crate::on_both_backends!(
    a_transfer_that_fills_a_group_settles_it,
    completion_settles_each_order_less_the_default_commission,
    a_shops_own_rate_overrides_the_default_until_cleared_and_is_audited,
    cancelling_reverses_the_settlement_and_the_commission,
    payouts_take_from_the_balance_never_past_it_and_are_told,
    a_cancellation_of_money_paid_out_is_refused_whole,
    only_the_owner_or_a_platform_admin_reads_a_shop,
);
