//! Contention: many concurrent buyers, racing transfers and two sweepers.

use super::{assert_money_conserved, buy, ctx, fund, product, t0, tzs, user};
use crate::db::Database;
use crate::schema::{orders, wallet_ledger};
use diesel::prelude::*;
use groupbuy_domain::group_purchase::{CheckoutStatus, GroupPurchaseStore, GroupStatus};
use groupbuy_domain::platform::Answer;
use groupbuy_domain::wallet::WalletStore;
use groupbuy_domain::DomainError;
use std::sync::{Arc, Barrier};
use time::Duration;

/// 200 concurrent buyers of one seat against a 50-seat group.
fn contention_200_buyers_50_seats(db: &Database) {
    let p = product(db, 51, None);
    fund(db, "opener", 80_000);
    let g = buy(db, "opener", p, 1, None, t0()).expect("open");
    let buyers: Vec<String> = (0..200).map(|i| format!("buyer-{i}")).collect();
    for b in &buyers {
        fund(db, b, 80_000);
    }
    let barrier = Arc::new(Barrier::new(buyers.len()));
    let handles: Vec<_> = buyers
        .iter()
        .cloned()
        .map(|b| {
            let (db, barrier) = (db.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                buy(&db, &b, p, 1, Some(g), t0()).map(|_| b)
            })
        })
        .collect();
    let mut won = 0;
    for h in handles {
        match h.join().expect("thread") {
            Ok(_) => won += 1,
            Err(DomainError::Rule(m)) => assert!(
                m == "Group is full. Seats occupied: 51/51",
                "unexpected refusal {m}"
            ),
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }
    assert_eq!(won, 50);
    let detail = db.group(g).expect("group");
    assert_eq!(detail.group.status, GroupStatus::Completed);
    assert_eq!(detail.group.seats_occupied, 51);
    let orders = db
        .read(|conn| {
            Ok(orders::table
                .filter(orders::group_id.eq(g.to_string()))
                .count()
                .get_result::<i64>(conn)?)
        })
        .expect("count");
    assert_eq!(orders, 51);
    let untouched = buyers
        .iter()
        .filter(|b| db.wallet(b, t0()).expect("wallet").balance == tzs(80_000))
        .count();
    assert_eq!(untouched, 150, "every refused buyer keeps their money");
    assert_money_conserved(db);
}

/// Purchases and transfers racing on the same groups create or lose no seat.
fn mixed_transfers_and_purchases(db: &Database) {
    let p = product(db, 40, None);
    let movers: Vec<String> = (0..8).map(|i| format!("mover-{i}")).collect();
    for m in &movers {
        fund(db, m, 2_000_000);
    }
    let g1 = buy(db, &movers[0], p, 2, None, t0()).expect("g1");
    let g2 = buy(db, &movers[1], p, 2, None, t0()).expect("g2");
    for m in &movers {
        buy(db, m, p, 2, Some(g1), t0()).expect("seed g1");
        buy(db, m, p, 2, Some(g2), t0()).expect("seed g2");
    }
    let handles: Vec<_> = movers
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, m)| {
            let db = db.clone();
            std::thread::spawn(move || {
                for round in 0..6 {
                    let (from, to) = if (i + round) % 2 == 0 {
                        (g1, g2)
                    } else {
                        (g2, g1)
                    };
                    let _ = db.transfer(&user(&m), from, to, 1, &ctx(t0()), Answer::none());
                    let _ = buy(&db, &m, p, 1, Some(to), t0());
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
    assert_money_conserved(db);
}

/// Two sweepers (two pools on one database) fail each expired group exactly once.
fn two_sweepers_refund_once(db: &Database) {
    // Groups of three products, interleaved, so the sweepers' batches span the same products.
    let products = [
        product(db, 10, None),
        product(db, 10, None),
        product(db, 10, None),
    ];
    let mut groups = Vec::new();
    for i in 0..20 {
        let u = format!("u{i}");
        fund(db, &u, 160_000);
        groups.push(buy(db, &u, products[i % 3], 2, None, t0()).expect("open"));
    }
    let later = t0() + Duration::hours(3);
    let sweepers: Vec<_> = (0..2)
        .map(|_| {
            let db = db.clone();
            std::thread::spawn(move || {
                let mut n = 0;
                for _ in 0..20 {
                    n += db.expire_due(&ctx(later), 3).expect("sweep");
                }
                n
            })
        })
        .collect();
    let total: usize = sweepers
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .sum();
    assert_eq!(total, 20, "each group failed once");
    let refunds = db
        .read(|conn| {
            Ok(wallet_ledger::table
                .filter(wallet_ledger::kind.eq("REFUND"))
                .count()
                .get_result::<i64>(conn)?)
        })
        .expect("count");
    assert_eq!(refunds, 20);
    for i in 0..20 {
        assert_eq!(
            db.wallet(&format!("u{i}"), later).expect("wallet").balance,
            tzs(160_000)
        );
    }
    assert_money_conserved(db);
}

/// Members buying more seats while the sweep fails their group at the instant of expiry
/// (a payment locks the wallet then the group, the sweep the group then the members'
/// wallets: PostgreSQL picks a deadlock victim, which is retried): every payment either
/// lands and is refunded, or is refused; nobody loses money.
fn payments_racing_the_expiry_sweep(db: &Database) {
    let p = product(db, 100, None);
    fund(db, "opener", 80_000);
    let g = buy(db, "opener", p, 1, None, t0()).expect("open");
    let buyers: Vec<String> = (0..30).map(|i| format!("racer-{i}")).collect();
    for b in &buyers {
        fund(db, b, 160_000);
        buy(db, b, p, 1, Some(g), t0()).expect("already a member");
    }
    let just_before = t0() + Duration::hours(1) - Duration::milliseconds(1);
    let at_expiry = t0() + Duration::hours(1);
    let barrier = Arc::new(Barrier::new(buyers.len() + 2));
    let mut handles: Vec<std::thread::JoinHandle<Result<(), DomainError>>> = buyers
        .iter()
        .cloned()
        .map(|b| {
            let (db, barrier) = (db.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                buy(&db, &b, p, 1, Some(g), just_before).map(|_| ())
            })
        })
        .collect();
    for _ in 0..2 {
        let (db, barrier) = (db.clone(), barrier.clone());
        handles.push(std::thread::spawn(move || {
            barrier.wait();
            for _ in 0..20 {
                db.expire_due(&ctx(at_expiry), 10)?;
            }
            Ok(())
        }));
    }
    for h in handles {
        match h.join().expect("thread") {
            Ok(()) => {}
            Err(DomainError::Rule(m)) => assert!(
                m.starts_with("Group has expired at: "),
                "unexpected refusal {m}"
            ),
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }
    db.expire_due(&ctx(at_expiry), 10).expect("final sweep");
    assert_eq!(
        db.group(g).expect("group").group.status,
        GroupStatus::Failed
    );
    for b in &buyers {
        let balance = db.wallet(b, at_expiry).expect("wallet").balance;
        assert_eq!(balance, tzs(160_000), "{b} whole again");
    }
    let opener = db.wallet("opener", at_expiry).expect("wallet").balance;
    assert_eq!(opener, tzs(80_000));
    assert_money_conserved(db);
}

/// Ten concurrent payments of ONE checkout session charge it once.
fn one_session_paid_concurrently_is_charged_once(db: &Database) {
    let p = product(db, 10, None);
    fund(db, "opener", 80_000);
    let g = buy(db, "opener", p, 1, None, t0()).expect("open");
    fund(db, "twice", 800_000);
    let session = db
        .create_checkout(
            &user("twice"),
            groupbuy_domain::group_purchase::CheckoutRequest {
                product_id: p,
                quantity: 1,
                group_instance_id: Some(g),
            },
            &ctx(t0()),
            Answer::none(),
        )
        .expect("session");
    let barrier = Arc::new(Barrier::new(10));
    let handles: Vec<_> = (0..10)
        .map(|_| {
            let (db, barrier) = (db.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                db.pay(&user("twice"), session.id, &ctx(t0()), Answer::none())
            })
        })
        .collect();
    // Every payment answers with the one paid session: the retries recognise it.
    let answers: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("thread").expect("paid session"))
        .collect();
    for a in &answers {
        assert_eq!(a.status, CheckoutStatus::Completed);
        assert_eq!(a.group_instance_id, Some(g));
        assert_eq!(a.transaction_id, answers[0].transaction_id);
        assert!(a.transaction_id.is_some());
    }
    assert_eq!(
        db.wallet("twice", t0()).expect("wallet").balance,
        tzs(720_000)
    );
    assert_eq!(db.group(g).expect("group").group.seats_occupied, 2);
    assert_money_conserved(db);
}

crate::on_both_backends!(
    contention_200_buyers_50_seats,
    mixed_transfers_and_purchases,
    two_sweepers_refund_once,
    payments_racing_the_expiry_sweep,
    one_session_paid_concurrently_is_charged_once,
);
