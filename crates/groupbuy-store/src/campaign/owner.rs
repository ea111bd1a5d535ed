//! Owner use cases: handles, creating and listing group-buys, lifecycle transitions, audit.

use super::rows::{GroupBuyRow, HandleRow, NewGroupBuy};
use super::schema::{campaign_handles, group_buys};
use super::{append_audit, insert_if_absent, into_page, lock_group_buy, managed_handle};
use crate::convert::to_db_time;
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::platform::as_text::AsText;
use crate::platform::outbox;
use diesel::prelude::*;
use groupbuy_domain::campaign::{
    campaign_subject, Action, AuditAction, AuditEntry, CampaignRefusal, ChangeContext, GroupBuy,
    GroupBuyDraft, GroupBuyEdit, GroupBuyStatus, Handle, HandleDraft, HandleProfile, Slug,
};
use groupbuy_domain::platform::{Audience, AuditRecord, AUDIT_ID_PREFIX};
use groupbuy_domain::{DomainError, Page, Principal};
use time::OffsetDateTime;
use uuid::Uuid;

pub(super) fn create_handle(
    conn: &mut DbConnection,
    owner: &Principal,
    draft: HandleDraft,
    now: OffsetDateTime,
) -> Result<HandleProfile, StoreError> {
    let profile = draft.into_profile(&owner.user_id, now);
    let inserted = insert_if_absent!(
        conn,
        campaign_handles::table,
        HandleRow::from_domain(&profile)
    )?;
    if inserted == 0 {
        return Err(DomainError::from(CampaignRefusal::HandleTaken(profile.handle)).into());
    }
    Ok(profile)
}

pub(super) fn create_group_buy(
    conn: &mut DbConnection,
    caller: &Principal,
    handle: &Handle,
    draft: GroupBuyDraft,
    ctx: &ChangeContext,
) -> Result<GroupBuy, StoreError> {
    managed_handle(conn, caller, handle)?;
    let g = draft.into_group_buy(Uuid::new_v4(), handle.clone(), ctx.now);
    let inserted = insert_if_absent!(conn, group_buys::table, NewGroupBuy::from_domain(&g))?;
    if inserted == 0 {
        return Err(DomainError::from(CampaignRefusal::SlugTaken {
            slug: g.slug,
            handle: g.handle,
        })
        .into());
    }
    append_audit(conn, &g, AuditAction::Create, None, g.status, ctx)?;
    Ok(g)
}

/// Edits the locked DRAFT's terms as the domain decided; the UPDATE is conditional on the
/// status still being DRAFT, so an edit racing a publish cannot change published terms.
pub(super) fn edit_draft(
    conn: &mut DbConnection,
    caller: &Principal,
    handle: &Handle,
    slug: &Slug,
    edit: GroupBuyEdit,
    ctx: &ChangeContext,
) -> Result<GroupBuy, StoreError> {
    managed_handle(conn, caller, handle)?;
    let current = lock_group_buy(conn, handle, slug)?;
    let next = current.edit_draft(edit, ctx.now)?;
    let changed = diesel::update(
        group_buys::table
            .filter(group_buys::id.eq(current.id.to_string()))
            .filter(group_buys::status.eq(AsText(GroupBuyStatus::Draft))),
    )
    .set((
        group_buys::title.eq(&next.title),
        group_buys::description.eq(&next.description),
        group_buys::currency.eq(next.unit_price.currency().code()),
        group_buys::unit_price_minor.eq(next.unit_price.minor()),
        group_buys::min_participants.eq(next.thresholds.min_participants()),
        group_buys::min_quantity.eq(next.thresholds.min_quantity()),
        group_buys::max_quantity.eq(next.max_quantity),
        group_buys::closes_at.eq(to_db_time(next.closes_at)),
        group_buys::updated_at.eq(to_db_time(next.updated_at)),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(DomainError::from(CampaignRefusal::ChangedConcurrently(current.status)).into());
    }
    append_audit(
        conn,
        &next,
        AuditAction::Edit,
        Some(current.status),
        next.status,
        ctx,
    )?;
    Ok(next)
}

/// A handle's group-buys in `statuses`, newest first.
pub(super) fn list(
    conn: &mut DbConnection,
    handle: &Handle,
    statuses: &[GroupBuyStatus],
    after: Option<i64>,
    limit: i64,
) -> Result<Page<GroupBuy>, StoreError> {
    let names: Vec<_> = statuses.iter().copied().map(AsText).collect();
    let mut query = group_buys::table
        .filter(group_buys::handle.eq(handle.as_str()))
        .filter(group_buys::status.eq_any(names))
        .select(GroupBuyRow::as_select())
        .order(group_buys::seq.desc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(seq) = after {
        query = query.filter(group_buys::seq.lt(seq));
    }
    let rows: Vec<GroupBuyRow> = query.load(conn)?;
    into_page(rows, limit, |r| r.seq, GroupBuyRow::into_domain)
}

/// Applies `action` to the locked row; the UPDATE is conditional on the status read (and,
/// for close, on the thresholds), so two concurrent transitions cannot both win.
pub(super) fn transition(
    conn: &mut DbConnection,
    caller: &Principal,
    handle: &Handle,
    slug: &Slug,
    action: Action,
    ctx: &ChangeContext,
) -> Result<GroupBuy, StoreError> {
    let owner = Audience::User(managed_handle(conn, caller, handle)?.owner_id);
    let current = lock_group_buy(conn, handle, slug)?;
    let (next, events) = current.transition(action, &owner, ctx.now)?;
    let min_participants = match action {
        Action::Close => current.thresholds.min_participants().unwrap_or(0),
        _ => 0,
    };
    let min_quantity = match action {
        Action::Close => current.thresholds.min_quantity().unwrap_or(0),
        _ => 0,
    };
    let changed = diesel::update(
        group_buys::table
            .filter(group_buys::id.eq(current.id.to_string()))
            .filter(group_buys::status.eq(AsText(current.status)))
            .filter(group_buys::participants.ge(min_participants))
            .filter(group_buys::quantity.ge(min_quantity)),
    )
    .set((
        group_buys::status.eq(AsText(next.status)),
        group_buys::published_at.eq(next.published_at.map(to_db_time)),
        group_buys::paused_at.eq(next.paused_at.map(to_db_time)),
        group_buys::closed_at.eq(next.closed_at.map(to_db_time)),
        group_buys::updated_at.eq(to_db_time(next.updated_at)),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(DomainError::from(CampaignRefusal::ChangedConcurrently(current.status)).into());
    }
    append_audit(
        conn,
        &current,
        action.into(),
        Some(current.status),
        next.status,
        ctx,
    )?;
    let mut events = events;
    if let (Action::Close, Some(terms)) = (action, next.preorder) {
        // The sessions open with the close or not at all: a refused opening (a pledge past
        // the money bound) rolls the close back.
        events.extend(super::preorder::open_at_close(
            conn, &next, terms, &owner, ctx.now,
        )?);
    }
    outbox::append(conn, &events, &ctx.request_id, ctx.now)?;
    Ok(next)
}

/// Audit entries of a group-buy, newest first.
pub(super) fn audit(
    conn: &mut DbConnection,
    g: &GroupBuy,
    after: Option<i64>,
    limit: i64,
) -> Result<Page<AuditEntry>, StoreError> {
    let page = crate::platform::audit::page(conn, &campaign_subject(g), after, limit, true)?;
    let items = page
        .items
        .into_iter()
        .map(|r| audit_entry(g, r))
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}

/// A campaign's view of a shared audit entry.
fn audit_entry(g: &GroupBuy, r: AuditRecord) -> Result<AuditEntry, StoreError> {
    let status = |s: Option<String>| -> Result<Option<GroupBuyStatus>, StoreError> {
        s.map(|s| {
            GroupBuyStatus::parse(&s).map_err(|_| StoreError::Corrupt(format!("audit status {s}")))
        })
        .transpose()
    };
    let id =
        r.id.strip_prefix(AUDIT_ID_PREFIX)
            .and_then(|hex| Uuid::parse_str(hex).ok())
            .ok_or_else(|| StoreError::Corrupt(format!("audit id {}", r.id)))?;
    Ok(AuditEntry {
        id,
        group_buy_id: g.id,
        actor: r.actor,
        action: r.action,
        before_status: status(r.from_status)?,
        after_status: status(r.to_status)?
            .ok_or_else(|| StoreError::Corrupt("campaign audit without a status".into()))?,
        request_id: r.request_id,
        created_at: r.at,
    })
}
