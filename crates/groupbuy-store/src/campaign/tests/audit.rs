//! Campaign entries on the shared audit trail: chained, tamper-evident, legacy adopted.

use super::{ctx, h, merchant, s, setup, t0};
use crate::platform::audit;
use crate::Database;
use groupbuy_domain::campaign::{Action, CampaignStore};
use groupbuy_domain::platform::verify_chain;
use groupbuy_domain::platform::Answer;

const SUBJECT: &str = "campaign:gharart/lamps";

fn chain(db: &Database) -> Vec<groupbuy_domain::platform::AuditRecord> {
    db.read(|conn| audit::chain(conn, SUBJECT)).expect("chain")
}

fn campaign_entries_form_one_verifiable_chain(db: &Database) {
    setup(db, "lamps", true);
    db.transition(
        &merchant("m1"),
        &h(),
        &s("lamps"),
        Action::Pause,
        &ctx("user:m1", t0()),
        Answer::none(),
    )
    .expect("pause");
    let entries = chain(db);
    let actions: Vec<_> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["create", "publish", "pause"]);
    let verdict = verify_chain(&entries);
    assert!(verdict.valid, "{verdict:?}");
    assert_eq!(verdict.entries, 3);
    assert_eq!(verdict.head_hash.as_deref(), Some(entries[2].hash.as_str()));
    // An edit made behind the application's back is named by its place in the chain.
    db.execute_batch(&format!(
        "UPDATE audit_log SET actor = 'user:mallory' WHERE subject = '{SUBJECT}' AND seq = 2"
    ))
    .expect("tamper");
    let verdict = verify_chain(&chain(db));
    assert!(!verdict.valid);
    assert_eq!(verdict.first_invalid_seq, Some(2));
}

fn legacy_campaign_entries_are_sealed_onto_the_chain_once(db: &Database) {
    setup(db, "lamps", false);
    let id = db
        .group_buy(&merchant("m1"), &h(), &s("lamps"))
        .expect("group-buy")
        .id;
    // What a database migrated before the shared trail holds: the first entry there.
    db.execute_batch(&format!(
        "DELETE FROM audit_log; INSERT INTO campaign_audit \
         (id, group_buy_id, actor, action, before_status, after_status, request_id, created_at) \
         VALUES ('6f0c1f9e-3d2b-4c1a-9a55-0d5e2f1a7b10', '{id}', 'user:m1', 'create', NULL, \
         'DRAFT', 'req-legacy', '2025-10-09 08:53:20')"
    ))
    .expect("legacy row");
    db.migrate().expect("adopt");
    db.migrate().expect("adopt twice");
    let entries = chain(db);
    assert_eq!(entries.len(), 1, "adopted exactly once");
    assert_eq!(entries[0].id, "aud_6f0c1f9e3d2b4c1a9a550d5e2f1a7b10");
    assert_eq!(entries[0].request_id, "req-legacy");
    assert!(verify_chain(&entries).valid);
    let page = db
        .audit(&merchant("m1"), &h(), &s("lamps"), None, 10)
        .expect("audit");
    assert_eq!(page.items[0].request_id, "req-legacy");
}

crate::on_both_backends!(
    campaign_entries_form_one_verifiable_chain,
    legacy_campaign_entries_are_sealed_onto_the_chain_once,
);
