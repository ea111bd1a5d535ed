//! Commitments: upsert (201/200), capacity, If-Match, withdraw, who sees which.

use super::*;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::procurement::{CommitmentStatus, GroupBuyId};
use serde_json::json;

fn commitment_count(db: &Database, who: &Principal, id: &GroupBuyId) -> usize {
    db.commitments(who, id, None, 100)
        .expect("commitments")
        .items
        .len()
}

fn commits_upsert_within_capacity(db: &Database) {
    let g = create(
        db,
        "acme",
        &["GLV-1"],
        json!({"max_quantity": 12, "max_per_member": 8}),
    );
    let first = commit(db, "beta", &g, 3).expect("first");
    assert!(first.created, "201");
    assert_eq!(first.commitment.member_id, "beta");
    assert_eq!(first.commitment.price_ceiling.minor(), 1250);
    let replaced = commit(db, "beta", &g, 5).expect("replace");
    assert!(!replaced.created, "200");
    assert_eq!(replaced.commitment.id, first.commitment.id);
    assert_eq!(
        (
            replaced.group_buy.committed_quantity,
            replaced.group_buy.members
        ),
        (5, 1)
    );
    assert_eq!(replaced.group_buy.version, 3);
    let same = commit(db, "beta", &g, 5).expect("same again");
    assert!(!same.created);
    assert_eq!(same.group_buy.version, 3, "nothing changed");
    // 12 - 5 leaves 7, under the member cap of 8.
    let over = commit(db, "gamma", &g, 8);
    assert!(
        matches!(&over, Err(DomainError::Conflict(r)) if r.message() == "Capacity exceeded: 7 units remain"),
        "{over:?}"
    );
    let full = commit(db, "gamma", &g, 7).expect("fill");
    assert_eq!(full.group_buy.committed_quantity, 12);
    assert!(full.group_buy.target_reached_at.is_some());
    let stale = db.commit(
        &org("beta"),
        &g.id,
        CommitRequest {
            quantity: 4,
            price_ceiling: Decimal::ONE,
            purchase_order_ref: None,
        },
        Some("\"1\"".into()),
        &ctx("beta"),
        Answer::none(),
    );
    assert!(matches!(stale, Err(DomainError::PreconditionFailed(m)) if m.contains("\"4\"")));
    assert!(matches!(
        commit(db, "beta", &g, 0),
        Err(DomainError::Validation { .. })
    ));
    let as_beta = db.get(&org("beta"), &g.id).expect("beta");
    assert_eq!(as_beta.my_commitment.map(|c| c.quantity), Some(5));
    assert!(as_beta.commitments_summary.is_none());
    let as_acme = db.get(&org("acme"), &g.id).expect("acme");
    let summary = as_acme.commitments_summary.expect("summary");
    assert_eq!((summary.count, summary.total_quantity), (2, 12));
    assert_eq!(as_acme.stats.remaining_capacity, Some(0));
    assert_eq!(as_acme.group_buy.version, 4);
    assert_eq!(
        types(db, &g),
        [
            "groupbuy.created",
            "commitment.created",
            "commitment.updated",
            "commitment.created",
            "groupbuy.target_reached",
        ]
    );
}

fn members_see_only_their_own_commitment(db: &Database) {
    let g = create(db, "acme", &["GLV-1"], json!({}));
    commit(db, "beta", &g, 3).expect("beta");
    commit(db, "gamma", &g, 4).expect("gamma");
    assert_eq!(commitment_count(db, &org("acme"), &g.id), 2);
    assert_eq!(commitment_count(db, &admin(), &g.id), 2);
    let own = db.commitments(&org("beta"), &g.id, None, 10).expect("own");
    assert_eq!(own.items.len(), 1);
    assert_eq!(own.items[0].member_id, "beta");
    assert_eq!(commitment_count(db, &org("delta"), &g.id), 0);
    let page = db.commitments(&org("acme"), &g.id, None, 1).expect("page");
    assert_eq!(page.items[0].member_id, "beta", "oldest first");
    let rest = db
        .commitments(&org("acme"), &g.id, page.next_cursor, 1)
        .expect("rest");
    assert_eq!(rest.items[0].member_id, "gamma");
    assert!(rest.next_cursor.is_none());
}

fn withdraw_and_renew(db: &Database) {
    let g = create(db, "acme", &["GLV-1"], json!({"max_quantity": 10}));
    let first = commit(db, "beta", &g, 6).expect("beta");
    commit(db, "gamma", &g, 4).expect("gamma");
    let after = db
        .withdraw(
            &org("beta"),
            &g.id,
            Some("\"3\"".into()),
            &ctx("beta"),
            Answer::none(),
        )
        .expect("withdraw");
    assert_eq!(
        (after.committed_quantity, after.members, after.version),
        (4, 1, 4)
    );
    let again = db.withdraw(&org("beta"), &g.id, None, &ctx("beta"), Answer::none());
    assert!(matches!(again, Err(DomainError::NotFound(m)) if m == "Commitment not found"));
    let all = db.commitments(&org("acme"), &g.id, None, 10).expect("all");
    assert_eq!(all.items[0].status, CommitmentStatus::Withdrawn);
    assert_eq!(all.items[0].quantity, 6, "its last quantity kept");
    // The freed units are available again; a renewed commitment keeps its id.
    let renewed = commit(db, "beta", &g, 6).expect("renew");
    assert!(renewed.created);
    assert_eq!(renewed.commitment.id, first.commitment.id);
    assert_eq!(renewed.group_buy.committed_quantity, 10);
    assert_eq!(
        types(db, &g),
        [
            "groupbuy.created",
            "commitment.created",
            "commitment.created",
            "groupbuy.target_reached",
            "commitment.withdrawn",
            "commitment.created",
        ]
    );
}

fn eligibility_is_checked(db: &Database) {
    let g = create(db, "acme", &["GLV-1"], json!({"eligible_orgs": ["beta"]}));
    let refused = commit(db, "gamma", &g, 1);
    assert!(matches!(
        refused,
        Err(DomainError::Forbidden(r)) if r.message() == "Organisation gamma is not eligible for this group buy"
    ));
    commit(db, "beta", &g, 1).expect("eligible");
}

crate::on_both_backends!(
    commits_upsert_within_capacity,
    members_see_only_their_own_commitment,
    withdraw_and_renew,
    eligibility_is_checked,
);
