//! Platform housekeeping: old idempotency records and rate-limit windows are purged.

use super::JobRegistry;
use crate::platform::idempotency::RETENTION;
use crate::state::{blocking, AppState};
use actix_web::web;
use groupbuy_domain::platform::JobQueue;
use std::time::Duration;

pub(super) fn register(registry: JobRegistry, every: Duration) -> JobRegistry {
    registry.draining(
        "housekeeping",
        every,
        JobQueue::Housekeeping {
            idempotency_retention: RETENTION,
        },
        Box::new(|state| Box::pin(async move { purge_expired_records(&state).await })),
    )
}

/// Purges idempotency keys past retention and elapsed rate-limit windows.
pub async fn purge_expired_records(state: &web::Data<AppState>) {
    let now = state.clock.now();
    let idem = state.idempotency.clone();
    match blocking(move || idem.purge(now - RETENTION)).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(purged = n, "idempotency keys purged"),
        Err(e) => tracing::warn!(error = %e, "idempotency purge failed"),
    }
    let windows = state.rate_limits.clone();
    if let Err(e) = blocking(move || windows.purge_windows(now)).await {
        tracing::warn!(error = %e, "rate-limit window purge failed");
    }
}
