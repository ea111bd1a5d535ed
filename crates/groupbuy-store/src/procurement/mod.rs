//! Procurement (seed 002, `/groupbuy`): group buys organisations pool commitments into.
//!
//! Every use case that changes a group buy first takes its row lock with a no-op
//! `UPDATE ... RETURNING` (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises
//! writers), lets the domain decide on the current row, then writes what it decided with
//! one conditional UPDATE of the row (status, version and, for commitments, capacity in
//! the predicate), its audit entries after it and its events to the outbox, all in
//! one transaction.

mod changes;
mod create;
mod party;
mod read;
mod rows;
pub mod schema;
pub(crate) mod sourcing;

use crate::db::{Database, DbConnection};
use crate::error::StoreError;
use crate::platform::as_text::AsText;
use crate::platform::outbox;
use crate::platform::paging::parse_cursor;
use diesel::prelude::*;
use groupbuy_domain::page::clamp_limit;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::platform::{AuditDraft, ChangeContext, DomainEvent};
use groupbuy_domain::procurement::{
    AuditRecord, ChainVerdict, CommitOutcome, CommitRequest, Commitment, CommitmentStatus,
    GroupBuy, GroupBuyDraft, GroupBuyFilter, GroupBuyId, GroupBuyView, ProcurementRefusal,
    ProcurementStore, Viewer,
};
use groupbuy_domain::{DomainError, Page, Principal};
use rows::{CommitmentRow, GroupBuyRow};
use schema::{procurement_commitments as cmt, procurement_group_buys as gb};

/// `Group buy not found`.
fn not_found() -> StoreError {
    ProcurementRefusal::GroupBuyNotFound.into()
}

/// A group buy without locking it, or `NotFound`.
fn find(conn: &mut DbConnection, id: GroupBuyId) -> Result<GroupBuy, StoreError> {
    gb::table
        .filter(gb::id.eq(id.to_string()))
        .select(GroupBuyRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(not_found)?
        .into_domain()
}

/// Takes the group buy's row lock for the rest of the transaction and returns the row.
fn lock(conn: &mut DbConnection, id: GroupBuyId) -> Result<GroupBuy, StoreError> {
    diesel::update(gb::table.filter(gb::id.eq(id.to_string())))
        .set(gb::version.eq(gb::version))
        .returning(gb::all_columns)
        .get_result::<GroupBuyRow>(conn)
        .optional()?
        .ok_or_else(not_found)?
        .into_domain()
}

/// The caller's organisation, when the token names one.
fn caller_org(caller: &Principal) -> Option<&str> {
    caller.org_id.as_deref().filter(|o| !o.trim().is_empty())
}

/// `org`'s commitment to `g`, in any status.
fn commitment_of(
    conn: &mut DbConnection,
    g: &GroupBuy,
    org: &str,
) -> Result<Option<Commitment>, StoreError> {
    cmt::table
        .filter(cmt::group_buy_id.eq(g.id.to_string()))
        .filter(cmt::member_id.eq(org))
        .select(CommitmentRow::as_select())
        .first(conn)
        .optional()?
        .map(|row| row.into_domain(g.currency))
        .transpose()
}

/// How the caller stands toward `g`, with its organisation's commitment (any status).
fn viewer_of(
    conn: &mut DbConnection,
    caller: &Principal,
    g: &GroupBuy,
) -> Result<(Viewer, Option<Commitment>), StoreError> {
    let mine = match caller_org(caller) {
        Some(org) => commitment_of(conn, g, org)?,
        None => None,
    };
    let active = mine.as_ref().is_some_and(Commitment::is_active);
    Ok((Viewer::of(caller, g, active), mine))
}

/// The ACTIVE commitments of `g`.
fn active_commitments(
    conn: &mut DbConnection,
    g: &GroupBuy,
) -> Result<Vec<Commitment>, StoreError> {
    cmt::table
        .filter(cmt::group_buy_id.eq(g.id.to_string()))
        .filter(cmt::status.eq(AsText(CommitmentStatus::Active)))
        .select(CommitmentRow::as_select())
        .load::<CommitmentRow>(conn)?
        .into_iter()
        .map(|row| row.into_domain(g.currency))
        .collect()
}

/// Seals `audit` onto the group buy's chain and writes `events` to the outbox; called
/// after the conditional UPDATE of the group buy row, whose lock orders the chain.
fn record(
    conn: &mut DbConnection,
    audit: Vec<AuditDraft>,
    events: &[DomainEvent],
    ctx: &ChangeContext,
) -> Result<(), StoreError> {
    for draft in audit {
        crate::platform::audit::append(conn, draft)?;
    }
    outbox::append(conn, events, &ctx.request_id, ctx.now)?;
    Ok(())
}

impl ProcurementStore for Database {
    fn create(
        &self,
        caller: &Principal,
        draft: GroupBuyDraft,
        ctx: &ChangeContext,
        answer: Answer<GroupBuy>,
    ) -> Result<GroupBuy, DomainError> {
        self.write_answered(answer, |conn| create::create(conn, caller, draft, ctx))
    }

    fn get(&self, caller: &Principal, id: &GroupBuyId) -> Result<GroupBuyView, DomainError> {
        self.read(|conn| read::get(conn, caller, *id))
    }

    fn list(
        &self,
        caller: &Principal,
        filter: GroupBuyFilter,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<GroupBuyView>, DomainError> {
        let after = parse_cursor(cursor)?;
        let limit = clamp_limit(Some(limit));
        self.read(|conn| read::list(conn, caller, &filter, after, limit))
    }

    fn commitments(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<Commitment>, DomainError> {
        let after = parse_cursor(cursor)?;
        let limit = clamp_limit(Some(limit));
        self.read(|conn| read::commitments(conn, caller, *id, after, limit))
    }

    fn commit(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        request: CommitRequest,
        if_match: Option<String>,
        ctx: &ChangeContext,
        answer: Answer<CommitOutcome>,
    ) -> Result<CommitOutcome, DomainError> {
        self.write_answered(answer, |conn| {
            changes::commit(conn, caller, *id, &request, if_match.as_deref(), ctx)
        })
    }

    fn withdraw(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        if_match: Option<String>,
        ctx: &ChangeContext,
        answer: Answer<GroupBuy>,
    ) -> Result<GroupBuy, DomainError> {
        self.write_answered(answer, |conn| {
            changes::withdraw(conn, caller, *id, if_match.as_deref(), ctx)
        })
    }

    fn cancel(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        if_match: Option<String>,
        ctx: &ChangeContext,
        answer: Answer<GroupBuy>,
    ) -> Result<GroupBuy, DomainError> {
        self.write_answered(answer, |conn| {
            changes::cancel(conn, caller, *id, if_match.as_deref(), ctx)
        })
    }

    fn expire_due(&self, ctx: &ChangeContext, limit: i64) -> Result<usize, DomainError> {
        let due = self.read(|conn| changes::due(conn, ctx, limit))?;
        let mut expired = 0;
        // One transaction per pool: a sweeper never holds many row locks, and a pool
        // another sweeper expired first is skipped by the conditional UPDATE.
        for id in due {
            if self.write_retrying(|conn| changes::expire(conn, id, ctx))? {
                expired += 1;
            }
        }
        Ok(expired)
    }

    fn audit(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<AuditRecord>, DomainError> {
        let after = parse_cursor(cursor)?;
        let limit = clamp_limit(Some(limit));
        self.read(|conn| read::audit(conn, caller, *id, after, limit))
    }

    fn organiser(&self, id: &GroupBuyId) -> Result<String, DomainError> {
        self.read(|conn| {
            gb::table
                .filter(gb::id.eq(id.to_string()))
                .select(gb::org_id)
                .first::<String>(conn)
                .optional()?
                .ok_or_else(|| DomainError::from(ProcurementRefusal::GroupBuyNotFound).into())
        })
    }

    fn verify_audit(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
    ) -> Result<ChainVerdict, DomainError> {
        self.read(|conn| read::verify_audit(conn, caller, *id))
    }
}

#[cfg(test)]
mod tests;
