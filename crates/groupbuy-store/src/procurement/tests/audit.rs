//! The pool's audit trail: who reads it, its order, and a tampered row named by verify.

use super::*;
use groupbuy_domain::platform::Answer;
use serde_json::json;

fn the_audit_chain_is_readable_and_tamper_evident(db: &Database) {
    let g = create(db, "acme", &["GLV-1"], json!({}));
    commit(db, "beta", &g, 4).expect("beta");
    commit(db, "beta", &g, 6).expect("beta again");
    db.withdraw(&org("beta"), &g.id, None, &ctx("beta"), Answer::none())
        .expect("withdraw");
    let page = db.audit(&org("acme"), &g.id, None, 2).expect("audit");
    let rest = db
        .audit(&org("acme"), &g.id, page.next_cursor.clone(), 10)
        .expect("rest");
    let actions: Vec<_> = page
        .items
        .iter()
        .chain(&rest.items)
        .map(|e| (e.seq, e.action.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            (1, "create"),
            (2, "commitment.create"),
            (3, "commitment.update"),
            (4, "commitment.withdraw"),
        ]
    );
    assert_eq!(page.items[1].org_id.as_deref(), Some("beta"));
    assert_eq!(page.items[1].request_id, "req-beta");
    assert!(db.audit(&admin(), &g.id, None, 10).is_ok());
    let member = db.audit(&org("beta"), &g.id, None, 10);
    assert!(
        matches!(member, Err(DomainError::Forbidden(_))),
        "{member:?}"
    );
    let verdict = db.verify_audit(&org("acme"), &g.id).expect("verify");
    assert!(verdict.valid, "{verdict:?}");
    assert_eq!(verdict.entries, 4);
    assert_eq!(
        verdict.head_hash.as_deref(),
        Some(rest.items[1].hash.as_str())
    );
    db.execute_batch(&format!(
        "UPDATE audit_log SET details = '{{}}' WHERE subject = '{}' AND seq = 3",
        g.subject()
    ))
    .expect("tamper");
    let verdict = db.verify_audit(&admin(), &g.id).expect("verify");
    assert!(!verdict.valid);
    assert_eq!(verdict.first_invalid_seq, Some(3));
}

fn a_private_pool_hides_its_audit_from_outsiders(db: &Database) {
    let g = create(db, "acme", &["GLV-1"], json!({"visibility": "private"}));
    assert!(matches!(
        db.audit(&org("delta"), &g.id, None, 10),
        Err(DomainError::NotFound(_))
    ));
    assert!(matches!(
        db.verify_audit(&org("delta"), &g.id),
        Err(DomainError::NotFound(_))
    ));
}

crate::on_both_backends!(
    the_audit_chain_is_readable_and_tamper_evident,
    a_private_pool_hides_its_audit_from_outsiders,
);
