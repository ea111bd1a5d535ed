//! Cancel and the expiry sweep.

use super::*;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::procurement::GroupBuyStatus;
use serde_json::json;

fn status(db: &Database, g: &GroupBuy) -> GroupBuyStatus {
    db.get(&admin(), &g.id).expect("get").group_buy.status
}

fn only_the_organiser_cancels_an_open_pool(db: &Database) {
    let g = create(db, "acme", &["GLV-1"], json!({}));
    commit(db, "beta", &g, 2).expect("commit");
    let member = db.cancel(&org("beta"), &g.id, None, &ctx("beta"), Answer::none());
    assert!(
        matches!(member, Err(DomainError::Forbidden(_))),
        "{member:?}"
    );
    let stale = db.cancel(
        &org("acme"),
        &g.id,
        Some("\"1\"".into()),
        &ctx("acme"),
        Answer::none(),
    );
    assert!(matches!(stale, Err(DomainError::PreconditionFailed(_))));
    let cancelled = db
        .cancel(
            &org("acme"),
            &g.id,
            Some("\"2\"".into()),
            &ctx("acme"),
            Answer::none(),
        )
        .expect("cancel");
    assert_eq!(
        (cancelled.status, cancelled.version),
        (GroupBuyStatus::Cancelled, 3)
    );
    assert_eq!(status(db, &g), GroupBuyStatus::Cancelled);
    let twice = db.cancel(&org("acme"), &g.id, None, &ctx("acme"), Answer::none());
    assert!(matches!(twice, Err(DomainError::Conflict(r)) if r.message().contains("CANCELLED")));
    let late = commit(db, "gamma", &g, 1);
    assert!(matches!(late, Err(DomainError::Conflict(r)) if r.message().contains("CANCELLED")));
    assert_eq!(
        types(db, &g),
        [
            "groupbuy.created",
            "commitment.created",
            "groupbuy.cancelled"
        ]
    );
}

fn the_sweep_expires_pools_below_target_once(db: &Database) {
    let below = create(db, "acme", &["A"], json!({}));
    commit(db, "beta", &below, 3).expect("below");
    let partial = create(db, "acme", &["B"], json!({"allow_partial": true}));
    commit(db, "beta", &partial, 2).expect("partial");
    let empty_partial = create(db, "acme", &["C"], json!({"allow_partial": true}));
    let reached = create(db, "acme", &["D"], json!({}));
    commit(db, "beta", &reached, 10).expect("reached");
    let sweep = |now, request: &str| {
        let ctx = ChangeContext {
            actor: "system:expiry".into(),
            request_id: request.into(),
            now,
        };
        db.expire_due(&ctx, 100).expect("sweep")
    };
    assert_eq!(sweep(t0() + Duration::days(1), "sweep-early"), 0);
    let after = deadline() + Duration::seconds(1);
    assert_eq!(sweep(after, "sweep-1"), 2);
    assert_eq!(sweep(after, "sweep-2"), 0, "a second sweeper finds nothing");
    assert_eq!(status(db, &below), GroupBuyStatus::Expired);
    assert_eq!(status(db, &empty_partial), GroupBuyStatus::Expired);
    assert_eq!(status(db, &partial), GroupBuyStatus::Open);
    assert_eq!(status(db, &reached), GroupBuyStatus::Open);
    assert_eq!(
        stored_events(db, &below).last(),
        Some(&("groupbuy.expired".to_owned(), "sweep-1".to_owned()))
    );
    // Past the deadline commitments are closed, naming it.
    let late = db.commit(
        &org("gamma"),
        &reached.id,
        CommitRequest {
            quantity: 1,
            price_ceiling: Decimal::ONE,
            purchase_order_ref: None,
        },
        None,
        &at("gamma", after),
        Answer::none(),
    );
    assert!(
        matches!(&late, Err(DomainError::Conflict(r)) if r.message().contains("deadline")),
        "{late:?}"
    );
    let audit = db.audit(&org("acme"), &below.id, None, 10).expect("audit");
    let last = audit.items.last().expect("entry");
    assert_eq!(last.action, "expire");
    assert_eq!(last.request_id, "sweep-1");
    assert_eq!(last.to_status.as_deref(), Some("EXPIRED"));
}

fn concurrent_sweeps_expire_each_pool_once(db: &Database) {
    for i in 0..5 {
        create(db, "acme", &[&format!("S-{i}")], json!({}));
    }
    let after = deadline() + Duration::seconds(1);
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let db = db.clone();
            std::thread::spawn(move || {
                let ctx = ChangeContext {
                    actor: "system:expiry".into(),
                    request_id: format!("sweep-{i}"),
                    now: after,
                };
                db.expire_due(&ctx, 100).expect("sweep")
            })
        })
        .collect();
    let total: usize = threads.into_iter().map(|t| t.join().expect("thread")).sum();
    assert_eq!(total, 5);
}

crate::on_both_backends!(
    only_the_organiser_cancels_an_open_pool,
    the_sweep_expires_pools_below_target_once,
    concurrent_sweeps_expire_each_pool_once,
);
