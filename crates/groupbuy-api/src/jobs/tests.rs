use super::*;
use crate::platform::auth::JwtKeys;
use groupbuy_domain::campaign::MockCampaignStore;
use groupbuy_domain::catalog::MockCatalogStore;
use groupbuy_domain::clock::MockClock;
use groupbuy_domain::group_purchase::MockGroupPurchaseStore;
use groupbuy_domain::platform::{MockHealthCheck, MockIdempotencyStore, MockRateLimitStore};
use groupbuy_domain::wallet::MockWalletStore;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use time::OffsetDateTime;

fn state_with(groups: MockGroupPurchaseStore) -> web::Data<AppState> {
    let mut clock = MockClock::new();
    clock.expect_now().returning(|| OffsetDateTime::UNIX_EPOCH);
    web::Data::new(AppState {
        catalog: Arc::new(MockCatalogStore::new()),
        wallets: Arc::new(MockWalletStore::new()),
        group_purchases: Arc::new(groups),
        orders: Arc::new(groupbuy_domain::order::MockOrderStore::new()),
        ledger: Arc::new(groupbuy_domain::ledger::MockLedgerStore::new()),
        procurement: Arc::new(groupbuy_domain::procurement::MockProcurementStore::new()),
        sourcing: Arc::new(groupbuy_domain::procurement::MockSourcingStore::new()),
        parties: Arc::new(groupbuy_domain::procurement::party::MockPartyStore::new()),
        campaigns: Arc::new(MockCampaignStore::new()),
        preorders: Arc::new(groupbuy_domain::campaign::MockPreorderStore::new()),
        idempotency: Arc::new(MockIdempotencyStore::new()),
        rate_limits: Arc::new(MockRateLimitStore::new()),
        webhooks: Arc::new(groupbuy_domain::webhook::MockWebhookStore::new()),
        webhook_allow_private: false,
        ocds_prefix: groupbuy_domain::procurement::ocds::DEFAULT_OCDS_PREFIX.into(),
        public_url: crate::state::DEFAULT_PUBLIC_URL.into(),
        join_url: None,
        health: Arc::new(MockHealthCheck::new()),
        clock: Arc::new(clock),
        jwt: JwtKeys::new("secret", None, None),
        web: None,
        views: None,
        live: None,
    })
}

#[test]
fn every_context_registers_its_jobs_once() {
    let names = registry(
        Duration::from_secs(1),
        crate::jobs::webhook_delivery::DeliverySettings::default(),
        None,
    )
    .names();
    assert_eq!(
        names,
        [
            "group-expiry",
            "preorder-expiry",
            "procurement-expiry",
            "procurement-jobs",
            "housekeeping",
            "webhook-delivery"
        ]
    );
}

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
    let jobs = group_purchase::register(JobRegistry::new(), Duration::from_millis(1));
    let (stop, shutdown) = watch::channel(false);
    let mut handles = jobs.spawn(state_with(groups), shutdown);
    web::block(move || started_rx.recv())
        .await
        .expect("block")
        .expect("a pass started");
    stop.send(true).expect("jobs listen");
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    let job = handles.pop().expect("one job");
    assert!(!job.is_finished(), "the running pass must be awaited");
    release_tx.send(()).expect("release");
    job.await.expect("job ends");
    assert_eq!(passes.load(Ordering::SeqCst), 1, "no pass after shutdown");
}

#[actix_web::test]
async fn a_sweep_pass_carries_its_own_request_id() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let mut groups = MockGroupPurchaseStore::new();
    groups
        .expect_expire_due()
        .times(2)
        .returning(move |ctx, _| {
            record.lock().expect("lock").push(ctx.clone());
            Ok(0)
        });
    let state = state_with(groups);
    expire_groups(&state).await;
    expire_groups(&state).await;
    let seen = seen.lock().expect("lock");
    assert_eq!(seen[0].actor, "system:expiry-sweep");
    assert!(seen[0].request_id.starts_with("sweep-"));
    assert_ne!(seen[0].request_id, seen[1].request_id, "one id per pass");
}
