//! Idempotency-Key for callers without a valid token: never scoped by address, and a
//! refused authentication is never stored as a key's answer.

use crate::helpers::TestApp;
use reqwest::Method;
use serde_json::json;

#[actix_web::test]
async fn two_anonymous_visitors_behind_one_address_never_share_a_key() {
    for app in TestApp::all().await {
        let report = |summary: &str| json!({"summary": summary, "details": "It broke"});
        let first = app
            .call(
                Method::POST,
                "/v2/support/report",
                None,
                Some(report("first visitor")),
                &[("idempotency-key", "shared-key")],
            )
            .await
            .expect(201);
        // Another visitor, same address (every test client is 127.0.0.1), same key.
        let other = reqwest::Client::new();
        let second = other
            .post(app.url("/v2/support/report"))
            .header("idempotency-key", "shared-key")
            .json(&report("second visitor"))
            .send()
            .await
            .expect("sent");
        assert_eq!(second.status(), 201);
        assert!(second.headers().get("idempotent-replayed").is_none());
        let second: serde_json::Value = second.json().await.expect("json");
        assert_ne!(second["data"]["reportId"], first.data()["reportId"]);
        assert_eq!(second["data"]["summary"], "second visitor");
    }
}

#[actix_web::test]
async fn a_refused_token_is_never_the_answer_a_key_replays() {
    for app in TestApp::all().await {
        let shop = |name: &str| json!({"shopName": name});
        for (token, body) in [
            ("forged.token.here", shop("a")),
            ("another.forged", shop("b")),
        ] {
            app.call(
                Method::POST,
                "/api/v1/shops",
                Some(token),
                Some(body),
                &[("idempotency-key", "after-401")],
            )
            .await
            .expect(401);
        }
        let merchant = app.token("m-401", &["merchant"]);
        let created = app
            .call(
                Method::POST,
                "/api/v1/shops",
                Some(&merchant),
                Some(shop("c")),
                &[("idempotency-key", "after-401")],
            )
            .await
            .expect(201);
        assert!(created.header("idempotent-replayed").is_none());
    }
}
