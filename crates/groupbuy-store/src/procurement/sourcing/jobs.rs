//! Durable jobs: queued with their preconditions checked in the same transaction, claimed
//! with a conditional UPDATE and a lease, run and finished exactly once.

use super::rows::{AllocationRow, JobRow, RfqRow};
use super::schema::{
    procurement_allocations as alloc, procurement_jobs as jobs, procurement_rfqs as rfqs,
};
use super::{commitments_in_order, responses_of, rfq_of};
use crate::convert::to_db_time;
use crate::db::{insert_if_absent, DbConnection};
use crate::error::StoreError;
use crate::platform::as_text::AsText;
use crate::procurement::changes::move_status;
use crate::procurement::{lock, record, viewer_of};
use diesel::prelude::*;
use groupbuy_domain::platform::ChangeContext;
use groupbuy_domain::procurement::{
    allocate_transition, build_allocation, check_can_allocate, check_can_open_rfq,
    check_no_pending_job, open_rfq, AllocationId, GroupBuy, GroupBuyId, Job, JobId, JobStatus,
    JobType, ProcurementRefusal, RfqDraft, RfqId, SourcingRefusal, Transition, MAX_ATTEMPTS,
};
use groupbuy_domain::{DomainError, Principal};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// How many claimable jobs one SQLite claim tries before giving up (a lost conditional
/// UPDATE means another worker took that one).
const CANDIDATES: i64 = 8;

/// The jobs of `g` still queued or running.
fn pending(conn: &mut DbConnection, g: &GroupBuy) -> Result<Vec<Job>, StoreError> {
    let open = [AsText(JobStatus::Queued), AsText(JobStatus::Running)];
    jobs::table
        .filter(jobs::groupbuy_id.eq(g.id.to_string()))
        .filter(jobs::status.eq_any(open))
        .select(JobRow::as_select())
        .load::<JobRow>(conn)?
        .into_iter()
        .map(JobRow::into_domain)
        .collect()
}

/// Inserts a queued job of `job_type` on `g` for the organising organisation.
fn queue(
    conn: &mut DbConnection,
    g: &GroupBuy,
    job_type: JobType,
    payload: serde_json::Value,
    ctx: &ChangeContext,
) -> Result<Job, StoreError> {
    check_no_pending_job(g, &pending(conn, g)?)?;
    let job = Job::queued(
        JobId::new(Uuid::new_v4()),
        job_type,
        g.id,
        g.org_id.clone(),
        ctx.actor.clone(),
        ctx.request_id.clone(),
        payload,
        ctx.now,
    );
    diesel::insert_into(jobs::table)
        .values(JobRow::from_domain(&job)?)
        .execute(conn)?;
    Ok(job)
}

/// Queues the job that opens `draft`'s RFQ, refused now when it could not succeed.
pub(super) fn enqueue_rfq(
    conn: &mut DbConnection,
    caller: &Principal,
    id: GroupBuyId,
    draft: &RfqDraft,
    if_match: Option<&str>,
    ctx: &ChangeContext,
) -> Result<Job, StoreError> {
    let g = lock(conn, id)?;
    let (viewer, _) = viewer_of(conn, caller, &g)?;
    check_can_open_rfq(&g, &viewer, if_match)?;
    queue(conn, &g, JobType::Rfq, draft.to_payload(), ctx)
}

/// Queues the job that allocates `id`, after a dry run of the allocation.
pub(super) fn enqueue_allocation(
    conn: &mut DbConnection,
    caller: &Principal,
    id: GroupBuyId,
    ctx: &ChangeContext,
) -> Result<Job, StoreError> {
    let g = lock(conn, id)?;
    let (viewer, _) = viewer_of(conn, caller, &g)?;
    let commitments = commitments_in_order(conn, &g)?;
    let rfq = rfq_of(conn, &g)?;
    let responses = match &rfq {
        Some(rfq) => responses_of(conn, &g, rfq)?,
        None => Vec::new(),
    };
    check_can_allocate(&g, &viewer, rfq.as_ref(), &commitments, &responses, ctx.now)?;
    queue(conn, &g, JobType::Allocate, serde_json::json!({}), ctx)
}

/// Claims the oldest claimable job: queued, or running with its lease lapsed.
pub(super) fn claim(
    conn: &mut DbConnection,
    now: OffsetDateTime,
    lease: Duration,
) -> Result<Option<Job>, StoreError> {
    let t = to_db_time(now);
    let query = jobs::table
        .filter(
            jobs::status.eq(AsText(JobStatus::Queued)).or(jobs::status
                .eq(AsText(JobStatus::Running))
                .and(jobs::locked_until.le(t))),
        )
        .order((jobs::created_at.asc(), jobs::seq.asc()))
        .select(jobs::all_columns);
    // PostgreSQL: rows another worker holds are skipped, so claimers never wait on each
    // other; SQLite's IMMEDIATE transaction already makes this the only writer.
    let candidates: Vec<JobRow> = match conn {
        DbConnection::Pg(c) => query
            .limit(1)
            .for_update()
            .skip_locked()
            .load::<JobRow>(c)?,
        DbConnection::Sqlite(c) => query.limit(CANDIDATES).load::<JobRow>(c)?,
    };
    for row in candidates {
        let job = row.into_domain()?;
        let started = job.start(now)?;
        let taken = diesel::update(
            jobs::table
                .filter(jobs::id.eq(job.id.to_string()))
                .filter(jobs::status.eq(AsText(job.status)))
                .filter(jobs::attempts.eq(job.attempts)),
        )
        .set((
            jobs::status.eq(AsText(started.status)),
            jobs::attempts.eq(started.attempts),
            jobs::started_at.eq(started.started_at.map(to_db_time)),
            jobs::locked_until.eq(Some(to_db_time(now + lease))),
        ))
        .execute(conn)?;
        if taken == 1 {
            return Ok(Some(started));
        }
    }
    Ok(None)
}

/// The job as stored, or `Job not found`.
pub(super) fn load(conn: &mut DbConnection, id: JobId) -> Result<Job, StoreError> {
    jobs::table
        .filter(jobs::id.eq(id.to_string()))
        .select(JobRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(SourcingRefusal::JobNotFound)?
        .into_domain()
}

/// Runs `claimed` and finishes it, in the caller's transaction.
pub(super) fn run(
    conn: &mut DbConnection,
    claimed: &Job,
    ctx: &ChangeContext,
) -> Result<Job, StoreError> {
    let job = load(conn, claimed.id)?;
    if job.status != JobStatus::Running || job.attempts != claimed.attempts {
        return Err(lost(&job).into());
    }
    // Attempts beyond the last are failed without running: the claim that made them
    // found the job's earlier attempts used up.
    let outcome = if job.attempts > MAX_ATTEMPTS {
        Err(format!("Job gave up after {MAX_ATTEMPTS} attempts"))
    } else {
        // What the job writes is the requester's act, in the request that queued it.
        let acting = ChangeContext {
            actor: job.requested_by.clone(),
            request_id: job.request_id.clone(),
            now: ctx.now,
        };
        let g = lock(conn, job.groupbuy_id)?;
        let decided = match job.job_type {
            JobType::Rfq => open(conn, &g, &job, &acting)?,
            JobType::Allocate => allocate(conn, &g, &job, &acting)?,
        };
        decided.map_err(|e| e.to_string())
    };
    let finished = match outcome {
        Ok(()) => job.succeed(job.job_type.result_url(job.groupbuy_id), ctx.now)?,
        Err(error) => job.fail(error, ctx.now)?,
    };
    let done = diesel::update(
        jobs::table
            .filter(jobs::id.eq(job.id.to_string()))
            .filter(jobs::status.eq(AsText(JobStatus::Running)))
            .filter(jobs::attempts.eq(job.attempts)),
    )
    .set((
        jobs::status.eq(AsText(finished.status)),
        jobs::result_url.eq(finished.result_url.clone()),
        jobs::error.eq(finished.error.clone()),
        jobs::finished_at.eq(finished.finished_at.map(to_db_time)),
        jobs::locked_until.eq(None::<time::PrimitiveDateTime>),
    ))
    .execute(conn)?;
    if done != 1 {
        // Another worker finished it first: everything above rolls back.
        return Err(lost(&load(conn, job.id)?).into());
    }
    Ok(finished)
}

/// The refusal of finishing `job` whose claim was lost.
fn lost(job: &Job) -> SourcingRefusal {
    SourcingRefusal::JobTransition {
        job: job.id,
        status: job.status,
        verb: "finished",
    }
}

/// Writes `t`: the group buy row's conditional UPDATE, then its audit and events.
fn apply(
    conn: &mut DbConnection,
    g: &GroupBuy,
    t: Transition,
    ctx: &ChangeContext,
) -> Result<(), StoreError> {
    if !move_status(conn, g, &t.group_buy)? {
        return Err(ProcurementRefusal::ChangedConcurrently.into());
    }
    record(conn, t.audit, &t.events, ctx)
}

/// Opens the RFQ of the job's draft; the domain's refusal, when it refuses, as the inner
/// error (nothing written).
fn open(
    conn: &mut DbConnection,
    g: &GroupBuy,
    job: &Job,
    ctx: &ChangeContext,
) -> Result<Result<(), DomainError>, StoreError> {
    let draft = RfqDraft::from_payload(&job.payload)?;
    let (rfq, t) = match open_rfq(g, &job.org_id, draft, RfqId::new(Uuid::new_v4()), ctx) {
        Ok(decided) => decided,
        Err(refused) => return Ok(Err(refused)),
    };
    if insert_if_absent!(conn, rfqs::table, RfqRow::from_domain(&rfq)?)? != 1 {
        return Err(ProcurementRefusal::ChangedConcurrently.into());
    }
    apply(conn, g, t, ctx)?;
    Ok(Ok(()))
}

/// Allocates from the commitments and responses as they stand now.
fn allocate(
    conn: &mut DbConnection,
    g: &GroupBuy,
    job: &Job,
    ctx: &ChangeContext,
) -> Result<Result<(), DomainError>, StoreError> {
    let Some(rfq) = rfq_of(conn, g)? else {
        return Ok(Err(SourcingRefusal::RfqNotFound.into()));
    };
    let commitments = commitments_in_order(conn, g)?;
    let responses = responses_of(conn, g, &rfq)?;
    let decided = build_allocation(g, &commitments, &responses, ctx.now)
        .map_err(|r| DomainError::from(SourcingRefusal::from(r)))
        .and_then(|plan| {
            let id = AllocationId::new(Uuid::new_v4());
            allocate_transition(g, &job.org_id, id, &rfq, plan, ctx)
        });
    let (award, t) = match decided {
        Ok(decided) => decided,
        Err(refused) => return Ok(Err(refused)),
    };
    if insert_if_absent!(conn, alloc::table, AllocationRow::from_domain(&award)?)? != 1 {
        return Err(ProcurementRefusal::ChangedConcurrently.into());
    }
    apply(conn, g, t, ctx)?;
    Ok(Ok(()))
}
