//! The campaign context's job: pre-order sessions whose payment window passed unpaid
//! expire (nothing was charged, so nothing is refunded).

use super::JobRegistry;
use crate::state::{blocking, AppState};
use actix_web::web;
use groupbuy_domain::platform::JobQueue;
use std::time::Duration;

/// Sessions expired per pass; the next pass takes the rest.
const BATCH: i64 = 500;

pub(super) fn register(registry: JobRegistry, every: Duration) -> JobRegistry {
    registry.draining(
        "preorder-expiry",
        every,
        JobQueue::PreorderExpiry,
        Box::new(|state| Box::pin(async move { expire_preorders(&state).await })),
    )
}

/// One pass; failures are logged and retried on the next pass.
pub async fn expire_preorders(state: &web::Data<AppState>) {
    let store = state.preorders.clone();
    let now = state.clock.now();
    match blocking(move || store.expire_preorders(now, BATCH)).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(expired = n, "unpaid pre-orders expired"),
        Err(e) => tracing::warn!(error = %e, "pre-order sweep failed; retrying next pass"),
    }
}
