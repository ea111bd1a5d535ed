//! Changes of a group buy: commit, withdraw, cancel and the expiry sweep. Each locks the
//! row, lets the domain decide on it, and writes the decision with one conditional UPDATE
//! of the row before its audit entries and events.

use super::rows::CommitmentRow;
use super::schema::{procurement_commitments as cmt, procurement_group_buys as gb};
use super::{caller_org, commitment_of, find, lock, record, viewer_of};
use crate::convert::to_db_time;
use crate::db::{insert_if_absent, DbConnection};
use crate::error::StoreError;
use crate::platform::as_text::AsText;
use diesel::prelude::*;
use groupbuy_domain::platform::ChangeContext;
use groupbuy_domain::procurement::{
    CommitOutcome, CommitRequest, Commitment, CommitmentChange, CommitmentId, CommitmentStatus,
    GroupBuy, GroupBuyId, GroupBuyStatus, ProcurementRefusal,
};
use groupbuy_domain::Principal;
use uuid::Uuid;

/// Moves the counters of `read` (the row as the domain saw it) by (`quantity`,
/// `members`) into `next`'s version, while it is OPEN, before its deadline, unchanged
/// since, and never past `max_quantity` (the predicate holds the cap even without the
/// row lock, across instances); `false` when the row refused.
pub(super) fn move_counters(
    conn: &mut DbConnection,
    read: &GroupBuy,
    next: &GroupBuy,
    quantity: i64,
    members: i64,
    now: time::OffsetDateTime,
) -> Result<bool, StoreError> {
    let changed = diesel::update(
        gb::table
            .filter(gb::id.eq(read.id.to_string()))
            .filter(gb::status.eq(AsText(GroupBuyStatus::Open)))
            .filter(gb::version.eq(read.version))
            .filter(gb::deadline.gt(to_db_time(now)))
            .filter(
                gb::max_quantity.is_null().or(gb::max_quantity
                    .assume_not_null()
                    .ge(gb::committed_quantity + quantity)),
            ),
    )
    .set((
        gb::committed_quantity.eq(gb::committed_quantity + quantity),
        gb::members.eq(gb::members + members),
        gb::version.eq(next.version),
        gb::updated_at.eq(to_db_time(next.updated_at)),
        gb::target_reached_at.eq(next.target_reached_at.map(to_db_time)),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Moves `read` to `next`'s status and version while it is still in `read`'s status and
/// version; `false` when another change came first.
pub(super) fn move_status(
    conn: &mut DbConnection,
    read: &GroupBuy,
    next: &GroupBuy,
) -> Result<bool, StoreError> {
    let changed = diesel::update(
        gb::table
            .filter(gb::id.eq(read.id.to_string()))
            .filter(gb::status.eq(AsText(read.status)))
            .filter(gb::version.eq(read.version)),
    )
    .set((
        gb::status.eq(AsText(next.status)),
        gb::version.eq(next.version),
        gb::updated_at.eq(to_db_time(next.updated_at)),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// The caller's organisation's commitment (any status), when the token names one.
fn existing(
    conn: &mut DbConnection,
    caller: &Principal,
    g: &GroupBuy,
) -> Result<Option<Commitment>, StoreError> {
    match caller_org(caller) {
        Some(org) => commitment_of(conn, g, org),
        None => Ok(None),
    }
}

/// Writes the commitment as the domain decided it: a new row, or the organisation's row
/// replaced (a renewed WITHDRAWN one keeps its id).
fn save_commitment(
    conn: &mut DbConnection,
    c: &Commitment,
    is_new: bool,
) -> Result<(), StoreError> {
    if is_new {
        if insert_if_absent!(conn, cmt::table, CommitmentRow::from_domain(c))? == 0 {
            // Unreachable while the row lock is held; the UNIQUE key is the backstop.
            return Err(ProcurementRefusal::ChangedConcurrently.into());
        }
        return Ok(());
    }
    diesel::update(cmt::table.filter(cmt::id.eq(c.id.to_string())))
        .set((
            cmt::quantity.eq(c.quantity),
            cmt::price_ceiling_minor.eq(c.price_ceiling.minor()),
            cmt::purchase_order_ref.eq(c.purchase_order_ref.as_deref()),
            cmt::status.eq(AsText(c.status)),
            cmt::updated_at.eq(to_db_time(c.updated_at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Upserts the caller's organisation's commitment as the domain decides on the locked row.
pub(super) fn commit(
    conn: &mut DbConnection,
    caller: &Principal,
    id: GroupBuyId,
    request: &CommitRequest,
    if_match: Option<&str>,
    ctx: &ChangeContext,
) -> Result<CommitOutcome, StoreError> {
    let g = lock(conn, id)?;
    let existing = existing(conn, caller, &g)?;
    let change = CommitmentChange {
        caller,
        existing: existing.as_ref(),
        if_match,
    };
    let new_id = CommitmentId::new(Uuid::new_v4());
    let decision = g.commit(change, request.clone(), new_id, ctx)?;
    if decision.changed {
        let moved = move_counters(
            conn,
            &g,
            &decision.group_buy,
            decision.delta_quantity,
            decision.delta_members,
            ctx.now,
        )?;
        if !moved {
            return Err(refusal_after_race(conn, id, existing.as_ref(), request.quantity)?.into());
        }
        save_commitment(conn, &decision.commitment, existing.is_none())?;
        record(conn, decision.audit, &decision.events, ctx)?;
    }
    Ok(CommitOutcome {
        commitment: decision.commitment,
        created: decision.created,
        group_buy: decision.group_buy,
    })
}

/// Why the conditional UPDATE matched no row: the counters as they now stand leave no
/// room (the domain's capacity text), or the pool changed otherwise.
fn refusal_after_race(
    conn: &mut DbConnection,
    id: GroupBuyId,
    existing: Option<&Commitment>,
    quantity: i64,
) -> Result<ProcurementRefusal, StoreError> {
    let now = find(conn, id)?;
    let own = existing.filter(|c| c.is_active()).map_or(0, |c| c.quantity);
    let short = now.capacity_for(own).is_some_and(|limit| quantity > limit);
    Ok(if short {
        now.capacity_refusal(own)
    } else {
        ProcurementRefusal::ChangedConcurrently
    })
}

/// Withdraws the caller's organisation's ACTIVE commitment.
pub(super) fn withdraw(
    conn: &mut DbConnection,
    caller: &Principal,
    id: GroupBuyId,
    if_match: Option<&str>,
    ctx: &ChangeContext,
) -> Result<GroupBuy, StoreError> {
    let g = lock(conn, id)?;
    let existing = existing(conn, caller, &g)?;
    let change = CommitmentChange {
        caller,
        existing: existing.as_ref(),
        if_match,
    };
    let decision = g.withdraw(change, ctx)?;
    let moved = move_counters(
        conn,
        &g,
        &decision.group_buy,
        decision.delta_quantity,
        decision.delta_members,
        ctx.now,
    )?;
    if !moved {
        return Err(ProcurementRefusal::ChangedConcurrently.into());
    }
    let withdrawn = diesel::update(
        cmt::table
            .filter(cmt::id.eq(decision.commitment.id.to_string()))
            .filter(cmt::status.eq(AsText(CommitmentStatus::Active))),
    )
    .set((
        cmt::status.eq(AsText(CommitmentStatus::Withdrawn)),
        cmt::updated_at.eq(to_db_time(ctx.now)),
    ))
    .execute(conn)?;
    if withdrawn != 1 {
        return Err(ProcurementRefusal::ChangedConcurrently.into());
    }
    record(conn, decision.audit, &decision.events, ctx)?;
    Ok(decision.group_buy)
}

/// Cancels the group buy (its organiser or a platform admin).
pub(super) fn cancel(
    conn: &mut DbConnection,
    caller: &Principal,
    id: GroupBuyId,
    if_match: Option<&str>,
    ctx: &ChangeContext,
) -> Result<GroupBuy, StoreError> {
    let g = lock(conn, id)?;
    let (viewer, _) = viewer_of(conn, caller, &g)?;
    let cancelled = g.cancel(&viewer, if_match, ctx)?;
    if !move_status(conn, &g, &cancelled.group_buy)? {
        return Err(ProcurementRefusal::ChangedConcurrently.into());
    }
    record(conn, cancelled.audit, &cancelled.events, ctx)?;
    Ok(cancelled.group_buy)
}

/// Up to `limit` pools the sweep may expire at `ctx.now` (the SQL form of
/// `GroupBuy::is_due_to_expire`), earliest deadline first.
pub(super) fn due(
    conn: &mut DbConnection,
    ctx: &ChangeContext,
    limit: i64,
) -> Result<Vec<GroupBuyId>, StoreError> {
    let ids: Vec<String> = gb::table
        .filter(gb::status.eq(AsText(GroupBuyStatus::Open)))
        .filter(gb::deadline.le(to_db_time(ctx.now)))
        .filter(gb::committed_quantity.lt(gb::target_quantity))
        .filter(gb::allow_partial.eq(false).or(gb::committed_quantity.eq(0)))
        .order((gb::deadline.asc(), gb::seq.asc()))
        .limit(limit.max(0))
        .select(gb::id)
        .load(conn)?;
    ids.iter().map(|id| super::rows::group_buy_id(id)).collect()
}

/// Expires one pool if the domain still finds it due; `false` when another sweeper (or a
/// change) came first.
pub(super) fn expire(
    conn: &mut DbConnection,
    id: GroupBuyId,
    ctx: &ChangeContext,
) -> Result<bool, StoreError> {
    let g = lock(conn, id)?;
    let Some(expired) = g.expire(ctx) else {
        return Ok(false);
    };
    if !move_status(conn, &g, &expired.group_buy)? {
        return Ok(false);
    }
    record(conn, expired.audit, &expired.events, ctx)?;
    Ok(true)
}
