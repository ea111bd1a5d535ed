//! Platform-admin use cases: the campaign rollup and support reports.

use super::into_page;
use super::rows::{GroupBuyRow, SupportRow};
use super::schema::{group_buys, support_reports};
use crate::convert::to_db_time;
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::platform::as_text::AsText;
use diesel::prelude::*;
use groupbuy_domain::campaign::{GroupBuy, GroupBuyStatus, Rollup, RollupQuery, SupportReport};
use groupbuy_domain::page::clamp_limit;
use groupbuy_domain::{IntoEnumIterator, Page};
use time::OffsetDateTime;

/// Most entries in each diagnostic list of the rollup.
const DIAGNOSTIC_LIMIT: i64 = 100;

fn rows_into(rows: Vec<GroupBuyRow>) -> Result<Vec<GroupBuy>, StoreError> {
    rows.into_iter().map(GroupBuyRow::into_domain).collect()
}

pub(super) fn rollup(
    conn: &mut DbConnection,
    q: &RollupQuery,
    after: Option<i64>,
    now: OffsetDateTime,
) -> Result<Rollup, StoreError> {
    let handle = q.handle.as_ref().map(|h| h.as_str().to_owned());
    let scoped = || {
        let mut query = group_buys::table.into_boxed();
        if let Some(h) = &handle {
            query = query.filter(group_buys::handle.eq(h.clone()));
        }
        query
    };
    let mut counts_by_status = Vec::new();
    for status in GroupBuyStatus::iter() {
        let n: i64 = scoped()
            .filter(group_buys::status.eq(AsText(status)))
            .count()
            .get_result(conn)?;
        counts_by_status.push((status, n));
    }
    let stuck: Vec<GroupBuyRow> = scoped()
        .filter(group_buys::status.eq(AsText(GroupBuyStatus::Draft)))
        .filter(group_buys::created_at.lt(to_db_time(now - q.stuck_draft_age)))
        .select(GroupBuyRow::as_select())
        .order(group_buys::seq.asc())
        .limit(DIAGNOSTIC_LIMIT)
        .load(conn)?;
    let past: Vec<GroupBuyRow> = scoped()
        .filter(group_buys::status.eq_any([
            AsText(GroupBuyStatus::Published),
            AsText(GroupBuyStatus::Paused),
        ]))
        .filter(group_buys::closes_at.lt(to_db_time(now)))
        .select(GroupBuyRow::as_select())
        .order(group_buys::closes_at.asc())
        .limit(DIAGNOSTIC_LIMIT)
        .load(conn)?;
    let limit = clamp_limit(Some(q.limit));
    let mut items = scoped()
        .select(GroupBuyRow::as_select())
        .order(group_buys::seq.desc())
        .limit(limit + 1);
    if let Some(status) = q.status {
        items = items.filter(group_buys::status.eq(AsText(status)));
    }
    if let Some(seq) = after {
        items = items.filter(group_buys::seq.lt(seq));
    }
    let items: Vec<GroupBuyRow> = items.load(conn)?;
    let preorders = super::preorder::totals(conn, handle.as_deref())?;
    Ok(Rollup {
        counts_by_status,
        stuck_drafts: rows_into(stuck)?,
        past_close_still_open: rows_into(past)?,
        items: into_page(items, limit, |r| r.seq, GroupBuyRow::into_domain)?,
        preorders,
    })
}

pub(super) fn insert_report(
    conn: &mut DbConnection,
    report: SupportReport,
) -> Result<SupportReport, StoreError> {
    diesel::insert_into(support_reports::table)
        .values(SupportRow::from_domain(&report))
        .execute(conn)?;
    Ok(report)
}

pub(super) fn reports(
    conn: &mut DbConnection,
    after: Option<i64>,
    limit: i64,
) -> Result<Page<SupportReport>, StoreError> {
    let mut query = support_reports::table
        .select(SupportRow::as_select())
        .order(support_reports::seq.desc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(seq) = after {
        query = query.filter(support_reports::seq.lt(seq));
    }
    let rows: Vec<SupportRow> = query.load(conn)?;
    into_page(rows, limit, |r| r.seq, SupportRow::into_domain)
}
