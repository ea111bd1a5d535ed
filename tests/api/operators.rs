//! What operators see on `/metrics` of the work behind the requests: each background job's
//! queue, the join batches, and the webhook outbox per endpoint.

use crate::group_purchase::buy_as;
use crate::helpers::{TestApp, SECRET};
use crate::platform::metrics_text;
use crate::webhook::{endpoint, Receiver};
use actix_web::web;
use groupbuy_api::jobs::webhook_delivery::{DeliverySettings, OTHER_ENDPOINTS};
use groupbuy_api::jobs::JobMetrics;
use groupbuy_api::platform::auth::JwtKeys;
use groupbuy_api::AppState;
use groupbuy_domain::webhook::RetrySchedule;
use groupbuy_domain::Clock;
use prometheus::{Encoder, Registry, TextEncoder};
use reqwest::Method;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A clock standing still at a chosen instant.
struct Fixed(OffsetDateTime);

impl Clock for Fixed {
    fn now(&self) -> OffsetDateTime {
        self.0
    }
}

fn encode(registry: &Registry) -> String {
    let mut out = Vec::new();
    TextEncoder::new()
        .encode(&registry.gather(), &mut out)
        .expect("encode");
    String::from_utf8(out).expect("utf-8")
}

/// The value of the sample `series` (name and labels as printed), if served.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

/// An OPEN group past its expiry is counted by the expiry job's pass that finds it, aged
/// from its expiry by the injected clock; after that pass failed it, the next finds none.
/// The app itself serves every draining job's queue from its first pass.
#[actix_web::test]
async fn a_job_counts_its_due_items_then_drains_them() {
    // The app's own sweep passes once at start and then not for an hour: the passes under
    // test are this test's, on the same database, with a clock it moves.
    for app in TestApp::all_with(Duration::from_secs(3600)).await {
        let text = metrics_text(&app).await;
        for job in [
            "group-expiry",
            "preorder-expiry",
            "procurement-expiry",
            "procurement-jobs",
            "housekeeping",
            "webhook-delivery",
        ] {
            let labels = format!("{{job=\"{job}\"}}");
            for name in [
                "groupbuy_job_queue_depth",
                "groupbuy_job_oldest_item_age_seconds",
            ] {
                assert!(
                    sample(&text, &format!("{name}{labels}")).is_some(),
                    "{}: {name}{labels} served",
                    app.backend
                );
            }
        }
        let p = app.product("m1", json!({"groupTimeLimitHours": 1})).await;
        let pid = p["productId"].as_str().expect("id");
        app.credit("a", 500_000.0).await;
        let ta = app.token("a", &[]);
        let paid = buy_as(&app, &ta, pid, 1, None).await.expect(200);
        let g = paid.data()["groupInstanceId"].as_str().expect("group");
        let detail = app
            .get(&format!("/api/v1/group-purchases/{g}"), Some(&ta))
            .await
            .expect(200);
        let expires = detail.data()["expiresAt"].as_str().expect("expiresAt");
        let expires = OffsetDateTime::parse(expires, &Rfc3339).expect("RFC 3339");

        let db = app.db.db.clone();
        let later = expires + time::Duration::seconds(90);
        let state = web::Data::new(AppState::from_database(
            db.clone(),
            Arc::new(Fixed(later)),
            JwtKeys::new(SECRET, None, None),
        ));
        let registry = Registry::new();
        let metrics = JobMetrics::register(&registry, Arc::new(db)).expect("metrics");
        let jobs = groupbuy_api::jobs::registry(
            Duration::from_secs(3600),
            DeliverySettings::default(),
            None,
        )
        .with_metrics(metrics);
        let depth = "groupbuy_job_queue_depth{job=\"group-expiry\"}";
        let age = "groupbuy_job_oldest_item_age_seconds{job=\"group-expiry\"}";
        assert_eq!(
            sample(&encode(&registry), depth),
            Some(0.0),
            "before any pass"
        );

        assert!(jobs.run_once("group-expiry", &state).await);
        let text = encode(&registry);
        assert_eq!(sample(&text, depth), Some(1.0), "{}", app.backend);
        // 90 s after the expiry as shown, which drops the stored time's fraction of a second.
        let aged = sample(&text, age).expect("age");
        assert!(aged > 89.0 && aged <= 90.0, "{}: {aged}", app.backend);

        assert!(jobs.run_once("group-expiry", &state).await);
        let text = encode(&registry);
        assert_eq!(sample(&text, depth), Some(0.0), "{}: drained", app.backend);
        assert_eq!(sample(&text, age), Some(0.0), "{}", app.backend);
        assert!(
            sample(
                &text,
                "groupbuy_job_pass_seconds_count{job=\"group-expiry\"}"
            ) == Some(2.0),
            "both passes timed"
        );
        assert!(!jobs.run_once("no-such-job", &state).await);
    }
}

/// PostgreSQL: a join paid in a batch (here, of one) is counted in the batch-size
/// histogram; opening a group shares no batch and is not. SQLite pays through its writer,
/// which commits consecutive writes together: no join batch, and every COMMIT counted in
/// the commit-size histogram by the jobs it carried (the checkout and the payment here).
#[actix_web::test]
async fn a_join_batch_is_counted_by_its_size() {
    for app in TestApp::all().await {
        let p = app.product("m1", json!({})).await;
        let pid = p["productId"].as_str().expect("id");
        app.credit("a", 500_000.0).await;
        app.credit("b", 500_000.0).await;
        let (ta, tb) = (app.token("a", &[]), app.token("b", &[]));
        let opened = buy_as(&app, &ta, pid, 1, None).await.expect(200);
        let g = opened.data()["groupInstanceId"].as_str().expect("group");
        let before = metrics_text(&app).await;
        assert_eq!(sample(&before, "groupbuy_join_batch_size_count"), Some(0.0));
        let commits = "groupbuy_sqlite_commit_size_sum";
        let jobs_before = sample(&before, commits);
        buy_as(&app, &tb, pid, 1, Some(g)).await.expect(200);
        let text = metrics_text(&app).await;
        let batched = if app.backend == "sqlite" { 0.0 } else { 1.0 };
        assert_eq!(
            sample(&text, "groupbuy_join_batch_size_count"),
            Some(batched),
            "{}",
            app.backend
        );
        assert_eq!(sample(&text, "groupbuy_join_batch_size_sum"), Some(batched));
        assert_eq!(
            sample(&text, "groupbuy_join_batch_size_bucket{le=\"1\"}"),
            Some(batched)
        );
        match (app.backend, jobs_before, sample(&text, commits)) {
            ("sqlite", Some(before), Some(after)) => {
                assert!(
                    after - before >= 2.0,
                    "checkout and payment: {before} -> {after}"
                );
            }
            ("sqlite", before, after) => panic!("no commit sizes on SQLite: {before:?} {after:?}"),
            (_, before, after) => assert_eq!((before, after), (None, None), "SQLite only"),
        }
    }
}

/// An endpoint that keeps failing has its undelivered delivery counted, by its id, with
/// its age; one that answered has no series; the others' aggregate is always served.
#[actix_web::test]
async fn the_outbox_names_a_failing_endpoint_and_not_a_healthy_one() {
    let apps = TestApp::all_configured(|c| {
        c.webhooks = DeliverySettings {
            // The retry after a failure is a minute away: the delivery stays undelivered.
            schedule: RetrySchedule::parse("0,60").expect("schedule"),
            timeout: Duration::from_secs(2),
            poll: Duration::from_millis(50),
            allow_private: true,
            ..DeliverySettings::default()
        };
    })
    .await;
    for app in apps {
        let failing = Receiver::start(&[500]).await;
        let healthy = Receiver::start(&[200]).await;
        let (bad, _) = endpoint(&app, "m1", &failing.url, json!(["*"])).await;
        let (good, _) = endpoint(&app, "m2", &healthy.url, json!(["*"])).await;
        for (owner, id) in [("m1", &bad), ("m2", &good)] {
            let t = app.token(owner, &["merchant"]);
            let test = format!("/webhooks/endpoints/{id}/test");
            app.call(Method::POST, &test, Some(&t), None, &[])
                .await
                .expect(202);
        }
        failing.wait_for(1).await;
        healthy.wait_for(1).await;
        let pending = format!("groupbuy_webhook_outbox_pending{{endpoint=\"{bad}\"}}");
        // Measured after each delivery pass: wait for the pass that recorded the failure.
        let mut text = metrics_text(&app).await;
        for _ in 0..100 {
            if sample(&text, &pending) == Some(1.0) && !text.contains(good.as_str()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            text = metrics_text(&app).await;
        }
        assert_eq!(
            sample(&text, &pending),
            Some(1.0),
            "{}: {text}",
            app.backend
        );
        let lag = format!("groupbuy_webhook_outbox_lag_seconds{{endpoint=\"{bad}\"}}");
        assert!(sample(&text, &lag).is_some_and(|s| s >= 0.0), "{text}");
        assert!(
            !text.contains(good.as_str()),
            "a healthy endpoint has no series"
        );
        let others = format!("groupbuy_webhook_outbox_pending{{endpoint=\"{OTHER_ENDPOINTS}\"}}");
        assert_eq!(sample(&text, &others), Some(0.0));
        assert!(
            !text.contains(&failing.url),
            "endpoints are named by id, not URL"
        );
    }
}
