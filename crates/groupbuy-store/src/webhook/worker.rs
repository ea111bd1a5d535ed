//! The delivery side: fan outbox events out into deliveries, claim the due ones, record
//! what each attempt got. Safe on every instance: claims use FOR UPDATE SKIP LOCKED on
//! PostgreSQL (SQLite's IMMEDIATE transaction is the only writer) plus a lease.

use super::deliveries::new_delivery_id;
use super::rows::{AttemptRow, EndpointRow, NewDelivery};
use super::schema::{webhook_attempts as wa, webhook_deliveries as wd, webhook_endpoints as we};
use crate::convert::to_db_time;
use crate::db::{insert_if_absent, DbConnection};
use crate::error::StoreError;
use crate::platform::as_text::AsText;
use crate::platform::schema::events as ev;
use diesel::prelude::*;
use groupbuy_domain::platform::{Audience, EventType};
use groupbuy_domain::webhook::{DeliveryAttempt, DeliveryState, DueDelivery};
use time::{OffsetDateTime, PrimitiveDateTime};

/// The states of a delivery still to be made: every other state is final.
pub(super) const OUTSTANDING: [AsText<DeliveryState>; 2] = [
    AsText(DeliveryState::Pending),
    AsText(DeliveryState::Failed),
];

/// An outbox event's columns, as [`event_columns`] selects them.
pub(super) type EventRow = (
    i64,
    String,
    AsText<EventType>,
    String,
    i64,
    String,
    String,
    String,
    String,
    PrimitiveDateTime,
);

/// The columns of an outbox event, in [`EventRow`] order.
pub(super) fn event_columns() -> (
    ev::seq,
    ev::id,
    ev::event_type,
    ev::subject,
    ev::sequence,
    ev::audience_kind,
    ev::audience_id,
    ev::request_id,
    ev::data,
    ev::created_at,
) {
    (
        ev::seq,
        ev::id,
        ev::event_type,
        ev::subject,
        ev::sequence,
        ev::audience_kind,
        ev::audience_id,
        ev::request_id,
        ev::data,
        ev::created_at,
    )
}

/// Undispatched events, oldest first, locked for this transaction where the backend can.
fn claim_events(conn: &mut DbConnection, limit: i64) -> Result<Vec<EventRow>, StoreError> {
    let query = ev::table
        .filter(ev::dispatched.eq(false))
        .order(ev::seq)
        .limit(limit)
        .select(event_columns());
    Ok(match conn {
        DbConnection::Pg(c) => query.for_update().skip_locked().load(c)?,
        DbConnection::Sqlite(c) => query.load(c)?,
    })
}

/// Fans out up to `limit` events into one delivery per interested endpoint.
pub(super) fn dispatch(
    conn: &mut DbConnection,
    now: OffsetDateTime,
    limit: i64,
) -> Result<usize, StoreError> {
    let events = claim_events(conn, limit)?;
    for (_, id, event_type, subject, sequence, kind, who, _, _, _) in &events {
        let t = event_type.0;
        let audience = match kind.as_str() {
            "ORGANISATION" => Audience::Organisation(who.clone()),
            _ => Audience::User(who.clone()),
        };
        let candidates = match &audience {
            Audience::User(u) => we::table
                .filter(we::created_by.eq(u))
                .filter(we::org_id.is_null())
                .select(EndpointRow::as_select())
                .load(conn)?,
            Audience::Organisation(o) => we::table
                .filter(we::org_id.eq(o))
                .select(EndpointRow::as_select())
                .load(conn)?,
        };
        for endpoint in candidates {
            let endpoint = endpoint.into_domain()?;
            if !endpoint.wants(&audience, t) {
                continue;
            }
            let row = NewDelivery {
                id: new_delivery_id(),
                endpoint_id: &endpoint.id,
                event_id: id,
                event_type: *event_type,
                subject,
                sequence: *sequence,
                state: AsText(DeliveryState::Pending),
                attempt_count: 0,
                next_attempt_at: Some(to_db_time(now)),
                created_at: to_db_time(now),
                updated_at: to_db_time(now),
            };
            insert_if_absent!(conn, wd::table, &row)?;
        }
        diesel::update(ev::table.filter(ev::id.eq(id)))
            .set(ev::dispatched.eq(true))
            .execute(conn)?;
    }
    Ok(events.len())
}

/// Records one attempt and where the delivery stands after it.
pub(super) fn record_attempt(
    conn: &mut DbConnection,
    due: &DueDelivery,
    attempt: &DeliveryAttempt,
    state: DeliveryState,
    next_attempt_at: Option<OffsetDateTime>,
    disable: Option<String>,
) -> Result<(), StoreError> {
    // Attempts are numbered across replays; attempt_count counts the current round, which
    // the retry schedule follows.
    let last: Option<i32> = wa::table
        .filter(wa::delivery_id.eq(&due.id))
        .select(diesel::dsl::max(wa::attempt))
        .first(conn)?;
    let mut row = AttemptRow::from_domain(&due.id, attempt);
    row.attempt = last.unwrap_or(0) + 1;
    insert_if_absent!(conn, wa::table, &row)?;
    // Only under the lease it was claimed with: a retry or replay that requeued the
    // delivery while this attempt was in flight keeps its PENDING state (the attempt
    // stays in the history), so the redelivery it answered 202 for happens.
    let current = diesel::update(
        wd::table
            .filter(wd::id.eq(&due.id))
            .filter(wd::locked_until.eq(Some(to_db_time(due.leased_until)))),
    )
    .set((
        wd::state.eq(state.as_str()),
        wd::attempt_count.eq(due.attempts_made + 1),
        wd::next_attempt_at.eq(next_attempt_at.map(to_db_time)),
        wd::locked_until.eq(None::<PrimitiveDateTime>),
        wd::updated_at.eq(to_db_time(attempt.at)),
    ))
    .execute(conn)?;
    if current == 0 {
        return Ok(());
    }
    if let Some(reason) = disable {
        diesel::update(we::table.filter(we::id.eq(&due.endpoint_id)))
            .set((we::disabled.eq(true), we::disabled_reason.eq(Some(reason))))
            .execute(conn)?;
    }
    Ok(())
}
