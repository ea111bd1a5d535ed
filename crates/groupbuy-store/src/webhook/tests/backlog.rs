//! The outbox as operators see it: the worker's due work, and undelivered deliveries per
//! endpoint, bounded to the longest-waiting endpoints plus everyone else together.

use super::{attempt, draft, flood, t0, who};
use crate::db::Database;
use groupbuy_domain::platform::{BacklogStore, JobQueue};
use groupbuy_domain::webhook::{AttemptOutcome, RetrySchedule, WebhookStore};
use time::Duration;

/// Three endpoints fall behind at different times; a top of two names the two whose
/// oldest delivery waits longest and sums up the third; settled deliveries count nowhere.
fn undelivered_deliveries_are_counted_per_endpoint_oldest_first(db: &Database) {
    let (first, second, third) = (who("first", None), who("second", None), who("third", None));
    let a = db
        .create_endpoint(&first, draft(&["*"]), "whsec_a", t0())
        .expect("a");
    let b = db
        .create_endpoint(&second, draft(&["*"]), "whsec_b", t0())
        .expect("b");
    db.create_endpoint(&third, draft(&["*"]), "whsec_c", t0())
        .expect("c");
    // Every event of the flood is written at t0: the enqueue order is what differs.
    flood(db, "group:a*", "first", 3);
    flood(db, "group:b*", "second", 2);
    flood(db, "group:c*", "third", 1);
    let all = db.outbox_backlog(10).expect("all");
    let pending: Vec<i64> = all.endpoints.iter().map(|e| e.pending).collect();
    assert_eq!(pending.iter().sum::<i64>(), 6);
    assert_eq!(all.others.items, 0);
    assert!(all.endpoints.iter().all(|e| e.oldest == t0()));
    let top = db.outbox_backlog(2).expect("top two");
    assert_eq!(top.endpoints.len(), 2);
    let named: i64 = top.endpoints.iter().map(|e| e.pending).sum();
    assert_eq!(
        named + top.others.items,
        6,
        "the rest are summed, none lost"
    );
    assert_eq!(top.others.oldest_due, Some(t0()));
    // a's deliveries are all delivered: a drops out, b's remain.
    let lease = Duration::seconds(30);
    let schedule = RetrySchedule::parse("0,60").expect("schedule");
    for due in db.claim_due(t0(), 32, lease).expect("claim") {
        let ok = due.endpoint_id == a.id;
        let status = if ok { 200 } else { 500 };
        let (state, next) = AttemptOutcome::of(Some(status), None).next(1, &schedule, 0.0, t0());
        db.record_attempt(&due, attempt(1, status), state, next, None)
            .expect("record");
    }
    let after = db.outbox_backlog(10).expect("after");
    assert!(after.endpoints.iter().all(|e| e.endpoint_id != a.id));
    let of_b = after
        .endpoints
        .iter()
        .find(|e| e.endpoint_id == b.id)
        .expect("b waits");
    assert_eq!(of_b.pending, 2, "retrying deliveries are undelivered");
    assert_eq!(db.outbox_backlog(0).expect("none named").others.items, 3);
}

/// The worker's due work: events not yet fanned out, then deliveries due and not leased;
/// a delivery waiting for its retry is not due until its time.
fn the_delivery_queue_counts_undispatched_events_and_due_deliveries(db: &Database) {
    let u = who("u", None);
    db.create_endpoint(&u, draft(&["*"]), "whsec_a", t0())
        .expect("e");
    let queue = |at| db.backlog(JobQueue::WebhookDelivery, at).expect("backlog");
    assert_eq!(queue(t0()).items, 0);
    super::emit(
        db,
        groupbuy_domain::platform::EventType::GroupCreated,
        "group:g1",
        "u",
    );
    let later = t0() + Duration::seconds(5);
    let undispatched = queue(later);
    assert_eq!(undispatched.items, 1);
    assert_eq!(undispatched.oldest_age(later), Duration::seconds(5));
    db.dispatch(later, 100).expect("dispatch");
    assert_eq!(queue(later).items, 1, "now as a due delivery");
    let lease = Duration::seconds(30);
    let claimed = db.claim_due(later, 10, lease).expect("claim");
    assert_eq!(queue(later).items, 0, "leased: in flight, not waiting");
    let schedule = RetrySchedule::parse("0,60").expect("schedule");
    let (state, next) = AttemptOutcome::of(Some(500), None).next(1, &schedule, 0.0, later);
    db.record_attempt(&claimed[0], attempt(1, 500), state, next, None)
        .expect("record");
    assert_eq!(queue(later).items, 0, "its retry is not due yet");
    let retry_at = later + Duration::seconds(61);
    let due = queue(retry_at);
    assert_eq!(due.items, 1);
    assert_eq!(due.oldest_age(retry_at), Duration::seconds(1));
}

crate::on_both_backends!(
    undelivered_deliveries_are_counted_per_endpoint_oldest_first,
    the_delivery_queue_counts_undispatched_events_and_due_deliveries,
);
