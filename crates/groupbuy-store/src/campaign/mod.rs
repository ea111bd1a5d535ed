//! Campaigns (seed 000): handles, group-buys, interests, audit, rollup, support reports.
//!
//! Every use case that touches a group-buy first takes its row lock with a no-op
//! `UPDATE ... RETURNING` (PostgreSQL; SQLite's BEGIN IMMEDIATE already serializes
//! writers), so the domain decides on the current row, and every status or counter change
//! is still a conditional statement (`WHERE status = :expected`, `quantity + :d <= max`).

mod admin;
mod interest;
mod legacy_audit;
mod owner;
mod preorder;
mod rows;
pub mod schema;

use crate::db::{Database, DbConnection};
use crate::error::StoreError;
use diesel::prelude::*;
use groupbuy_domain::campaign::{
    campaign_subject, Action, AuditAction, AuditEntry, CampaignStore, ChangeContext, GroupBuy,
    GroupBuyDraft, GroupBuyEdit, GroupBuyStatus, Handle, HandleDraft, HandleProfile, Interest,
    InterestOutcome, InterestRequest, Rollup, RollupQuery, Slug, SupportReport, SupportReportDraft,
    VisitorId,
};
use groupbuy_domain::page::clamp_limit;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::platform::AuditDraft;
use groupbuy_domain::{DomainError, IntoEnumIterator, Page, Principal};
use rows::{GroupBuyRow, HandleRow};
use schema::{campaign_handles, group_buys};
use time::OffsetDateTime;
use uuid::Uuid;

pub(crate) use crate::db::insert_if_absent;

pub(super) fn group_buy_not_found() -> StoreError {
    groupbuy_domain::campaign::group_buy_not_found().into()
}

pub(super) fn handle_not_found() -> StoreError {
    groupbuy_domain::campaign::handle_not_found().into()
}

/// A handle, or `NotFound`.
pub(crate) fn load_handle(
    conn: &mut DbConnection,
    handle: &Handle,
) -> Result<HandleProfile, StoreError> {
    campaign_handles::table
        .find(handle.as_str())
        .select(HandleRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(handle_not_found)?
        .into_domain()
}

/// A handle the caller manages (owner or platform admin); `NotFound` for anyone else.
pub(crate) fn managed_handle(
    conn: &mut DbConnection,
    caller: &Principal,
    handle: &Handle,
) -> Result<HandleProfile, StoreError> {
    let profile = load_handle(conn, handle)?;
    if profile.managed_by(caller) {
        Ok(profile)
    } else {
        Err(handle_not_found())
    }
}

/// A group-buy row without locking it.
pub(super) fn find_group_buy(
    conn: &mut DbConnection,
    handle: &Handle,
    slug: &Slug,
) -> Result<GroupBuy, StoreError> {
    group_buys::table
        .filter(group_buys::handle.eq(handle.as_str()))
        .filter(group_buys::slug.eq(slug.as_str()))
        .select(GroupBuyRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(group_buy_not_found)?
        .into_domain()
}

/// Takes the group-buy's row lock for the rest of the transaction and returns the row.
pub(super) fn lock_group_buy(
    conn: &mut DbConnection,
    handle: &Handle,
    slug: &Slug,
) -> Result<GroupBuy, StoreError> {
    diesel::update(
        group_buys::table
            .filter(group_buys::handle.eq(handle.as_str()))
            .filter(group_buys::slug.eq(slug.as_str())),
    )
    .set(group_buys::participants.eq(group_buys::participants))
    .returning(group_buys::all_columns)
    .get_result::<GroupBuyRow>(conn)
    .optional()?
    .ok_or_else(group_buy_not_found)?
    .into_domain()
}

/// Appends an audit entry inside the caller's transaction.
pub(super) fn append_audit(
    conn: &mut DbConnection,
    g: &GroupBuy,
    action: AuditAction,
    before: Option<GroupBuyStatus>,
    after: GroupBuyStatus,
    ctx: &ChangeContext,
) -> Result<(), StoreError> {
    crate::platform::audit::append(
        conn,
        AuditDraft {
            subject: campaign_subject(g),
            actor: ctx.actor.clone(),
            org_id: None,
            action: action.as_str().to_owned(),
            from_status: before.map(|s| s.as_str().to_owned()),
            to_status: Some(after.as_str().to_owned()),
            request_id: ctx.request_id.clone(),
            details: serde_json::json!({ "group_buy_id": g.id }),
            at: ctx.now,
        },
    )?;
    Ok(())
}

pub(super) use crate::platform::paging::{into_page, parse_cursor};
pub(crate) use legacy_audit::adopt_legacy_audit;

impl CampaignStore for Database {
    fn create_handle(
        &self,
        owner: &Principal,
        draft: HandleDraft,
        now: OffsetDateTime,
        answer: Answer<HandleProfile>,
    ) -> Result<HandleProfile, DomainError> {
        self.write_answered(answer, |conn| owner::create_handle(conn, owner, draft, now))
    }

    fn handle(&self, handle: &Handle) -> Result<HandleProfile, DomainError> {
        self.read(|conn| load_handle(conn, handle))
    }

    fn owned_handles(&self, owner: &Principal) -> Result<Vec<HandleProfile>, DomainError> {
        self.read(|conn| {
            campaign_handles::table
                .filter(campaign_handles::owner_id.eq(&owner.user_id))
                .order((
                    campaign_handles::created_at.asc(),
                    campaign_handles::handle.asc(),
                ))
                .limit(groupbuy_domain::catalog::LISTED_MAX)
                .select(HandleRow::as_select())
                .load(conn)?
                .into_iter()
                .map(HandleRow::into_domain)
                .collect()
        })
    }

    fn create_group_buy(
        &self,
        caller: &Principal,
        handle: &Handle,
        draft: GroupBuyDraft,
        ctx: &ChangeContext,
        answer: Answer<GroupBuy>,
    ) -> Result<GroupBuy, DomainError> {
        self.write_answered(answer, |conn| {
            owner::create_group_buy(conn, caller, handle, draft, ctx)
        })
    }

    fn edit_draft(
        &self,
        caller: &Principal,
        handle: &Handle,
        slug: &Slug,
        edit: GroupBuyEdit,
        ctx: &ChangeContext,
        answer: Answer<GroupBuy>,
    ) -> Result<GroupBuy, DomainError> {
        self.write_answered(answer, |conn| {
            owner::edit_draft(conn, caller, handle, slug, edit, ctx)
        })
    }

    fn group_buys(
        &self,
        caller: &Principal,
        handle: &Handle,
        status: Option<GroupBuyStatus>,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<GroupBuy>, DomainError> {
        let after = parse_cursor(cursor)?;
        let limit = clamp_limit(Some(limit));
        self.read(|conn| {
            managed_handle(conn, caller, handle)?;
            let statuses = status.map_or_else(|| GroupBuyStatus::iter().collect(), |s| vec![s]);
            owner::list(conn, handle, &statuses, after, limit)
        })
    }

    fn group_buy(
        &self,
        caller: &Principal,
        handle: &Handle,
        slug: &Slug,
    ) -> Result<GroupBuy, DomainError> {
        self.read(|conn| {
            managed_handle(conn, caller, handle)?;
            find_group_buy(conn, handle, slug)
        })
    }

    fn interests(
        &self,
        caller: &Principal,
        handle: &Handle,
        slug: &Slug,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<Interest>, DomainError> {
        let after = parse_cursor(cursor)?;
        let limit = clamp_limit(Some(limit));
        self.read(|conn| {
            managed_handle(conn, caller, handle)?;
            let g = find_group_buy(conn, handle, slug)?;
            interest::list(conn, g.id, after, limit)
        })
    }

    fn transition(
        &self,
        caller: &Principal,
        handle: &Handle,
        slug: &Slug,
        action: Action,
        ctx: &ChangeContext,
        answer: Answer<GroupBuy>,
    ) -> Result<GroupBuy, DomainError> {
        self.write_answered(answer, |conn| {
            owner::transition(conn, caller, handle, slug, action, ctx)
        })
    }

    fn audit(
        &self,
        caller: &Principal,
        handle: &Handle,
        slug: &Slug,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<AuditEntry>, DomainError> {
        let after = parse_cursor(cursor)?;
        let limit = clamp_limit(Some(limit));
        self.read(|conn| {
            managed_handle(conn, caller, handle)?;
            let g = find_group_buy(conn, handle, slug)?;
            owner::audit(conn, &g, after, limit)
        })
    }

    fn public_group_buys(
        &self,
        handle: &Handle,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<GroupBuy>, DomainError> {
        let after = parse_cursor(cursor)?;
        let limit = clamp_limit(Some(limit));
        self.read_lagging(|conn| {
            load_handle(conn, handle)?;
            let public: Vec<_> = GroupBuyStatus::iter()
                .filter(GroupBuyStatus::is_public)
                .collect();
            owner::list(conn, handle, &public, after, limit)
        })
    }

    fn public_group_buy(&self, handle: &Handle, slug: &Slug) -> Result<GroupBuy, DomainError> {
        self.read_lagging(|conn| interest::public_group_buy(conn, handle, slug))
    }

    fn put_interest(
        &self,
        handle: &Handle,
        slug: &Slug,
        visitor: &VisitorId,
        request: InterestRequest,
        ctx: &ChangeContext,
    ) -> Result<InterestOutcome, DomainError> {
        self.write(|conn| interest::put(conn, handle, slug, visitor, &request, ctx))
    }

    fn my_interest(
        &self,
        handle: &Handle,
        slug: &Slug,
        visitor: &VisitorId,
    ) -> Result<Interest, DomainError> {
        self.read(|conn| {
            let g = interest::public_group_buy(conn, handle, slug)?;
            interest::find(conn, g.id, visitor)?
                .ok_or_else(groupbuy_domain::campaign::interest_not_found)?
                .into_domain()
        })
    }

    fn remove_interest(
        &self,
        handle: &Handle,
        slug: &Slug,
        visitor: &VisitorId,
        ctx: &ChangeContext,
    ) -> Result<bool, DomainError> {
        self.write(|conn| interest::remove(conn, handle, slug, visitor, ctx))
    }

    fn rollup(&self, query: RollupQuery, now: OffsetDateTime) -> Result<Rollup, DomainError> {
        let after = parse_cursor(query.cursor.clone())?;
        self.read(|conn| admin::rollup(conn, &query, after, now))
    }

    fn submit_support_report(
        &self,
        draft: SupportReportDraft,
        reporter: &str,
        client_ip: &str,
        request_id: &str,
        now: OffsetDateTime,
    ) -> Result<SupportReport, DomainError> {
        let report = SupportReport {
            id: Uuid::new_v4(),
            fields: draft,
            reporter: reporter.to_owned(),
            client_ip: client_ip.to_owned(),
            submitted_request_id: request_id.to_owned(),
            created_at: now,
        };
        self.write(|conn| admin::insert_report(conn, report))
    }

    fn support_reports(
        &self,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<SupportReport>, DomainError> {
        let after = parse_cursor(cursor)?;
        let limit = clamp_limit(Some(limit));
        self.read(|conn| admin::reports(conn, after, limit))
    }
}

#[cfg(test)]
mod tests;
