//! Durable jobs: the long work of an RFQ or an allocation, accepted with `202` and run
//! later by a worker on any instance, exactly once. Queued -> running -> succeeded | failed.
//!
//! Exactly once: a worker claims a job by [`Job::start`] (attempts + 1) in one conditional
//! update; it finishes it with a conditional update on `status = running AND attempts =
//! <its claim's attempts>`, so a worker whose lease lapsed and whose job was claimed again
//! cannot finish it too. A running job whose lease lapsed (its worker died) is claimable
//! again, up to [`MAX_ATTEMPTS`].

use super::group_buy::GroupBuy;
use super::ids::{GroupBuyId, JobId};
use super::sourcing::refusal::SourcingRefusal;
use crate::error::DomainError;
use crate::names::closed_set;
use crate::principal::Principal;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// How many times a job is claimed before it is failed for good.
pub const MAX_ATTEMPTS: i32 = 5;

closed_set! {
    /// What a job does; its list and names are derived (`strum`, serde with the same case).
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    #[strum(serialize_all = "lowercase")]
    pub enum JobType {
        /// Opens the RFQ: the group buy moves to SOURCING.
        Rfq,
        /// Allocates supply: the group buy moves to ALLOCATED.
        Allocate,
    }
}

impl JobType {
    /// The type of a stored name.
    ///
    /// # Errors
    /// `Validation` on field `type`.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        s.parse()
            .map_err(|_| DomainError::invalid("type", format!("Unknown job type {s}")))
    }

    /// Where the result of a job of this type on `groupbuy_id` is read.
    pub fn result_url(&self, groupbuy_id: GroupBuyId) -> String {
        match self {
            Self::Rfq => format!("/groupbuy/{groupbuy_id}/rfq"),
            Self::Allocate => format!("/groupbuy/{groupbuy_id}/allocation"),
        }
    }
}

closed_set! {
    /// Where a job is; its list and names are derived (`strum`, serde with the same case).
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    #[strum(serialize_all = "lowercase")]
    pub enum JobStatus {
        /// Waiting for a worker.
        Queued,
        /// Claimed by a worker.
        Running,
        /// Done; `result_url` says where its result is. Final.
        Succeeded,
        /// Done without effect; `error` says why. Final.
        Failed,
    }
}

impl JobStatus {
    /// The status of a stored name.
    ///
    /// # Errors
    /// `Validation` on field `status`.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        s.parse()
            .map_err(|_| DomainError::invalid("status", format!("Unknown job status {s}")))
    }

    /// Whether the job is done.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }
}

/// A durable job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// `job_<uuid simple hex>`, given when the job is queued; how a client polls it.
    pub id: JobId,
    /// What it does.
    pub job_type: JobType,
    /// Where it is.
    pub status: JobStatus,
    /// The group buy it works on.
    pub groupbuy_id: GroupBuyId,
    /// The organising organisation (the only one that sees the job).
    pub org_id: String,
    /// The actor who asked for it (`user:<sub>`), the actor of what it writes.
    pub requested_by: String,
    /// The request id of the `POST` that queued it, carried into its events and audit.
    pub request_id: String,
    /// What it needs besides the group buy (the RFQ draft; `{}` for an allocation).
    pub payload: serde_json::Value,
    /// Where its result is read, once it succeeded.
    pub result_url: Option<String>,
    /// Why it failed, once it failed (a refusal's text).
    pub error: Option<String>,
    /// How many times a worker claimed it.
    pub attempts: i32,
    /// When it was queued.
    pub created_at: OffsetDateTime,
    /// When a worker last claimed it.
    pub started_at: Option<OffsetDateTime>,
    /// When it finished.
    pub finished_at: Option<OffsetDateTime>,
}

impl Job {
    /// A queued job of `org_id` on `groupbuy_id`, asked for by `requested_by` in
    /// `request_id` at `now`.
    #[allow(clippy::too_many_arguments)]
    pub fn queued(
        id: JobId,
        job_type: JobType,
        groupbuy_id: GroupBuyId,
        org_id: impl Into<String>,
        requested_by: impl Into<String>,
        request_id: impl Into<String>,
        payload: serde_json::Value,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            id,
            job_type,
            status: JobStatus::Queued,
            groupbuy_id,
            org_id: org_id.into(),
            requested_by: requested_by.into(),
            request_id: request_id.into(),
            payload,
            result_url: None,
            error: None,
            attempts: 0,
            created_at: now,
            started_at: None,
            finished_at: None,
        }
    }

    /// `/groupbuy/jobs/<id>`: the `Location` of the `202`.
    pub fn location(&self) -> String {
        format!("/groupbuy/jobs/{}", self.id)
    }

    /// Whether a worker may claim it at `now`: queued, or running with its lease (`lease`
    /// after `started_at`) lapsed, its worker presumed dead.
    pub fn is_claimable(&self, now: OffsetDateTime, lease: Duration) -> bool {
        match (self.status, self.started_at) {
            (JobStatus::Queued, _) => true,
            (JobStatus::Running, Some(started)) => started + lease <= now,
            _ => false,
        }
    }

    /// Whether its attempts are used up: a claim of it should fail it instead of running it.
    pub fn is_exhausted(&self) -> bool {
        self.attempts >= MAX_ATTEMPTS
    }

    /// Claimed by a worker at `now`: running, one more attempt.
    ///
    /// # Errors
    /// `JobTransition` (409) when it already finished.
    pub fn start(&self, now: OffsetDateTime) -> Result<Job, SourcingRefusal> {
        if self.status.is_final() {
            return Err(self.cannot("started"));
        }
        Ok(Job {
            status: JobStatus::Running,
            attempts: self.attempts.saturating_add(1),
            started_at: Some(now),
            ..self.clone()
        })
    }

    /// Succeeded at `now`, its result at `result_url`.
    ///
    /// # Errors
    /// `JobTransition` (409) unless running.
    pub fn succeed(
        &self,
        result_url: impl Into<String>,
        now: OffsetDateTime,
    ) -> Result<Job, SourcingRefusal> {
        self.require_running()?;
        Ok(Job {
            status: JobStatus::Succeeded,
            result_url: Some(result_url.into()),
            finished_at: Some(now),
            ..self.clone()
        })
    }

    /// Failed at `now` because of `error`.
    ///
    /// # Errors
    /// `JobTransition` (409) unless running.
    pub fn fail(
        &self,
        error: impl Into<String>,
        now: OffsetDateTime,
    ) -> Result<Job, SourcingRefusal> {
        self.require_running()?;
        Ok(Job {
            status: JobStatus::Failed,
            error: Some(error.into()),
            finished_at: Some(now),
            ..self.clone()
        })
    }

    /// The organising organisation (or a platform admin) reads it; anyone else is told it
    /// does not exist.
    ///
    /// # Errors
    /// `JobNotFound` (404).
    pub fn require_visible_to(&self, caller: &Principal) -> Result<(), SourcingRefusal> {
        let own = caller.org_id.as_deref() == Some(self.org_id.as_str());
        if own || caller.is_platform_admin() {
            Ok(())
        } else {
            Err(SourcingRefusal::JobNotFound)
        }
    }

    /// Whether it is a job on `g` still to finish: another may not be queued beside it.
    pub fn is_pending_on(&self, g: &GroupBuy) -> bool {
        self.groupbuy_id == g.id && !self.status.is_final()
    }

    fn require_running(&self) -> Result<(), SourcingRefusal> {
        if self.status == JobStatus::Running {
            Ok(())
        } else {
            Err(self.cannot("finished"))
        }
    }

    fn cannot(&self, verb: &'static str) -> SourcingRefusal {
        SourcingRefusal::JobTransition {
            job: self.id,
            status: self.status,
            verb,
        }
    }
}

/// Refuses a new job on `g` while one of `jobs` is still pending on it, naming that job.
///
/// # Errors
/// `JobInProgress` (409).
pub fn check_no_pending_job(g: &GroupBuy, jobs: &[Job]) -> Result<(), SourcingRefusal> {
    match jobs.iter().find(|j| j.is_pending_on(g)) {
        Some(j) => Err(SourcingRefusal::JobInProgress {
            job: j.id,
            job_type: j.job_type,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
#[path = "jobs_tests.rs"]
mod tests;
