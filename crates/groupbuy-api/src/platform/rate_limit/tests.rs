//! Rate-limit decisions, classes and headers.
use super::*;
use groupbuy_domain::platform::MockRateLimitStore;
use time::macros::datetime;

fn q(limit: u32, secs: i64) -> RateQuota {
    RateQuota::new(limit, Duration::seconds(secs)).expect("quota")
}

#[test]
fn routes_fall_into_classes_and_platform_routes_are_exempt() {
    let c = |m: Method, p: &str| classify(&m, p);
    for p in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/openapi.json",
        "/docs",
        "/docs/index.html",
    ] {
        assert_eq!(c(Method::GET, p), None, "{p}");
    }
    assert_eq!(c(Method::GET, "/api/v1/wallet"), Some(RateClass::Reads));
    assert_eq!(
        c(Method::HEAD, "/v2/public/group-buys/h"),
        Some(RateClass::Reads)
    );
    assert_eq!(c(Method::POST, "/api/v1/shops"), Some(RateClass::Writes));
    assert_eq!(
        c(Method::PATCH, "/api/v1/groups/x/name"),
        Some(RateClass::Writes)
    );
    let interest = "/v2/public/group-buys/h/s/my-interest";
    assert_eq!(c(Method::PUT, interest), Some(RateClass::Interest));
    assert_eq!(c(Method::DELETE, interest), Some(RateClass::Interest));
    assert_eq!(c(Method::GET, interest), Some(RateClass::Reads));
    let form = "/c/h/s/interest";
    assert_eq!(c(Method::POST, form), Some(RateClass::Interest));
    assert_eq!(c(Method::GET, "/c/h/s"), Some(RateClass::Reads));
    assert_eq!(
        c(Method::POST, "/v2/support/report"),
        Some(RateClass::Support)
    );
}

#[test]
fn settings_are_read_with_defaults_and_can_be_switched_off() {
    let none = |_: &str| None;
    assert_eq!(
        RateLimitConfig::from_lookup(none).expect("defaults"),
        RateLimitConfig::default()
    );
    let c = RateLimitConfig::from_lookup(|n| match n {
        "GROUPBUY_RATE_LIMIT_READS" => Some("10/1m".into()),
        "GROUPBUY_RATE_LIMIT_WRITES" => Some("off".into()),
        "GROUPBUY_DAILY_WRITE_QUOTA" => Some("50".into()),
        _ => None,
    })
    .expect("read");
    assert_eq!(c.reads, Some(q(10, 60)));
    assert_eq!(c.writes, None);
    assert_eq!(c.daily_writes, Some(q(50, 86_400)));
    assert_eq!(c.support, RateLimitConfig::default().support);
    let off =
        RateLimitConfig::from_lookup(|n| (n == "GROUPBUY_RATE_LIMITS").then(|| "off".to_owned()))
            .expect("off");
    assert_eq!(off, RateLimitConfig::disabled());
    let bad = RateLimitConfig::from_lookup(|n| {
        (n == "GROUPBUY_RATE_LIMIT_INTEREST").then(|| "lots".to_owned())
    })
    .expect_err("bad");
    assert!(bad.contains("GROUPBUY_RATE_LIMIT_INTEREST"), "{bad}");
    let bad = RateLimitConfig::from_lookup(|n| {
        (n == "GROUPBUY_DAILY_WRITE_QUOTA").then(|| "-3".to_owned())
    })
    .expect_err("bad");
    assert!(bad.contains("GROUPBUY_DAILY_WRITE_QUOTA"), "{bad}");
}

#[test]
fn headers_follow_the_ietf_draft_and_name_the_binding_policy() {
    let now = datetime!(2026-11-23 12:00:00 UTC);
    let writes = Verdict {
        policy: "writes",
        quota: q(600, 60),
        decision: RateDecision {
            limit: 600,
            remaining: 599,
            reset_at: now + Duration::milliseconds(100),
            allowed: true,
        },
    };
    let daily = Verdict {
        policy: DAILY_WRITES,
        quota: q(10, 86_400),
        decision: RateDecision {
            limit: 10,
            remaining: 3,
            reset_at: now + Duration::hours(12),
            allowed: true,
        },
    };
    let h: std::collections::HashMap<_, _> = headers(&[writes, daily], now)
        .into_iter()
        .map(|(k, v)| (k.as_str().to_owned(), v))
        .collect();
    assert_eq!(h["x-ratelimit-limit"], "10");
    assert_eq!(h["x-ratelimit-remaining"], "3");
    assert_eq!(
        h["x-ratelimit-reset"],
        (now + Duration::hours(12)).unix_timestamp().to_string()
    );
    assert_eq!(
        h["ratelimit-policy"],
        "\"writes\";q=600;w=60, \"daily-writes\";q=10;w=86400"
    );
    assert_eq!(
        h["ratelimit"],
        "\"writes\";r=599;t=1, \"daily-writes\";r=3;t=43200"
    );
    assert!(!h.contains_key("retry-after"));
    assert!(headers(&[], now).is_empty());
}

#[actix_web::test]
async fn a_burst_beyond_the_limit_is_refused_for_that_caller_only() {
    let config = RateLimitConfig {
        reads: Some(q(2, 3600)),
        ..RateLimitConfig::disabled()
    };
    let limiter = RateLimiter::new(config);
    let store: Arc<dyn RateLimitStore> = Arc::new(MockRateLimitStore::new());
    let now = datetime!(2026-11-23 12:00:00 UTC);
    let mut seen = Vec::new();
    for _ in 0..3 {
        let v = limiter
            .check(&store, RateClass::Reads, "user:a", now)
            .await
            .expect("check");
        seen.push((v[0].decision.allowed, v[0].decision.remaining));
    }
    assert_eq!(seen, vec![(true, 1), (true, 0), (false, 0)]);
    let v = limiter
        .check(&store, RateClass::Reads, "user:a", now)
        .await
        .expect("check");
    let err = refusal(&v, now).expect("refused");
    assert_eq!(err.to_string().split(' ').next(), Some("429"));
    // the allowance comes back after window / limit = 30 minutes
    let retry = v[0].decision.retry_after(now);
    assert!((1..=1800).contains(&retry), "{retry}");
    let other = limiter
        .check(&store, RateClass::Reads, "user:b", now)
        .await
        .expect("check");
    assert!(other[0].decision.allowed);
    // writes are not limited in this configuration: no verdict, no headers
    let w = limiter
        .check(&store, RateClass::Writes, "user:a", now)
        .await
        .expect("check");
    assert!(w.is_empty());
}

#[actix_web::test]
async fn shared_quotas_are_not_counted_after_a_refusal() {
    let mut store = MockRateLimitStore::new();
    store
        .expect_hit()
        .times(1)
        .returning(|_, quota, now| Ok(quota.decide(1, quota.window_at(now))));
    let config = RateLimitConfig {
        writes: Some(q(1, 3600)),
        daily_writes: Some(q(100, 86_400)),
        ..RateLimitConfig::disabled()
    };
    let limiter = RateLimiter::new(config);
    let store: Arc<dyn RateLimitStore> = Arc::new(store);
    let now = datetime!(2026-11-23 12:00:00 UTC);
    let first = limiter
        .check(&store, RateClass::Writes, "ip:1", now)
        .await
        .expect("check");
    assert_eq!(
        first.iter().map(|v| v.policy).collect::<Vec<_>>(),
        vec!["writes", DAILY_WRITES]
    );
    // refused by the burst limit: the daily quota is not touched (times(1) above)
    let second = limiter
        .check(&store, RateClass::Writes, "ip:1", now)
        .await
        .expect("check");
    assert_eq!(second.len(), 1);
    assert!(!second[0].decision.allowed);
}

#[test]
fn anonymous_callers_count_by_ipv4_address_or_ipv6_64() {
    let key = |a: &str| address_key(a.parse().expect("address"));
    assert_eq!(key("192.0.2.7"), "ip:192.0.2.7");
    assert_eq!(key("::ffff:192.0.2.7"), "ip:192.0.2.7");
    assert_eq!(key("2001:db8:1:2:aaaa::1"), "ip:2001:db8:1:2::/64");
    assert_eq!(
        key("2001:db8:1:2:ffff:ffff:ffff:ffff"),
        key("2001:db8:1:2::")
    );
    assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
    assert_eq!(key("::1"), "ip:::/64");
}
