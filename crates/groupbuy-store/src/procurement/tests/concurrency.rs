//! Capacity under contention: a pool with room for 20 raced by 50 organisations.

use super::*;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::procurement::CommitmentStatus;
use serde_json::json;

fn fifty_organisations_race_for_twenty_units(db: &Database) {
    let g = db_create_capped(db, 20);
    let threads: Vec<_> = (0..50)
        .map(|i| {
            let db = db.clone();
            let g = g.clone();
            std::thread::spawn(move || commit(&db, &format!("org-{i}"), &g, 1))
        })
        .collect();
    let results: Vec<_> = threads
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .collect();
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 20);
    for r in &results {
        match r {
            Ok(o) => assert!(o.created),
            Err(DomainError::Conflict(refusal)) => {
                assert_eq!(refusal.message(), "Capacity exceeded: 0 units remain");
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    let view = db.get(&org("acme"), &g.id).expect("pool");
    let all = db.commitments(&admin(), &g.id, None, 100).expect("all");
    let active: Vec<_> = all
        .items
        .iter()
        .filter(|c| c.status == CommitmentStatus::Active)
        .collect();
    let sum: i64 = active.iter().map(|c| c.quantity).sum();
    let pool = &view.group_buy;
    assert_eq!(pool.committed_quantity, sum);
    assert!(pool.committed_quantity <= 20);
    assert_eq!(pool.committed_quantity, 20);
    assert_eq!(pool.members, active.len() as i64);
    assert_eq!(pool.version, 21);
    assert!(pool.target_reached_at.is_some());
    let reached = types(db, &g)
        .iter()
        .filter(|t| *t == "groupbuy.target_reached")
        .count();
    assert_eq!(reached, 1, "the target is reached once");
    assert!(db.verify_audit(&admin(), &g.id).expect("verify").valid);
}

fn one_organisation_racing_itself_commits_once(db: &Database) {
    let g = create(db, "acme", &["GLV-1"], json!({}));
    let threads: Vec<_> = (0..20)
        .map(|_| {
            let db = db.clone();
            let g = g.clone();
            std::thread::spawn(move || commit(&db, "beta", &g, 3))
        })
        .collect();
    let created = threads
        .into_iter()
        .map(|t| t.join().expect("thread").expect("commit"))
        .filter(|o| o.created)
        .count();
    assert_eq!(created, 1);
    let pool = db.get(&org("acme"), &g.id).expect("pool").group_buy;
    assert_eq!(
        (pool.committed_quantity, pool.members, pool.version),
        (3, 1, 2)
    );
}

/// The conditional UPDATE alone holds the cap and refuses a stale read, whatever the
/// caller decided (the row lock is not what keeps capacity).
fn the_counters_update_refuses_what_the_row_does_not_allow(db: &Database) {
    let g = create(db, "acme", &["GLV-1"], json!({"max_quantity": 10}));
    let next = |q: i64| GroupBuy {
        committed_quantity: q,
        members: 1,
        version: g.version + 1,
        ..g.clone()
    };
    let moved = |read: &GroupBuy, q: i64| {
        db.write(|c| crate::procurement::changes::move_counters(c, read, &next(q), q, 1, t0()))
            .expect("update")
    };
    assert!(!moved(&g, 11), "past max_quantity");
    assert!(moved(&g, 10), "up to max_quantity");
    assert!(!moved(&g, -1), "a stale version");
    let pool = db.get(&org("acme"), &g.id).expect("pool").group_buy;
    assert_eq!((pool.committed_quantity, pool.version), (10, 2));
    // The CHECK constraint is the backstop of a statement that forgets the predicate.
    let forced = db.execute_batch(&format!(
        "UPDATE procurement_group_buys SET committed_quantity = 11 WHERE id = '{}'",
        g.id
    ));
    assert!(forced.is_err());
}

crate::on_both_backends!(
    fifty_organisations_race_for_twenty_units,
    one_organisation_racing_itself_commits_once,
    the_counters_update_refuses_what_the_row_does_not_allow,
);

/// The same race between two instances (two connection pools on one database).
#[test]
fn two_instances_share_the_cap() {
    for (backend, first) in crate::testing::TestDatabase::all() {
        let second = crate::testing::TestDatabase::attach(&first.url);
        let g = db_create_capped(&first.db, 20);
        let threads: Vec<_> = (0..50)
            .map(|i| {
                let db = if i % 2 == 0 {
                    first.db.clone()
                } else {
                    second.db.clone()
                };
                let g = g.clone();
                std::thread::spawn(move || commit(&db, &format!("org-{i}"), &g, 1))
            })
            .collect();
        let won = threads
            .into_iter()
            .map(|t| t.join().expect("thread"))
            .filter(Result::is_ok)
            .count();
        assert_eq!(won, 20, "{backend}");
        let pool = second.db.get(&admin(), &g.id).expect("pool").group_buy;
        assert_eq!(
            (pool.committed_quantity, pool.members),
            (20, 20),
            "{backend}"
        );
        drop(second);
    }
}

/// A pool with room for `max` units, its target the same.
fn db_create_capped(db: &Database, max: i64) -> GroupBuy {
    db.create(
        &org("acme"),
        GroupBuyDraft {
            target_quantity: max,
            ..draft(&["GLV-1"], json!({ "max_quantity": max }))
        },
        &ctx("acme"),
        Answer::none(),
    )
    .expect("create")
}
