//! The storage port of procurement: one method per use case, each its own transaction,
//! each deciding through the domain (visibility, refusals, transitions) and writing what
//! it decided with conditional statements, events to the outbox and entries to the audit
//! chain in the same transaction.
//!
//! Scopes (`groupbuy:read`, `groupbuy:write`) and the required `Idempotency-Key` are the
//! API's to check before calling; every method checks the caller against the object.

use super::{
    AuditRecord, ChainVerdict, CommitRequest, Commitment, GroupBuy, GroupBuyDraft, GroupBuyId,
    GroupBuyStatus, GroupBuyView,
};
use crate::error::DomainError;
use crate::page::Page;
use crate::platform::Answer;
use crate::platform::ChangeContext;
use crate::principal::Principal;
use time::OffsetDateTime;

/// The filters of `GET /groupbuy` (each optional; all must hold).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupBuyFilter {
    /// Only this status.
    pub status: Option<GroupBuyStatus>,
    /// Deadline strictly before.
    pub deadline_before: Option<OffsetDateTime>,
    /// Deadline strictly after.
    pub deadline_after: Option<OffsetDateTime>,
    /// Organised by this organisation.
    pub org_id: Option<String>,
    /// Created by this user (`sub`).
    pub created_by: Option<String>,
}

/// What a commit did.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitOutcome {
    /// The commitment as it now is.
    pub commitment: Commitment,
    /// New (201) or replaced (200).
    pub created: bool,
    /// The group buy after it (its ETag goes in the response).
    pub group_buy: GroupBuy,
}

/// Storage of procurement group buys, commitments and their audit chains.
///
/// A group buy the caller may not see answers `NotFound` (`Group buy not found`), never
/// revealing that it exists.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait ProcurementStore: Send + Sync {
    /// Creates an OPEN group buy organised by the caller's organisation
    /// ([`GroupBuyDraft::create`], checked against the organisation's OPEN pools).
    ///
    /// # Errors
    /// `Forbidden` (no organisation), `Conflict` (overlap).
    fn create(
        &self,
        caller: &Principal,
        draft: GroupBuyDraft,
        ctx: &ChangeContext,
        answer: Answer<GroupBuy>,
    ) -> Result<GroupBuy, DomainError>;

    /// One group buy as the caller may see it.
    ///
    /// # Errors
    /// `NotFound` when no group buy has this id, or the caller may not see it.
    fn get(&self, caller: &Principal, id: &GroupBuyId) -> Result<GroupBuyView, DomainError>;

    /// The group buys the caller may see, newest first.
    ///
    /// # Errors
    /// `Validation` for a bad cursor.
    fn list(
        &self,
        caller: &Principal,
        filter: GroupBuyFilter,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<GroupBuyView>, DomainError>;

    /// The commitments the caller may list ([`super::Viewer::commitments_scope`]), oldest first.
    ///
    /// # Errors
    /// `NotFound`, `Validation` for a bad cursor.
    fn commitments(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<Commitment>, DomainError>;

    /// Upserts the caller's organisation's commitment ([`GroupBuy::commit`]); capacity
    /// holds under any concurrency.
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`, `PreconditionFailed`, `Conflict`, `Validation`.
    fn commit(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        request: CommitRequest,
        if_match: Option<String>,
        ctx: &ChangeContext,
        answer: Answer<CommitOutcome>,
    ) -> Result<CommitOutcome, DomainError>;

    /// Withdraws the caller's organisation's commitment ([`GroupBuy::withdraw`]).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`, `PreconditionFailed`, `Conflict`.
    fn withdraw(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        if_match: Option<String>,
        ctx: &ChangeContext,
        answer: Answer<GroupBuy>,
    ) -> Result<GroupBuy, DomainError>;

    /// Cancels a group buy ([`GroupBuy::cancel`]).
    ///
    /// # Errors
    /// `NotFound`, `Forbidden`, `PreconditionFailed`, `Conflict`.
    fn cancel(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        if_match: Option<String>,
        ctx: &ChangeContext,
        answer: Answer<GroupBuy>,
    ) -> Result<GroupBuy, DomainError>;

    /// Expires up to `limit` group buys due at `ctx.now` ([`GroupBuy::expire`]); returns
    /// how many. Safe to run on every instance at once.
    ///
    /// # Errors
    /// Storage failures.
    fn expire_due(&self, ctx: &ChangeContext, limit: i64) -> Result<usize, DomainError>;

    /// The group buy's audit entries, oldest first (the organiser and platform admins).
    ///
    /// # Errors
    /// `NotFound`, `Forbidden`, `Validation` for a bad cursor.
    fn audit(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<AuditRecord>, DomainError>;

    /// The organising organisation of a group buy, for documents that name it (callers
    /// check the caller's access to what they show first).
    ///
    /// # Errors
    /// `NotFound` when no group buy has this id; the caller's access is not checked here.
    fn organiser(&self, id: &GroupBuyId) -> Result<String, DomainError>;

    /// Recomputes the group buy's whole audit chain ([`crate::platform::verify_chain`]).
    ///
    /// # Errors
    /// `NotFound`, `Forbidden`.
    fn verify_audit(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
    ) -> Result<ChainVerdict, DomainError>;
}
