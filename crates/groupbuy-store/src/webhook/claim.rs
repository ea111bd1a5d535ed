//! Claiming due deliveries fairly: a blocked (endpoint, subject) never hides another
//! endpoint's due work, and one endpoint's backlog takes a bounded share of every claim.
//!
//! The rules live in ONE query: a delivery is claimable when it is due, not leased, and no
//! earlier delivery of the same endpoint and subject is unsettled (events of a subject go
//! out in order); each endpoint's claimable deliveries are numbered by age
//! (`ROW_NUMBER() OVER (PARTITION BY endpoint_id ...)`), at most
//! [`MAX_CLAIMED_PER_ENDPOINT`] of them are taken and never more than
//! [`MAX_IN_FLIGHT_PER_ENDPOINT`] counting those already leased, and the claim takes every
//! endpoint's oldest before any endpoint's second (round robin). On PostgreSQL the rows
//! are locked `FOR UPDATE SKIP LOCKED`, so two instances never claim the same delivery.

use super::schema::{webhook_deliveries as wd, webhook_endpoints as we};
use super::worker::{event_columns, EventRow};
use crate::convert::{from_db_time, to_db_time};
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::platform::schema::events as ev;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};
use groupbuy_domain::webhook::{DueDelivery, MAX_CLAIMED_PER_ENDPOINT, MAX_IN_FLIGHT_PER_ENDPOINT};
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

/// One claimable delivery.
#[derive(QueryableByName)]
struct Claimable {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    endpoint_id: String,
    #[diesel(sql_type = Text)]
    event_id: String,
    #[diesel(sql_type = Integer)]
    attempt_count: i32,
}

/// The claiming query; `p` is the parameter sigil (`$` on PostgreSQL, `?` on SQLite, both
/// numbered so `now` is bound once). `state IN (...)` is spelled literally so both
/// planners match the partial indexes on unsettled deliveries.
fn claim_sql(p: char, lock: &str) -> String {
    format!(
        "SELECT c.id, c.endpoint_id, c.event_id, c.attempt_count \
         FROM webhook_deliveries c JOIN ( \
           SELECT d.id, \
             ROW_NUMBER() OVER (PARTITION BY d.endpoint_id ORDER BY d.seq) AS turn, \
             (SELECT COUNT(*) FROM webhook_deliveries f \
               WHERE f.endpoint_id = d.endpoint_id AND f.state IN ('PENDING', 'FAILED') \
                 AND f.locked_until > {p}1) AS leased \
           FROM webhook_deliveries d \
           WHERE d.state IN ('PENDING', 'FAILED') AND d.next_attempt_at <= {p}1 \
             AND (d.locked_until IS NULL OR d.locked_until <= {p}1) \
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e \
               WHERE e.endpoint_id = d.endpoint_id AND e.subject = d.subject \
                 AND e.state IN ('PENDING', 'FAILED') AND e.sequence < d.sequence) \
         ) r ON r.id = c.id \
         WHERE r.turn <= {p}2 AND r.turn + r.leased <= {p}3 \
           AND c.state IN ('PENDING', 'FAILED') \
           AND (c.locked_until IS NULL OR c.locked_until <= {p}1) \
         ORDER BY r.turn, c.seq LIMIT {p}4{lock}"
    )
}

/// Claims up to `limit` due deliveries for `lease` (see the module's rules).
pub(super) fn claim_due(
    conn: &mut DbConnection,
    now: OffsetDateTime,
    limit: i64,
    lease: Duration,
) -> Result<Vec<DueDelivery>, StoreError> {
    let t = to_db_time(now);
    let candidates: Vec<Claimable> = match conn {
        // The lock is taken on the outer rows only: PostgreSQL refuses FOR UPDATE beside a
        // window function, and after waiting on nothing (SKIP LOCKED) it re-checks the
        // outer WHERE against the row's latest version.
        DbConnection::Pg(c) => diesel::sql_query(claim_sql('$', " FOR UPDATE OF c SKIP LOCKED"))
            .bind::<Timestamp, _>(t)
            .bind::<BigInt, _>(MAX_CLAIMED_PER_ENDPOINT)
            .bind::<BigInt, _>(MAX_IN_FLIGHT_PER_ENDPOINT)
            .bind::<BigInt, _>(limit)
            .load(c)?,
        DbConnection::Sqlite(c) => diesel::sql_query(claim_sql('?', ""))
            .bind::<Timestamp, _>(t)
            .bind::<BigInt, _>(MAX_CLAIMED_PER_ENDPOINT)
            .bind::<BigInt, _>(MAX_IN_FLIGHT_PER_ENDPOINT)
            .bind::<BigInt, _>(limit)
            .load(c)?,
    };
    // Whole microseconds, as both databases store them: the lease is matched exactly when
    // the attempt is recorded (`worker::record_attempt`).
    let leased_until = to_db_time(now + lease);
    let leased_until = leased_until
        .replace_nanosecond(leased_until.nanosecond() / 1_000 * 1_000)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut claimed = Vec::with_capacity(candidates.len());
    for c in candidates {
        // Conditional, so a lease taken meanwhile (it cannot be, under the lock or
        // SQLite's single writer) would still never be taken twice.
        let taken = diesel::update(
            wd::table
                .filter(wd::id.eq(&c.id))
                .filter(wd::locked_until.is_null().or(wd::locked_until.le(t))),
        )
        .set(wd::locked_until.eq(Some(leased_until)))
        .execute(conn)?;
        if taken == 1 {
            claimed.push(due(conn, c, now, from_db_time(leased_until))?);
        }
    }
    Ok(claimed)
}

/// Everything the sender needs: the endpoint's URL and secrets, the event envelope.
fn due(
    conn: &mut DbConnection,
    claimed: Claimable,
    now: OffsetDateTime,
    leased_until: OffsetDateTime,
) -> Result<DueDelivery, StoreError> {
    let Claimable {
        id,
        endpoint_id,
        event_id,
        attempt_count: attempts_made,
    } = claimed;
    let (url, secret, previous, until): (
        String,
        String,
        Option<String>,
        Option<PrimitiveDateTime>,
    ) = we::table
        .filter(we::id.eq(&endpoint_id))
        .select((
            we::url,
            we::secret,
            we::previous_secret,
            we::previous_secret_until,
        ))
        .first(conn)?;
    let (_, _, event_type, subject, sequence, _, _, request_id, data, created_at): EventRow =
        ev::table
            .filter(ev::id.eq(&event_id))
            .select(event_columns())
            .first(conn)?;
    let data: serde_json::Value =
        serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(format!("event data: {e}")))?;
    let created = from_db_time(created_at)
        .replace_nanosecond(0)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let body = serde_json::json!({
        "id": event_id,
        "type": event_type.0,
        "created_at": created,
        "request_id": request_id,
        "subject": subject,
        "sequence": sequence,
        "data": data,
    })
    .to_string();
    let previous_secret = previous.filter(|_| until.is_some_and(|u| from_db_time(u) > now));
    Ok(DueDelivery {
        id,
        attempts_made,
        url,
        secret,
        previous_secret,
        event_id,
        request_id,
        body,
        endpoint_id,
        leased_until,
    })
}
