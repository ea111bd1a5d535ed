//! What an endpoint's owner sees and does with deliveries: list, replay, retry, test.

use super::endpoints::visible;
use super::rows::{AttemptRow, DeliveryRow, NewDelivery};
use super::schema::{webhook_attempts as wa, webhook_deliveries as wd, webhook_endpoints as we};
use super::worker::OUTSTANDING;
use crate::convert::to_db_time;
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::platform::as_text::AsText;
use crate::platform::outbox;
use crate::platform::paging::into_page;
use diesel::prelude::*;
use groupbuy_domain::platform::{Audience, DomainEvent, EventType};
use groupbuy_domain::webhook::{
    endpoint_disabled, too_many_queued_tests, Delivery, DeliveryState,
    MAX_QUEUED_TESTS_PER_ENDPOINT,
};
use groupbuy_domain::{Page, Principal};
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// A new delivery id.
pub(super) fn new_delivery_id() -> String {
    format!("dlv_{}", Uuid::new_v4().simple())
}

/// Rows with their attempts (one query for all of them).
fn with_attempts(
    conn: &mut DbConnection,
    rows: Vec<DeliveryRow>,
) -> Result<Vec<(i64, Delivery)>, StoreError> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut attempts: HashMap<String, Vec<_>> = HashMap::new();
    for a in wa::table
        .filter(wa::delivery_id.eq_any(&ids))
        .select(AttemptRow::as_select())
        .order((wa::delivery_id, wa::attempt))
        .load(conn)?
    {
        attempts
            .entry(a.delivery_id.clone())
            .or_default()
            .push(a.into_domain());
    }
    rows.into_iter()
        .map(|r| {
            let seq = r.seq;
            let mine = attempts.remove(&r.id).unwrap_or_default();
            Ok((seq, r.into_domain(mine)?))
        })
        .collect()
}

/// One delivery by id.
fn load(conn: &mut DbConnection, id: &str) -> Result<Option<Delivery>, StoreError> {
    let rows = wd::table
        .filter(wd::id.eq(id))
        .select(DeliveryRow::as_select())
        .load(conn)?;
    Ok(with_attempts(conn, rows)?.pop().map(|(_, d)| d))
}

/// An endpoint's deliveries, newest first.
pub(super) fn list(
    conn: &mut DbConnection,
    caller: &Principal,
    endpoint_id: &str,
    state: Option<DeliveryState>,
    before: Option<i64>,
    limit: i64,
) -> Result<Page<Delivery>, StoreError> {
    visible(conn, caller, endpoint_id)?;
    let mut query = wd::table
        .filter(wd::endpoint_id.eq(endpoint_id))
        .select(DeliveryRow::as_select())
        .order(wd::seq.desc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(s) = state {
        query = query.filter(wd::state.eq(AsText(s)));
    }
    if let Some(seq) = before {
        query = query.filter(wd::seq.lt(seq));
    }
    let rows = query.load(conn)?;
    let loaded = with_attempts(conn, rows)?;
    into_page(loaded, limit, |(seq, _)| *seq, |(_, d)| Ok(d))
}

/// Re-enqueues FAILED and EXHAUSTED deliveries since `since`.
pub(super) fn replay(
    conn: &mut DbConnection,
    caller: &Principal,
    endpoint_id: &str,
    since: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<u64, StoreError> {
    visible(conn, caller, endpoint_id)?;
    let n = diesel::update(
        wd::table
            .filter(wd::endpoint_id.eq(endpoint_id))
            .filter(wd::state.eq_any([
                AsText(DeliveryState::Failed),
                AsText(DeliveryState::Exhausted),
            ]))
            .filter(wd::created_at.ge(to_db_time(since))),
    )
    .set(requeue(now))
    .execute(conn)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The columns of a re-enqueued delivery: due now, a fresh set of attempts.
#[derive(AsChangeset)]
#[diesel(table_name = wd, treat_none_as_null = true)]
struct Requeue {
    state: AsText<DeliveryState>,
    attempt_count: i32,
    next_attempt_at: Option<time::PrimitiveDateTime>,
    locked_until: Option<time::PrimitiveDateTime>,
    updated_at: time::PrimitiveDateTime,
}

fn requeue(now: OffsetDateTime) -> Requeue {
    Requeue {
        state: AsText(DeliveryState::Pending),
        attempt_count: 0,
        next_attempt_at: Some(to_db_time(now)),
        locked_until: None,
        updated_at: to_db_time(now),
    }
}

/// Re-enqueues one delivery of the caller's.
pub(super) fn retry(
    conn: &mut DbConnection,
    caller: &Principal,
    id: &str,
    now: OffsetDateTime,
) -> Result<Delivery, StoreError> {
    let not_found = || StoreError::from(groupbuy_domain::webhook::delivery_not_found(id));
    let delivery = load(conn, id)?.ok_or_else(not_found)?;
    visible(conn, caller, &delivery.endpoint_id).map_err(|_| not_found())?;
    diesel::update(wd::table.filter(wd::id.eq(id)))
        .set(requeue(now))
        .execute(conn)?;
    load(conn, id)?.ok_or_else(not_found)
}

/// Refuses a test while [`MAX_QUEUED_TESTS_PER_ENDPOINT`] wait unsettled at the endpoint;
/// on PostgreSQL the endpoint's row is locked first, so concurrent tests queue on it
/// instead of racing past the count.
fn tests_within_limit(
    conn: &mut DbConnection,
    endpoint_id: &str,
    subject: &str,
) -> Result<(), StoreError> {
    if let DbConnection::Pg(c) = conn {
        we::table
            .filter(we::id.eq(endpoint_id))
            .select(we::id)
            .for_no_key_update()
            .first::<String>(c)?;
    }
    let queued: i64 = wd::table
        .filter(wd::endpoint_id.eq(endpoint_id))
        .filter(wd::subject.eq(subject))
        .filter(wd::state.eq_any(OUTSTANDING))
        .count()
        .get_result(conn)?;
    if queued >= MAX_QUEUED_TESTS_PER_ENDPOINT {
        return Err(too_many_queued_tests().into());
    }
    Ok(())
}

/// A `webhook.test` event delivered to this endpoint only.
pub(super) fn send_test(
    conn: &mut DbConnection,
    caller: &Principal,
    endpoint_id: &str,
    request_id: &str,
    now: OffsetDateTime,
) -> Result<Delivery, StoreError> {
    let endpoint = visible(conn, caller, endpoint_id)?;
    if endpoint.disabled {
        return Err(endpoint_disabled().into());
    }
    let subject = format!("webhook:{endpoint_id}");
    tests_within_limit(conn, endpoint_id, &subject)?;
    let event = DomainEvent::new(
        EventType::WebhookTest,
        subject,
        Audience::User(endpoint.created_by.clone()),
        &serde_json::json!({
            "endpoint_id": endpoint_id,
            "message": "A test event sent through POST /webhooks/endpoints/{id}/test",
        }),
    );
    let ids = outbox::append(conn, std::slice::from_ref(&event), request_id, now)?;
    let event_id = ids.first().cloned().unwrap_or_default();
    let sequence = outbox::mark_dispatched(conn, &event_id)?;
    let id = new_delivery_id();
    diesel::insert_into(wd::table)
        .values(NewDelivery {
            id: id.clone(),
            endpoint_id,
            event_id: &event_id,
            event_type: AsText(EventType::WebhookTest),
            subject: &event.subject,
            sequence,
            state: AsText(DeliveryState::Pending),
            attempt_count: 0,
            next_attempt_at: Some(to_db_time(now)),
            created_at: to_db_time(now),
            updated_at: to_db_time(now),
        })
        .execute(conn)?;
    load(conn, &id)?.ok_or_else(|| StoreError::Corrupt("test delivery vanished".into()))
}
