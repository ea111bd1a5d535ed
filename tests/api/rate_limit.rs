//! Rate limits as a client sees them: headers on every answer, 429 problem JSON with
//! Retry-After beyond a limit, per caller, and a daily quota shared by instances.

use crate::helpers::{Reply, TestApp};
use groupbuy_api::platform::rate_limit::RateLimitConfig;
use groupbuy_domain::platform::RateQuota;
use serde_json::json;
use time::Duration;

fn quota(limit: u32, window: Duration) -> Option<RateQuota> {
    RateQuota::new(limit, window)
}

#[track_caller]
fn assert_limited(r: &Reply, policy: &str, limit: u32, remaining: u32) {
    assert_eq!(
        r.header("x-ratelimit-limit"),
        Some(limit.to_string()),
        "{r:?}"
    );
    assert_eq!(
        r.header("x-ratelimit-remaining"),
        Some(remaining.to_string()),
        "{r:?}"
    );
    let reset: i64 = r
        .header("x-ratelimit-reset")
        .expect("reset")
        .parse()
        .expect("unix seconds");
    assert!(reset >= time::OffsetDateTime::now_utc().unix_timestamp() - 1);
    let policy_header = r.header("ratelimit-policy").expect("RateLimit-Policy");
    assert!(
        policy_header.contains(&format!("\"{policy}\";q={limit};w=")),
        "{policy_header}"
    );
    let current = r.header("ratelimit").expect("RateLimit");
    assert!(
        current.contains(&format!("\"{policy}\";r={remaining};t=")),
        "{current}"
    );
}

#[actix_web::test]
async fn every_answer_carries_the_headers_and_a_caller_beyond_the_limit_gets_429() {
    // A window of an hour: no allowance comes back while the test runs.
    let config = RateLimitConfig {
        reads: quota(3, Duration::HOUR),
        ..RateLimitConfig::disabled()
    };
    for app in TestApp::all_limited(config).await {
        let alice = app.token("alice", &[]);
        let r = app.get("/api/v1/wallet", Some(&alice)).await.expect(200);
        assert_limited(&r, "reads", 3, 2);
        let r = app
            .get("/api/v1/no-such-route", Some(&alice))
            .await
            .expect(404);
        assert_limited(&r, "reads", 3, 1);
        // no token: counted by client address, not as alice
        let r = app.get("/api/v1/wallet", None).await.expect(401);
        assert_limited(&r, "reads", 3, 2);
        app.get("/api/v1/wallet", Some(&alice)).await.expect(200);
        let r = app.get("/api/v1/wallet", Some(&alice)).await.expect(429);
        assert_limited(&r, "reads", 3, 0);
        let retry: i64 = r
            .header("retry-after")
            .expect("Retry-After")
            .parse()
            .expect("seconds");
        assert!((1..=3600).contains(&retry), "{retry}");
        assert_eq!(r.body["type"], "https://groupbuy.dev/problems/rate-limited");
        assert!(r.message().contains("reads"), "{}", r.message());
        // another caller is unaffected
        let bob = app.token("bob", &[]);
        let r = app.get("/api/v1/wallet", Some(&bob)).await.expect(200);
        assert_limited(&r, "reads", 3, 2);
        // platform routes are never limited
        for _ in 0..5 {
            let r = app.get("/healthz", None).await;
            assert_eq!(r.status.as_u16(), 200);
            assert!(r.header("x-ratelimit-limit").is_none());
        }
        // writes are not limited in this configuration: no headers
        let r = app
            .post(
                "/v2/support/report",
                None,
                json!({"summary": "s", "details": "d"}),
            )
            .await
            .expect(201);
        assert!(r.header("ratelimit").is_none(), "{r:?}");
    }
}

#[actix_web::test]
async fn the_daily_write_quota_is_shared_by_two_instances_on_one_database() {
    let config = RateLimitConfig {
        daily_writes: quota(3, Duration::DAY),
        ..RateLimitConfig::disabled()
    };
    for app in TestApp::all_limited(config).await {
        let other = app.sibling().await;
        let m1 = app.token("m1", &["merchant"]);
        let shop = |n: usize| json!({"shopName": format!("shop {n}")});
        for (n, instance) in [&app, &other, &app].into_iter().enumerate() {
            let r = instance
                .post("/api/v1/shops", Some(&m1), shop(n))
                .await
                .expect(201);
            assert_limited(&r, "daily-writes", 3, 2 - n as u32);
        }
        let r = other
            .post("/api/v1/shops", Some(&m1), shop(9))
            .await
            .expect(429);
        assert_limited(&r, "daily-writes", 3, 0);
        assert!(r.header("retry-after").is_some());
        assert!(r.header("ratelimit-policy").unwrap().contains("w=86400"));
        // reads are not writes; another merchant has a quota of its own
        app.get("/api/v1/wallet", Some(&m1)).await.expect(200);
        let m2 = app.token("m2", &["merchant"]);
        other
            .post("/api/v1/shops", Some(&m2), shop(1))
            .await
            .expect(201);
    }
}

#[actix_web::test]
async fn a_refused_page_request_is_a_page_in_words_and_the_api_keeps_its_problem() {
    let config = RateLimitConfig {
        reads: quota(1, Duration::HOUR),
        ..RateLimitConfig::disabled()
    };
    for app in TestApp::all_limited(config).await {
        let browser = app.anonymous_browser();
        browser.get("/").await.expect_page(200);
        let refused = browser.get("/g/GP-NOPE12").await.expect_page(429);
        assert!(refused.header("retry-after").is_some(), "Retry-After");
        assert!(refused.html().contains("<h1>Too many requests</h1>"));
        assert!(refused
            .html()
            .contains("nothing you sent just now was done"));
        assert!(refused.html().starts_with("<!DOCTYPE html>"));
        // The API's answer to the same caller stays problem JSON.
        let api = app.get("/api/v1/shops", None).await.expect(429);
        assert_eq!(
            api.body["type"],
            "https://groupbuy.dev/problems/rate-limited"
        );
    }
}
