//! Pre-orders under contention (PostgreSQL is the one that matters: SQLite has a single
//! writer): one session paid from many threads at once is charged once; payments racing
//! the sweep at the deadline each end PAID with exactly one debit and order, or EXPIRED
//! with none. Money is conserved after each ([`crate::testing::money_violations`]).

use super::{campaign, close, fund, pay, pledge, session_of, t0};
use crate::group_purchase::tests::assert_money_conserved;
use crate::Database;
use groupbuy_domain::campaign::{PreorderStatus, PreorderStore, VisitorId};
use groupbuy_domain::DomainError;
use std::sync::{Arc, Barrier};
use time::Duration;

/// Threads per race.
const RACERS: usize = 16;

fn one_session_paid_from_many_threads_is_charged_once(db: &Database) {
    campaign(db, Some(2));
    pledge(db, &VisitorId::user("alice"), 2);
    pledge(db, &VisitorId::user("bob"), 1);
    close(db);
    fund(db, "alice", 10_000_000);
    let id = session_of(db, "alice").id;
    let barrier = Arc::new(Barrier::new(RACERS));
    let handles: Vec<_> = (0..RACERS)
        .map(|_| {
            let (db, barrier) = (db.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                pay(&db, "alice", id, t0())
            })
        })
        .collect();
    let paid: Vec<_> = handles
        .into_iter()
        .map(|h| {
            h.join()
                .expect("thread")
                .expect("every attempt answers with the paid session")
        })
        .collect();
    let order = paid[0].order_id;
    assert!(order.is_some());
    assert!(
        paid.iter().all(|p| p.order_id == order),
        "one order, whoever answered"
    );
    assert_money_conserved(db);
}

fn payments_racing_the_sweep_at_the_deadline_settle_each_session_once(db: &Database) {
    campaign(db, Some(1));
    let pledgers: Vec<String> = (0..RACERS).map(|i| format!("p{i}")).collect();
    for p in &pledgers {
        pledge(db, &VisitorId::user(p), 1);
        fund(db, p, 1_000_000);
    }
    close(db);
    let deadline = session_of(db, "p0").expires_at;
    let barrier = Arc::new(Barrier::new(RACERS + 1));
    let payers: Vec<_> = pledgers
        .iter()
        .map(|p| {
            let (db, barrier, p) = (db.clone(), barrier.clone(), p.clone());
            let id = session_of(&db, &p).id;
            std::thread::spawn(move || {
                barrier.wait();
                // One second before the deadline, by the payer's clock.
                pay(&db, &p, id, deadline - Duration::seconds(1))
            })
        })
        .collect();
    let sweeper = {
        let (db, barrier) = (db.clone(), barrier.clone());
        std::thread::spawn(move || {
            barrier.wait();
            db.expire_preorders(deadline, 1_000)
        })
    };
    let mut paid = 0;
    for h in payers {
        match h.join().expect("thread") {
            Ok(_) => paid += 1,
            Err(DomainError::Conflict(c)) => assert_eq!(c.kind(), "preorder-expired"),
            Err(e) => panic!("a payer got {e:?}"),
        }
    }
    let expired = sweeper.join().expect("thread").expect("sweep");
    assert_eq!(paid + expired, RACERS, "every session settled exactly once");
    for p in &pledgers {
        let s = session_of(db, p);
        assert_ne!(s.status, PreorderStatus::PendingPayment, "{p}");
    }
    assert_money_conserved(db);
}

crate::on_both_backends!(
    one_session_paid_from_many_threads_is_charged_once,
    payments_racing_the_sweep_at_the_deadline_settle_each_session_once,
);
