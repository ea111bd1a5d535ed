//! Webhook endpoints and deliveries on both backends.

mod backlog;
mod redelivery;

use crate::db::Database;
use crate::platform::outbox;
use groupbuy_domain::platform::{Audience, DomainEvent, EventType};
use groupbuy_domain::webhook::{
    AttemptOutcome, DeliveryAttempt, DeliveryState, EndpointDraft, EndpointPatch, RetrySchedule,
    WebhookEndpoint, WebhookStore,
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

/// Disables endpoint `id` as `caller`.
fn disable(db: &Database, caller: &Principal, id: &str) -> WebhookEndpoint {
    let patch = EndpointPatch {
        disabled: Some(true),
        ..Default::default()
    };
    db.update_endpoint(caller, id, patch, t0())
        .expect("disable")
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

/// An organisation's endpoint is managed by whoever acts for that organisation now: its
/// creator, moved to another organisation, neither sees nor manages it any more.
fn endpoints_belong_to_their_owner_and_organisation(db: &Database) {
    let e = db
        .create_endpoint(&who("m1", Some("org-a")), draft(&["*"]), "whsec_x", t0())
        .expect("create");
    assert!(e.id.starts_with("we_"));
    let personal = db
        .create_endpoint(&who("m1", None), draft(&["*"]), "whsec_p", t0())
        .expect("personal");
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
    let listed = |p: &Principal| -> Vec<String> {
        db.endpoints(p, None, 10)
            .expect("list")
            .items
            .into_iter()
            .map(|e| e.id)
            .collect()
    };
    assert_eq!(
        listed(&who("m1", Some("org-a"))),
        [personal.id.clone(), e.id.clone()]
    );
    assert_eq!(
        listed(&who("m2", Some("org-a"))),
        std::slice::from_ref(&e.id)
    );
    assert!(listed(&who("m3", None)).is_empty());
    // m1 moved to org-b: their personal endpoint stays theirs, org-a's stays org-a's.
    let moved = who("m1", Some("org-b"));
    assert_eq!(listed(&moved), std::slice::from_ref(&personal.id));
    for refused in [
        db.endpoint(&moved, &e.id),
        db.delete_endpoint(&moved, &e.id),
        db.update_endpoint(&moved, &e.id, EndpointPatch::default(), t0()),
    ] {
        assert!(
            matches!(refused, Err(DomainError::NotFound(_))),
            "{refused:?}"
        );
    }
    assert!(matches!(
        db.send_test(&moved, &e.id, "req", t0()),
        Err(DomainError::NotFound(_))
    ));
    // m1's own events go to their personal endpoint only, org-a's to org-a's only.
    emit(db, EventType::GroupCreated, "group:g1", "m1");
    while db.dispatch(t0(), 100).expect("dispatch") > 0 {}
    let count = |p: &Principal, id: &str| {
        db.deliveries(p, id, None, None, 100)
            .expect("deliveries")
            .items
            .len()
    };
    assert_eq!(count(&moved, &personal.id), 1);
    assert_eq!(count(&who("m2", Some("org-a")), &e.id), 0);
    assert!(disable(db, &who("m2", Some("org-a")), &e.id).disabled);
    db.delete_endpoint(&who("m2", Some("org-a")), &e.id)
        .expect("delete");
    assert!(db.endpoint(&who("m1", Some("org-a")), &e.id).is_err());
}

/// Endpoints are capped per owner (a user's personal ones, an organisation's); tests are
/// capped per endpoint while queued, and refused at a disabled endpoint.
fn endpoints_and_queued_tests_are_capped(db: &Database) {
    use groupbuy_domain::webhook::{MAX_ENDPOINTS_PER_OWNER, MAX_QUEUED_TESTS_PER_ENDPOINT};
    let conflict = |r: Result<_, DomainError>, kind: &str| match r {
        Err(DomainError::Conflict(refusal)) => assert_eq!(refusal.kind(), kind),
        other => panic!("expected a {kind} conflict, got {other:?}"),
    };
    for owner in [who("u1", None), who("u2", Some("org-cap"))] {
        for _ in 0..MAX_ENDPOINTS_PER_OWNER {
            db.create_endpoint(&owner, draft(&["*"]), "whsec_a", t0())
                .expect("within the cap");
        }
        conflict(
            db.create_endpoint(&owner, draft(&["*"]), "whsec_a", t0())
                .map(|_| ()),
            "webhook-endpoint-limit",
        );
    }
    // Another member of the organisation counts against the same cap; the same user's
    // personal endpoints do not.
    conflict(
        db.create_endpoint(&who("u3", Some("org-cap")), draft(&["*"]), "whsec_a", t0())
            .map(|_| ()),
        "webhook-endpoint-limit",
    );
    db.create_endpoint(&who("u2", None), draft(&["*"]), "whsec_a", t0())
        .expect("personal");
    let e = db
        .create_endpoint(&who("u4", None), draft(&["*"]), "whsec_a", t0())
        .expect("e");
    for _ in 0..MAX_QUEUED_TESTS_PER_ENDPOINT {
        db.send_test(&who("u4", None), &e.id, "req", t0())
            .expect("within the cap");
    }
    conflict(
        db.send_test(&who("u4", None), &e.id, "req", t0())
            .map(|_| ()),
        "webhook-tests-queued",
    );
    // One settles: one more may queue.
    let due = db
        .claim_due(t0(), 10, Duration::seconds(30))
        .expect("claim");
    db.record_attempt(
        &due[0],
        attempt(1, 200),
        DeliveryState::Succeeded,
        None,
        None,
    )
    .expect("record");
    db.send_test(&who("u4", None), &e.id, "req", t0())
        .expect("room again");
    disable(db, &who("u4", None), &e.id);
    conflict(
        db.send_test(&who("u4", None), &e.id, "req", t0())
            .map(|_| ()),
        "webhook-endpoint-disabled",
    );
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
    assert_eq!(db.outbox_backlog(10).expect("outbox").endpoints.len(), 1);
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

/// 410 disables the endpoint; replay and retry re-enqueue; a test event reaches only its endpoint.
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

/// `n` events of `subject` (or of `n` subjects when `subject` ends with `*`) for `owner`.
fn flood(db: &Database, subject: &str, owner: &str, n: usize) {
    let events: Vec<DomainEvent> = (0..n)
        .map(|i| {
            let s = match subject.strip_suffix('*') {
                Some(prefix) => format!("{prefix}{i}"),
                None => subject.to_owned(),
            };
            DomainEvent::new(
                EventType::GroupCreated,
                s,
                Audience::User(owner.into()),
                &serde_json::json!({"n": i}),
            )
        })
        .collect();
    db.write(|c| outbox::append(c, &events, "req-flood", t0()))
        .expect("append");
    while db.dispatch(t0(), 500).expect("dispatch") > 0 {}
}

/// A subject blocked behind a delivery that waits a day hides nothing: another endpoint's
/// delivery, queued after 200 blocked ones, goes out in the very first claim.
fn a_blocked_flood_never_hides_another_endpoints_delivery(db: &Database) {
    let lease = Duration::seconds(30);
    db.create_endpoint(&who("flooder", None), draft(&["*"]), "whsec_a", t0())
        .expect("a");
    let victim = db
        .create_endpoint(&who("victim", None), draft(&["*"]), "whsec_b", t0())
        .expect("b");
    flood(db, "group:hot", "flooder", 1);
    let first = db.claim_due(t0(), 32, lease).expect("claim");
    assert_eq!(first.len(), 1);
    // 503 with Retry-After: 86400.
    let (state, next) = AttemptOutcome::of(Some(503), Some(Duration::days(1))).next(
        1,
        &RetrySchedule::standard(),
        0.0,
        t0(),
    );
    db.record_attempt(&first[0], attempt(1, 503), state, next, None)
        .expect("record");
    flood(db, "group:hot", "flooder", 200);
    emit(db, EventType::GroupCreated, "group:calm", "victim");
    while db.dispatch(t0(), 500).expect("dispatch") > 0 {}
    let later = t0() + Duration::seconds(1);
    let claimed = db.claim_due(later, 32, lease).expect("fair claim");
    assert_eq!(
        claimed.len(),
        1,
        "the blocked subject is skipped in the query"
    );
    assert_eq!(claimed[0].endpoint_id, victim.id);
}

/// One endpoint with many due deliveries on distinct subjects takes at most
/// MAX_CLAIMED_PER_ENDPOINT of a claim and MAX_IN_FLIGHT_PER_ENDPOINT leased at once; the
/// rest of the claim goes to the others, oldest first per endpoint.
fn one_endpoint_takes_a_bounded_share_of_claims(db: &Database) {
    use groupbuy_domain::webhook::{MAX_CLAIMED_PER_ENDPOINT, MAX_IN_FLIGHT_PER_ENDPOINT};
    let lease = Duration::seconds(30);
    let busy = db
        .create_endpoint(&who("busy", None), draft(&["*"]), "whsec_a", t0())
        .expect("busy");
    db.create_endpoint(&who("quiet", None), draft(&["*"]), "whsec_b", t0())
        .expect("quiet");
    flood(db, "group:g*", "busy", 50);
    flood(db, "group:q*", "quiet", 2);
    let of_busy = |claimed: &[groupbuy_domain::webhook::DueDelivery]| {
        claimed.iter().filter(|d| d.endpoint_id == busy.id).count()
    };
    let cap = usize::try_from(MAX_CLAIMED_PER_ENDPOINT).expect("cap");
    let in_flight = usize::try_from(MAX_IN_FLIGHT_PER_ENDPOINT).expect("cap");
    let first = db.claim_due(t0(), 32, lease).expect("first");
    assert_eq!(of_busy(&first), cap);
    assert_eq!(first.len(), cap + 2, "the quiet endpoint's two go out too");
    assert!(first[0].body.contains("\"n\":0"), "oldest first");
    let mut leased = cap;
    loop {
        let next = db.claim_due(t0(), 32, lease).expect("next");
        if next.is_empty() {
            break;
        }
        assert!(of_busy(&next) <= cap);
        leased += of_busy(&next);
    }
    assert_eq!(
        leased, in_flight,
        "no more than the in-flight limit at once"
    );
    // The lease runs out: the next ones go.
    let after = db
        .claim_due(t0() + Duration::minutes(1), 32, lease)
        .expect("after the lease");
    assert_eq!(of_busy(&after), cap);
}

crate::on_both_backends!(
    a_blocked_flood_never_hides_another_endpoints_delivery,
    one_endpoint_takes_a_bounded_share_of_claims,
    endpoints_and_queued_tests_are_capped,
    endpoints_belong_to_their_owner_and_organisation,
    deliveries_fan_out_and_keep_subject_order,
    gone_disables_and_replay_requeues,
);
