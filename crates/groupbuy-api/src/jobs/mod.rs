//! Background jobs inside `serve`: each bounded context registers its periodic passes
//! (sweeps, workers) in one registry, which runs them all the same way: safe on every
//! instance, stopped between passes on shutdown, a running pass always finished.

mod campaign;
mod group_purchase;
mod housekeeping;
mod metrics;
mod procurement;
pub mod webhook_delivery;

use crate::state::AppState;
use actix_web::web;
use futures_util::future::LocalBoxFuture;
use groupbuy_domain::platform::ChangeContext;
use groupbuy_domain::platform::JobQueue;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use group_purchase::expire_groups;
pub use housekeeping::purge_expired_records;
pub use metrics::JobMetrics;
pub use procurement::{expire_group_buys, run_jobs};

/// One pass of a job over the application state.
pub type Pass = Box<dyn Fn(web::Data<AppState>) -> LocalBoxFuture<'static, ()>>;

/// A named pass run every `every`, draining `queue` if it has one.
struct PeriodicJob {
    name: &'static str,
    every: Duration,
    queue: Option<JobQueue>,
    pass: Pass,
}

/// The jobs every context registered.
#[derive(Default)]
pub struct JobRegistry {
    jobs: Vec<PeriodicJob>,
    metrics: Option<JobMetrics>,
}

impl JobRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `pass` to run every `every` under `name`.
    pub fn every(mut self, name: &'static str, every: Duration, pass: Pass) -> Self {
        self.jobs.push(PeriodicJob {
            name,
            every,
            queue: None,
            pass,
        });
        self
    }

    /// Registers `pass` to run every `every` under `name`, taking the items of `queue`:
    /// with metrics, each pass first counts what is due (`groupbuy_job_queue_depth`).
    pub fn draining(
        mut self,
        name: &'static str,
        every: Duration,
        queue: JobQueue,
        pass: Pass,
    ) -> Self {
        self.jobs.push(PeriodicJob {
            name,
            every,
            queue: Some(queue),
            pass,
        });
        self
    }

    /// Times every pass into `metrics`, and counts each draining job's queue there.
    pub fn with_metrics(mut self, metrics: JobMetrics) -> Self {
        for job in self.jobs.iter().filter(|j| j.queue.is_some()) {
            metrics.announce(job.name);
        }
        self.metrics = Some(metrics);
        self
    }

    /// Runs one pass of the job `name` now, counted and timed as a scheduled one is;
    /// false when no job has that name. For tests and tools that drive the jobs with
    /// their own clock instead of the timer.
    pub async fn run_once(&self, name: &str, state: &web::Data<AppState>) -> bool {
        let Some(job) = self.jobs.iter().find(|j| j.name == name) else {
            return false;
        };
        run_pass(job, state, self.metrics.as_ref()).await;
        true
    }

    /// The registered job names, in registration order.
    pub fn names(&self) -> Vec<&'static str> {
        self.jobs.iter().map(|j| j.name).collect()
    }

    /// Starts every job on the current actix system. Once `shutdown` turns true (or its
    /// sender is dropped) no new pass starts; a running pass finishes, and each handle
    /// completes after it.
    pub fn spawn(
        self,
        state: web::Data<AppState>,
        shutdown: watch::Receiver<bool>,
    ) -> Vec<JoinHandle<()>> {
        let metrics = self.metrics;
        self.jobs
            .into_iter()
            .map(|job| spawn_job(job, state.clone(), shutdown.clone(), metrics.clone()))
            .collect()
    }
}

/// The registry of everything `serve` runs in the background: the group-purchase and
/// procurement expiry sweeps, housekeeping purges, and the webhook delivery worker.
pub fn registry(
    sweep_interval: Duration,
    delivery: crate::jobs::webhook_delivery::DeliverySettings,
    metrics: Option<crate::jobs::webhook_delivery::DeliveryMetrics>,
) -> JobRegistry {
    let registry = JobRegistry::new();
    let registry = group_purchase::register(registry, sweep_interval);
    let registry = campaign::register(registry, sweep_interval);
    let registry = procurement::register(registry, sweep_interval);
    let registry = housekeeping::register(registry, sweep_interval);
    crate::jobs::webhook_delivery::register(registry, delivery, metrics)
}

/// The change context of a pass: its events carry the pass's own request id, as a
/// request's carry theirs.
pub fn pass_context(job: &str, state: &AppState) -> ChangeContext {
    ChangeContext::new(
        format!("system:{job}"),
        format!("sweep-{}", uuid::Uuid::new_v4()),
        state.clock.now(),
    )
}

fn spawn_job(
    job: PeriodicJob,
    state: web::Data<AppState>,
    mut shutdown: watch::Receiver<bool>,
    metrics: Option<JobMetrics>,
) -> JoinHandle<()> {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(job.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                // Shutdown first: when both are ready, no new pass starts.
                biased;
                _ = shutdown.wait_for(|stop| *stop) => break,
                _ = tick.tick() => {}
            }
            run_pass(&job, &state, metrics.as_ref()).await;
        }
        tracing::info!(job = job.name, "background job stopped");
    })
}

/// One pass of `job`: its queue counted as the pass finds it, then the pass, timed.
async fn run_pass(job: &PeriodicJob, state: &web::Data<AppState>, metrics: Option<&JobMetrics>) {
    if let (Some(m), Some(queue)) = (metrics, job.queue) {
        m.measure(job.name, queue, state).await;
    }
    let started = std::time::Instant::now();
    (job.pass)(state.clone()).await;
    if let Some(m) = metrics {
        m.observe(
            job.name,
            started.elapsed(),
            state.clock.now().unix_timestamp(),
        );
    }
}

#[cfg(test)]
mod tests;
