//! Redelivery racing an attempt in flight: a retry or replay is never undone by the
//! result of the attempt it overtook.

use super::{attempt, draft, t0, who};
use crate::db::Database;
use groupbuy_domain::webhook::{DeliveryState, WebhookStore};
use time::Duration;

/// A retry that lands while an attempt is in flight (claimed, its request sent, its result
/// not yet recorded) is not undone by that result: the delivery stays PENDING and goes
/// again. An attempt whose lease ran out and was claimed anew records no state either.
fn a_retry_during_an_attempt_is_not_overwritten_by_its_result(db: &Database) {
    let m1 = who("m1", None);
    let e = db
        .create_endpoint(&m1, draft(&["*"]), "whsec_a", t0())
        .expect("e");
    let test = db.send_test(&m1, &e.id, "req-t", t0()).expect("test");
    let lease = Duration::seconds(30);
    let in_flight = db.claim_due(t0(), 10, lease).expect("claim");
    assert_eq!(in_flight.len(), 1);
    let retried = db.retry_delivery(&m1, &test.id, t0()).expect("retry");
    assert_eq!(retried.state, DeliveryState::Pending);
    db.record_attempt(
        &in_flight[0],
        attempt(1, 200),
        DeliveryState::Succeeded,
        None,
        None,
    )
    .expect("the in-flight attempt ends");
    let after = db
        .deliveries(&m1, &e.id, None, None, 10)
        .expect("deliveries")
        .items;
    assert_eq!(after[0].state, DeliveryState::Pending, "the retry stands");
    assert_eq!(after[0].attempts.len(), 1, "the attempt is in the history");
    let again = db.claim_due(t0(), 10, lease).expect("claim again");
    assert_eq!(again.len(), 1, "sent again, as the retry promised");
    // A stale attempt (its lease expired, the delivery claimed again since) records no state.
    let later = t0() + Duration::minutes(1);
    let reclaimed = db.claim_due(later, 10, lease).expect("lease ran out");
    assert_eq!(reclaimed.len(), 1);
    db.record_attempt(
        &again[0],
        attempt(2, 500),
        DeliveryState::Pending,
        Some(later),
        None,
    )
    .expect("stale");
    db.record_attempt(
        &reclaimed[0],
        attempt(3, 200),
        DeliveryState::Succeeded,
        None,
        None,
    )
    .expect("current");
    let done = db.deliveries(&m1, &e.id, None, None, 10).expect("d").items;
    assert_eq!(done[0].state, DeliveryState::Succeeded);
    assert_eq!(done[0].attempts.len(), 3);
}

crate::on_both_backends!(a_retry_during_an_attempt_is_not_overwritten_by_its_result,);
