//! Batched joins: payments that arrive together share a transaction (SQLite's writer
//! commits consecutive ones together; PostgreSQL batches them per lane of groups), so
//! accepted and refused payments racing together each get their own exact outcome.

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

/// One batch carrying payments into two groups (and one whose group is gone), as a lane
/// does when they arrive together: each is decided against its own group: one group fills
/// and completes (its orders written), the other takes its seat, the short wallet and the
/// latecomer to the full group are refused with nothing of theirs written, and the payment
/// of a group the batch could not read, like a session sent down another group's line, is
/// left to pay alone. PostgreSQL (SQLite's writer has no batches).
#[test]
fn a_batch_of_several_groups_decides_each_payment_against_its_own_group() {
    let Some(t) = crate::testing::TestDatabase::postgres() else {
        return;
    };
    let db = &t.db;
    let (small, large) = (product(db, 3, None), product(db, 100, None));
    fund(db, "opener", 160_000);
    let filling = buy(db, "opener", small, 1, None, t0()).expect("small group");
    let roomy = buy(db, "opener", large, 1, None, t0()).expect("large group");
    let plan = [
        ("a1", small, filling, 80_000),
        ("b1", large, roomy, 80_000),
        ("b2", large, roomy, 1_000),
        ("a2", small, filling, 80_000),
        ("a3", small, filling, 80_000),
        ("ghost", large, Uuid::new_v4(), 80_000),
        // A session of the large group sent down the small group's line.
        ("stray", large, filling, 80_000),
    ];
    let payers: Vec<_> = plan
        .iter()
        .map(|(who, p, g, funds)| {
            fund(db, who, *funds);
            let real = if *p == small { filling } else { roomy };
            (user(who), session(db, who, *p, real).id, *g)
        })
        .collect();
    let outcomes = db.joins().apply_as_leader(db, &payers, &ctx(t0()));
    let ok: Vec<bool> = outcomes.iter().map(Result::is_ok).collect();
    assert_eq!(
        ok,
        [true, true, false, true, false, false, false],
        "{outcomes:?}"
    );
    assert!(
        matches!(&outcomes[2], Err(e) if e.to_string().starts_with("Insufficient wallet balance")),
        "{:?}",
        outcomes[2]
    );
    assert!(
        !matches!(outcomes[4], Err(DomainError::Internal(_))),
        "the latecomer is refused by the domain: {:?}",
        outcomes[4]
    );
    for alone in &outcomes[5..] {
        assert!(
            matches!(alone, Err(DomainError::Internal(m)) if m == super::super::batch::ALONE),
            "{alone:?}"
        );
    }
    let small_group = db.group(filling).expect("small").group;
    assert_eq!(small_group.status, GroupStatus::Completed);
    assert_eq!(small_group.seats_occupied, 3);
    assert_eq!(count(db, "orders", filling), 3, "an order per member");
    let large_group = db.group(roomy).expect("large").group;
    assert_eq!(large_group.status, GroupStatus::Open);
    assert_eq!(large_group.seats_occupied, 2, "the opener and b1");
    assert_eq!(count(db, "orders", roomy), 0);
    for (who, left) in [
        ("a1", 0),
        ("a2", 0),
        ("b1", 0),
        ("b2", 1_000),
        ("a3", 80_000),
    ] {
        assert_eq!(
            db.wallet(who, t0()).expect("wallet").balance,
            tzs(left),
            "{who}"
        );
    }
    // The payers left to pay alone were charged nothing by the batch.
    for who in ["ghost", "stray"] {
        assert_eq!(
            db.wallet(who, t0()).expect("wallet").balance,
            tzs(80_000),
            "{who}"
        );
    }
    assert_money_conserved(db);
}

/// 120 payers race into 12 groups of 9 seats (8 left each) at once, two of each group's ten
/// short of money: on PostgreSQL the lanes mix groups in one batch, and still every group
/// seats exactly its paid sessions and fills to completion, never beyond, every wallet is
/// charged once or not at all, no batch deadlocks into paying alone, and money is
/// conserved.
#[test]
fn payments_racing_into_many_groups_share_batches_and_keep_every_invariant_on_postgres() {
    let Some(t) = crate::testing::TestDatabase::postgres() else {
        return;
    };
    let db = &t.db;
    let p = product(db, 9, None);
    fund(db, "opener", 12 * 80_000);
    let groups: Vec<Uuid> = (0..12)
        .map(|_| buy(db, "opener", p, 1, None, t0()).expect("group"))
        .collect();
    let jobs: Vec<(String, Uuid, bool)> = (0..120)
        .map(|i| {
            let who = format!("many-{i}");
            let affords = i % 5 != 0;
            fund(db, &who, if affords { 80_000 } else { 1_000 });
            (who, groups[i % groups.len()], affords)
        })
        .collect();
    let sessions: Vec<(String, Uuid, bool)> = jobs
        .into_iter()
        .map(|(who, g, affords)| {
            let id = session(db, &who, p, g).id;
            (who, id, affords)
        })
        .collect();
    let barrier = Arc::new(Barrier::new(sessions.len()));
    let handles: Vec<_> = sessions
        .into_iter()
        .map(|(who, sid, affords)| {
            let (db, barrier) = (db.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let paid = db.pay(&user(&who), sid, &ctx(t0()), Answer::none());
                (who, affords, paid)
            })
        })
        .collect();
    let mut paid = 0;
    for h in handles {
        let (who, affords, outcome) = h.join().expect("thread");
        let balance = db.wallet(&who, t0()).expect("wallet").balance;
        match outcome {
            Ok(_) => {
                assert!(affords, "{who} paid without the money");
                assert_eq!(balance, tzs(0), "{who} charged once");
                paid += 1;
            }
            Err(e) => {
                let expected = if affords { 80_000 } else { 1_000 };
                assert_eq!(
                    balance,
                    tzs(expected),
                    "{who} refused ({e}) and charged nothing"
                );
            }
        }
    }
    let mut seated = 0;
    for g in &groups {
        let group = db.group(*g).expect("group").group;
        assert_eq!(group.seats_occupied, 9, "{g} filled, never beyond");
        assert_eq!(group.status, GroupStatus::Completed, "{g}");
        seated += group.seats_occupied - 1;
    }
    assert_eq!(seated, paid, "every paid session holds exactly one seat");
    assert_eq!(paid, 96, "every payer with the money found a seat");
    assert_eq!(db.joins().fell_back(), 0, "no batch failed as a whole");
    assert!(
        db.joins().widest() > 1,
        "some batch carried payments into more than one group"
    );
    assert_money_conserved(db);
}

crate::on_both_backends!(
    batches_mixing_accepted_and_refused_payments,
    batches_of_two_groups_and_strangers_sessions,
);
