//! The procurement context's job: OPEN group buys past their deadline below target expire.

use super::{pass_context, JobRegistry};
use crate::state::{blocking, AppState};
use actix_web::web;
use std::time::Duration;

/// Group buys expired per pass; the next pass takes the rest.
const BATCH: i64 = 200;

pub(super) fn register(registry: JobRegistry, every: Duration) -> JobRegistry {
    registry.every(
        "procurement-expiry",
        every,
        Box::new(|state| Box::pin(async move { expire_group_buys(&state).await })),
    )
}

/// One pass of the expiry sweep; failures are logged and retried on the next pass.
pub async fn expire_group_buys(state: &web::Data<AppState>) {
    let ctx = pass_context("procurement-expiry", state);
    let store = state.procurement.clone();
    match blocking(move || store.expire_due(&ctx, BATCH)).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(expired = n, "procurement group buys expired"),
        Err(e) => tracing::warn!(error = %e, "procurement expiry failed; retrying next pass"),
    }
}
