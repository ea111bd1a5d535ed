//! Rename, admin deletion and the expiry sweep: the domain decides, these write it.

use super::emit::{emit, group_audience, product_audience};
use super::reads::group_detail;
use super::refunds::{refund_participant, refunds_owed};
use super::rows::GroupRow;
use super::seats::{active_participants, close_group, group_not_found, load_group, lock_group};
use crate::convert::to_db_time;
use crate::db::{Database, DbConnection};
use crate::error::StoreError;
use crate::schema::group_instances as gi;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use groupbuy_domain::group_purchase::{GroupDetail, GroupPurchaseRefusal as Refused, GroupStatus};
use groupbuy_domain::platform::{Audience, ChangeContext};
use groupbuy_domain::DomainError;
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// Renames a group (initiator only, OPEN, unexpired, unique among OPEN groups).
pub(crate) fn rename(
    conn: &mut DbConnection,
    user_id: &str,
    group_id: Uuid,
    name: &str,
    now: OffsetDateTime,
) -> Result<GroupDetail, StoreError> {
    let group = load_group(conn, group_id)?
        .ok_or_else(|| DomainError::NotFound("Group not found".into()))?;
    let renamed = group.rename(user_id, name, now)?;
    let taken = || StoreError::from(Refused::NameTaken(renamed.name.clone()));
    let clash: i64 = gi::table
        .filter(gi::name.eq(&renamed.name))
        .filter(gi::status.eq(GroupStatus::Open.as_str()))
        .filter(gi::id.ne(group_id.to_string()))
        .count()
        .get_result(conn)?;
    if clash > 0 {
        return Err(taken());
    }
    let updated = diesel::update(
        gi::table
            .find(group_id.to_string())
            .filter(gi::status.eq(GroupStatus::Open.as_str())),
    )
    .set((
        gi::name.eq(&renamed.name),
        gi::updated_at.eq(to_db_time(now)),
    ))
    .execute(conn);
    match updated {
        // The partial unique index caught a concurrent rename to the same name.
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            return Err(taken())
        }
        other => {
            other?;
        }
    }
    let group = load_group(conn, group_id)?.ok_or_else(|| group_not_found(group_id))?;
    group_detail(conn, group)
}

/// Soft-deletes a group with `group.deleted`; an OPEN group's participants are then owed
/// their refunds. The row is locked first, so the refunds the event lists are exactly
/// the participants it has.
pub(crate) fn delete(
    conn: &mut DbConnection,
    group_id: Uuid,
    ctx: &ChangeContext,
) -> Result<(), StoreError> {
    let audience = group_audience(conn, group_id)?.ok_or_else(|| group_not_found(group_id))?;
    let group = lock_group(conn, group_id)?.ok_or_else(|| group_not_found(group_id))?;
    let active = active_participants(conn, &group)?;
    let closure = group.delete(&active, &audience, ctx.now)?;
    if !close_group(conn, &group, &closure.group, false)? {
        return Err(DomainError::Conflict("The group changed meanwhile; retry".into()).into());
    }
    emit(conn, &closure.events, ctx)
}

/// Pays every refund owed (of one group, or of all failed and deleted groups), each
/// participant in its own transaction; returns how many were refunded. A crash halfway
/// leaves the rest owed, and the next sweep pays them.
pub(crate) fn pay_refunds(
    db: &Database,
    group_id: Option<Uuid>,
    now: OffsetDateTime,
) -> Result<usize, DomainError> {
    let mut refunded = 0;
    loop {
        let owed = db.read(|conn| refunds_owed(conn, group_id, 200))?;
        if owed.is_empty() {
            return Ok(refunded);
        }
        let mut progressed = false;
        for one in &owed {
            if db.write_retrying(|conn| refund_participant(conn, one, now))? {
                refunded += 1;
                progressed = true;
            }
        }
        if !progressed {
            // Another sweeper took them all; what is left is theirs to finish.
            return Ok(refunded);
        }
    }
}

/// Fails up to `batch` OPEN groups past expiry in one transaction, each with its
/// `group.failed` (carrying the sweep pass's request id), then pays their refunds.
/// On PostgreSQL the batch is claimed with `FOR UPDATE SKIP LOCKED`, so sweepers on other
/// instances take other groups instead of queueing behind this one; on every backend the
/// status change is conditional, so a group is failed exactly once.
pub(crate) fn expire_due(
    db: &Database,
    ctx: &ChangeContext,
    batch: i64,
) -> Result<usize, DomainError> {
    let now = ctx.now;
    let failed = db.write_retrying(|conn| {
        let due = || {
            gi::table
                .filter(gi::status.eq(GroupStatus::Open.as_str()))
                .filter(gi::expires_at.le(to_db_time(now)))
                .order(gi::expires_at.asc())
                .limit(batch)
        };
        let rows: Vec<GroupRow> = match conn {
            DbConnection::Pg(c) => due()
                .for_update()
                .skip_locked()
                .select(GroupRow::as_select())
                .load(c)?,
            // SQLite's IMMEDIATE transaction already holds the only write lock.
            DbConnection::Sqlite(c) => due().select(GroupRow::as_select()).load(c)?,
        };
        // Stock is released product by product in one order, so two sweepers whose
        // batches span the same products cannot deadlock on the product rows.
        let mut rows = rows;
        rows.sort_by(|a, b| a.product_id.cmp(&b.product_id));
        let mut audiences: HashMap<Uuid, Audience> = HashMap::new();
        let mut failed = 0;
        for row in rows {
            let group = row.into_domain()?;
            let audience = match audiences.get(&group.product_id) {
                Some(a) => a.clone(),
                None => {
                    let a = product_audience(conn, group.product_id)?;
                    audiences.insert(group.product_id, a.clone());
                    a
                }
            };
            let active = active_participants(conn, &group)?;
            let Some(closure) = group.fail(&active, &audience, now) else {
                continue;
            };
            if close_group(conn, &group, &closure.group, true)? {
                emit(conn, &closure.events, ctx)?;
                failed += 1;
            }
        }
        Ok(failed)
    })?;
    pay_refunds(db, None, now)?;
    Ok(failed)
}
