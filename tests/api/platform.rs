//! The platform every surface shares: errors, auth, request ids, idempotency, health.

use crate::helpers::{assert_problem, TestApp};
use reqwest::Method;
use serde_json::json;

#[actix_web::test]
async fn every_failure_is_problem_json() {
    for app in TestApp::all().await {
        let t = app.token("m1", &["merchant"]);
        let r = app.get("/no/such/route", None).await.expect(404);
        assert_eq!(r.body["instance"], "/no/such/route");
        let r = app
            .call(Method::DELETE, "/healthz", None, None, &[])
            .await
            .expect(405);
        assert_eq!(r.header("allow").as_deref(), Some("GET, HEAD"));
        // malformed JSON
        let res = app
            .client
            .post(app.url("/api/v1/shops"))
            .bearer_auth(&t)
            .header("content-type", "application/json")
            .body("{oops")
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), 400);
        // not JSON at all
        let res = app
            .client
            .post(app.url("/api/v1/shops"))
            .bearer_auth(&t)
            .header("content-type", "text/plain")
            .body("hello")
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), 400);
        // missing field and wrong type name the field
        let r = app
            .post("/api/v1/shops", Some(&t), json!({}))
            .await
            .expect(422);
        assert_eq!(r.body["errors"][0]["field"], "shopName");
        let r = app
            .post("/api/v1/shops", Some(&t), json!({"shopName": 5}))
            .await
            .expect(422);
        assert_eq!(r.body["errors"][0]["field"], "shopName");
        // over 1 MiB
        let big = "a".repeat(1_100_000);
        let res = app
            .client
            .post(app.url("/api/v1/shops"))
            .bearer_auth(&t)
            .header("content-type", "application/json")
            .body(big)
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), 413);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        // bad path UUID
        let r = app
            .get("/api/v1/products/not-a-uuid", None)
            .await
            .expect(400);
        assert!(
            r.message().contains("Invalid path parameter"),
            "{}",
            r.message()
        );
        // bad query
        let u = app.token("u1", &[]);
        app.get("/api/v1/wallet/transactions?limit=abc", Some(&u))
            .await
            .expect(400);
    }
}

#[actix_web::test]
async fn authentication_and_authorization() {
    for app in TestApp::all().await {
        let r = app.get("/api/v1/wallet", None).await.expect(401);
        assert_eq!(r.message(), "User not authenticated");
        assert_eq!(
            app.get("/api/v1/wallet", Some("not-a-jwt"))
                .await
                .expect(401)
                .message(),
            "User not authenticated"
        );
        let expired = app.token_with("u1", &[], "groupbuy:read", -3600);
        app.get("/api/v1/wallet", Some(&expired)).await.expect(401);
        let forged = groupbuy_api::platform::auth::JwtKeys::new("another-secret", None, None)
            .mint(&groupbuy_api::platform::auth::Claims {
                sub: "u1".into(),
                name: None,
                picture: None,
                scope: Some("groupbuy:read".into()),
                roles: vec![],
                org_id: None,
                exp: 4_000_000_000,
                iat: None,
                iss: None,
                aud: None,
            })
            .expect("mint");
        app.get("/api/v1/wallet", Some(&forged)).await.expect(401);
        // scope and role are named
        let read_only = app.token_with("m1", &["merchant"], "groupbuy:read", 3600);
        let r = app
            .post("/api/v1/shops", Some(&read_only), json!({"shopName": "x"}))
            .await
            .expect(403);
        assert!(r.message().contains("groupbuy:write"));
        let no_role = app.token("u1", &[]);
        let r = app
            .post("/api/v1/shops", Some(&no_role), json!({"shopName": "x"}))
            .await
            .expect(403);
        assert!(r.message().contains("merchant"));
        let r = app
            .post(
                "/api/v1/platform-admin/wallets/u1/credit",
                Some(&no_role),
                json!({"amount": 1, "reference": "x"}),
            )
            .await
            .expect(403);
        assert!(r.message().contains("platform-admin"));
    }
}

#[actix_web::test]
async fn request_ids_are_echoed_or_generated() {
    for app in TestApp::all().await {
        let r = app
            .call(
                Method::GET,
                "/healthz",
                None,
                None,
                &[("x-request-id", "trace-abc-123")],
            )
            .await
            .expect(200);
        assert_eq!(r.header("x-request-id").as_deref(), Some("trace-abc-123"));
        let r = app
            .call(
                Method::GET,
                "/nowhere",
                None,
                None,
                &[("x-request-id", "trace-xyz")],
            )
            .await
            .expect(404);
        assert_eq!(r.body["requestId"], "trace-xyz");
        let r = app.get("/healthz", None).await.expect(200);
        assert_eq!(r.header("x-request-id").map(|v| v.len()), Some(36));
    }
}

#[actix_web::test]
async fn idempotency_keys_replay_refuse_and_scope_per_caller() {
    for app in TestApp::all().await {
        let admin = app.token("admin", &["platform-admin"]);
        let other_admin = app.token("admin2", &["platform-admin"]);
        let body = json!({"amount": 100, "reference": "top-up"});
        let path = "/api/v1/platform-admin/wallets/u1/credit";
        let first = app
            .call(
                Method::POST,
                path,
                Some(&admin),
                Some(body.clone()),
                &[("idempotency-key", "k-1")],
            )
            .await
            .expect(201);
        let again = app
            .call(
                Method::POST,
                path,
                Some(&admin),
                Some(body.clone()),
                &[("idempotency-key", "\"k-1\"")],
            )
            .await
            .expect(201);
        assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
        assert_eq!(again.data()["transactionId"], first.data()["transactionId"]);
        assert_eq!(app.balance("u1").await, "100.00");
        let r = app
            .call(
                Method::POST,
                path,
                Some(&admin),
                Some(json!({"amount": 101, "reference": "top-up"})),
                &[("idempotency-key", "k-1")],
            )
            .await
            .expect(422);
        assert!(r.message().contains("different request"));
        // the same key on another resource is another request
        app.call(
            Method::POST,
            "/api/v1/platform-admin/wallets/u2/credit",
            Some(&admin),
            Some(body.clone()),
            &[("idempotency-key", "k-1")],
        )
        .await
        .expect(422);
        // another caller's key space is separate
        app.call(
            Method::POST,
            path,
            Some(&other_admin),
            Some(body.clone()),
            &[("idempotency-key", "k-1")],
        )
        .await
        .expect(201);
        assert_eq!(app.balance("u1").await, "200.00");
        app.call(
            Method::POST,
            path,
            Some(&admin),
            Some(body.clone()),
            &[("idempotency-key", "bad key")],
        )
        .await
        .expect(400);
    }
}

#[actix_web::test]
async fn concurrent_duplicates_apply_once() {
    for app in TestApp::all().await {
        let admin = app.token("admin", &["platform-admin"]);
        let body = json!({"amount": 10, "reference": "burst"});
        let calls = (0..20).map(|_| {
            app.call(
                Method::POST,
                "/api/v1/platform-admin/wallets/burst/credit",
                Some(&admin),
                Some(body.clone()),
                &[("idempotency-key", "same")],
            )
        });
        let replies = futures_util::future::join_all(calls).await;
        for r in &replies {
            assert!(matches!(r.status.as_u16(), 201 | 409), "{}", r.body);
            if r.status.as_u16() == 409 {
                assert_problem(r);
            }
        }
        assert_eq!(
            app.balance("burst").await,
            "10.00",
            "backend {}",
            app.backend
        );
    }
}

#[actix_web::test]
async fn health_readiness_and_docs() {
    for app in TestApp::all().await {
        app.get("/healthz", None).await.expect(200);
        assert_eq!(
            app.get("/readyz", None).await.expect(200).data()["status"],
            "ready"
        );
        let r = app.get("/openapi.json", None).await;
        assert_eq!(r.status, 200);
        assert!(r.body["paths"]["/api/v1/shops"].is_object());
        assert!(r.body["webhooks"]["group.completed"]["post"].is_object());
        let res = app
            .client
            .get(app.url("/docs/"))
            .send()
            .await
            .expect("docs");
        assert_eq!(res.status(), 200);
        assert!(
            res.text().await.expect("html").contains("swagger"),
            "docs page renders offline"
        );
    }
}

#[actix_web::test]
async fn prometheus_metrics_count_requests_by_route() {
    for app in TestApp::all().await {
        app.get("/healthz", None).await.expect(200);
        app.get(
            "/api/v1/products/00000000-0000-0000-0000-000000000000",
            None,
        )
        .await
        .expect(404);
        let res = app
            .client
            .get(app.url("/metrics"))
            .bearer_auth(crate::helpers::METRICS_TOKEN)
            .send()
            .await
            .expect("metrics");
        assert_eq!(res.status(), 200);
        let text = res.text().await.expect("text");
        assert!(text.contains("groupbuy_http_requests_total"), "{text}");
        assert!(
            text.contains(r#"endpoint="/api/v1/products/{productId}""#),
            "route patterns, not raw ids: {text}"
        );
    }
}

/// `/metrics` as its bearer reads it.
pub(crate) async fn metrics_text(app: &TestApp) -> String {
    let res = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(crate::helpers::METRICS_TOKEN)
        .send()
        .await
        .expect("metrics");
    assert_eq!(res.status(), 200);
    res.text().await.expect("text")
}

/// The series of the request metrics: each sample line without its value.
fn request_series(text: &str) -> std::collections::BTreeSet<String> {
    text.lines()
        .filter(|l| l.starts_with("groupbuy_http_requests"))
        .filter_map(|l| l.rsplit_once(' ').map(|(series, _)| series.to_owned()))
        .collect()
}

/// Issue 17, item 2: a series per method word or path the client made up was memory held
/// forever (20,000 requests grew `/metrics` to 42 MB). Labels come from closed sets.
#[actix_web::test]
async fn odd_methods_and_paths_add_no_metric_series() {
    let apps = TestApp::all().await;
    let app = apps.first().expect("an app");
    let odd = |i: usize| {
        let method = Method::from_bytes(format!("M{i}").as_bytes()).expect("method token");
        (
            method,
            format!("/healthz/x{i}"),
            format!("/api/v1/products/p{i}"),
        )
    };
    // Every kind of request once, so each closed-set series exists.
    let warm_up = |i| async move {
        let (method, path, product) = odd(i);
        for (m, p) in [
            (method.clone(), "/healthz".to_owned()),
            (method, path.clone()),
            (Method::GET, path),
            (Method::GET, product),
        ] {
            app.client
                .request(m, app.url(&p))
                .send()
                .await
                .expect("sent");
        }
    };
    warm_up(0).await;
    metrics_text(app).await; // its own series too
    let before = request_series(&metrics_text(app).await);
    for i in 1..=1000 {
        warm_up(i).await;
    }
    let after = request_series(&metrics_text(app).await);
    assert_eq!(after, before, "no new series");
    assert!(
        before.iter().any(|s| s.contains(r#"method="OTHER""#)),
        "{before:?}"
    );
    assert!(
        before.iter().any(|s| s.contains(r#"endpoint="UNMATCHED""#)),
        "{before:?}"
    );
    assert!(
        !before.iter().any(|s| s.contains("M0") || s.contains("x0")),
        "{before:?}"
    );
}

/// The value of the unlabelled sample `name` in a metrics text.
pub(crate) fn sample(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("{name} missing: {text}"))
}

#[actix_web::test]
async fn the_pools_are_visible_to_operators() {
    for app in TestApp::all().await {
        let before = metrics_text(&app).await;
        let checkouts = sample(&before, "groupbuy_db_pool_checkouts_total");
        let max = sample(&before, "groupbuy_db_pool_max_connections");
        assert!(max >= 1.0, "{}", app.backend);
        let open = sample(&before, "groupbuy_db_pool_connections");
        let (in_use, idle) = (
            sample(&before, "groupbuy_db_pool_in_use"),
            sample(&before, "groupbuy_db_pool_idle"),
        );
        assert!((in_use + idle - open).abs() < f64::EPSILON && open <= max);
        for name in [
            "groupbuy_db_pool_waits_total",
            "groupbuy_db_pool_wait_seconds_total",
            "groupbuy_db_pool_timeouts_total",
            "groupbuy_db_writer_waits_total",
            "groupbuy_blocking_calls_in_flight",
        ] {
            assert!(sample(&before, name) >= 0.0, "{name}");
        }
        // Reads check connections out: the counter moves with them.
        let t = app.token("u1", &[]);
        for _ in 0..3 {
            app.get("/api/v1/wallet", Some(&t)).await.expect(200);
        }
        let after = metrics_text(&app).await;
        assert!(
            sample(&after, "groupbuy_db_pool_checkouts_total") >= checkouts + 3.0,
            "{}: {after}",
            app.backend
        );
    }
}

/// Every `groupbuy_*` metric the operators' dashboard (docs/ops/grafana-dashboard.json)
/// queries is one `/metrics` serves, once each has something to count: a read, a write and
/// a webhook delivery.
#[actix_web::test]
async fn every_metric_the_dashboard_queries_is_served() {
    let dashboard = include_str!("../../docs/ops/grafana-dashboard.json");
    let doc: serde_json::Value = serde_json::from_str(dashboard).expect("dashboard JSON");
    let mut wanted = std::collections::BTreeSet::new();
    for panel in doc["panels"].as_array().expect("panels") {
        for target in panel["targets"].as_array().expect("targets") {
            let expr = target["expr"].as_str().expect("expr");
            for (i, _) in expr.match_indices("groupbuy_") {
                let name: String = expr[i..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                wanted.insert(name);
            }
        }
    }
    assert!(wanted.len() >= 10, "{wanted:?}");
    for app in crate::webhook::fast_apps().await {
        let rx = crate::webhook::Receiver::start(&[200]).await;
        let (id, _) = crate::webhook::endpoint(&app, "m1", &rx.url, json!(["*"])).await;
        let m1 = app.token("m1", &["merchant"]);
        let test = format!("/webhooks/endpoints/{id}/test");
        app.call(Method::POST, &test, Some(&m1), None, &[])
            .await
            .expect(202);
        rx.wait_for(1).await;
        let t = app.token("u1", &[]);
        app.get(
            &format!("/api/v1/group-purchases/{}", uuid::Uuid::nil()),
            Some(&t),
        )
        .await
        .expect(404);
        // The delivery's outcome is counted once its attempt is recorded, just after the
        // receiver answered: wait for it (bounded).
        let mut text = metrics_text(&app).await;
        for _ in 0..50 {
            if text.contains("groupbuy_webhook_deliveries_total{") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            text = metrics_text(&app).await;
        }
        for name in &wanted {
            // SQLite's writer has no counterpart on PostgreSQL (its panel shows nothing there).
            let served = text.lines().any(|l| l.starts_with(name.as_str()));
            let sqlite_only = name.starts_with("groupbuy_sqlite_");
            assert!(
                served != (sqlite_only && app.backend != "sqlite"),
                "{}: {name} is queried by the dashboard but not served (or served on the wrong backend)",
                app.backend
            );
        }
    }
}
