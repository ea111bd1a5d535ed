//! Background sweeps that run inside `serve`, safe to run on every instance.

use crate::platform::idempotency::RETENTION;
use crate::state::{blocking, AppState};
use actix_web::web;
use std::time::Duration;

/// Starts the periodic sweeps on the current actix system.
pub fn spawn_sweeps(state: web::Data<AppState>, every: Duration) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            sweep_once(&state).await;
        }
    });
}

/// One pass of every sweep; failures are logged and retried on the next tick.
pub async fn sweep_once(state: &web::Data<AppState>) {
    let now = state.clock.now();
    let store = state.group_purchases.clone();
    match blocking(move || store.expire_due(now, 200)).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(failed = n, "expired groups failed and refunded"),
        Err(e) => tracing::warn!(error = %e, "expiry sweep failed; retrying next tick"),
    }
    let idem = state.idempotency.clone();
    match blocking(move || idem.purge(now - RETENTION)).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(purged = n, "idempotency keys purged"),
        Err(e) => tracing::warn!(error = %e, "idempotency purge failed"),
    }
}
