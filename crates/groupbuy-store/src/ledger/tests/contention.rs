//! Contention on the merchant ledger (PostgreSQL is the one that matters: SQLite has a
//! single writer): concurrent payouts never pass the balance, and cancellations racing
//! payouts and completions of the same shop keep money conserved; the ledger's invariants
//! ([`crate::testing::money_violations`]) are checked after each.

use super::{balance, payout, rate, shop_of};
use crate::db::Database;
use crate::group_purchase::tests::{assert_money_conserved, product, tzs};
use crate::order::tests::{apply, cancel, complete, merchant};
use groupbuy_domain::order::Order;
use groupbuy_domain::DomainError;
use std::sync::{Arc, Barrier};

/// Concurrent payouts.
const PAYERS: usize = 20;

/// The kind of a 409, or a panic for anything else.
fn conflict_kind<T: std::fmt::Debug>(r: &Result<T, DomainError>) -> Option<&'static str> {
    match r {
        Ok(_) => None,
        Err(DomainError::Conflict(c)) => Some(c.kind()),
        Err(e) => panic!("refused with a 409, not {e:?}"),
    }
}

fn concurrent_payouts_never_pass_the_balance(db: &Database) {
    let db = &db.clone().with_default_commission(rate(250));
    let p = product(db, 4, None);
    let shop = shop_of(db, p);
    complete(db, p, &["a", "b", "c", "d"]);
    let start = balance(db, shop);
    assert_eq!(start, tzs(4 * 78_000));
    let barrier = Arc::new(Barrier::new(PAYERS));
    let handles: Vec<_> = (0..PAYERS)
        .map(|_| {
            let (db, barrier) = (db.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                payout(&db, shop, 20_000)
            })
        })
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();
    let mut paid = 0;
    for r in &results {
        match conflict_kind(r) {
            None => paid += 1,
            Some(kind) => assert_eq!(kind, "insufficient-shop-balance"),
        }
    }
    // 312,000.00 covers 15 payouts of 20,000.00, whatever the interleaving.
    assert_eq!(paid, 15);
    assert_eq!(balance(db, shop), tzs(312_000 - 15 * 20_000));
    assert_money_conserved(db);
}

fn cancels_racing_payouts_and_completions_conserve_money(db: &Database) {
    let db = &db.clone().with_default_commission(rate(250));
    let p = product(db, 2, None);
    let shop = shop_of(db, p);
    let mut orders: Vec<Order> = Vec::new();
    for pair in [["a", "b"], ["c", "d"], ["e", "f"]] {
        orders.extend(complete(db, p, &pair));
    }
    let racers = orders.len() + 8 + 2;
    let barrier = Arc::new(Barrier::new(racers));
    let mut cancels = Vec::new();
    for o in &orders {
        let (db, barrier, id) = (db.clone(), barrier.clone(), o.id);
        cancels.push(std::thread::spawn(move || {
            barrier.wait();
            apply(&db, &merchant(), id, cancel())
        }));
    }
    let mut payouts = Vec::new();
    for _ in 0..8 {
        let (db, barrier) = (db.clone(), barrier.clone());
        payouts.push(std::thread::spawn(move || {
            barrier.wait();
            payout(&db, shop, 50_000)
        }));
    }
    let mut completions = Vec::new();
    for pair in [["g", "h"], ["i", "j"]] {
        let (db, barrier) = (db.clone(), barrier.clone());
        completions.push(std::thread::spawn(move || {
            barrier.wait();
            complete(&db, p, &pair)
        }));
    }
    for h in cancels {
        let r = h.join().expect("thread");
        if let Some(kind) = conflict_kind(&r) {
            // Its money was paid out meanwhile: refused whole, never a negative balance.
            assert_eq!(kind, "insufficient-shop-balance");
        }
    }
    for h in payouts {
        let r = h.join().expect("thread");
        if let Some(kind) = conflict_kind(&r) {
            assert_eq!(kind, "insufficient-shop-balance");
        }
    }
    for h in completions {
        assert_eq!(h.join().expect("thread").len(), 2);
    }
    assert!(balance(db, shop).minor() >= 0);
    assert_money_conserved(db);
}

/// The lock a payout takes on its shop leaves the shop's foreign keys usable: a payment
/// inserting the shop's group or orders (a key-share check on the shop row) does not wait
/// for it. With `FOR UPDATE` it did, which closed a deadlock cycle through the merchant
/// balance and the product row. PostgreSQL only: SQLite has one writer and no row locks.
#[test]
fn a_payouts_shop_lock_leaves_foreign_key_checks_free() {
    let Some(t) = crate::testing::TestDatabase::postgres() else {
        return;
    };
    let db = &t.db;
    let p = product(db, 2, None);
    let shop = shop_of(db, p);
    let (locked_tx, locked) = std::sync::mpsc::channel();
    let (release_tx, release) = std::sync::mpsc::channel::<()>();
    let holder = {
        let db = db.clone();
        std::thread::spawn(move || {
            db.write(move |conn| {
                super::super::shop_terms(conn, shop, true)?;
                locked_tx.send(()).expect("main thread waits");
                release.recv().expect("main thread releases");
                Ok(())
            })
        })
    };
    locked.recv().expect("the shop row is locked");
    // NOWAIT: refused at once if the held lock conflicts with a foreign-key check.
    let checked = db.write(|conn| {
        let sql = format!("SELECT id FROM shops WHERE id = '{shop}' FOR KEY SHARE NOWAIT");
        match conn {
            crate::db::DbConnection::Pg(c) => {
                diesel::RunQueryDsl::execute(diesel::sql_query(sql), c)?;
            }
            crate::db::DbConnection::Sqlite(_) => unreachable!("a PostgreSQL database"),
        }
        Ok(())
    });
    release_tx.send(()).expect("holder waits");
    holder.join().expect("thread").expect("holder commits");
    assert!(
        checked.is_ok(),
        "a key-share check waited for the payout's lock: {checked:?}"
    );
}

crate::on_both_backends!(
    concurrent_payouts_never_pass_the_balance,
    cancels_racing_payouts_and_completions_conserve_money,
);
