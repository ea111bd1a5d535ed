//! Every refusal of sourcing (jobs, RFQ, allocation, settlement): its `Display` is the one
//! place its text is written, its kind names its RFC 9457 problem type, and the conversion
//! into [`DomainError`] picks its HTTP status. The refusals of Procurement I, of the
//! allocation and of the settlement algorithms pass through unchanged, so each text stays
//! written once.

use crate::error::{DomainError, Refusal};
use crate::procurement::allocation::AllocationRefusal;
use crate::procurement::group_buy::GroupBuyStatus;
use crate::procurement::ids::JobId;
use crate::procurement::jobs::{JobStatus, JobType};
use crate::procurement::refusal::{At, ProcurementRefusal};
use crate::procurement::settlement::SettlementRefusal;
use thiserror::Error;

/// Why a sourcing request was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SourcingRefusal {
    /// A refusal of Procurement I (visibility, organiser, scopes, status, ETag).
    #[error(transparent)]
    Procurement(#[from] ProcurementRefusal),
    /// The allocation cannot be made from these facts (409).
    #[error(transparent)]
    Allocation(#[from] AllocationRefusal),
    /// The allocation cannot be settled into documents.
    #[error(transparent)]
    Settlement(#[from] SettlementRefusal),
    /// No such job, or not the caller's organisation's (404).
    #[error("Job not found")]
    JobNotFound,
    /// No RFQ, or the caller is neither its organiser nor an invited vendor (404).
    #[error("RFQ not found")]
    RfqNotFound,
    /// No allocation, or nothing in it the caller may see (404).
    #[error("Allocation not found")]
    AllocationNotFound,
    /// No settlement, or nothing in it the caller may see (404).
    #[error("Settlement not found")]
    SettlementNotFound,
    /// No such document in the settlement, or not the caller's (404).
    #[error("Document not found")]
    DocumentNotFound,
    /// A response by a token without the `vendor` role (403).
    #[error("Only an invited vendor may respond to an RFQ")]
    VendorOnly,
    /// An RFQ for a pool nobody committed to (409).
    #[error("Cannot open an RFQ: the group buy has no commitments")]
    NoCommitments,
    /// An RFQ below target while `rules.allow_partial` is false (409).
    #[error(
        "Cannot open an RFQ: target not reached ({committed}/{target}) and rules.allow_partial is false"
    )]
    TargetNotReached {
        /// Units committed.
        committed: i64,
        /// The target.
        target: i64,
    },
    /// A response after the RFQ's due date (409).
    #[error("The RFQ closed at {0}; responses are no longer accepted")]
    RfqClosed(At),
    /// A response once the group buy left SOURCING (allocated, settled, cancelled) (409).
    #[error("The RFQ no longer accepts responses: the group buy is {0}")]
    NoLongerSourcing(GroupBuyStatus),
    /// An allocation of sealed bids before the RFQ's due date, which alone unseals them (409).
    #[error("Bids are sealed until the RFQ's due date {0}; allocate from then on")]
    BidsSealed(At),
    /// Another job of the group buy is queued or running (409).
    #[error("Job {job} ({job_type}) is already queued or running for this group buy")]
    JobInProgress {
        /// The pending job.
        job: JobId,
        /// What it does.
        job_type: JobType,
    },
    /// A job moved from a status that does not allow it: claimed twice, finished twice (409).
    #[error("Job {job} is {status}; it cannot be {verb}")]
    JobTransition {
        /// The job.
        job: JobId,
        /// Its status.
        status: JobStatus,
        /// What was asked (`started`, `finished`).
        verb: &'static str,
    },
}

impl SourcingRefusal {
    /// The slug of the refusal's problem type (`https://groupbuy.dev/problems/<kind>`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Procurement(r) => r.kind(),
            Self::Allocation(r) => r.kind(),
            Self::Settlement(r) => r.kind(),
            Self::JobNotFound
            | Self::RfqNotFound
            | Self::AllocationNotFound
            | Self::SettlementNotFound
            | Self::DocumentNotFound => "not-found",
            Self::VendorOnly => "vendor-only",
            Self::NoCommitments => "no-commitments",
            Self::TargetNotReached { .. } => "target-not-reached",
            Self::RfqClosed(_) | Self::NoLongerSourcing(_) => "rfq-closed",
            Self::BidsSealed(_) => "bids-sealed",
            Self::JobInProgress { .. } => "job-in-progress",
            Self::JobTransition { .. } => "invalid-job-transition",
        }
    }

    /// The HTTP status the refusal answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Procurement(r) => r.status(),
            Self::Allocation(_) => 409,
            Self::Settlement(r) => match DomainError::from(r.clone()) {
                DomainError::Conflict(_) => 409,
                DomainError::Validation { .. } => 422,
                DomainError::Rule(_) => 400,
                _ => 500,
            },
            Self::JobNotFound
            | Self::RfqNotFound
            | Self::AllocationNotFound
            | Self::SettlementNotFound
            | Self::DocumentNotFound => 404,
            Self::VendorOnly => 403,
            _ => 409,
        }
    }
}

/// The one conversion into the crate's error: wrapped refusals convert as they always
/// do; the others by [`SourcingRefusal::status`].
impl From<SourcingRefusal> for DomainError {
    fn from(r: SourcingRefusal) -> Self {
        match r {
            SourcingRefusal::Procurement(p) => p.into(),
            SourcingRefusal::Allocation(a) => a.into(),
            SourcingRefusal::Settlement(s) => s.into(),
            other => {
                let refusal = Refusal::new(other.kind(), other.to_string());
                match other.status() {
                    404 => DomainError::NotFound(other.to_string()),
                    403 => DomainError::Forbidden(refusal),
                    _ => DomainError::Conflict(refusal),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{Currency, Money};
    use time::macros::datetime;
    use uuid::Uuid;

    /// Every own variant once (and one of each wrapped enum), with text, kind and status.
    fn every() -> Vec<(SourcingRefusal, &'static str, &'static str, u16)> {
        use SourcingRefusal::*;
        let job = JobId::new(Uuid::from_u128(3));
        vec![
            (JobNotFound, "Job not found", "not-found", 404),
            (RfqNotFound, "RFQ not found", "not-found", 404),
            (AllocationNotFound, "Allocation not found", "not-found", 404),
            (SettlementNotFound, "Settlement not found", "not-found", 404),
            (DocumentNotFound, "Document not found", "not-found", 404),
            (
                VendorOnly,
                "Only an invited vendor may respond to an RFQ",
                "vendor-only",
                403,
            ),
            (
                NoCommitments,
                "Cannot open an RFQ: the group buy has no commitments",
                "no-commitments",
                409,
            ),
            (
                TargetNotReached { committed: 60, target: 100 },
                "Cannot open an RFQ: target not reached (60/100) and rules.allow_partial is false",
                "target-not-reached",
                409,
            ),
            (
                RfqClosed(At(datetime!(2026-12-01 12:00:00.3 UTC))),
                "The RFQ closed at 2026-12-01T12:00:00Z; responses are no longer accepted",
                "rfq-closed",
                409,
            ),
            (
                BidsSealed(At(datetime!(2026-12-01 12:00:00 UTC))),
                "Bids are sealed until the RFQ's due date 2026-12-01T12:00:00Z; allocate from then on",
                "bids-sealed",
                409,
            ),
            (
                NoLongerSourcing(GroupBuyStatus::Allocated),
                "The RFQ no longer accepts responses: the group buy is ALLOCATED",
                "rfq-closed",
                409,
            ),
            (
                JobInProgress { job, job_type: JobType::Rfq },
                "Job job_00000000000000000000000000000003 (rfq) is already queued or running for this group buy",
                "job-in-progress",
                409,
            ),
            (
                JobTransition { job, status: JobStatus::Succeeded, verb: "started" },
                "Job job_00000000000000000000000000000003 is succeeded; it cannot be started",
                "invalid-job-transition",
                409,
            ),
            (
                Procurement(ProcurementRefusal::AlreadySettled),
                "Group buy already settled",
                "already-settled",
                409,
            ),
            (
                Allocation(AllocationRefusal::NoValidResponse),
                "No valid vendor response to allocate from",
                "no-valid-response",
                409,
            ),
            (
                Allocation(AllocationRefusal::SingleVendorImpossible {
                    total: 120,
                    lowest_ceiling: Money::from_minor(950, Currency::parse("USD").expect("usd")),
                }),
                "single_vendor: no vendor can supply all 120 units within every member's price ceiling (the lowest is 9.50)",
                "allocation-conflict",
                409,
            ),
            (
                Settlement(SettlementRefusal::NothingAllocated),
                "Nothing to settle: the allocation has no lines",
                "nothing-allocated",
                409,
            ),
        ]
    }

    #[test]
    fn every_refusal_has_its_text_kind_and_status() {
        for (r, text, kind, status) in every() {
            assert_eq!(r.to_string(), text);
            assert_eq!(r.kind(), kind, "{text}");
            assert_eq!(r.status(), status, "{text}");
            let err = DomainError::from(r);
            assert_eq!(err.to_string(), text);
            let category_matches = match (&err, status) {
                (DomainError::NotFound(_), 404) => true,
                (DomainError::Forbidden(r), 403) | (DomainError::Conflict(r), 409) => {
                    r.kind() == kind
                }
                _ => false,
            };
            assert!(category_matches, "{text} -> {err:?}");
        }
    }
}
