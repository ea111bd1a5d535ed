//! The outbox counted for operators: the delivery worker's due work, and undelivered
//! deliveries per endpoint (the longest-waiting endpoints by name, the rest summed), each
//! an aggregate over the partial indexes of unsettled deliveries.

use super::schema::webhook_deliveries as wd;
use super::worker::OUTSTANDING;
use crate::convert::{from_db_time, to_db_time};
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::platform::schema::events as ev;
use diesel::dsl::{count_star, min};
use diesel::prelude::*;
use groupbuy_domain::platform::Backlog;
use groupbuy_domain::webhook::{EndpointBacklog, OutboxBacklog};
use time::{OffsetDateTime, PrimitiveDateTime};

fn counted((items, oldest): (i64, Option<PrimitiveDateTime>)) -> Backlog {
    Backlog {
        items,
        oldest_due: oldest.map(from_db_time),
    }
}

/// The delivery worker's work at `now`: events not yet fanned out (due when emitted) and
/// deliveries due and not leased (due at their next attempt).
pub(crate) fn due_backlog(
    conn: &mut DbConnection,
    now: OffsetDateTime,
) -> Result<Backlog, StoreError> {
    let t = to_db_time(now);
    let events = ev::table
        .filter(ev::dispatched.eq(false))
        .select((count_star(), min(ev::created_at)))
        .first(conn)?;
    let due = wd::table
        .filter(wd::state.eq_any(OUTSTANDING))
        .filter(wd::next_attempt_at.le(t))
        .filter(wd::locked_until.is_null().or(wd::locked_until.le(t)))
        .select((count_star(), min(wd::next_attempt_at)))
        .first(conn)?;
    Ok(counted(events).and(counted(due)))
}

/// Undelivered (pending or retrying) deliveries: the `top` endpoints whose oldest one was
/// enqueued first, and every other endpoint's together.
pub(super) fn outbox_backlog(
    conn: &mut DbConnection,
    top: i64,
) -> Result<OutboxBacklog, StoreError> {
    let named: Vec<(String, i64, Option<PrimitiveDateTime>)> = wd::table
        .filter(wd::state.eq_any(OUTSTANDING))
        .group_by(wd::endpoint_id)
        .select((wd::endpoint_id, count_star(), min(wd::created_at)))
        .order_by((min(wd::created_at).asc(), wd::endpoint_id.asc()))
        .limit(top.max(0))
        .load(conn)?;
    let ids: Vec<&str> = named.iter().map(|(id, _, _)| id.as_str()).collect();
    let others = wd::table
        .filter(wd::state.eq_any(OUTSTANDING))
        .filter(wd::endpoint_id.ne_all(&ids))
        .select((count_star(), min(wd::created_at)))
        .first(conn)?;
    let endpoints = named
        .into_iter()
        .filter_map(|(endpoint_id, pending, oldest)| {
            oldest.map(|t| EndpointBacklog {
                endpoint_id,
                pending,
                oldest: from_db_time(t),
            })
        })
        .collect();
    Ok(OutboxBacklog {
        endpoints,
        others: counted(others),
    })
}
