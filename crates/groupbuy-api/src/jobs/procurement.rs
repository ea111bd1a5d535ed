//! The procurement context's jobs: OPEN group buys past their deadline below target
//! expire, and the durable jobs requests enqueued (RFQ, allocation) run, once each.

use super::{pass_context, JobRegistry};
use crate::state::{blocking, AppState};
use actix_web::web;
use groupbuy_domain::platform::JobQueue;
use std::time::Duration;

/// Group buys expired per pass; the next pass takes the rest.
const BATCH: i64 = 200;
/// How often the durable-job worker looks for work: a 202 is followed up within this.
const JOB_POLL: Duration = Duration::from_millis(250);
/// How long a claimed job is this instance's; after that (a crash), any instance retries it.
const JOB_LEASE: time::Duration = time::Duration::seconds(60);
/// Jobs run per pass, one after the other.
const JOBS_PER_PASS: usize = 16;

pub(super) fn register(registry: JobRegistry, every: Duration) -> JobRegistry {
    registry
        .draining(
            "procurement-expiry",
            every,
            JobQueue::ProcurementExpiry,
            Box::new(|state| Box::pin(async move { expire_group_buys(&state).await })),
        )
        .draining(
            "procurement-jobs",
            JOB_POLL,
            JobQueue::ProcurementJobs,
            Box::new(|state| Box::pin(async move { run_jobs(&state).await })),
        )
}

/// Claims and runs queued jobs until none is left (or a pass's share is done). Each run is
/// one transaction that re-checks the facts and finishes the job conditionally on its
/// claim, so a job runs to completion exactly once even when instances race.
pub async fn run_jobs(state: &web::Data<AppState>) {
    for _ in 0..JOBS_PER_PASS {
        let store = state.sourcing.clone();
        let now = state.clock.now();
        let job = match blocking(move || store.claim_job(now, JOB_LEASE)).await {
            Ok(Some(job)) => job,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "claiming a procurement job failed; retrying next pass");
                return;
            }
        };
        // The job's events and audit entries carry the request that enqueued it.
        let ctx = groupbuy_domain::platform::ChangeContext::new(
            format!("user:{}", job.requested_by),
            job.request_id.clone(),
            state.clock.now(),
        );
        let (id, store) = (job.id.to_string(), state.sourcing.clone());
        match blocking(move || store.run_job(job, &ctx)).await {
            Ok(done) => {
                tracing::info!(job = %id, status = done.status.as_str(), "procurement job finished")
            }
            Err(e) => {
                tracing::warn!(job = %id, error = %e, "procurement job run failed; it is retried after its lease")
            }
        }
    }
}

/// One pass of the expiry sweep; failures are logged and retried on the next pass.
pub async fn expire_group_buys(state: &web::Data<AppState>) {
    let ctx = pass_context("procurement-expiry", state);
    let store = state.procurement.clone();
    match blocking(move || store.expire_due(&ctx, BATCH)).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(expired = n, "procurement group buys expired"),
        Err(e) => tracing::warn!(error = %e, "procurement expiry failed; retrying next pass"),
    }
}
