//! Route tests with the ports mocked: error mapping and authorization without a database.

use crate::platform::auth::{Claims, JwtKeys};
use crate::platform::fallback::RouteTable;
use crate::state::AppState;
use actix_web::{test, web};
use groupbuy_domain::catalog::MockCatalogStore;
use groupbuy_domain::clock::MockClock;
use groupbuy_domain::platform::{MockHealthCheck, MockIdempotencyStore, MockRateLimitStore};
use groupbuy_domain::wallet::MockWalletStore;
use groupbuy_domain::{DomainError, Refusal};
use std::sync::Arc;
use time::OffsetDateTime;

const SECRET: &str = "mock-secret";

fn state(
    catalog: MockCatalogStore,
    wallets: MockWalletStore,
    health: MockHealthCheck,
) -> web::Data<AppState> {
    let mut clock = MockClock::new();
    clock.expect_now().returning(|| OffsetDateTime::UNIX_EPOCH);
    web::Data::new(AppState {
        catalog: Arc::new(catalog),
        wallets: Arc::new(wallets),
        group_purchases: Arc::new(groupbuy_domain::group_purchase::MockGroupPurchaseStore::new()),
        orders: Arc::new(groupbuy_domain::order::MockOrderStore::new()),
        ledger: Arc::new(groupbuy_domain::ledger::MockLedgerStore::new()),
        procurement: Arc::new(groupbuy_domain::procurement::MockProcurementStore::new()),
        sourcing: Arc::new(groupbuy_domain::procurement::MockSourcingStore::new()),
        parties: Arc::new(groupbuy_domain::procurement::party::MockPartyStore::new()),
        campaigns: Arc::new(groupbuy_domain::campaign::MockCampaignStore::new()),
        preorders: Arc::new(groupbuy_domain::campaign::MockPreorderStore::new()),
        idempotency: Arc::new(MockIdempotencyStore::new()),
        rate_limits: Arc::new(MockRateLimitStore::new()),
        webhooks: Arc::new(groupbuy_domain::webhook::MockWebhookStore::new()),
        webhook_allow_private: false,
        ocds_prefix: groupbuy_domain::procurement::ocds::DEFAULT_OCDS_PREFIX.into(),
        public_url: crate::state::DEFAULT_PUBLIC_URL.into(),
        join_url: None,
        health: Arc::new(health),
        clock: Arc::new(clock),
        jwt: JwtKeys::new(SECRET, None, None),
        web: None,
        views: None,
        live: None,
    })
}

fn token(roles: &[&str]) -> String {
    JwtKeys::new(SECRET, None, None)
        .mint(&Claims {
            sub: "u1".into(),
            name: None,
            picture: None,
            scope: Some("groupbuy:read groupbuy:write".into()),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            org_id: None,
            // within the default maximum lifetime (24 h)
            exp: OffsetDateTime::now_utc().unix_timestamp() + 3600,
            iat: None,
            iss: None,
            aud: None,
        })
        .unwrap_or_default()
}

async fn call(
    state: web::Data<AppState>,
    req: test::TestRequest,
) -> (u16, serde_json::Value, Option<String>) {
    let routes = web::Data::new(RouteTable::default());
    let metrics = crate::platform::metrics::http_metrics(None).expect("metrics");
    let app = test::init_service(crate::app(state, routes, metrics)).await;
    let res = test::call_service(&app, req.to_request()).await;
    let status = res.status().as_u16();
    let retry = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: serde_json::Value = test::read_body_json(res).await;
    (status, body, retry)
}

#[actix_web::test]
async fn unavailable_database_is_503_with_retry_after() {
    let mut health = MockHealthCheck::new();
    health.expect_ping().returning(|| {
        Err(DomainError::Unavailable(
            "The database is busy; retry shortly".into(),
        ))
    });
    let (status, body, retry) = call(
        state(MockCatalogStore::new(), MockWalletStore::new(), health),
        test::TestRequest::get().uri("/readyz"),
    )
    .await;
    assert_eq!(status, 503);
    assert_eq!(retry.as_deref(), Some("1"));
    assert_eq!(body["success"], false);
}

#[actix_web::test]
async fn internal_errors_do_not_leak() {
    let mut catalog = MockCatalogStore::new();
    catalog.expect_product().returning(|_| {
        Err(DomainError::Internal(
            "syntax error near SELECT password".into(),
        ))
    });
    let uri = format!("/api/v1/products/{}", uuid::Uuid::new_v4());
    let (status, body, _) = call(
        state(catalog, MockWalletStore::new(), MockHealthCheck::new()),
        test::TestRequest::get().uri(&uri),
    )
    .await;
    assert_eq!(status, 500);
    assert_eq!(body["message"], "Internal server error");
    assert!(!body.to_string().contains("password"));
}

#[actix_web::test]
async fn not_found_keeps_the_store_message() {
    let mut catalog = MockCatalogStore::new();
    catalog
        .expect_product()
        .returning(|_| Err(DomainError::NotFound("Product not found".into())));
    let uri = format!("/api/v1/products/{}", uuid::Uuid::new_v4());
    let (status, body, _) = call(
        state(catalog, MockWalletStore::new(), MockHealthCheck::new()),
        test::TestRequest::get().uri(&uri),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["message"], "Product not found");
    assert_eq!(body["httpStatus"], "NOT_FOUND");
}

#[actix_web::test]
async fn authorization_is_checked_before_the_store_is_touched() {
    let mut wallets = MockWalletStore::new();
    wallets.expect_credit().times(0);
    let req = test::TestRequest::post()
        .uri("/api/v1/platform-admin/wallets/u2/credit")
        .insert_header(("authorization", format!("Bearer {}", token(&["merchant"]))))
        .set_json(serde_json::json!({"amount": 5, "reference": "x"}));
    let (status, body, _) = call(
        state(MockCatalogStore::new(), wallets, MockHealthCheck::new()),
        req,
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(body["message"], "Missing required role: platform-admin");
    let mut catalog = MockCatalogStore::new();
    catalog.expect_create_shop().times(0);
    let req = test::TestRequest::post()
        .uri("/api/v1/shops")
        .set_json(serde_json::json!({"shopName": "x"}));
    let (status, body, _) = call(
        state(catalog, MockWalletStore::new(), MockHealthCheck::new()),
        req,
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(body["message"], "User not authenticated");
}

#[actix_web::test]
async fn a_rule_refusal_is_a_400_with_its_message() {
    let mut wallets = MockWalletStore::new();
    wallets.expect_credit().returning(|_, _, _, _, _| {
        Err(DomainError::Conflict(Refusal::new(
            "currency-mismatch",
            "Wallet currency USD does not match TZS",
        )))
    });
    let req = test::TestRequest::post()
        .uri("/api/v1/platform-admin/wallets/u2/credit")
        .insert_header((
            "authorization",
            format!("Bearer {}", token(&["platform-admin"])),
        ))
        .set_json(serde_json::json!({"amount": 5, "reference": "x"}));
    let (status, body, _) = call(
        state(MockCatalogStore::new(), wallets, MockHealthCheck::new()),
        req,
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(body["detail"], "Wallet currency USD does not match TZS");
}

#[actix_web::test]
async fn campaign_roles_are_checked_before_the_store_is_touched() {
    // The campaign mock has no expectations: any store call would panic.
    let req = test::TestRequest::get()
        .uri("/v2/platform-admin/group-buys")
        .insert_header(("authorization", format!("Bearer {}", token(&["merchant"]))));
    let (status, body, _) = call(
        state(
            MockCatalogStore::new(),
            MockWalletStore::new(),
            MockHealthCheck::new(),
        ),
        req,
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(body["message"], "Missing required role: platform-admin");
    let req = test::TestRequest::post()
        .uri("/v2/handles")
        .set_json(serde_json::json!({"handle": "gharart", "displayName": "G"}));
    let (status, _, _) = call(
        state(
            MockCatalogStore::new(),
            MockWalletStore::new(),
            MockHealthCheck::new(),
        ),
        req,
    )
    .await;
    assert_eq!(status, 401);
    let req = test::TestRequest::get().uri("/v2/public/group-buys/NOT_A_HANDLE");
    let (status, _, _) = call(
        state(
            MockCatalogStore::new(),
            MockWalletStore::new(),
            MockHealthCheck::new(),
        ),
        req,
    )
    .await;
    assert_eq!(status, 404);
}
