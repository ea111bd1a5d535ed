//! The outbox per endpoint on `/metrics`, measured after each delivery pass: how many
//! deliveries each endpoint still has to receive and how long the oldest has waited.
//!
//! Endpoints belong to tenants and may be thousands: a series per endpoint would be memory
//! held by every instance and every Prometheus for as long as it lived. So only the
//! [`NAMED_ENDPOINTS`] whose oldest undelivered delivery waits longest get a series of
//! their own (labelled with the endpoint id, never the URL, which may carry credentials);
//! every other endpoint is summed under [`OTHER_ENDPOINTS`]. An endpoint that catches up
//! loses its series at the next measurement. `sum(pending)` is every undelivered delivery
//! and `max(lag)` the oldest.

use crate::state::{blocking, AppState};
use groupbuy_domain::platform::Backlog;
use groupbuy_domain::webhook::OutboxBacklog;
use prometheus::{GaugeVec, IntGaugeVec, Opts, Registry};
use time::OffsetDateTime;

/// Most endpoints named on `/metrics` at once: the ones waiting longest.
pub const NAMED_ENDPOINTS: i64 = 20;

/// The `endpoint` label of every endpoint not named, together.
pub const OTHER_ENDPOINTS: &str = "_others";

/// `groupbuy_webhook_outbox_lag_seconds{endpoint}` and
/// `groupbuy_webhook_outbox_pending{endpoint}`.
#[derive(Clone)]
pub struct OutboxMetrics {
    lag: GaugeVec,
    pending: IntGaugeVec,
}

impl OutboxMetrics {
    /// Registers both gauges in `registry`, the `_others` series at zero.
    ///
    /// # Errors
    /// When the registry refuses them.
    pub fn register(registry: &Registry) -> Result<Self, String> {
        let failed = |e: prometheus::Error| format!("outbox metrics: {e}");
        let lag = GaugeVec::new(
            Opts::new(
                "groupbuy_webhook_outbox_lag_seconds",
                "Age of the endpoint's oldest undelivered (pending or retrying) delivery",
            ),
            &["endpoint"],
        )
        .map_err(failed)?;
        let pending = IntGaugeVec::new(
            Opts::new(
                "groupbuy_webhook_outbox_pending",
                "Deliveries the endpoint has still to receive (pending or retrying)",
            ),
            &["endpoint"],
        )
        .map_err(failed)?;
        registry
            .register(Box::new(lag.clone()))
            .and_then(|()| registry.register(Box::new(pending.clone())))
            .map_err(failed)?;
        let metrics = Self { lag, pending };
        metrics.show(&OutboxBacklog::default(), OffsetDateTime::UNIX_EPOCH);
        Ok(metrics)
    }

    /// Counts the outbox now; a failed count leaves the last one standing (and is logged).
    pub(super) async fn measure(&self, state: &AppState) {
        let store = state.webhooks.clone();
        match blocking(move || store.outbox_backlog(NAMED_ENDPOINTS)).await {
            Ok(outbox) => self.show(&outbox, state.clock.now()),
            Err(e) => tracing::warn!(error = %e, "counting the webhook outbox failed"),
        }
    }

    /// Replaces every series: one per named endpoint, and the others together.
    fn show(&self, outbox: &OutboxBacklog, now: OffsetDateTime) {
        self.lag.reset();
        self.pending.reset();
        let named = outbox.endpoints.iter().map(|e| {
            let backlog = Backlog {
                items: e.pending,
                oldest_due: Some(e.oldest),
            };
            (e.endpoint_id.as_str(), backlog)
        });
        for (endpoint, backlog) in named.chain([(OTHER_ENDPOINTS, outbox.others)]) {
            self.pending
                .with_label_values(&[endpoint])
                .set(backlog.items);
            self.lag
                .with_label_values(&[endpoint])
                .set(backlog.oldest_age(now).as_seconds_f64());
        }
    }
}
