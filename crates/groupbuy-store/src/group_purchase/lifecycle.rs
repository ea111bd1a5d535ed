//! Rename, admin deletion and the expiry sweep: the domain decides, these write it.

use super::emit::{emit, group_audience};
use super::reads::group_detail;
use super::refunds::refund_batch;
use super::rows::{GroupRow, ParticipantRow};
use super::seats::{
    active_participants, close_group, close_groups, group_not_found, load_group, lock_group,
};
use crate::convert::to_db_time;
use crate::db::{Backend, Database, DbConnection};
use crate::error::StoreError;
use crate::platform::outbox;
use crate::schema::{group_instances as gi, group_participants as gp, products, shops};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use groupbuy_domain::group_purchase::{
    GroupDetail, GroupInstance, GroupPurchaseRefusal as Refused, GroupStatus, Participant,
    ParticipantStatus,
};
use groupbuy_domain::platform::{Audience, ChangeContext, DomainEvent};
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
        .ok_or_else(groupbuy_domain::group_purchase::group_not_visible)?;
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
        return Err(
            groupbuy_domain::group_purchase::GroupPurchaseRefusal::GroupChangedMeanwhile.into(),
        );
    }
    emit(conn, &closure.events, ctx)
}

/// Groups whose refunds one transaction pays: more than a sweep pass fails, so a pass
/// pays its refunds in one transaction (and learns from its size that nothing is left),
/// few enough that a payment waiting for one of their wallets waits briefly.
const REFUND_BATCH_GROUPS: i64 = 500;

/// Pays every refund owed (of one group, or of every queued group) in batches of
/// [`REFUND_BATCH_GROUPS`] groups, each batch one transaction; returns how many
/// participants were refunded. A crash halfway leaves the rest queued, and the next sweep
/// pays them.
pub(crate) fn pay_refunds(
    db: &Database,
    group_id: Option<Uuid>,
    now: OffsetDateTime,
) -> Result<usize, DomainError> {
    let mut refunded = 0;
    loop {
        let batch =
            db.write_retrying(|conn| refund_batch(conn, group_id, REFUND_BATCH_GROUPS, now))?;
        refunded += batch.refunded;
        // Fewer than a full batch claimed: the queue is empty, or what is left is held by
        // another sweeper, which pays it.
        if batch.claimed < REFUND_BATCH_GROUPS as usize || group_id.is_some() {
            return Ok(refunded);
        }
    }
}

/// Fails up to `batch` OPEN groups past expiry in one transaction, each with its
/// `group.failed` (carrying the sweep pass's request id), then pays their refunds.
/// On PostgreSQL the batch is claimed with `FOR UPDATE SKIP LOCKED`, so sweepers on other
/// instances take other groups instead of queueing behind this one; on every backend the
/// status change is conditional, so a group is failed exactly once. The batch costs a
/// fixed number of statements whatever its size: the participants, the shops' owners,
/// the status change, the stock, the refund queue and the events are each read or
/// written for all its groups at once.
///
/// On PostgreSQL a large batch is split in two halves run at once on two connections
/// (SKIP LOCKED hands them different groups, exactly as to two instances): the work is
/// the database's, and one connection leaves the second core idle.
pub(crate) fn expire_due(
    db: &Database,
    ctx: &ChangeContext,
    batch: i64,
) -> Result<usize, DomainError> {
    if db.backend() != Backend::Postgres || batch < 2 * PARALLEL_HALF_MIN {
        return expire_part(db, ctx, batch);
    }
    let first = batch / 2;
    let (mine, other) = std::thread::scope(|s| {
        let other = s.spawn(|| expire_part(db, ctx, batch - first));
        (expire_part(db, ctx, first), other.join())
    });
    let other =
        other.map_err(|_| DomainError::Internal("an expiry sweep thread panicked".into()))?;
    Ok(mine? + other?)
}

/// Batches below twice this are not worth a second connection.
const PARALLEL_HALF_MIN: i64 = 50;

/// One transaction failing up to `batch` groups, then the refunds that are owed.
fn expire_part(db: &Database, ctx: &ChangeContext, batch: i64) -> Result<usize, DomainError> {
    let failed = db.write_retrying(|conn| fail_due(conn, ctx, batch))?;
    pay_refunds(db, None, ctx.now)?;
    Ok(failed)
}

/// The failing half of [`expire_due`], in its transaction.
pub(super) fn fail_due(
    conn: &mut DbConnection,
    ctx: &ChangeContext,
    batch: i64,
) -> Result<usize, StoreError> {
    let now = ctx.now;
    let due = || {
        gi::table
            .filter(gi::status.eq(GroupStatus::Open.as_str()))
            .filter(gi::expires_at.le(to_db_time(now)))
            .order(gi::expires_at.asc())
            .limit(batch)
    };
    let rows: Vec<GroupRow> = match conn {
        DbConnection::Pg(c) => due()
            .for_no_key_update()
            .skip_locked()
            .select(GroupRow::as_select())
            .load(c)?,
        // SQLite's IMMEDIATE transaction already holds the only write lock.
        DbConnection::Sqlite(c) => due().select(GroupRow::as_select()).load(c)?,
    };
    if rows.is_empty() {
        return Ok(0);
    }
    let groups = rows
        .into_iter()
        .map(GroupRow::into_domain)
        .collect::<Result<Vec<_>, _>>()?;
    let product_ids: Vec<Uuid> = groups.iter().map(|g| g.product_id).collect();
    let audiences = product_audiences(conn, &product_ids)?;
    let mut members = active_participants_of(conn, &groups)?;
    let mut closures = Vec::with_capacity(groups.len());
    for group in &groups {
        let audience = audiences.get(&group.product_id).ok_or_else(|| {
            StoreError::Corrupt(format!("product {} has no shop", group.product_id))
        })?;
        let active = members.remove(&group.id).unwrap_or_default();
        if let Some(closure) = group.fail(&active, audience, now) {
            closures.push((group, closure));
        }
    }
    let pairs: Vec<(&GroupInstance, &GroupInstance)> =
        closures.iter().map(|(g, c)| (*g, &c.group)).collect();
    let closed = close_groups(conn, &pairs, true)?;
    let events: Vec<DomainEvent> = closures
        .into_iter()
        .filter(|(g, _)| closed.contains(&g.id))
        .flat_map(|(_, c)| c.events)
        .collect();
    outbox::append_batch(conn, &events, &ctx.request_id, now)?;
    Ok(closed.len())
}

/// The shop owners of many products at once (who hears about their groups).
fn product_audiences(
    conn: &mut DbConnection,
    product_ids: &[Uuid],
) -> Result<HashMap<Uuid, Audience>, StoreError> {
    let mut ids: Vec<String> = product_ids.iter().map(Uuid::to_string).collect();
    ids.sort();
    ids.dedup();
    let rows: Vec<(String, String)> = products::table
        .inner_join(shops::table)
        .filter(products::id.eq_any(&ids))
        .select((products::id, shops::owner_id))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, owner)| Ok((crate::convert::parse_uuid(&id)?, Audience::User(owner))))
        .collect()
}

/// The ACTIVE participants of many groups (read while their rows are locked), by group.
fn active_participants_of(
    conn: &mut DbConnection,
    groups: &[GroupInstance],
) -> Result<HashMap<Uuid, Vec<Participant>>, StoreError> {
    let currencies: HashMap<String, &str> = groups
        .iter()
        .map(|g| (g.id.to_string(), g.unit_price.currency().code()))
        .collect();
    let ids: Vec<&String> = currencies.keys().collect();
    let mut by_group: HashMap<Uuid, Vec<Participant>> = HashMap::new();
    for chunk in ids.chunks(1000) {
        let rows: Vec<ParticipantRow> = gp::table
            .filter(gp::group_id.eq_any(chunk))
            .filter(gp::status.eq(ParticipantStatus::Active.as_str()))
            .order((gp::joined_at.asc(), gp::id.asc()))
            .select(ParticipantRow::as_select())
            .load(conn)?;
        for row in rows {
            let currency = currencies
                .get(&row.group_id)
                .copied()
                .ok_or_else(|| StoreError::Corrupt(format!("participant of {}", row.group_id)))?;
            let p = row.into_domain(currency)?;
            by_group.entry(p.group_id).or_default().push(p);
        }
    }
    Ok(by_group)
}
