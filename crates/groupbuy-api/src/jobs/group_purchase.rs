//! The group-purchase context's job: expired OPEN groups fail and are refunded.

use super::{pass_context, JobRegistry};
use crate::state::{blocking, AppState};
use actix_web::web;
use groupbuy_domain::platform::JobQueue;
use std::time::Duration;

/// Groups failed per pass; the next pass takes the rest.
const BATCH: i64 = 200;

pub(super) fn register(registry: JobRegistry, every: Duration) -> JobRegistry {
    registry.draining(
        "group-expiry",
        every,
        JobQueue::GroupExpiry,
        Box::new(|state| Box::pin(async move { expire_groups(&state).await })),
    )
}

/// One pass of the expiry sweep; failures are logged and retried on the next pass.
pub async fn expire_groups(state: &web::Data<AppState>) {
    let ctx = pass_context("expiry-sweep", state);
    let store = state.group_purchases.clone();
    match blocking(move || store.expire_due(&ctx, BATCH)).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(failed = n, "expired groups failed and refunded"),
        Err(e) => tracing::warn!(error = %e, "expiry sweep failed; retrying next pass"),
    }
}
