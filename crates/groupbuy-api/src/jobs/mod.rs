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

/// The jobs every context registered.
#[derive(Default)]
pub struct JobRegistry {
    jobs: Vec<PeriodicJob>,
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
        self.jobs
            .into_iter()
            .map(|job| spawn_job(job, state.clone(), shutdown.clone()))
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
            (job.pass)(state.clone()).await;
        }
        tracing::info!(job = job.name, "background job stopped");
    })
}

#[cfg(test)]
mod tests;
