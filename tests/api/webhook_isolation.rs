//! Webhooks between tenants: one tenant's blocked backlog never delays another's delivery,
//! endpoints and queued tests are capped, an organisation's endpoint stays with the
//! organisation, and targets are checked on the very addresses the delivery connects to.

use crate::helpers::{assert_problem, TestApp};
use crate::webhook::{endpoint, fast_apps, Receiver};
use futures_util::FutureExt;
use groupbuy_api::jobs::webhook_delivery::{DeliverySettings, HostLookup};
use groupbuy_domain::webhook::{
    RetrySchedule, MAX_ENDPOINTS_PER_OWNER, MAX_QUEUED_TESTS_PER_ENDPOINT,
};
use serde_json::{json, Value};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A receiver that answers every delivery `503` with `Retry-After: 86400`: each subject it
/// has is blocked for a day.
async fn failing_for_a_day() -> Receiver {
    Receiver::answering(&[503], &[("retry-after", "86400")]).await
}

/// POSTs a test event to endpoint `id`.
async fn send_test(app: &TestApp, token: &str, id: &str) -> crate::helpers::Reply {
    app.post(
        &format!("/webhooks/endpoints/{id}/test"),
        Some(token),
        json!({}),
    )
    .await
}

/// Asserts a 409 problem of `kind`.
fn conflict(r: crate::helpers::Reply, kind: &str) {
    let r = r.expect(409);
    assert_problem(&r);
    assert_eq!(
        r.body["type"],
        format!("https://groupbuy.dev/problems/{kind}"),
        "{}",
        r.body
    );
}

#[actix_web::test]
async fn a_flood_of_blocked_tests_never_delays_another_tenants_delivery() {
    for app in fast_apps().await {
        let sink = failing_for_a_day().await;
        let flooder = app.token("flooder", &["merchant"]);
        // 16 endpoints x 10 queued tests: 144 blocked deliveries, more than the old
        // claim's look-ahead of 128 rows.
        for _ in 0..16 {
            let (id, _) = endpoint(&app, "flooder", &sink.url, json!(["*"])).await;
            for _ in 0..MAX_QUEUED_TESTS_PER_ENDPOINT {
                send_test(&app, &flooder, &id).await.expect(202);
            }
        }
        sink.wait_for(16).await;
        let rx = Receiver::start(&[200]).await;
        let (victim, _) = endpoint(&app, "victim", &rx.url, json!(["*"])).await;
        send_test(&app, &app.token("victim", &["merchant"]), &victim)
            .await
            .expect(202);
        // Its first attempt is due at once: it arrives within the receiver's bounded wait.
        let got = rx.wait_for(1).await;
        assert_eq!(got[0].json()["type"], "webhook.test", "{}", app.backend);
        assert_eq!(
            sink.received().len(),
            16,
            "each blocked subject was tried once"
        );
    }
}

#[actix_web::test]
async fn endpoints_and_queued_tests_are_capped_and_disabled_endpoints_refuse_tests() {
    for app in fast_apps().await {
        let sink = failing_for_a_day().await;
        let t = app.token("capped", &["merchant"]);
        let (id, _) = endpoint(&app, "capped", &sink.url, json!(["*"])).await;
        for _ in 0..MAX_QUEUED_TESTS_PER_ENDPOINT {
            send_test(&app, &t, &id).await.expect(202);
        }
        conflict(send_test(&app, &t, &id).await, "webhook-tests-queued");
        app.patch(
            &format!("/webhooks/endpoints/{id}"),
            Some(&t),
            json!({"disabled": true}),
        )
        .await
        .expect(200);
        conflict(send_test(&app, &t, &id).await, "webhook-endpoint-disabled");
        for _ in 1..MAX_ENDPOINTS_PER_OWNER {
            endpoint(&app, "capped", &sink.url, json!(["*"])).await;
        }
        let r = app
            .post(
                "/webhooks/endpoints",
                Some(&t),
                json!({"url": sink.url, "events": ["*"]}),
            )
            .await;
        conflict(r, "webhook-endpoint-limit");
        // Another owner is not affected.
        endpoint(&app, "uncapped", &sink.url, json!(["*"])).await;
    }
}

#[actix_web::test]
async fn an_organisations_endpoint_stays_with_it_when_its_creator_moves() {
    for app in TestApp::all().await {
        let rw = "groupbuy:read groupbuy:write";
        let carol_a = app.org_token("carol", "org_a", rw);
        let r = app
            .post(
                "/webhooks/endpoints",
                Some(&carol_a),
                json!({"url": "https://hooks.example.com/a", "events": ["*"]}),
            )
            .await
            .expect(201);
        let id = r.data()["id"].as_str().expect("id").to_owned();
        let path = format!("/webhooks/endpoints/{id}");
        let ids = |page: &Value| -> Vec<String> {
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .filter_map(|e| e["id"].as_str().map(str::to_owned))
                .collect()
        };
        // Another member of org_a manages it.
        let dave_a = app.org_token("dave", "org_a", rw);
        app.get(&path, Some(&dave_a)).await.expect(200);
        let listed = app
            .get("/webhooks/endpoints", Some(&dave_a))
            .await
            .expect(200);
        assert_eq!(ids(listed.data()), std::slice::from_ref(&id));
        // Carol, now acting for org_b or for no organisation, does not.
        for moved in [
            app.org_token("carol", "org_b", rw),
            app.token("carol", &["merchant"]),
        ] {
            app.get(&path, Some(&moved)).await.expect(404);
            app.patch(&path, Some(&moved), json!({"disabled": true}))
                .await
                .expect(404);
            send_test(&app, &moved, &id).await.expect(404);
            app.post(&format!("{path}/rotate-secret"), Some(&moved), json!({}))
                .await
                .expect(404);
            app.delete(&path, Some(&moved)).await.expect(404);
            let listed = app
                .get("/webhooks/endpoints", Some(&moved))
                .await
                .expect(200);
            assert!(ids(listed.data()).is_empty(), "{}", listed.body);
        }
        app.get(&path, Some(&carol_a)).await.expect(200);
    }
}

#[actix_web::test]
async fn loopback_spellings_are_refused_at_registration() {
    for app in TestApp::all().await {
        let t = app.token("m1", &["merchant"]);
        let (id, _) = endpoint(&app, "m1", "https://hooks.example.com/x", json!(["*"])).await;
        for url in [
            "http://2130706433/",
            "http://0x7f.1/",
            "http://017700000001/",
            "http://127.1/",
            "http://0/",
            "http://localhost./",
            "http://LOCALHOST:8080/",
            "http://[::127.0.0.1]/",
            "http://[::ffff:0:127.0.0.1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[64:ff9b::7f00:1]/",
            "http://[2002:7f00:1::1]/",
            "http://[fe80::1%25eth0]/",
            "http://240.0.0.1/",
            "http://0.1.2.3/",
        ] {
            let r = app
                .post(
                    "/webhooks/endpoints",
                    Some(&t),
                    json!({"url": url, "events": ["*"]}),
                )
                .await
                .expect(422);
            assert_eq!(r.body["errors"][0]["field"], "url", "{url}");
            app.patch(
                &format!("/webhooks/endpoints/{id}"),
                Some(&t),
                json!({"url": url}),
            )
            .await
            .expect(422);
        }
    }
}

/// A resolver we control: `hooks.example.com` is 127.0.0.1; counts its lookups.
fn rebinding_lookup(lookups: Arc<AtomicUsize>) -> HostLookup {
    HostLookup::new(move |host| {
        lookups.fetch_add(1, Ordering::SeqCst);
        async move {
            if host == "hooks.example.com" {
                Ok(vec![IpAddr::V4(Ipv4Addr::LOCALHOST)])
            } else {
                Err(std::io::Error::other(format!("unknown host {host}")))
            }
        }
        .boxed()
    })
}

/// The port of a receiver's `http://127.0.0.1:{port}/hook`.
fn port_of(url: &str) -> &str {
    url.rsplit(':')
        .next()
        .and_then(|p| p.split('/').next())
        .expect("port")
}

/// Apps delivering once (no retries) through `lookup`.
async fn apps_resolving_with(lookup: HostLookup, allow_private: bool) -> Vec<TestApp> {
    TestApp::all_configured(move |c| {
        c.webhooks = DeliverySettings {
            schedule: RetrySchedule::parse("0").expect("schedule"),
            timeout: Duration::from_secs(2),
            poll: Duration::from_millis(50),
            allow_private,
            lookup: lookup.clone(),
        };
    })
    .await
}

#[actix_web::test]
async fn a_name_resolving_to_loopback_is_refused_without_connecting() {
    let lookups = Arc::new(AtomicUsize::new(0));
    for app in apps_resolving_with(rebinding_lookup(lookups.clone()), false).await {
        lookups.store(0, Ordering::SeqCst);
        let rx = Receiver::start(&[200]).await;
        let port = port_of(&rx.url);
        // A public-looking name passes registration; its address is checked at delivery.
        let url = format!("http://hooks.example.com:{port}/hook");
        let (id, _) = endpoint(&app, "m1", &url, json!(["*"])).await;
        let t = app.token("m1", &["merchant"]);
        send_test(&app, &t, &id).await.expect(202);
        let mut page = Value::Null;
        for _ in 0..60 {
            page = app
                .get(&format!("/webhooks/endpoints/{id}/deliveries"), Some(&t))
                .await
                .expect(200)
                .data()
                .clone();
            if page["items"][0]["state"] == "EXHAUSTED" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let attempt = &page["items"][0]["attempts"][0];
        let error = attempt["error"].as_str().unwrap_or_default();
        assert!(error.contains("refused"), "{page}");
        assert!(attempt["status_code"].is_null(), "{page}");
        assert_eq!(
            lookups.load(Ordering::SeqCst),
            1,
            "resolved once, for the attempt"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(rx.received().is_empty(), "the receiver was reached");
    }
}

#[actix_web::test]
async fn a_delivery_connects_to_exactly_the_addresses_it_checked() {
    // The same name, loopback allowed: the delivery reaches the receiver the injected
    // resolver named (the system resolver knows no such host here), so the connection
    // uses the very answer the check saw.
    let lookups = Arc::new(AtomicUsize::new(0));
    for app in apps_resolving_with(rebinding_lookup(lookups.clone()), true).await {
        let rx = Receiver::start(&[200]).await;
        let port = port_of(&rx.url);
        let url = format!("http://hooks.example.com:{port}/hook");
        let (id, _) = endpoint(&app, "m1", &url, json!(["*"])).await;
        send_test(&app, &app.token("m1", &["merchant"]), &id)
            .await
            .expect(202);
        let got = rx.wait_for(1).await;
        assert_eq!(
            got[0].header("host"),
            Some(format!("hooks.example.com:{port}").as_str())
        );
        assert!(lookups.load(Ordering::SeqCst) >= 1);
    }
}
