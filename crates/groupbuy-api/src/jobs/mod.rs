//! Background jobs inside `serve`: each bounded context registers its periodic passes
//! (sweeps, workers) in one registry, which runs them all the same way: safe on every
//! instance, stopped between passes on shutdown, a running pass always finished.

mod campaign;
mod group_purchase;
mod housekeeping;
mod procurement;
pub mod webhook_delivery;

use crate::state::AppState;
use actix_web::web;
use futures_util::future::LocalBoxFuture;
use groupbuy_domain::platform::ChangeContext;
use prometheus::{HistogramOpts, HistogramVec, IntGaugeVec, Opts, Registry};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use group_purchase::expire_groups;
pub use housekeeping::purge_expired_records;
pub use procurement::{expire_group_buys, run_jobs};

/// One pass of a job over the application state.
pub type Pass = Box<dyn Fn(web::Data<AppState>) -> LocalBoxFuture<'static, ()>>;

/// A named pass run every `every`.
struct PeriodicJob {
    name: &'static str,
    every: Duration,
    pass: Pass,
}

/// Each job's passes and how long they took, on `/metrics`.
#[derive(Clone)]
pub struct JobMetrics {
    passes: HistogramVec,
    last_pass: IntGaugeVec,
}

impl JobMetrics {
    /// Registers `groupbuy_job_pass_seconds{job}` (a histogram of pass durations: its
    /// `_count` is the passes) and `groupbuy_job_last_pass_timestamp_seconds{job}` (when the
    /// last pass ended: a job that stopped passing shows as an old timestamp) in `registry`.
    ///
    /// # Errors
    /// A metric that cannot be made or registered (a name clash).
    pub fn register(registry: &Registry) -> Result<Self, String> {
        let failed = |e: prometheus::Error| format!("job metrics: {e}");
        let passes = HistogramVec::new(
            HistogramOpts::new(
                "groupbuy_job_pass_seconds",
                "Duration of background job passes",
            )
            .buckets(vec![0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10.0, 60.0]),
            &["job"],
        )
        .map_err(failed)?;
        let last_pass = IntGaugeVec::new(
            Opts::new(
                "groupbuy_job_last_pass_timestamp_seconds",
                "Unix time the job's last pass ended",
            ),
            &["job"],
        )
        .map_err(failed)?;
        registry
            .register(Box::new(passes.clone()))
            .map_err(failed)?;
        registry
            .register(Box::new(last_pass.clone()))
            .map_err(failed)?;
        Ok(Self { passes, last_pass })
    }

    fn observe(&self, job: &str, took: Duration, ended_at_unix: i64) {
        self.passes
            .with_label_values(&[job])
            .observe(took.as_secs_f64());
        self.last_pass.with_label_values(&[job]).set(ended_at_unix);
    }
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
        self.jobs.push(PeriodicJob { name, every, pass });
        self
    }

    /// Times every pass into `metrics`.
    pub fn with_metrics(mut self, metrics: JobMetrics) -> Self {
        self.metrics = Some(metrics);
        self
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
            let started = std::time::Instant::now();
            (job.pass)(state.clone()).await;
            if let Some(m) = &metrics {
                m.observe(
                    job.name,
                    started.elapsed(),
                    state.clock.now().unix_timestamp(),
                );
            }
        }
        tracing::info!(job = job.name, "background job stopped");
    })
}

#[cfg(test)]
mod tests;
