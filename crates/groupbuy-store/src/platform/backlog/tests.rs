//! The jobs' queues as the store counts them, on both backends, with the clock moved
//! by hand: nothing is due until its time, then it is counted with its age, and the
//! job's own pass empties the queue.

use crate::db::Database;
use groupbuy_domain::platform::{
    BacklogStore, IdempotencyStore, JobQueue, RateLimitStore, RateQuota,
};
use time::{Duration, OffsetDateTime};

fn t0() -> OffsetDateTime {
    // On a minute boundary, so a one-minute rate-limit window ends at t0 + 1 min.
    OffsetDateTime::from_unix_timestamp(1_760_000_040).expect("time")
}

/// Idempotency records are due a retention after they were made and rate-limit windows
/// when they end; the housekeeping purge leaves nothing due.
fn housekeeping_counts_expired_records_and_windows(db: &Database) {
    let retention = Duration::hours(24);
    let queue = JobQueue::Housekeeping {
        idempotency_retention: retention,
    };
    let count = |at| db.backlog(queue, at).expect("backlog");
    db.begin("u1", "k1", "f", t0(), Duration::seconds(30))
        .expect("key 1");
    db.begin(
        "u1",
        "k2",
        "f",
        t0() + Duration::hours(1),
        Duration::seconds(30),
    )
    .expect("key 2");
    let minute = RateQuota::new(10, Duration::MINUTE).expect("quota");
    db.hit("ip:1", minute, t0()).expect("hit");
    assert_eq!(count(t0()).items, 0, "nothing is due yet");
    let window_over = t0() + Duration::minutes(1) + Duration::seconds(30);
    let one = count(window_over);
    assert_eq!(one.items, 1, "the window ended");
    assert_eq!(one.oldest_age(window_over), Duration::seconds(30));
    let later = t0() + retention + Duration::minutes(90);
    let three = count(later);
    assert_eq!(three.items, 3);
    assert_eq!(
        three.oldest_age(later),
        Duration::hours(24) + Duration::minutes(89),
        "the window, due at t0 + 1 min, is the oldest"
    );
    db.purge(later - retention).expect("purge keys");
    db.purge_windows(later).expect("purge windows");
    assert_eq!(count(later).items, 0);
    assert_eq!(count(later).oldest_due, None);
}

/// Empty queues count nothing on every job.
fn empty_queues_count_nothing(db: &Database) {
    for queue in [
        JobQueue::GroupExpiry,
        JobQueue::PreorderExpiry,
        JobQueue::ProcurementExpiry,
        JobQueue::ProcurementJobs,
        JobQueue::WebhookDelivery,
    ] {
        let backlog = db.backlog(queue, t0()).expect("backlog");
        assert_eq!(backlog.items, 0, "{queue:?}");
        assert_eq!(backlog.oldest_due, None, "{queue:?}");
    }
}

crate::on_both_backends!(
    housekeeping_counts_expired_records_and_windows,
    empty_queues_count_nothing,
);
