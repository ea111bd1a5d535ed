//! The background jobs' queues counted for `/metrics`: each an aggregate (`COUNT`, `MIN`
//! of the due time) over the same predicate and index the job's own claim uses, so a
//! measurement costs one index range scan per table, bounded by what is due.

use crate::campaign::schema::campaign_preorders as cp;
use crate::convert::{from_db_time, to_db_time};
use crate::db::{Database, DbConnection};
use crate::error::StoreError;
use crate::platform::as_text::AsText;
use crate::platform::schema::rate_limit_windows as rl;
use crate::procurement::schema::procurement_group_buys as gb;
use crate::procurement::sourcing::schema::procurement_jobs as jobs;
use crate::schema::{group_instances as gi, idempotency_keys as ik};
use diesel::dsl::{count_star, min};
use diesel::prelude::*;
use groupbuy_domain::campaign::PreorderStatus;
use groupbuy_domain::group_purchase::GroupStatus;
use groupbuy_domain::platform::{Backlog, BacklogStore, JobQueue};
use groupbuy_domain::procurement::{GroupBuyStatus, JobStatus};
use groupbuy_domain::DomainError;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

/// One aggregate's row: how many, and the least due time.
type Counted = (i64, Option<PrimitiveDateTime>);

/// The backlog of a row, its due time moved by `shift` (a record due some time after
/// the column's time).
fn backlog((items, oldest): Counted, shift: Duration) -> Backlog {
    Backlog {
        items,
        oldest_due: oldest.map(|t| from_db_time(t) + shift),
    }
}

impl BacklogStore for Database {
    fn backlog(&self, queue: JobQueue, now: OffsetDateTime) -> Result<Backlog, DomainError> {
        self.read(|conn| queue_backlog(conn, queue, now))
    }
}

/// The items of `queue` due at `now`, with the predicates of the job that takes them.
fn queue_backlog(
    conn: &mut DbConnection,
    queue: JobQueue,
    now: OffsetDateTime,
) -> Result<Backlog, StoreError> {
    let t = to_db_time(now);
    let counted = |c: Counted| backlog(c, Duration::ZERO);
    Ok(match queue {
        JobQueue::GroupExpiry => counted(
            gi::table
                .filter(gi::status.eq(GroupStatus::Open.as_str()))
                .filter(gi::expires_at.le(t))
                .select((count_star(), min(gi::expires_at)))
                .first(conn)?,
        ),
        JobQueue::PreorderExpiry => counted(
            cp::table
                .filter(cp::status.eq(PreorderStatus::PendingPayment.as_str()))
                .filter(cp::expires_at.le(t))
                .select((count_star(), min(cp::expires_at)))
                .first(conn)?,
        ),
        JobQueue::ProcurementExpiry => counted(
            gb::table
                .filter(gb::status.eq(AsText(GroupBuyStatus::Open)))
                .filter(gb::deadline.le(t))
                .filter(gb::committed_quantity.lt(gb::target_quantity))
                .filter(gb::allow_partial.eq(false).or(gb::committed_quantity.eq(0)))
                .select((count_star(), min(gb::deadline)))
                .first(conn)?,
        ),
        JobQueue::ProcurementJobs => counted(
            jobs::table
                .filter(
                    jobs::status.eq(AsText(JobStatus::Queued)).or(jobs::status
                        .eq(AsText(JobStatus::Running))
                        .and(jobs::locked_until.le(t))),
                )
                .select((count_star(), min(jobs::created_at)))
                .first(conn)?,
        ),
        JobQueue::Housekeeping {
            idempotency_retention,
        } => {
            // A record is due `idempotency_retention` after it was made.
            let keys = ik::table
                .filter(ik::created_at.lt(to_db_time(now - idempotency_retention)))
                .select((count_star(), min(ik::created_at)))
                .first(conn)?;
            let windows = rl::table
                .filter(rl::expires_at.le(t))
                .select((count_star(), min(rl::expires_at)))
                .first(conn)?;
            backlog(keys, idempotency_retention).and(counted(windows))
        }
        JobQueue::WebhookDelivery => crate::webhook::due_backlog(conn, now)?,
    })
}

#[cfg(test)]
mod tests;
