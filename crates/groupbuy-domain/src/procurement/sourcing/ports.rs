//! The storage port of Procurement II: RFQ, allocation and settlement, and the durable
//! jobs that run the first two. Like [`crate::procurement::ProcurementStore`], one method per use case,
//! each its own transaction deciding through the domain and writing what it decided with
//! conditional statements, events to the outbox and entries to the audit chain.
//!
//! Scopes and the required `Idempotency-Key` are the API's to check before calling
//! (`procurement:write` for the RFQ, `groupbuy:write` for allocate, `groupbuy:read` for
//! reads); every method checks the caller against the object. Settling checks its two
//! scopes itself ([`crate::procurement::check_can_settle`]), as they are part of its rule.

use crate::error::DomainError;
use crate::platform::Answer;
use crate::platform::ChangeContext;
use crate::principal::Principal;
use crate::procurement::ocds::OcdsSource;
use crate::procurement::{
    AwardView, DocumentId, GroupBuyId, IssuedDocument, Job, JobId, ResponseFields, RfqDraft,
    RfqView, SettlementView, VendorResponse,
};
use time::{Duration, OffsetDateTime};

/// What a vendor's response did.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseOutcome {
    /// The new version.
    pub response: VendorResponse,
    /// The vendor's first response (201); a revision otherwise (200).
    pub created: bool,
}

/// Storage of RFQs, responses, allocations, settlements and jobs.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait SourcingStore: Send + Sync {
    /// Queues the job that opens the RFQ of `draft` on `id`, after
    /// [`crate::procurement::check_can_open_rfq`] and [`crate::procurement::check_no_pending_job`] in the same
    /// transaction as the insert, so a request that cannot succeed is refused now.
    ///
    /// # Errors
    /// `NotFound`, `Forbidden`, `PreconditionFailed`, `Conflict`.
    fn enqueue_rfq(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        draft: RfqDraft,
        if_match: Option<String>,
        ctx: &ChangeContext,
        answer: Answer<Job>,
    ) -> Result<Job, DomainError>;

    /// Queues the job that allocates `id`, after [`crate::procurement::check_can_allocate`] (a dry run)
    /// and [`crate::procurement::check_no_pending_job`] in the same transaction as the insert.
    ///
    /// # Errors
    /// `NotFound`, `Forbidden`, `Conflict`.
    fn enqueue_allocation(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        ctx: &ChangeContext,
        answer: Answer<Job>,
    ) -> Result<Job, DomainError>;

    /// One job, for the organising organisation ([`Job::require_visible_to`]).
    ///
    /// # Errors
    /// `NotFound` (`Job not found`).
    fn job(&self, caller: &Principal, job_id: &JobId) -> Result<Job, DomainError>;

    /// Claims the oldest claimable job at `now` ([`Job::is_claimable`] with `lease`) and
    /// starts it ([`Job::start`]) in one conditional update (`FOR UPDATE SKIP LOCKED` on
    /// PostgreSQL); `None` when there is none. Safe on every instance at once.
    ///
    /// # Errors
    /// Storage failures.
    fn claim_job(&self, now: OffsetDateTime, lease: Duration) -> Result<Option<Job>, DomainError>;

    /// Runs a claimed job and finishes it, in one transaction: its transition
    /// ([`crate::procurement::open_rfq`] or [`crate::procurement::build_allocation`] + [`crate::procurement::allocate_transition`])
    /// and [`Job::succeed`], or, when refused, [`Job::fail`] with the refusal's text and
    /// nothing else written. The finish is conditional on the job being RUNNING with the
    /// claim's `attempts`, so it takes effect exactly once. An exhausted job
    /// ([`Job::is_exhausted`]) is failed without running.
    ///
    /// # Errors
    /// `Conflict` when the claim was lost; storage failures (the job stays claimable).
    fn run_job(&self, job: Job, ctx: &ChangeContext) -> Result<Job, DomainError>;

    /// The RFQ of `id` as the caller may see it ([`crate::procurement::RfqView::new`]).
    ///
    /// # Errors
    /// `NotFound` (`RFQ not found`).
    fn rfq(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        now: OffsetDateTime,
    ) -> Result<RfqView, DomainError>;

    /// Records the calling vendor's response, or a revision of its latest one
    /// ([`crate::procurement::submit_response`]); earlier versions are kept.
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`, `Conflict`, `Validation`.
    fn submit_response(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        fields: ResponseFields,
        ctx: &ChangeContext,
        answer: Answer<ResponseOutcome>,
    ) -> Result<ResponseOutcome, DomainError>;

    /// The allocation of `id` as the caller may see it ([`crate::procurement::AwardView::new`]).
    ///
    /// # Errors
    /// `NotFound` (`Allocation not found`).
    fn allocation(&self, caller: &Principal, id: &GroupBuyId) -> Result<AwardView, DomainError>;

    /// Settles `id` ([`crate::procurement::check_can_settle`], [`crate::procurement::settle_transition`]) in one
    /// transaction, returning the whole settlement as the organiser sees it.
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`, `Conflict` (`Group buy already settled`, or naming the
    /// status).
    fn settle(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        ctx: &ChangeContext,
        answer: Answer<SettlementView>,
    ) -> Result<SettlementView, DomainError>;

    /// The settlement of `id` as the caller may see it ([`crate::procurement::SettlementView::new`]).
    ///
    /// # Errors
    /// `NotFound` (`Settlement not found`).
    fn settlement(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
    ) -> Result<SettlementView, DomainError>;

    /// One document of `id`'s settlement, if the caller may see it
    /// ([`crate::procurement::SettlementViewer::document`]).
    ///
    /// # Errors
    /// `NotFound` (`Settlement not found`, `Document not found`).
    fn document(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        doc_id: &DocumentId,
    ) -> Result<IssuedDocument, DomainError>;

    /// What the OCDS package of `id` is built from, read in one transaction, once
    /// [`crate::procurement::ocds::require_ocds_reader`] let the caller read it.
    ///
    /// # Errors
    /// `NotFound` (`Group buy not found`) when the caller may not read it.
    fn ocds(&self, caller: &Principal, id: &GroupBuyId) -> Result<OcdsSource, DomainError>;
}
