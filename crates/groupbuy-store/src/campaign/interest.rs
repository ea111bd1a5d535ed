//! Visitors' interest: one per (group-buy, visitor), counters kept exact in the same
//! transaction with conditional statements.

use super::rows::{InterestRow, NewInterest};
use super::schema::{group_buy_interests, group_buys};
use super::{
    append_audit, find_group_buy, group_buy_not_found, insert_if_absent, into_page, load_handle,
    lock_group_buy,
};
use crate::convert::to_db_time;
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::platform::as_text::AsText;
use crate::platform::outbox;
use diesel::prelude::*;
use groupbuy_domain::campaign::{
    AuditAction, CampaignRefusal, ChangeContext, GroupBuy, GroupBuyStatus, Handle, Interest,
    InterestOutcome, InterestRequest, Slug, VisitorId,
};
use groupbuy_domain::platform::Audience;
use groupbuy_domain::{DomainError, Page};
use uuid::Uuid;

/// A group-buy the public may see (not DRAFT), else `NotFound`.
pub(super) fn public_group_buy(
    conn: &mut DbConnection,
    handle: &Handle,
    slug: &Slug,
) -> Result<GroupBuy, StoreError> {
    let g = find_group_buy(conn, handle, slug)?;
    if g.status.is_public() {
        Ok(g)
    } else {
        Err(group_buy_not_found())
    }
}

/// The visitor's interest row.
pub(super) fn find(
    conn: &mut DbConnection,
    group_buy_id: Uuid,
    visitor: &VisitorId,
) -> Result<Option<InterestRow>, StoreError> {
    Ok(group_buy_interests::table
        .filter(group_buy_interests::group_buy_id.eq(group_buy_id.to_string()))
        .filter(group_buy_interests::visitor_id.eq(visitor.as_str()))
        .select(InterestRow::as_select())
        .first(conn)
        .optional()?)
}

/// Interests of a group-buy, newest first.
pub(super) fn list(
    conn: &mut DbConnection,
    group_buy_id: Uuid,
    after: Option<i64>,
    limit: i64,
) -> Result<Page<Interest>, StoreError> {
    let mut query = group_buy_interests::table
        .filter(group_buy_interests::group_buy_id.eq(group_buy_id.to_string()))
        .select(InterestRow::as_select())
        .order(group_buy_interests::seq.desc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(seq) = after {
        query = query.filter(group_buy_interests::seq.lt(seq));
    }
    let rows: Vec<InterestRow> = query.load(conn)?;
    into_page(rows, limit, |r| r.seq, InterestRow::into_domain)
}

/// Moves the counters by (`participants`, `quantity`) while the group-buy is in one of
/// `statuses`, never past `max_quantity`; `false` when the row refused.
fn move_counters(
    conn: &mut DbConnection,
    g: &GroupBuy,
    participants: i64,
    quantity: i64,
    statuses: &[GroupBuyStatus],
) -> Result<bool, StoreError> {
    let names: Vec<_> = statuses.iter().copied().map(AsText).collect();
    let changed = diesel::update(
        group_buys::table
            .filter(group_buys::id.eq(g.id.to_string()))
            .filter(group_buys::status.eq_any(names))
            .filter(
                group_buys::max_quantity
                    .is_null()
                    .or(group_buys::max_quantity
                        .assume_not_null()
                        .ge(group_buys::quantity + quantity)),
            ),
    )
    .set((
        group_buys::participants.eq(group_buys::participants + participants),
        group_buys::quantity.eq(group_buys::quantity + quantity),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Registers or updates the visitor's interest.
pub(super) fn put(
    conn: &mut DbConnection,
    handle: &Handle,
    slug: &Slug,
    visitor: &VisitorId,
    request: &InterestRequest,
    ctx: &ChangeContext,
) -> Result<InterestOutcome, StoreError> {
    let g = lock_group_buy(conn, handle, slug)?;
    if !g.status.is_public() {
        return Err(group_buy_not_found());
    }
    g.accepts_interest(ctx.now)?;
    let now = to_db_time(ctx.now);
    let existing = find(conn, g.id, visitor)?;
    let (created, delta_participants, delta_quantity) = match &existing {
        None => (true, 1, request.quantity),
        Some(row) => (false, 0, request.quantity - row.quantity),
    };
    g.check_capacity(delta_quantity)?;
    if created {
        let row = NewInterest {
            id: Uuid::new_v4().to_string(),
            group_buy_id: g.id.to_string(),
            visitor_id: visitor.as_str(),
            quantity: request.quantity,
            note: request.note.as_deref(),
            created_at: now,
            updated_at: now,
        };
        if insert_if_absent!(conn, group_buy_interests::table, &row)? == 0 {
            // Unreachable while the row lock is held; the UNIQUE key is the backstop.
            return Err(DomainError::from(CampaignRefusal::InterestRace).into());
        }
    } else if existing
        .as_ref()
        .is_some_and(|e| e.quantity == request.quantity && e.note == request.note)
    {
        // A retry of the same request: nothing changes, nothing is audited.
        let interest = existing
            .ok_or_else(|| StoreError::Corrupt("interest vanished".into()))?
            .into_domain()?;
        return Ok(InterestOutcome {
            interest,
            created: false,
        });
    } else {
        diesel::update(
            group_buy_interests::table
                .filter(group_buy_interests::group_buy_id.eq(g.id.to_string()))
                .filter(group_buy_interests::visitor_id.eq(visitor.as_str())),
        )
        .set((
            group_buy_interests::quantity.eq(request.quantity),
            group_buy_interests::note.eq(request.note.as_deref()),
            group_buy_interests::updated_at.eq(now),
        ))
        .execute(conn)?;
    }
    if !move_counters(
        conn,
        &g,
        delta_participants,
        delta_quantity,
        &[GroupBuyStatus::Published],
    )? {
        return Err(DomainError::from(CampaignRefusal::MaxQuantityTaken).into());
    }
    let action = if created {
        AuditAction::InterestRegister
    } else {
        AuditAction::InterestUpdate
    };
    append_audit(conn, &g, action, Some(g.status), g.status, ctx)?;
    let counted = GroupBuy {
        participants: g.participants + delta_participants,
        quantity: g.quantity + delta_quantity,
        ..g.clone()
    };
    tip(conn, &counted, ctx)?;
    let interest = find(conn, g.id, visitor)?
        .ok_or_else(|| StoreError::Corrupt("interest vanished".into()))?
        .into_domain()?;
    Ok(InterestOutcome { interest, created })
}

/// Marks the group-buy's tipping point and emits `campaign.threshold_reached` when the
/// domain says this change reached it; the UPDATE is conditional on the mark being unset
/// and the thresholds met, so it fires once.
fn tip(conn: &mut DbConnection, counted: &GroupBuy, ctx: &ChangeContext) -> Result<(), StoreError> {
    // The owner is read only when the thresholds are met: not on every interest.
    if !counted.reaches_tipping_point() {
        return Ok(());
    }
    let owner = Audience::User(load_handle(conn, &counted.handle)?.owner_id);
    let Some((reached, said)) = counted.tipping_point(&owner, ctx.now) else {
        return Ok(());
    };
    let marked = diesel::update(
        group_buys::table
            .filter(group_buys::id.eq(counted.id.to_string()))
            .filter(group_buys::threshold_reached_at.is_null())
            .filter(group_buys::status.eq(AsText(GroupBuyStatus::Published)))
            .filter(group_buys::participants.ge(counted.thresholds.min_participants().unwrap_or(0)))
            .filter(group_buys::quantity.ge(counted.thresholds.min_quantity().unwrap_or(0))),
    )
    .set(group_buys::threshold_reached_at.eq(reached.threshold_reached_at.map(to_db_time)))
    .execute(conn)?;
    if marked == 1 {
        outbox::append(conn, &[said], &ctx.request_id, ctx.now)?;
    }
    Ok(())
}

/// Withdraws the visitor's interest; `false` when there was none.
pub(super) fn remove(
    conn: &mut DbConnection,
    handle: &Handle,
    slug: &Slug,
    visitor: &VisitorId,
    ctx: &ChangeContext,
) -> Result<bool, StoreError> {
    let g = lock_group_buy(conn, handle, slug)?;
    if !g.status.is_public() {
        return Err(group_buy_not_found());
    }
    let Some(existing) = find(conn, g.id, visitor)? else {
        return Ok(false);
    };
    g.allows_withdrawal()?;
    diesel::delete(group_buy_interests::table.filter(group_buy_interests::seq.eq(existing.seq)))
        .execute(conn)?;
    if !move_counters(
        conn,
        &g,
        -1,
        -existing.quantity,
        &[GroupBuyStatus::Published, GroupBuyStatus::Paused],
    )? {
        return Err(DomainError::from(CampaignRefusal::InterestFrozen).into());
    }
    append_audit(
        conn,
        &g,
        AuditAction::InterestRemove,
        Some(g.status),
        g.status,
        ctx,
    )?;
    Ok(true)
}
