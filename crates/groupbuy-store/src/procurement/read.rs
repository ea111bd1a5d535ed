//! Reads: one group buy as the caller may see it, the list of those it may see, their
//! commitments and audit trail. Each runs in one snapshot.

use super::rows::{CommitmentRow, GroupBuyRow};
use super::schema::{
    procurement_commitments as cmt, procurement_eligible_orgs as eligible,
    procurement_group_buys as gb,
};
use super::{active_commitments, caller_org, find, viewer_of};
use crate::convert::to_db_time;
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::platform::as_text::AsText;
use crate::platform::paging::into_page;
use diesel::prelude::*;
use groupbuy_domain::platform::verify_chain;
use groupbuy_domain::procurement::{
    AuditRecord, ChainVerdict, Commitment, CommitmentStatus, CommitmentsScope, CommitmentsSummary,
    GroupBuy, GroupBuyFilter, GroupBuyId, GroupBuyView, Viewer, Visibility,
};
use groupbuy_domain::{Page, Principal};
use std::collections::HashMap;

/// What `viewer` is shown of `g`, with its organisation's commitment `mine`.
fn view(
    conn: &mut DbConnection,
    g: GroupBuy,
    viewer: &Viewer,
    mine: Option<Commitment>,
) -> Result<GroupBuyView, StoreError> {
    let summary = if viewer.is_organiser_or_admin() {
        Some(CommitmentsSummary::of(&active_commitments(conn, &g)?))
    } else {
        None
    };
    Ok(GroupBuyView::new(g, viewer, mine, summary))
}

/// One group buy as the caller may see it; `NotFound` when it may not.
pub(super) fn get(
    conn: &mut DbConnection,
    caller: &Principal,
    id: GroupBuyId,
) -> Result<GroupBuyView, StoreError> {
    let g = find(conn, id)?;
    let (viewer, mine) = viewer_of(conn, caller, &g)?;
    viewer.require_visible(&g)?;
    view(conn, g, &viewer, mine)
}

/// The group buys `caller` may see (the SQL form of `Viewer::can_see`), filtered, newest
/// first, after the cursor's `seq`.
pub(super) fn list(
    conn: &mut DbConnection,
    caller: &Principal,
    filter: &GroupBuyFilter,
    after: Option<i64>,
    limit: i64,
) -> Result<Page<GroupBuyView>, StoreError> {
    let mut query = gb::table
        .select(GroupBuyRow::as_select())
        .order(gb::seq.desc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(seq) = after {
        query = query.filter(gb::seq.lt(seq));
    }
    if let Some(status) = filter.status {
        query = query.filter(gb::status.eq(AsText(status)));
    }
    if let Some(before) = filter.deadline_before {
        query = query.filter(gb::deadline.lt(to_db_time(before)));
    }
    if let Some(after) = filter.deadline_after {
        query = query.filter(gb::deadline.gt(to_db_time(after)));
    }
    if let Some(org) = &filter.org_id {
        query = query.filter(gb::org_id.eq(org.clone()));
    }
    if let Some(user) = &filter.created_by {
        query = query.filter(gb::created_by.eq(user.clone()));
    }
    let public = AsText(Visibility::Public);
    if !caller.is_platform_admin() {
        query = match caller_org(caller) {
            Some(org) => {
                let committed = cmt::table
                    .filter(cmt::member_id.eq(org.to_owned()))
                    .filter(cmt::status.eq(AsText(CommitmentStatus::Active)))
                    .select(cmt::group_buy_id);
                let listed = eligible::table
                    .filter(eligible::org_id.eq(org.to_owned()))
                    .select(eligible::group_buy_id);
                query.filter(
                    gb::visibility
                        .eq(public)
                        .or(gb::org_id.eq(org.to_owned()))
                        .or(gb::id.eq_any(committed))
                        .or(gb::id.eq_any(listed)),
                )
            }
            None => query.filter(gb::visibility.eq(public)),
        };
    }
    let rows: Vec<GroupBuyRow> = query.load(conn)?;
    let page = into_page(rows, limit, |r| r.seq, GroupBuyRow::into_domain)?;
    let mut mine = match caller_org(caller) {
        Some(org) => active_by_pool(conn, &page.items, Some(org))?,
        None => HashMap::new(),
    };
    let mut shown = Vec::with_capacity(page.items.len());
    for g in page.items {
        let my = mine.remove(&g.id.to_string()).and_then(|mut c| c.pop());
        let viewer = Viewer::of(caller, &g, my.is_some());
        // The SQL above is the same rule; the domain has the last word.
        if viewer.can_see(&g) {
            shown.push((g, viewer, my));
        }
    }
    // One query for the summaries of every pool the caller organises (or administers).
    let summarised: Vec<GroupBuy> = shown
        .iter()
        .filter(|(_, viewer, _)| viewer.is_organiser_or_admin())
        .map(|(g, _, _)| g.clone())
        .collect();
    let all = active_by_pool(conn, &summarised, None)?;
    let items = shown
        .into_iter()
        .map(|(g, viewer, my)| {
            let summary = viewer.is_organiser_or_admin().then(|| {
                CommitmentsSummary::of(all.get(&g.id.to_string()).map_or(&[], Vec::as_slice))
            });
            GroupBuyView::new(g, &viewer, my, summary)
        })
        .collect();
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}

/// The ACTIVE commitments to `pools` (only `member`'s, when given), by group buy id.
fn active_by_pool(
    conn: &mut DbConnection,
    pools: &[GroupBuy],
    member: Option<&str>,
) -> Result<HashMap<String, Vec<Commitment>>, StoreError> {
    if pools.is_empty() {
        return Ok(HashMap::new());
    }
    let currencies: HashMap<String, _> = pools
        .iter()
        .map(|g| (g.id.to_string(), g.currency))
        .collect();
    let mut query = cmt::table
        .filter(cmt::group_buy_id.eq_any(currencies.keys().cloned().collect::<Vec<_>>()))
        .filter(cmt::status.eq(AsText(CommitmentStatus::Active)))
        .select(CommitmentRow::as_select())
        .order(cmt::seq.asc())
        .into_boxed();
    if let Some(member) = member {
        query = query.filter(cmt::member_id.eq(member.to_owned()));
    }
    let rows: Vec<CommitmentRow> = query.load(conn)?;
    let mut by_pool: HashMap<String, Vec<Commitment>> = HashMap::new();
    for row in rows {
        let currency = *currencies
            .get(&row.group_buy_id)
            .ok_or_else(|| StoreError::Corrupt(format!("commitment {}", row.id)))?;
        let pool = row.group_buy_id.clone();
        by_pool
            .entry(pool)
            .or_default()
            .push(row.into_domain(currency)?);
    }
    Ok(by_pool)
}

/// The commitments the caller may list, oldest first.
pub(super) fn commitments(
    conn: &mut DbConnection,
    caller: &Principal,
    id: GroupBuyId,
    after: Option<i64>,
    limit: i64,
) -> Result<Page<Commitment>, StoreError> {
    let g = find(conn, id)?;
    let (viewer, _) = viewer_of(conn, caller, &g)?;
    viewer.require_visible(&g)?;
    let mut query = cmt::table
        .filter(cmt::group_buy_id.eq(g.id.to_string()))
        .select(CommitmentRow::as_select())
        .order(cmt::seq.asc())
        .limit(limit + 1)
        .into_boxed();
    match viewer.commitments_scope() {
        CommitmentsScope::All => {}
        CommitmentsScope::OnlyOf(org) => query = query.filter(cmt::member_id.eq(org)),
        CommitmentsScope::Nothing => {
            return Ok(Page {
                items: Vec::new(),
                next_cursor: None,
            })
        }
    }
    if let Some(seq) = after {
        query = query.filter(cmt::seq.gt(seq));
    }
    let rows: Vec<CommitmentRow> = query.load(conn)?;
    into_page(rows, limit, |r| r.seq, |r| r.into_domain(g.currency))
}

/// The group buy the caller may read the audit trail of.
fn audited(
    conn: &mut DbConnection,
    caller: &Principal,
    id: GroupBuyId,
) -> Result<GroupBuy, StoreError> {
    let g = find(conn, id)?;
    let (viewer, _) = viewer_of(conn, caller, &g)?;
    viewer.require_audit_reader(&g)?;
    Ok(g)
}

/// A page of the group buy's audit entries, oldest first.
pub(super) fn audit(
    conn: &mut DbConnection,
    caller: &Principal,
    id: GroupBuyId,
    after: Option<i64>,
    limit: i64,
) -> Result<Page<AuditRecord>, StoreError> {
    let g = audited(conn, caller, id)?;
    crate::platform::audit::page(conn, &g.subject(), after, limit, false)
}

/// The verdict on the group buy's whole audit chain.
pub(super) fn verify_audit(
    conn: &mut DbConnection,
    caller: &Principal,
    id: GroupBuyId,
) -> Result<ChainVerdict, StoreError> {
    let g = audited(conn, caller, id)?;
    Ok(verify_chain(&crate::platform::audit::chain(
        conn,
        &g.subject(),
    )?))
}
