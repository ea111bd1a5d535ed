//! Job statuses, transitions, leases and who sees a job.

use super::*;
use crate::procurement::group_buy::tests::{caller, pool, t0};
use crate::procurement::rules::Rules;
use crate::IntoEnumIterator;
use serde_json::json;
use uuid::Uuid;

fn job() -> Job {
    let g = pool(Rules::default());
    Job::queued(
        JobId::new(Uuid::from_u128(7)),
        JobType::Allocate,
        g.id,
        "org_acme",
        "user:alice",
        "req-1",
        json!({}),
        t0(),
    )
}

#[test]
fn names_are_lowercase_on_the_wire_and_parse_back() {
    for t in JobType::iter() {
        assert_eq!(JobType::parse(t.as_str()).expect("known"), t);
        assert_eq!(serde_json::to_value(t).expect("json"), json!(t.as_str()));
    }
    for s in JobStatus::iter() {
        assert_eq!(JobStatus::parse(s.as_str()).expect("known"), s);
        assert_eq!(serde_json::to_value(s).expect("json"), json!(s.as_str()));
    }
    assert_eq!(JobType::Rfq.as_str(), "rfq");
    assert_eq!(JobStatus::Succeeded.as_str(), "succeeded");
    assert!(JobType::parse("RFQ").is_err());
    assert!(JobStatus::parse("done").is_err());
}

#[test]
fn a_job_is_queued_then_running_then_succeeded() {
    let queued = job();
    assert_eq!(queued.status, JobStatus::Queued);
    assert_eq!(queued.attempts, 0);
    assert_eq!(
        queued.location(),
        "/groupbuy/jobs/job_00000000000000000000000000000007"
    );
    let running = queued.start(t0() + Duration::seconds(1)).expect("starts");
    assert_eq!(running.status, JobStatus::Running);
    assert_eq!(running.attempts, 1);
    assert_eq!(running.started_at, Some(t0() + Duration::seconds(1)));
    let url = JobType::Allocate.result_url(running.groupbuy_id);
    assert_eq!(
        url,
        "/groupbuy/gb_00000000000000000000000000000001/allocation"
    );
    let done = running
        .succeed(url.clone(), t0() + Duration::seconds(2))
        .expect("succeeds");
    assert_eq!(done.status, JobStatus::Succeeded);
    assert_eq!(done.result_url, Some(url));
    assert_eq!(done.finished_at, Some(t0() + Duration::seconds(2)));
    assert!(done.status.is_final());
}

#[test]
fn a_running_job_may_fail_with_its_reason() {
    let failed = job()
        .start(t0())
        .expect("starts")
        .fail("No valid vendor response to allocate from", t0())
        .expect("fails");
    assert_eq!(failed.status, JobStatus::Failed);
    assert_eq!(
        failed.error.as_deref(),
        Some("No valid vendor response to allocate from")
    );
    assert_eq!(failed.result_url, None);
}

#[test]
fn only_a_running_job_finishes_and_a_finished_one_never_restarts() {
    let queued = job();
    let refused = queued.succeed("/x", t0()).expect_err("not running");
    assert_eq!(
        refused.to_string(),
        "Job job_00000000000000000000000000000007 is queued; it cannot be finished"
    );
    assert!(queued.fail("x", t0()).is_err());
    let done = queued
        .start(t0())
        .and_then(|j| j.succeed("/x", t0()))
        .expect("done");
    assert!(done.succeed("/x", t0()).is_err());
    assert!(done.fail("x", t0()).is_err());
    assert_eq!(
        done.start(t0()).expect_err("final").to_string(),
        "Job job_00000000000000000000000000000007 is succeeded; it cannot be started"
    );
}

#[test]
fn a_running_job_is_claimable_again_only_after_its_lease() {
    let lease = Duration::minutes(5);
    let queued = job();
    assert!(queued.is_claimable(t0(), lease));
    let running = queued.start(t0()).expect("starts");
    assert!(!running.is_claimable(t0() + Duration::minutes(4), lease));
    assert!(running.is_claimable(t0() + Duration::minutes(5), lease));
    let again = running
        .start(t0() + Duration::minutes(5))
        .expect("reclaims");
    assert_eq!(again.attempts, 2);
    let done = again.succeed("/x", t0()).expect("done");
    assert!(!done.is_claimable(t0() + Duration::days(1), lease));
}

#[test]
fn attempts_run_out() {
    let mut j = job();
    for _ in 0..MAX_ATTEMPTS {
        assert!(!j.is_exhausted());
        j = j.start(t0()).expect("starts");
    }
    assert!(j.is_exhausted());
}

#[test]
fn only_the_organising_organisation_sees_a_job() {
    let j = job();
    assert!(j.require_visible_to(&caller("org_acme")).is_ok());
    assert_eq!(
        j.require_visible_to(&caller("org_other")),
        Err(SourcingRefusal::JobNotFound)
    );
    let mut admin = caller("org_other");
    admin.roles.push("platform-admin".into());
    assert!(j.require_visible_to(&admin).is_ok());
    let nobody = Principal::default();
    assert!(j.require_visible_to(&nobody).is_err());
}

#[test]
fn a_pending_job_blocks_another() {
    let g = pool(Rules::default());
    assert_eq!(check_no_pending_job(&g, &[]), Ok(()));
    let pending = job();
    assert_eq!(
        check_no_pending_job(&g, std::slice::from_ref(&pending)),
        Err(SourcingRefusal::JobInProgress {
            job: pending.id,
            job_type: JobType::Allocate
        })
    );
    let failed = pending
        .start(t0())
        .and_then(|j| j.fail("x", t0()))
        .expect("failed");
    assert_eq!(check_no_pending_job(&g, &[failed]), Ok(()));
}
