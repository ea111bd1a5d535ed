//! The storage port of campaigns: one method per use case, each its own transaction.

use super::{
    Action, AuditEntry, ChangeContext, GroupBuy, GroupBuyDraft, GroupBuyEdit, GroupBuyStatus,
    Handle, HandleDraft, HandleProfile, Interest, InterestOutcome, InterestRequest, Rollup,
    RollupQuery, Slug, SupportReport, SupportReportDraft, VisitorId,
};
use crate::error::DomainError;
use crate::page::Page;
use crate::platform::Answer;
use crate::principal::Principal;
use time::OffsetDateTime;

/// Storage of handles, group-buys, interests, audit entries and support reports.
///
/// Owner methods take the caller and answer `NotFound` when the handle is missing or the
/// caller neither owns it nor is a platform admin (never revealing it exists).
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait CampaignStore: Send + Sync {
    /// Claims a handle for `owner`.
    ///
    /// # Errors
    /// `Conflict` when the handle is taken.
    fn create_handle(
        &self,
        owner: &Principal,
        draft: HandleDraft,
        now: OffsetDateTime,
        answer: Answer<HandleProfile>,
    ) -> Result<HandleProfile, DomainError>;

    /// A handle (public).
    ///
    /// # Errors
    /// `NotFound` when it does not exist.
    fn handle(&self, handle: &Handle) -> Result<HandleProfile, DomainError>;

    /// The handles `owner` owns, oldest first, at most [`crate::catalog::LISTED_MAX`]:
    /// where the console lists a person's campaigns from (each handle's campaigns are
    /// then read with [`Self::group_buys`], the owner API's list).
    ///
    /// # Errors
    /// `Unavailable`/`Internal` on storage failure.
    fn owned_handles(&self, owner: &Principal) -> Result<Vec<HandleProfile>, DomainError>;

    /// Creates a DRAFT group-buy under a handle the caller manages.
    ///
    /// # Errors
    /// `NotFound` (handle), `Conflict` when the slug is taken under the handle.
    fn create_group_buy(
        &self,
        caller: &Principal,
        handle: &Handle,
        draft: GroupBuyDraft,
        ctx: &ChangeContext,
        answer: Answer<GroupBuy>,
    ) -> Result<GroupBuy, DomainError>;

    /// Edits a DRAFT group-buy's terms ([`GroupBuy::edit_draft`]), audited as `edit`.
    ///
    /// # Errors
    /// `NotFound`; `Conflict` (`not-a-draft`) beyond DRAFT; `Validation` as at creation.
    fn edit_draft(
        &self,
        caller: &Principal,
        handle: &Handle,
        slug: &Slug,
        edit: GroupBuyEdit,
        ctx: &ChangeContext,
        answer: Answer<GroupBuy>,
    ) -> Result<GroupBuy, DomainError>;

    /// The handle's group-buys, newest first, optionally of one status.
    ///
    /// # Errors
    /// `NotFound` (handle), `Validation` for a bad cursor.
    fn group_buys(
        &self,
        caller: &Principal,
        handle: &Handle,
        status: Option<GroupBuyStatus>,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<GroupBuy>, DomainError>;

    /// One group-buy of a handle the caller manages.
    ///
    /// # Errors
    /// `NotFound` when the handle or slug is unknown, or the caller does not manage the handle.
    fn group_buy(
        &self,
        caller: &Principal,
        handle: &Handle,
        slug: &Slug,
    ) -> Result<GroupBuy, DomainError>;

    /// The interests of a group-buy the caller manages, newest first.
    ///
    /// # Errors
    /// `NotFound`, `Validation` for a bad cursor.
    fn interests(
        &self,
        caller: &Principal,
        handle: &Handle,
        slug: &Slug,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<Interest>, DomainError>;

    /// Applies a lifecycle action; the status change is conditional on the status read.
    ///
    /// # Errors
    /// `NotFound`; `Conflict` for a refused transition or unmet thresholds.
    fn transition(
        &self,
        caller: &Principal,
        handle: &Handle,
        slug: &Slug,
        action: Action,
        ctx: &ChangeContext,
        answer: Answer<GroupBuy>,
    ) -> Result<GroupBuy, DomainError>;

    /// The audit entries of a group-buy the caller manages, newest first.
    ///
    /// # Errors
    /// `NotFound`, `Validation` for a bad cursor.
    fn audit(
        &self,
        caller: &Principal,
        handle: &Handle,
        slug: &Slug,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<AuditEntry>, DomainError>;

    /// A handle's public (non-DRAFT) group-buys, newest first.
    ///
    /// # Errors
    /// `NotFound` when the handle does not exist, `Validation` for a bad cursor.
    fn public_group_buys(
        &self,
        handle: &Handle,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<GroupBuy>, DomainError>;

    /// One public group-buy.
    ///
    /// # Errors
    /// `NotFound` when missing or DRAFT.
    fn public_group_buy(&self, handle: &Handle, slug: &Slug) -> Result<GroupBuy, DomainError>;

    /// Registers or updates the visitor's interest (at most one per visitor), keeping the
    /// group-buy's counters exact.
    ///
    /// # Errors
    /// `NotFound` (missing or DRAFT); `Conflict` when not PUBLISHED, past `closes_at`, or
    /// when `max_quantity` would be exceeded.
    fn put_interest(
        &self,
        handle: &Handle,
        slug: &Slug,
        visitor: &VisitorId,
        request: InterestRequest,
        ctx: &ChangeContext,
    ) -> Result<InterestOutcome, DomainError>;

    /// The visitor's interest.
    ///
    /// # Errors
    /// `NotFound` when the group-buy is not public or the visitor has none.
    fn my_interest(
        &self,
        handle: &Handle,
        slug: &Slug,
        visitor: &VisitorId,
    ) -> Result<Interest, DomainError>;

    /// Withdraws the visitor's interest; `Ok(false)` when there was none.
    ///
    /// # Errors
    /// `NotFound` (missing or DRAFT); `Conflict` when the group-buy is CLOSED.
    fn remove_interest(
        &self,
        handle: &Handle,
        slug: &Slug,
        visitor: &VisitorId,
        ctx: &ChangeContext,
    ) -> Result<bool, DomainError>;

    /// The campaign rollup across handles.
    ///
    /// # Errors
    /// `Validation` for a bad cursor.
    fn rollup(&self, query: RollupQuery, now: OffsetDateTime) -> Result<Rollup, DomainError>;

    /// Stores a support report.
    ///
    /// # Errors
    /// `Unavailable`/`Internal` on storage failure.
    fn submit_support_report(
        &self,
        draft: SupportReportDraft,
        reporter: &str,
        client_ip: &str,
        request_id: &str,
        now: OffsetDateTime,
    ) -> Result<SupportReport, DomainError>;

    /// Support reports, newest first.
    ///
    /// # Errors
    /// `Validation` for a bad cursor.
    fn support_reports(
        &self,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<SupportReport>, DomainError>;
}
