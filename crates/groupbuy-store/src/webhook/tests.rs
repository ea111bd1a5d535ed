//! Webhook endpoints and deliveries on both backends.

use crate::db::Database;
use crate::outbox;
use groupbuy_domain::platform::{Audience, DomainEvent, EventType};
use groupbuy_domain::webhook::{
    AttemptOutcome, DeliveryAttempt, DeliveryState, EndpointDraft, EndpointPatch, RetrySchedule,
    WebhookStore,
};
use groupbuy_domain::{DomainError, Principal};
use time::{Duration, OffsetDateTime};

fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_760_000_000).expect("time")
}

fn who(sub: &str, org: Option<&str>) -> Principal {
    Principal {
        user_id: sub.into(),
        org_id: org.map(str::to_owned),
        ..Default::default()
    }
}

fn draft(events: &[&str]) -> EndpointDraft {
    let events: Vec<String> = events.iter().map(|e| (*e).to_owned()).collect();
    EndpointDraft::parse("http://127.0.0.1:9/hook", &events, None, true).expect("draft")
}

fn emit(db: &Database, t: EventType, subject: &str, owner: &str) {
    let e = DomainEvent::new(
        t,
        subject,
        Audience::User(owner.into()),
        &serde_json::json!({"n": 1}),
    );
    db.write(|c| outbox::append(c, &[e], "req-1", t0()))
        .expect("append");
}

fn attempt(n: i32, status: u16) -> DeliveryAttempt {
    DeliveryAttempt {
        attempt: n,
        status_code: Some(i32::from(status)),
        error: None,
        duration_ms: 3,
        at: t0(),
    }
}

fn endpoints_belong_to_their_owner_and_organisation(db: &Database) {
    let e = db
        .create_endpoint(&who("m1", Some("org-a")), draft(&["*"]), "whsec_x", t0())
        .expect("create");
    assert!(e.id.starts_with("we_"));
    assert_eq!(
        db.endpoint(&who("m2", Some("org-a")), &e.id)
            .expect("org member")
            .id,
        e.id
    );
    assert!(matches!(
        db.endpoint(&who("m3", None), &e.id),
        Err(DomainError::NotFound(_))
    ));
    assert!(matches!(
        db.delete_endpoint(&who("m3", Some("org-b")), &e.id),
        Err(DomainError::NotFound(_))
    ));
    assert_eq!(
        db.endpoints(&who("m1", None), None, 10)
            .expect("list")
            .items
            .len(),
        1
    );
    assert_eq!(
        db.endpoints(&who("m3", None), None, 10)
            .expect("list")
            .items
            .len(),
        0
    );
    let off = db
        .update_endpoint(
            &who("m1", None),
            &e.id,
            EndpointPatch {
                disabled: Some(true),
                ..Default::default()
            },
            t0(),
        )
        .expect("disable");
    assert!(off.disabled);
    db.delete_endpoint(&who("m1", None), &e.id).expect("delete");
    assert!(db.endpoint(&who("m1", None), &e.id).is_err());
}

/// Events fan out to the owner's enabled endpoints that want their type, once; a subject's
/// later event waits until the earlier one is settled at that endpoint.
fn deliveries_fan_out_and_keep_subject_order(db: &Database) {
    let all = db
        .create_endpoint(&who("m1", None), draft(&["*"]), "whsec_a", t0())
        .expect("a");
    let only_failed = db
        .create_endpoint(&who("m1", None), draft(&["group.failed"]), "whsec_b", t0())
        .expect("b");
    let other = db
        .create_endpoint(&who("m2", None), draft(&["*"]), "whsec_c", t0())
        .expect("c");
    emit(db, EventType::GroupCreated, "group:g1", "m1");
    emit(db, EventType::GroupCompleted, "group:g1", "m1");
    emit(db, EventType::GroupCreated, "group:g2", "m1");
    assert_eq!(db.dispatch(t0(), 100).expect("dispatch"), 3);
    assert_eq!(db.dispatch(t0(), 100).expect("again"), 0);
    let count = |id: &str| {
        db.deliveries(&who("m1", None), id, None, None, 100)
            .map(|p| p.items.len())
    };
    assert_eq!(count(&all.id).expect("all"), 3);
    assert_eq!(count(&only_failed.id).expect("filtered"), 0);
    assert_eq!(
        db.deliveries(&who("m2", None), &other.id, None, None, 100)
            .expect("other")
            .items
            .len(),
        0
    );
    let lease = Duration::seconds(30);
    let first = db.claim_due(t0(), 10, lease).expect("claim");
    // g1's second event waits for its first; g2 goes in parallel.
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|d| d.body.contains("\"sequence\":1")));
    assert!(first[0].body.contains("\"request_id\":\"req-1\""));
    assert!(db.claim_due(t0(), 10, lease).expect("leased").is_empty());
    let g1 = first
        .iter()
        .find(|d| d.body.contains("group:g1"))
        .expect("g1");
    let schedule = RetrySchedule::parse("0,1,1").expect("schedule");
    let (state, next) = AttemptOutcome::of(Some(500), None).next(1, &schedule, 0.0, t0());
    db.record_attempt(g1, attempt(1, 500), state, next, None)
        .expect("record");
    // Still unsettled (FAILED): the later event keeps waiting, even after the retry is due.
    let later = t0() + Duration::seconds(2);
    let retry = db.claim_due(later, 10, lease).expect("retry");
    assert_eq!(retry.len(), 1);
    assert_eq!(retry[0].id, g1.id);
    assert_eq!(
        retry[0].event_id, g1.event_id,
        "same webhook-id on every retry"
    );
    db.record_attempt(
        &retry[0],
        attempt(2, 200),
        DeliveryState::Succeeded,
        None,
        None,
    )
    .expect("ok");
    let next = db.claim_due(later, 10, lease).expect("next");
    assert_eq!(next.len(), 1);
    assert!(next[0].body.contains("\"sequence\":2"));
    assert!(db.outbox_lag(later).expect("lag").is_some());
    let page = db
        .deliveries(
            &who("m1", None),
            &all.id,
            Some(DeliveryState::Succeeded),
            None,
            10,
        )
        .expect("succeeded");
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].attempts.len(), 2);
    assert_eq!(page.items[0].attempts[1].status_code, Some(200));
}

/// 410 disables the endpoint; replay and retry re-enqueue; a test event reaches only its
/// endpoint.
fn gone_disables_and_replay_requeues(db: &Database) {
    let e = db
        .create_endpoint(&who("m1", None), draft(&["*"]), "whsec_a", t0())
        .expect("e");
    let spare = db
        .create_endpoint(&who("m1", None), draft(&["*"]), "whsec_b", t0())
        .expect("s");
    let test = db
        .send_test(&who("m1", None), &e.id, "req-t", t0())
        .expect("test");
    assert_eq!(test.event_type, EventType::WebhookTest);
    assert_eq!(db.dispatch(t0(), 10).expect("nothing to fan out"), 0);
    assert_eq!(
        db.deliveries(&who("m1", None), &spare.id, None, None, 10)
            .expect("spare")
            .items
            .len(),
        0
    );
    let due = db
        .claim_due(t0(), 10, Duration::seconds(30))
        .expect("claim");
    assert_eq!(due.len(), 1);
    db.record_attempt(
        &due[0],
        attempt(1, 410),
        DeliveryState::Exhausted,
        None,
        Some("The endpoint answered 410 Gone".into()),
    )
    .expect("gone");
    let disabled = db.endpoint(&who("m1", None), &e.id).expect("endpoint");
    assert!(disabled.disabled);
    assert_eq!(
        disabled.disabled_reason.as_deref(),
        Some("The endpoint answered 410 Gone")
    );
    assert_eq!(
        db.replay(&who("m1", None), &e.id, t0() - Duration::hours(1), t0())
            .expect("replay"),
        1
    );
    let again = db
        .retry_delivery(&who("m1", None), &test.id, t0())
        .expect("retry");
    assert_eq!(again.state, DeliveryState::Pending);
    assert!(matches!(
        db.retry_delivery(&who("m2", None), &test.id, t0()),
        Err(DomainError::NotFound(_))
    ));
    let rotated = db
        .rotate_secret(
            &who("m1", None),
            &e.id,
            "whsec_new",
            t0() + Duration::hours(24),
            t0(),
        )
        .expect("rotate");
    assert_eq!(rotated.id, e.id);
    let due = db
        .claim_due(t0(), 10, Duration::seconds(30))
        .expect("claim again");
    assert_eq!(due[0].secret, "whsec_new");
    assert_eq!(due[0].previous_secret.as_deref(), Some("whsec_a"));
}

crate::on_both_backends!(
    endpoints_belong_to_their_owner_and_organisation,
    deliveries_fan_out_and_keep_subject_order,
    gone_disables_and_replay_requeues,
);
