//! Batched joins: payments for one group share a transaction, each in its own savepoint,
//! so accepted and refused payments racing together each get their own exact outcome.

use super::{assert_money_conserved, buy, ctx, fund, product, t0, tzs, user};
use crate::db::Database;
use crate::schema::{orders, purchase_records, wallet_ledger};
use diesel::prelude::*;
use groupbuy_domain::group_purchase::{
    CheckoutRequest, CheckoutSession, CheckoutStatus, GroupPurchaseStore, GroupStatus,
};
use groupbuy_domain::platform::Answer;
use groupbuy_domain::wallet::WalletStore;
use groupbuy_domain::DomainError;
use std::sync::{Arc, Barrier};
use uuid::Uuid;

fn session(db: &Database, who: &str, product: Uuid, group: Uuid) -> CheckoutSession {
    db.create_checkout(
        &user(who),
        CheckoutRequest {
            product_id: product,
            quantity: 1,
            group_instance_id: Some(group),
        },
        &ctx(t0()),
        Answer::none(),
    )
    .expect("session")
}

fn count(db: &Database, table: &str, group: Uuid) -> i64 {
    db.read(|conn| {
        let g = group.to_string();
        Ok(match table {
            "orders" => orders::table
                .filter(orders::group_id.eq(&g))
                .count()
                .get_result(conn)?,
            _ => purchase_records::table.count().get_result(conn)?,
        })
    })
    .expect("count")
}

/// 60 payers race for the 29 seats left of a 30-seat group: half can afford it, half
/// cannot. Exactly 29 affordable ones pay; the 30th gets "Group is full", every short
/// wallet its own "Insufficient wallet balance", and a refused payment leaves its session
/// payable (its savepoint undid the claim) and its money untouched.
fn batches_mixing_accepted_and_refused_payments(db: &Database) {
    let p = product(db, 30, None);
    fund(db, "opener", 80_000);
    let g = buy(db, "opener", p, 1, None, t0()).expect("open");
    let payers: Vec<(String, bool)> = (0..60)
        .map(|i| (format!("payer-{i}"), i % 2 == 0))
        .collect();
    let sessions: Vec<(String, bool, CheckoutSession)> = payers
        .iter()
        .map(|(who, affords)| {
            fund(db, who, if *affords { 80_000 } else { 1_000 });
            (who.clone(), *affords, session(db, who, p, g))
        })
        .collect();
    let barrier = Arc::new(Barrier::new(sessions.len()));
    let handles: Vec<_> = sessions
        .iter()
        .cloned()
        .map(|(who, affords, s)| {
            let (db, barrier) = (db.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                (
                    who.clone(),
                    affords,
                    s.id,
                    db.pay(&user(&who), s.id, &ctx(t0()), Answer::none()),
                )
            })
        })
        .collect();
    let (mut paid, mut full, mut short) = (Vec::new(), 0, Vec::new());
    for h in handles {
        let (who, affords, sid, outcome) = h.join().expect("thread");
        match outcome {
            Ok(s) => {
                assert!(affords, "{who} could not afford it yet paid");
                assert_eq!(s.status, CheckoutStatus::Completed);
                assert!(s.transaction_id.is_some());
                paid.push((who, sid, s));
            }
            Err(DomainError::Rule(m)) if m.starts_with("Insufficient wallet balance") => {
                assert!(!affords, "{who} could afford it: {m}");
                short.push((who, sid));
            }
            Err(DomainError::Rule(m)) => {
                assert_eq!(m, "Group is full. Seats occupied: 30/30");
                assert!(affords);
                full += 1;
            }
            Err(e) => panic!("unexpected outcome for {who}: {e:?}"),
        }
    }
    // PostgreSQL batches a group's payments; SQLite's writer commits consecutive writes
    // (these payments) together.
    let shared = db.largest_commit().unwrap_or_else(|| db.joins().largest());
    assert!(shared > 1, "payments shared a transaction");
    assert_eq!(
        db.joins().fell_back(),
        0,
        "every batch decided its payments itself"
    );
    assert_eq!(paid.len(), 29, "every seat left sold exactly once");
    assert_eq!(full, 1);
    assert_eq!(short.len(), 30);
    let detail = db.group(g).expect("group");
    assert_eq!(detail.group.status, GroupStatus::Completed);
    assert_eq!(detail.group.seats_occupied, 30);
    assert_eq!(count(db, "orders", g), 30, "orders exactly once");
    assert_eq!(count(db, "purchase_records", g), 30);
    for (who, _) in &short {
        assert_eq!(db.wallet(who, t0()).expect("wallet").balance, tzs(1_000));
    }
    // A refused payment's session is still payable: the group is full now, so paying it
    // again is refused for that reason (not "already paid"), and still debits nothing.
    let (who, sid) = &short[0];
    fund(db, who, 80_000);
    match db.pay(&user(who), *sid, &ctx(t0()), Answer::none()) {
        Err(DomainError::Rule(m)) => assert_eq!(m, "Group is full. Seats occupied: 30/30"),
        other => panic!("expected the group to be full, got {other:?}"),
    }
    assert_eq!(db.wallet(who, t0()).expect("wallet").balance, tzs(81_000));
    // Paying an accepted session again answers with the same payment and charges nothing.
    let (who, sid, first) = &paid[0];
    let again = db
        .pay(&user(who), *sid, &ctx(t0()), Answer::none())
        .expect("replay");
    assert_eq!(again.transaction_id, first.transaction_id);
    let purchases: i64 = db
        .read(|conn| {
            Ok(wallet_ledger::table
                .filter(wallet_ledger::user_id.eq(who))
                .filter(wallet_ledger::kind.eq("PURCHASE"))
                .count()
                .get_result(conn)?)
        })
        .expect("ledger");
    assert_eq!(purchases, 1, "{who} debited exactly once");
    assert_eq!(db.wallet(who, t0()).expect("wallet").balance, tzs(0));
    assert_money_conserved(db);
}

/// Payers of two hot groups at once, with strangers trying to pay their sessions:
/// batches of different groups run side by side, and a stranger is refused ("not found",
/// nothing paid) without disturbing anyone's payment.
fn batches_of_two_groups_and_strangers_sessions(db: &Database) {
    let p = product(db, 1_000, None);
    fund(db, "opener", 160_000);
    let g1 = buy(db, "opener", p, 1, None, t0()).expect("g1");
    let g2 = buy(db, "opener", p, 1, None, t0()).expect("g2");
    let mut jobs = Vec::new();
    for i in 0..40 {
        let who = format!("two-{i}");
        fund(db, &who, 160_000);
        let group = if i % 2 == 0 { g1 } else { g2 };
        jobs.push((who.clone(), session(db, &who, p, group).id, true));
        // Someone else's session: the stranger gets "not found" and pays nothing.
        jobs.push((
            format!("stranger-{i}"),
            session(db, &who, p, group).id,
            false,
        ));
    }
    let barrier = Arc::new(Barrier::new(jobs.len()));
    let handles: Vec<_> = jobs
        .into_iter()
        .map(|(who, sid, own)| {
            let (db, barrier) = (db.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                (own, db.pay(&user(&who), sid, &ctx(t0()), Answer::none()))
            })
        })
        .collect();
    let mut paid = 0;
    for h in handles {
        match h.join().expect("thread") {
            (true, Ok(_)) => paid += 1,
            (false, Err(DomainError::NotFound(m))) => {
                assert!(m.starts_with("Checkout session not found"), "{m}");
            }
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!(paid, 40);
    assert_eq!(
        db.joins().fell_back(),
        0,
        "every batch decided its payments itself"
    );
    for g in [g1, g2] {
        assert_eq!(db.group(g).expect("group").group.seats_occupied, 21);
    }
    for i in 0..40 {
        let who = format!("two-{i}");
        assert_eq!(db.wallet(&who, t0()).expect("wallet").balance, tzs(80_000));
    }
    assert_money_conserved(db);
}

crate::on_both_backends!(
    batches_mixing_accepted_and_refused_payments,
    batches_of_two_groups_and_strangers_sessions,
);
