//! Spawning the app and speaking to it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use groupbuy_api::platform::auth::{Claims, JwtKeys};
use groupbuy_api::platform::rate_limit::RateLimitConfig;
use groupbuy_api::{Application, Config};
use groupbuy_domain::platform::RateQuota;
use groupbuy_store::testing::TestDatabase;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::Duration;

pub const SECRET: &str = "black-box-test-secret-of-at-least-32-bytes";
/// The bearer token `/metrics` asks of the test apps.
pub const METRICS_TOKEN: &str = "black-box-metrics-token";

/// A running app with its own database.
pub struct TestApp {
    pub backend: &'static str,
    pub address: String,
    pub client: reqwest::Client,
    pub db: TestDatabase,
    keys: JwtKeys,
    rate_limits: RateLimitConfig,
}

/// A response: status, headers, JSON body.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    pub fn data(&self) -> &Value {
        &self.body["data"]
    }

    pub fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or_default()
    }

    /// Sends `req` and keeps its answer (a body that is no JSON as a JSON string).
    pub async fn of(req: reqwest::RequestBuilder) -> Reply {
        let res = req.send().await.expect("request sent");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Asserts the status and, for errors, the problem shape; returns self.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        if status >= 400 {
            assert_problem(&self);
        } else {
            assert_eq!(self.body["success"], Value::Bool(true), "{}", self.body);
        }
        self
    }
}

/// Every error is the envelope plus RFC 9457 members, as problem JSON.
#[track_caller]
pub fn assert_problem(r: &Reply) {
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/problem+json"),
        "{}",
        r.body
    );
    let b = &r.body;
    assert_eq!(b["success"], Value::Bool(false));
    assert_eq!(b["status"].as_u64(), Some(u64::from(r.status.as_u16())));
    for key in [
        "httpStatus",
        "message",
        "action_time",
        "type",
        "title",
        "detail",
        "instance",
    ] {
        assert!(b[key].is_string(), "problem lacks {key}: {b}");
    }
    assert_eq!(b["data"], b["message"]);
    assert!(r.header("x-request-id").is_some());
}

/// The rate limits of the suites: every test's traffic comes from 127.0.0.1 and a few
/// subjects, and the concurrency tests fire hundreds of requests a second, so the limits
/// are far above what a test sends (never refusing) but still counted, so every response
/// carries the headers. The support limit keeps its default (its test relies on 5 per
/// minute); the rate-limit tests configure small limits themselves.
pub fn test_rate_limits() -> RateLimitConfig {
    let high = RateQuota::new(1_000_000, time::Duration::MINUTE);
    RateLimitConfig {
        reads: high,
        writes: high,
        interest: high,
        daily_writes: RateQuota::new(1_000_000, time::Duration::DAY),
        ..RateLimitConfig::default()
    }
}

/// Every event the app emitted must match the catalogue it publishes
/// ([`crate::published`]); a test that panicked already failed, so it is not checked again.
impl Drop for TestApp {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            crate::published::check_emitted(&self.db);
        }
    }
}

impl TestApp {
    /// One app per configured backend.
    pub async fn all() -> Vec<TestApp> {
        Self::all_with(Duration::from_millis(200)).await
    }

    /// One app per configured backend with the given sweep interval.
    pub async fn all_with(sweep: Duration) -> Vec<TestApp> {
        let mut apps = Vec::new();
        for (backend, db) in TestDatabase::all() {
            apps.push(Self::start(backend, db, sweep, test_rate_limits()).await);
        }
        apps
    }

    /// One app per configured backend with the given rate limits.
    pub async fn all_limited(rate_limits: RateLimitConfig) -> Vec<TestApp> {
        let mut apps = Vec::new();
        for (backend, db) in TestDatabase::all() {
            apps.push(Self::start(backend, db, Duration::from_millis(200), rate_limits).await);
        }
        apps
    }

    /// One app per configured backend, its configuration changed by `tweak`.
    pub async fn all_configured(tweak: impl Fn(&mut Config)) -> Vec<TestApp> {
        let mut apps = Vec::new();
        for (backend, db) in TestDatabase::all() {
            apps.push(Self::start_with(backend, db, Duration::from_millis(200), &tweak).await);
        }
        apps
    }

    /// An app on a new PostgreSQL database, its configuration changed by `tweak`; `None`
    /// when PostgreSQL tests are not configured (read replicas exist only there).
    pub async fn postgres_configured(tweak: impl Fn(&mut Config)) -> Option<TestApp> {
        let db = TestDatabase::postgres()?;
        Some(Self::start_with("postgres", db, Duration::from_millis(200), &tweak).await)
    }

    /// One app per configured backend in development mode without a secret of its own:
    /// the development sign-in page gives browsers sessions ([`crate::browser`]), and the
    /// tokens of [`TestApp::token`] are signed with the development secret.
    pub async fn all_web() -> Vec<TestApp> {
        Self::all_configured(|c| c.jwt_secret = None).await
    }

    /// Another instance on the same database (for multi-instance tests).
    pub async fn sibling(&self) -> TestApp {
        let db = TestDatabase::attach(&self.db.url);
        Self::start(
            self.backend,
            db,
            Duration::from_millis(50),
            self.rate_limits,
        )
        .await
    }

    async fn start(
        backend: &'static str,
        db: TestDatabase,
        sweep: Duration,
        rate_limits: RateLimitConfig,
    ) -> TestApp {
        Self::start_with(backend, db, sweep, &move |c| c.rate_limits = rate_limits).await
    }

    async fn start_with(
        backend: &'static str,
        db: TestDatabase,
        sweep: Duration,
        tweak: &dyn Fn(&mut Config),
    ) -> TestApp {
        let mut config = Config {
            database_url: db.url.clone(),
            bind: "127.0.0.1:0".into(),
            jwt_secret: Some(SECRET.into()),
            sweep_interval: sweep,
            pool_size: 16,
            workers: Some(2),
            metrics_token: Some(METRICS_TOKEN.into()),
            rate_limits: test_rate_limits(),
            ..Config::default()
        };
        tweak(&mut config);
        let rate_limits = config.rate_limits;
        let keys = JwtKeys::new(config.secret(), None, None);
        let app = Application::build(config).await.expect("app starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        actix_web::rt::spawn(app.run());
        TestApp {
            backend,
            address,
            client: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .expect("client"),
            db,
            keys,
            rate_limits,
        }
    }

    /// A token for `sub` with read/write scopes and `roles`.
    pub fn token(&self, sub: &str, roles: &[&str]) -> String {
        self.token_with(sub, roles, "groupbuy:read groupbuy:write", 3600)
    }

    pub fn token_with(&self, sub: &str, roles: &[&str], scope: &str, ttl: i64) -> String {
        self.token_full(sub, None, roles, scope, ttl)
    }

    /// A token of `sub` acting for organisation `org` with `scope`.
    pub fn org_token(&self, sub: &str, org: &str, scope: &str) -> String {
        self.token_full(sub, Some(org), &[], scope, 3600)
    }

    pub fn token_full(
        &self,
        sub: &str,
        org: Option<&str>,
        roles: &[&str],
        scope: &str,
        ttl: i64,
    ) -> String {
        self.token_minted(sub, &format!("{sub}_name"), org, roles, scope, ttl)
    }

    /// A read/write token of `sub` whose `name` claim (the display name) is `name`.
    pub fn token_named(&self, sub: &str, name: &str) -> String {
        self.token_minted(sub, name, None, &[], "groupbuy:read groupbuy:write", 3600)
    }

    fn token_minted(
        &self,
        sub: &str,
        name: &str,
        org: Option<&str>,
        roles: &[&str],
        scope: &str,
        ttl: i64,
    ) -> String {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        self.keys
            .mint(&Claims {
                sub: sub.into(),
                name: Some(name.into()),
                picture: Some(format!("https://img.example/{sub}.png")),
                scope: Some(scope.into()),
                roles: roles.iter().map(|r| (*r).to_owned()).collect(),
                org_id: org.map(str::to_owned),
                exp: now + ttl,
                iat: Some(now),
                iss: None,
                aud: None,
            })
            .expect("mint")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Sends a request; `body` None sends no body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Reply::of(req).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(Method::GET, path, token, None, &[]).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::POST, path, token, Some(body), &[]).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::PATCH, path, token, Some(body), &[]).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(Method::DELETE, path, token, None, &[]).await
    }

    /// Creates a shop owned by `merchant`; returns its id.
    pub async fn shop(&self, merchant: &str) -> String {
        let t = self.token(merchant, &["merchant"]);
        let r = self.post("/api/v1/shops", Some(&t), serde_json::json!({"shopName": format!("{merchant} shop"), "shopLogo": "https://img.example/logo.png"})).await.expect(201);
        r.data()["shopId"].as_str().unwrap().to_owned()
    }

    /// Creates a product in a new shop of `merchant` with the given overrides.
    pub async fn product(&self, merchant: &str, overrides: Value) -> Value {
        let shop = self.shop(merchant).await;
        let t = self.token(merchant, &["merchant"]);
        let mut body = serde_json::json!({
            "productName": "Premium Wireless Headphones",
            "productImage": "https://img.example/headphones.jpg",
            "regularPrice": 150000,
            "groupPrice": 80000,
            "stockQuantity": 1000,
            "groupBuyingEnabled": true,
            "groupMaxSize": 10,
            "groupTimeLimitHours": 24,
            "maxPerCustomer": 10
        });
        if let (Some(b), Some(o)) = (body.as_object_mut(), overrides.as_object()) {
            for (k, v) in o {
                b.insert(k.clone(), v.clone());
            }
        }
        self.post(&format!("/api/v1/shops/{shop}/products"), Some(&t), body)
            .await
            .expect(201)
            .data()
            .clone()
    }

    /// Credits `amount` (major units) to `user`.
    pub async fn credit(&self, user: &str, amount: f64) {
        let admin = self.token("admin", &["platform-admin"]);
        self.post(
            &format!("/api/v1/platform-admin/wallets/{user}/credit"),
            Some(&admin),
            serde_json::json!({"amount": amount, "reference": "test top-up"}),
        )
        .await
        .expect(201);
    }

    /// The user's balance in major units (as text, exact).
    pub async fn balance(&self, user: &str) -> String {
        let t = self.token(user, &[]);
        self.get("/api/v1/wallet", Some(&t))
            .await
            .expect(200)
            .data()["balance"]
            .to_string()
    }
}
