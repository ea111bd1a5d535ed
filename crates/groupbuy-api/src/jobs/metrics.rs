//! The background jobs on `/metrics`: how long each pass took and when the last ended, and
//! what each job found waiting when its pass began (items due and how long the oldest has
//! been), counted by the store with one aggregate per table of the job's queue.

use crate::state::{blocking, AppState};
use groupbuy_domain::platform::{BacklogStore, JobQueue};
use prometheus::{GaugeVec, HistogramOpts, HistogramVec, IntGaugeVec, Opts, Registry};
use std::sync::Arc;
use std::time::Duration;

/// Each job's passes and queue, on `/metrics`.
#[derive(Clone)]
pub struct JobMetrics {
    passes: HistogramVec,
    last_pass: IntGaugeVec,
    queue_depth: IntGaugeVec,
    oldest_age: GaugeVec,
    backlogs: Arc<dyn BacklogStore>,
}

impl JobMetrics {
    /// Registers, in `registry`: `groupbuy_job_pass_seconds{job}` (a histogram of pass
    /// durations: its `_count` is the passes), `groupbuy_job_last_pass_timestamp_seconds{job}`
    /// (when the last pass ended: a job that stopped passing shows as an old timestamp),
    /// `groupbuy_job_queue_depth{job}` and `groupbuy_job_oldest_item_age_seconds{job}` (the
    /// items due when the last pass began and how long the oldest had been, counted in
    /// `backlogs`).
    ///
    /// # Errors
    /// A metric that cannot be made or registered (a name clash).
    pub fn register(registry: &Registry, backlogs: Arc<dyn BacklogStore>) -> Result<Self, String> {
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
        let queue_depth = IntGaugeVec::new(
            Opts::new(
                "groupbuy_job_queue_depth",
                "Items due for the job when its last pass began",
            ),
            &["job"],
        )
        .map_err(failed)?;
        let oldest_age = GaugeVec::new(
            Opts::new(
                "groupbuy_job_oldest_item_age_seconds",
                "How long the oldest due item had been due when the job's last pass began",
            ),
            &["job"],
        )
        .map_err(failed)?;
        registry
            .register(Box::new(passes.clone()))
            .and_then(|()| registry.register(Box::new(last_pass.clone())))
            .and_then(|()| registry.register(Box::new(queue_depth.clone())))
            .and_then(|()| registry.register(Box::new(oldest_age.clone())))
            .map_err(failed)?;
        Ok(Self {
            passes,
            last_pass,
            queue_depth,
            oldest_age,
            backlogs,
        })
    }

    /// Shows `job`'s queue as empty until its first pass measures it, so the series exist
    /// from the start (a dashboard never finds them missing).
    pub(super) fn announce(&self, job: &str) {
        self.queue_depth.with_label_values(&[job]).set(0);
        self.oldest_age.with_label_values(&[job]).set(0.0);
    }

    /// Counts `queue` as `job` finds it now; a failed count leaves the last one standing
    /// (and is logged), as the pass itself would fail and retry.
    pub(super) async fn measure(&self, job: &str, queue: JobQueue, state: &AppState) {
        let now = state.clock.now();
        let backlogs = self.backlogs.clone();
        match blocking(move || backlogs.backlog(queue, now)).await {
            Ok(backlog) => {
                self.queue_depth
                    .with_label_values(&[job])
                    .set(backlog.items);
                self.oldest_age
                    .with_label_values(&[job])
                    .set(backlog.oldest_age(now).as_seconds_f64());
            }
            Err(e) => tracing::warn!(job, error = %e, "counting a job's queue failed"),
        }
    }

    /// Records a pass of `job` that took `took` and ended at `ended_at_unix`.
    pub(super) fn observe(&self, job: &str, took: Duration, ended_at_unix: i64) {
        self.passes
            .with_label_values(&[job])
            .observe(took.as_secs_f64());
        self.last_pass.with_label_values(&[job]).set(ended_at_unix);
    }
}
