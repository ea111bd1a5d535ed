//! Background sweeps that run inside `serve`, safe to run on every instance.

use crate::platform::idempotency::RETENTION;
use crate::state::{blocking, AppState};
use actix_web::web;
use groupbuy_domain::platform::ChangeContext;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Starts the periodic sweeps on the current actix system. Once `shutdown` turns true
/// (or its sender is dropped) no new pass starts; a running pass always finishes, and
/// the returned handle completes after it.
pub fn spawn_sweeps(
    state: web::Data<AppState>,
    every: Duration,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                // Shutdown first: when both are ready, no new pass starts.
                biased;
                _ = shutdown.wait_for(|stop| *stop) => break,
                _ = tick.tick() => {}
            }
            sweep_once(&state).await;
        }
        tracing::info!("background sweeps stopped");
    })
}

/// One pass of every sweep; failures are logged and retried on the next tick.
pub async fn sweep_once(state: &web::Data<AppState>) {
    let now = state.clock.now();
    // Events this pass causes carry its own request id, as a request's carry theirs.
    let ctx = ChangeContext::new(
        "system:expiry-sweep",
        format!("sweep-{}", uuid::Uuid::new_v4()),
        now,
    );
    let store = state.group_purchases.clone();
    match blocking(move || store.expire_due(&ctx, 200)).await {
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
    let windows = state.rate_limits.clone();
    if let Err(e) = blocking(move || windows.purge_windows(now)).await {
        tracing::warn!(error = %e, "rate-limit window purge failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::auth::JwtKeys;
    use groupbuy_domain::campaign::MockCampaignStore;
    use groupbuy_domain::catalog::MockCatalogStore;
    use groupbuy_domain::clock::MockClock;
    use groupbuy_domain::group_purchase::MockGroupPurchaseStore;
    use groupbuy_domain::platform::{MockHealthCheck, MockIdempotencyStore, MockRateLimitStore};
    use groupbuy_domain::wallet::MockWalletStore;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{mpsc, Arc};
    use time::OffsetDateTime;

    #[actix_web::test]
    async fn shutdown_lets_the_running_pass_finish_and_starts_no_other() {
        let (started_tx, started_rx) = mpsc::channel::<()>();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let passes = Arc::new(AtomicUsize::new(0));
        let counted = passes.clone();
        let mut groups = MockGroupPurchaseStore::new();
        groups.expect_expire_due().returning(move |_, _| {
            counted.fetch_add(1, Ordering::SeqCst);
            let _ = started_tx.send(());
            // Hold the pass until the test has asked for shutdown.
            let _ = release_rx.recv();
            Ok(0)
        });
        let mut idem = MockIdempotencyStore::new();
        idem.expect_purge().returning(|_| Ok(0));
        let mut windows = MockRateLimitStore::new();
        windows.expect_purge_windows().returning(|_| Ok(0));
        let mut clock = MockClock::new();
        clock.expect_now().returning(|| OffsetDateTime::UNIX_EPOCH);
        let state = web::Data::new(AppState {
            catalog: Arc::new(MockCatalogStore::new()),
            wallets: Arc::new(MockWalletStore::new()),
            group_purchases: Arc::new(groups),
            campaigns: Arc::new(MockCampaignStore::new()),
            idempotency: Arc::new(idem),
            rate_limits: Arc::new(windows),
            webhooks: Arc::new(groupbuy_domain::webhook::MockWebhookStore::new()),
            webhook_allow_private: false,
            health: Arc::new(MockHealthCheck::new()),
            clock: Arc::new(clock),
            jwt: JwtKeys::new("secret", None, None),
        });
        let (stop, shutdown) = watch::channel(false);
        let sweeps = spawn_sweeps(state, Duration::from_millis(1), shutdown);
        web::block(move || started_rx.recv())
            .await
            .expect("block")
            .expect("a pass started");
        stop.send(true).expect("sweeps listen");
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert!(!sweeps.is_finished(), "the running pass must be awaited");
        release_tx.send(()).expect("release");
        sweeps.await.expect("sweeps end");
        assert_eq!(passes.load(Ordering::SeqCst), 1, "no pass after shutdown");
    }
}
