//! Procurement behind seed 002 (`/groupbuy`): organisations pool commitments toward a
//! target by a deadline (Procurement I); RFQ, allocation and settlement build on it
//! (Procurement II: `allocation` shares supply fairly, `settlement` balances the documents).
//! The pool is `GroupBuy` inside this module, never shared with
//! campaigns' group-buys.

mod access;
pub mod allocation;
mod commitment;
mod draft;
mod events;
mod group_buy;
mod ids;
mod jobs;
mod lifecycle;
mod notify;
pub mod ocds;
pub mod party;
mod ports;
mod refusal;
mod rules;
mod settle;
pub mod settlement;
mod sourcing;

pub use crate::platform::{AuditDraft, AuditRecord, ChainVerdict};
pub use access::{
    can_see, require_read, require_scope, require_write, CommitmentsScope, CommitmentsSummary,
    GroupBuyView, Viewer, SCOPE_READ, SCOPE_WRITE,
};
pub use commitment::{
    CommitDecision, CommitRequest, Commitment, CommitmentChange, CommitmentStatus, WithdrawDecision,
};
pub use draft::{GroupBuyDraft, GroupBuyFields, DEFAULT_CURRENCY, MAX_ITEMS};
pub use events::{AuditAction, CommitmentEventData, GroupBuyEventData};
pub use group_buy::{
    check_overlap, etag, overlap, overlaps, subject, Action, GroupBuy, GroupBuyStats,
    GroupBuyStatus, Item,
};
pub use ids::{
    AllocationId, CommitmentId, DocumentId, GroupBuyId, JobId, ResponseId, RfqId, SettlementId,
};
pub use jobs::{check_no_pending_job, Job, JobStatus, JobType, MAX_ATTEMPTS};
pub use lifecycle::{acting_org, check_if_match, Transition};
pub use notify::{vendor_audience, RfqInvitedData};
#[cfg(feature = "mock")]
pub use ports::MockProcurementStore;
pub use ports::{CommitOutcome, GroupBuyFilter, ProcurementStore};
pub use refusal::{At, ProcurementRefusal};
pub use rules::{
    Allocation, AllocationMethod, RuleName, Rules, Visibility, DEFAULT_PAYMENT_TERMS_DAYS,
    MAX_ELIGIBLE_ORGS, MAX_ORGANISER_FEE_BPS, MAX_PAYMENT_TERMS_DAYS, MAX_UNITS,
};
pub use settle::{
    check_can_settle, document_number_prefix, settle_transition, DocumentSummaryData,
    IssuedDocument, SettlementCompletedData, SettlementData, SettlementRecord, SettlementView,
    SettlementViewer, SCOPE_FINANCE_WRITE,
};
pub use sourcing::award::{
    allocate_transition, build_allocation, check_can_allocate, member_demands, vendor_offers,
    AllocationCreatedData, Award, AwardData, AwardLineData, AwardView, AwardViewer, UnfilledData,
};
#[cfg(feature = "mock")]
pub use sourcing::ports::MockSourcingStore;
pub use sourcing::ports::{ResponseOutcome, SourcingStore};
pub use sourcing::refusal::SourcingRefusal;
pub use sourcing::rfq::{
    check_can_open_rfq, open_rfq, InvitedVendor, Rfq, RfqDraft, RfqOpenedData, RfqStatus,
    MAX_VENDORS, MAX_VENDOR_TEXT, SCOPE_PROCUREMENT_WRITE,
};
pub use sourcing::rfq_response::{
    invited_vendor, latest_responses, respondable, submit_response, ResponseDecision,
    ResponseDraft, ResponseFields, ResponseReceivedData, VendorResponse, MAX_LEAD_TIME_DAYS,
    MAX_NOTES, ROLE_VENDOR,
};
pub use sourcing::rfq_view::{prices_visible, ResponseView, RfqView, RfqViewer};
