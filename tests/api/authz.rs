//! Authorization loose ends (issue 7, defect 6): the merchant role on every merchant
//! action, token `nbf`, `sub` and lifetime, and `/metrics` behind its own token.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::{assert_problem, TestApp, METRICS_TOKEN, SECRET};
use serde_json::{json, Value};

fn closes_at() -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::days(7);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A token signed with the test secret carrying exactly `claims`.
fn signed(claims: Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap()
}

fn claims(sub: &str, exp: i64) -> Value {
    json!({"sub": sub, "scope": "groupbuy:read groupbuy:write", "exp": exp, "iat": now()})
}

#[actix_web::test]
async fn every_merchant_action_needs_the_merchant_role() {
    for app in TestApp::all().await {
        let merchant = app.token("m1", &["merchant"]);
        let demoted = app.token("m1", &[]);
        let admin = app.token("admin", &["platform-admin"]);
        let product = app.product("m1", json!({})).await;
        let shop = product["shopId"].as_str().unwrap();
        let pid = product["productId"].as_str().unwrap();
        let product_body = json!({"productName": "Lamp", "regularPrice": 100, "groupPrice": 80,
            "stockQuantity": 10, "groupBuyingEnabled": true, "groupMaxSize": 5,
            "groupTimeLimitHours": 24});
        app.post(
            "/v2/handles",
            Some(&merchant),
            json!({"handle": "gharart", "displayName": "Gharart"}),
        )
        .await
        .expect(201);
        let gb = |slug: &str| {
            json!({"slug": slug, "title": "Teak lamps", "unitPrice": 45000,
                   "thresholds": {"minParticipants": 1}, "closesAt": closes_at()})
        };
        app.post(
            "/v2/handles/gharart/group-buys",
            Some(&merchant),
            gb("lamps"),
        )
        .await
        .expect(201);

        // the owner without the role: every merchant action is 403 naming the role
        let refusals = [
            app.post(
                &format!("/api/v1/shops/{shop}/products"),
                Some(&demoted),
                product_body.clone(),
            )
            .await,
            app.patch(
                &format!("/api/v1/products/{pid}"),
                Some(&demoted),
                json!({"productName": "Renamed"}),
            )
            .await,
            app.post(
                "/v2/handles/gharart/group-buys",
                Some(&demoted),
                gb("other"),
            )
            .await,
            app.post(
                "/v2/handles/gharart/group-buys/lamps/publish",
                Some(&demoted),
                json!({}),
            )
            .await,
            app.post(
                "/v2/handles/gharart/group-buys/lamps/pause",
                Some(&demoted),
                json!({}),
            )
            .await,
            app.post(
                "/v2/handles/gharart/group-buys/lamps/close",
                Some(&demoted),
                json!({}),
            )
            .await,
        ];
        for r in refusals {
            let r = r.expect(403);
            assert_eq!(r.message(), "Missing required role: merchant");
        }
        // nothing changed
        let p = app
            .get(&format!("/api/v1/products/{pid}"), None)
            .await
            .expect(200);
        assert_eq!(p.data()["productName"], product["productName"]);

        // a platform admin keeps access without the merchant role
        app.patch(
            &format!("/api/v1/products/{pid}"),
            Some(&admin),
            json!({"productName": "By the admin"}),
        )
        .await
        .expect(200);
        app.post(
            "/v2/handles/gharart/group-buys/lamps/publish",
            Some(&admin),
            json!({}),
        )
        .await
        .expect(200);
        // and the merchant with the role carries on
        app.post(
            "/v2/handles/gharart/group-buys/lamps/pause",
            Some(&merchant),
            json!({}),
        )
        .await
        .expect(200);
        app.post(
            &format!("/api/v1/shops/{shop}/products"),
            Some(&merchant),
            product_body,
        )
        .await
        .expect(201);
    }
}

#[actix_web::test]
async fn tokens_need_a_subject_a_started_validity_and_a_bounded_lifetime() {
    for app in TestApp::all().await {
        let a = &app;
        let ok = move |t: String| async move { a.get("/api/v1/wallet", Some(&t)).await };
        ok(signed(claims("alice", now() + 600))).await.expect(200);
        // nbf
        let mut c = claims("alice", now() + 600);
        c["nbf"] = json!(now() + 300);
        ok(signed(c)).await.expect(401);
        let mut c = claims("alice", now() + 600);
        c["nbf"] = json!(now() - 60);
        ok(signed(c)).await.expect(200);
        // sub
        for sub in ["", " ", "\t"] {
            let r = ok(signed(claims(sub, now() + 600))).await.expect(401);
            assert_eq!(r.message(), "User not authenticated");
        }
        // lifetime: 24 hours by default
        ok(signed(claims("alice", now() + 23 * 3600)))
            .await
            .expect(200);
        ok(signed(claims("alice", now() + 25 * 3600)))
            .await
            .expect(401);
        ok(signed(claims("alice", 4_000_000_000))).await.expect(401);
    }
    for app in TestApp::all_configured(|c| c.jwt_max_ttl_seconds = 3600).await {
        let a = &app;
        let call = move |t: String| async move { a.get("/api/v1/wallet", Some(&t)).await };
        call(signed(claims("alice", now() + 1800)))
            .await
            .expect(200);
        call(signed(claims("alice", now() + 7200)))
            .await
            .expect(401);
    }
}

#[actix_web::test]
async fn metrics_need_their_token_and_are_absent_without_one() {
    for app in TestApp::all().await {
        app.get("/healthz", None).await.expect(200);
        let get = |token: Option<&'static str>| {
            let mut req = app.client.get(app.url("/metrics"));
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            req.send()
        };
        assert_eq!(get(None).await.unwrap().status(), 401);
        assert_eq!(get(Some("wrong")).await.unwrap().status(), 401);
        // a user's token is not the metrics token
        let user = app.token("alice", &["platform-admin"]);
        let res = app
            .client
            .get(app.url("/metrics"))
            .bearer_auth(user)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        let res = get(Some(METRICS_TOKEN)).await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("groupbuy_http_requests_total"));
    }
    for app in TestApp::all_configured(|c| c.metrics_token = None).await {
        for token in [None, Some(METRICS_TOKEN)] {
            let r = app
                .call(reqwest::Method::GET, "/metrics", token, None, &[])
                .await
                .expect(404);
            assert_problem(&r);
            assert_eq!(r.message(), "No route for GET /metrics");
        }
    }
}
