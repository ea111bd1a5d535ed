//! Queuing, claiming and running jobs: refusals at once, exactly once, leases.

use super::*;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::procurement::{JobType, RfqStatus};
use groupbuy_domain::DomainError;
use serde_json::json;

fn conflict_naming(result: Result<Job, DomainError>, text: &str) {
    assert!(
        matches!(&result, Err(DomainError::Conflict(r)) if r.message().contains(text)),
        "{result:?} should name {text}"
    );
}

fn a_request_that_cannot_succeed_is_refused_when_queued(db: &Database) {
    let g = pool(db, 10, json!({}));
    let acme = org("org_acme");
    let ask = |who: &Principal| {
        db.enqueue_rfq(
            who,
            &g.id,
            rfq_draft(),
            None,
            &at("acme", hours(1)),
            Answer::none(),
        )
    };
    conflict_naming(ask(&acme), "no commitments");
    commit(db, "org_beta", &g, 3, "12.50");
    conflict_naming(ask(&acme), "target not reached (3/10)");
    commit(db, "org_gamma", &g, 7, "12.50");
    let member = ask(&org("org_beta"));
    assert!(
        matches!(member, Err(DomainError::Forbidden(_))),
        "{member:?}"
    );
    let stale = db.enqueue_rfq(
        &acme,
        &g.id,
        rfq_draft(),
        Some("\"1\"".into()),
        &at("acme", hours(1)),
        Answer::none(),
    );
    assert!(
        matches!(stale, Err(DomainError::PreconditionFailed(_))),
        "{stale:?}"
    );
    conflict_naming(
        db.enqueue_allocation(&acme, &g.id, &at("acme", hours(1)), Answer::none()),
        "OPEN",
    );
    let job = ask(&acme).expect("queued");
    assert_eq!(
        (job.status, job.job_type, job.attempts),
        (JobStatus::Queued, JobType::Rfq, 0)
    );
    conflict_naming(ask(&acme), "already queued or running");
    assert_eq!(db.job(&acme, &job.id).expect("own job"), job);
    let other = db.job(&org("org_beta"), &job.id);
    assert!(matches!(other, Err(DomainError::NotFound(_))), "{other:?}");
}

fn the_rfq_job_opens_sourcing_and_the_rfq_reads(db: &Database) {
    let g = pool(db, 10, json!({}));
    commit(db, "org_beta", &g, 10, "12.50");
    let done = sourcing(db, &g);
    assert_eq!(done.attempts, 1);
    assert_eq!(done.result_url, Some(format!("/groupbuy/{}/rfq", g.id)));
    assert!(db
        .claim_job(hours(2), Duration::minutes(5))
        .expect("claim")
        .is_none());
    let organiser = db
        .rfq(&org("org_acme"), &g.id, hours(1))
        .expect("organiser reads");
    assert_eq!(organiser.committed_quantity, 10);
    assert_eq!(organiser.vendors.map(|v| v.len()), Some(2));
    let mills = db
        .rfq(&vendor("v_mills"), &g.id, hours(1))
        .expect("vendor reads");
    assert_eq!(mills.vendors, None);
    assert_eq!(mills.status, RfqStatus::Open, "read before its due date");
    let later = db
        .rfq(&vendor("v_mills"), &g.id, hours(24 * 3 + 1))
        .expect("vendor reads");
    assert_eq!(later.status, RfqStatus::Closed, "read after its due date");
    let stranger = db.rfq(&vendor("v_other"), &g.id, hours(1));
    assert!(
        matches!(stranger, Err(DomainError::NotFound(_))),
        "{stranger:?}"
    );
    // The job's writes carry the request that queued it: the organiser's event, then one
    // invitation per vendor.
    let said = stored_events(db, &g);
    assert_eq!(
        said[said.len() - 3..],
        [
            ("rfq.opened".to_owned(), "req-acme".to_owned()),
            ("rfq.invited".to_owned(), "req-acme".to_owned()),
            ("rfq.invited".to_owned(), "req-acme".to_owned()),
        ]
    );
    let audit = db.audit(&org("org_acme"), &g.id, None, 10).expect("audit");
    let last = audit.items.last().expect("entry");
    assert_eq!(
        (last.action.as_str(), last.to_status.as_deref()),
        ("rfq", Some("SOURCING"))
    );
}

fn a_job_runs_exactly_once(db: &Database) {
    let g = pool(db, 10, json!({}));
    commit(db, "org_beta", &g, 10, "12.50");
    db.enqueue_rfq(
        &org("org_acme"),
        &g.id,
        rfq_draft(),
        None,
        &at("acme", hours(1)),
        Answer::none(),
    )
    .expect("enqueue");
    // Concurrent claimers: one gets the job.
    let claims: Vec<_> = (0..4)
        .map(|_| {
            let db = db.clone();
            std::thread::spawn(move || db.claim_job(hours(1), Duration::minutes(5)).expect("claim"))
        })
        .collect();
    let mut claimed: Vec<Job> = claims
        .into_iter()
        .filter_map(|t| t.join().expect("thread"))
        .collect();
    assert_eq!(claimed.len(), 1);
    let job = claimed.remove(0);
    let first = db
        .run_job(job.clone(), &worker(hours(1)))
        .expect("first run");
    assert_eq!(first.status, JobStatus::Succeeded);
    let second = db.run_job(job, &worker(hours(1)));
    assert!(
        matches!(second, Err(DomainError::Conflict(_))),
        "{second:?}"
    );
    let opened = stored_events(db, &g)
        .iter()
        .filter(|(t, _)| t == "rfq.opened")
        .count();
    assert_eq!(opened, 1);
}

fn a_job_whose_worker_died_is_claimed_again(db: &Database) {
    let g = pool(db, 10, json!({}));
    commit(db, "org_beta", &g, 10, "12.50");
    db.enqueue_rfq(
        &org("org_acme"),
        &g.id,
        rfq_draft(),
        None,
        &at("acme", hours(1)),
        Answer::none(),
    )
    .expect("enqueue");
    let lease = Duration::minutes(5);
    let dead = db.claim_job(hours(1), lease).expect("claim").expect("job");
    assert!(db
        .claim_job(hours(1) + Duration::minutes(4), lease)
        .expect("claim")
        .is_none());
    let again = db
        .claim_job(hours(1) + Duration::minutes(6), lease)
        .expect("claim")
        .expect("lease lapsed");
    assert_eq!((again.id, again.attempts), (dead.id, 2));
    // The first worker wakes up: its claim is lost, nothing it did counts.
    let late = db.run_job(dead, &worker(hours(1) + Duration::minutes(7)));
    assert!(matches!(late, Err(DomainError::Conflict(_))), "{late:?}");
    let done = db
        .run_job(again, &worker(hours(1) + Duration::minutes(7)))
        .expect("run");
    assert_eq!((done.status, done.attempts), (JobStatus::Succeeded, 2));
    assert_eq!(status(db, &g), GroupBuyStatus::Sourcing);
}

fn a_refused_job_fails_with_the_refusal_and_writes_nothing(db: &Database) {
    let g = pool(db, 10, json!({}));
    commit(db, "org_beta", &g, 10, "12.50");
    db.enqueue_rfq(
        &org("org_acme"),
        &g.id,
        rfq_draft(),
        None,
        &at("acme", hours(1)),
        Answer::none(),
    )
    .expect("enqueue");
    // The organiser cancels while the job waits.
    db.cancel(
        &org("org_acme"),
        &g.id,
        None,
        &at("acme", hours(1)),
        Answer::none(),
    )
    .expect("cancel");
    let failed = claim_and_run(db, hours(2));
    assert_eq!(failed.status, JobStatus::Failed);
    assert!(
        failed
            .error
            .as_deref()
            .is_some_and(|e| e.contains("CANCELLED")),
        "{failed:?}"
    );
    assert_eq!(status(db, &g), GroupBuyStatus::Cancelled);
    let missing = db.rfq(&org("org_acme"), &g.id, hours(1));
    assert!(
        matches!(missing, Err(DomainError::NotFound(_))),
        "{missing:?}"
    );
}

fn a_job_that_keeps_dying_gives_up(db: &Database) {
    let g = pool(db, 10, json!({}));
    commit(db, "org_beta", &g, 10, "12.50");
    db.enqueue_rfq(
        &org("org_acme"),
        &g.id,
        rfq_draft(),
        None,
        &at("acme", hours(1)),
        Answer::none(),
    )
    .expect("enqueue");
    let lease = Duration::minutes(5);
    let mut last = None;
    for i in 0..=groupbuy_domain::procurement::MAX_ATTEMPTS {
        let now = hours(1) + Duration::minutes(10 * i64::from(i));
        last = db.claim_job(now, lease).expect("claim");
        assert!(last.is_some(), "claim {i}");
    }
    let given_up = db
        .run_job(last.expect("claimed"), &worker(hours(3)))
        .expect("run");
    assert_eq!(given_up.status, JobStatus::Failed);
    assert!(
        given_up
            .error
            .as_deref()
            .is_some_and(|e| e.contains("gave up")),
        "{given_up:?}"
    );
    assert_eq!(status(db, &g), GroupBuyStatus::Open);
    assert!(db.claim_job(hours(4), lease).expect("claim").is_none());
}

crate::on_both_backends!(
    a_job_that_keeps_dying_gives_up,
    a_request_that_cannot_succeed_is_refused_when_queued,
    the_rfq_job_opens_sourcing_and_the_rfq_reads,
    a_job_runs_exactly_once,
    a_job_whose_worker_died_is_claimed_again,
    a_refused_job_fails_with_the_refusal_and_writes_nothing,
);
