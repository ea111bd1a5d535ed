//! Webhooks over HTTP with a local receiver: signed deliveries, retries with the same
//! webhook-id, 410 disabling, replay and retry, secret rotation, ownership.

use crate::helpers::TestApp;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use groupbuy_api::jobs::webhook_delivery::{sign, DeliverySettings};
use groupbuy_domain::webhook::RetrySchedule;
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("json body")
    }
}

/// A local receiver answering with `statuses` in turn (the last one forever after).
pub struct Receiver {
    pub url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub async fn start(statuses: &[u16]) -> Self {
        Self::answering(statuses, &[]).await
    }

    /// A receiver whose every answer also carries `headers` (such as a Retry-After).
    pub async fn answering(statuses: &[u16], headers: &[(&'static str, &'static str)]) -> Self {
        let got = Arc::new(Mutex::new(Vec::<Received>::new()));
        let plan = Arc::new(statuses.to_vec());
        let headers = Arc::new(headers.to_vec());
        let (g, p) = (got.clone(), plan.clone());
        let server = HttpServer::new(move || {
            let (g, p, h) = (g.clone(), p.clone(), headers.clone());
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let (g, p, h) = (g.clone(), p.clone(), h.clone());
                async move {
                    let mut got = g.lock().expect("lock");
                    got.push(Received {
                        headers: req
                            .headers()
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
                            .collect(),
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    let n = got.len() - 1;
                    let status = p.get(n).or(p.last()).copied().unwrap_or(200);
                    let mut answer = HttpResponse::build(
                        actix_web::http::StatusCode::from_u16(status).expect("status"),
                    );
                    for header in h.iter() {
                        answer.insert_header(*header);
                    }
                    answer.finish()
                }
            }))
        })
        .workers(1)
        .bind("127.0.0.1:0")
        .expect("bind");
        let port = server.addrs()[0].port();
        actix_web::rt::spawn(server.run());
        Self {
            url: format!("http://127.0.0.1:{port}/hook"),
            got,
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }

    /// Waits (bounded) until at least `n` requests arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..100 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the receiver got {} of {n} deliveries",
            self.received().len()
        );
    }
}

/// Apps that deliver fast: retries after 0.2 s, private targets allowed.
pub async fn fast_apps() -> Vec<TestApp> {
    TestApp::all_configured(|c| {
        c.webhooks = DeliverySettings {
            schedule: RetrySchedule::parse("0,0.2,0.2").expect("schedule"),
            timeout: Duration::from_secs(2),
            poll: Duration::from_millis(50),
            allow_private: true,
            ..DeliverySettings::default()
        };
    })
    .await
}

/// Registers an endpoint for `owner`; returns (id, secret).
pub async fn endpoint(app: &TestApp, owner: &str, url: &str, events: Value) -> (String, String) {
    let t = app.token(owner, &["merchant"]);
    let r = app
        .post(
            "/webhooks/endpoints",
            Some(&t),
            json!({"url": url, "events": events}),
        )
        .await
        .expect(201);
    (
        r.data()["id"].as_str().expect("id").to_owned(),
        r.data()["secret"].as_str().expect("secret").to_owned(),
    )
}

/// GETs `path` until its `data` satisfies `done` (bounded: 2 s); returns the last `data`.
async fn poll(app: &TestApp, path: &str, token: &str, done: impl Fn(&Value) -> bool) -> Value {
    let mut data = Value::Null;
    for _ in 0..40 {
        data = app.get(path, Some(token)).await.expect(200).data().clone();
        if done(&data) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    data
}

/// The `type` of each received event, in arrival order.
pub fn event_types(got: &[Received]) -> Vec<String> {
    got.iter()
        .map(|r| r.json()["type"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Whether one of the request's signatures verifies with `secret`.
pub fn verifies(r: &Received, secret: &str) -> bool {
    let expected = sign(
        secret,
        r.header("webhook-id").expect("webhook-id"),
        r.header("webhook-timestamp").expect("webhook-timestamp"),
        &r.body,
    )
    .expect("sign");
    r.header("webhook-signature")
        .expect("webhook-signature")
        .split(' ')
        .any(|s| s == expected)
}

#[actix_web::test]
async fn a_test_event_arrives_signed_with_its_request_id() {
    for app in fast_apps().await {
        let rx = Receiver::start(&[200]).await;
        let (id, secret) = endpoint(&app, "m1", &rx.url, json!(["*"])).await;
        assert!(secret.starts_with("whsec_"));
        let t = app.token("m1", &["merchant"]);
        let sent = app
            .call(
                Method::POST,
                &format!("/webhooks/endpoints/{id}/test"),
                Some(&t),
                None,
                &[("x-request-id", "req-webhook-test")],
            )
            .await
            .expect(202);
        let got = rx.wait_for(1).await;
        let r = &got[0];
        assert!(verifies(r, &secret), "{r:?}");
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.header("x-request-id"), Some("req-webhook-test"));
        let body = r.json();
        assert_eq!(body["type"], "webhook.test");
        assert_eq!(body["id"], sent.data()["event_id"]);
        assert_eq!(r.header("webhook-id"), body["id"].as_str());
        assert_eq!(body["request_id"], "req-webhook-test");
        assert_eq!(body["sequence"], 1);
        // The delivery is recorded as it happened.
        let page = poll(
            &app,
            &format!("/webhooks/endpoints/{id}/deliveries"),
            &t,
            |d| d["items"][0]["state"] == "SUCCEEDED",
        )
        .await;
        assert_eq!(page["items"][0]["state"], "SUCCEEDED");
        assert_eq!(page["items"][0]["attempts"][0]["status_code"], 200);
    }
}

#[actix_web::test]
async fn a_failed_delivery_is_retried_with_the_same_webhook_id() {
    for app in fast_apps().await {
        let rx = Receiver::start(&[500, 200]).await;
        let (id, secret) = endpoint(&app, "m1", &rx.url, json!(["webhook.test"])).await;
        let t = app.token("m1", &["merchant"]);
        app.post(
            &format!("/webhooks/endpoints/{id}/test"),
            Some(&t),
            json!({}),
        )
        .await
        .expect(202);
        let got = rx.wait_for(2).await;
        assert_eq!(got[0].header("webhook-id"), got[1].header("webhook-id"));
        assert_eq!(got[0].body, got[1].body);
        assert!(verifies(&got[1], &secret));
        tokio::time::sleep(Duration::from_millis(200)).await;
        let page = app
            .get(
                &format!("/webhooks/endpoints/{id}/deliveries?state=SUCCEEDED"),
                Some(&t),
            )
            .await
            .expect(200);
        let attempts = page.data()["items"][0]["attempts"]
            .as_array()
            .expect("attempts")
            .clone();
        assert_eq!(attempts.len(), 2);
        assert_eq!(attempts[0]["status_code"], 500);
        assert_eq!(attempts[1]["status_code"], 200);
    }
}

#[actix_web::test]
async fn gone_disables_the_endpoint_and_replay_and_retry_resend() {
    for app in fast_apps().await {
        let rx = Receiver::start(&[410, 200]).await;
        let (id, _) = endpoint(&app, "m1", &rx.url, json!(["*"])).await;
        let t = app.token("m1", &["merchant"]);
        let test = app
            .post(
                &format!("/webhooks/endpoints/{id}/test"),
                Some(&t),
                json!({}),
            )
            .await
            .expect(202);
        rx.wait_for(1).await;
        let disabled = poll(&app, &format!("/webhooks/endpoints/{id}"), &t, |e| {
            e["disabled"] == true
        })
        .await;
        assert_eq!(disabled["disabled"], true);
        assert!(disabled["disabled_reason"]
            .as_str()
            .expect("reason")
            .contains("410"));
        app.patch(
            &format!("/webhooks/endpoints/{id}"),
            Some(&t),
            json!({"disabled": false}),
        )
        .await
        .expect(200);
        let replayed = app
            .post(
                &format!("/webhooks/endpoints/{id}/replay"),
                Some(&t),
                json!({"since": "2020-01-01T00:00:00Z"}),
            )
            .await
            .expect(202);
        assert_eq!(replayed.data()["requeued"], 1);
        let got = rx.wait_for(2).await;
        assert_eq!(got[0].header("webhook-id"), got[1].header("webhook-id"));
        // One delivery retried by id.
        let delivery = test.data()["id"].as_str().expect("delivery id").to_owned();
        app.post(
            &format!("/webhooks/deliveries/{delivery}/retry"),
            Some(&t),
            json!({}),
        )
        .await
        .expect(202);
        let got = rx.wait_for(3).await;
        assert_eq!(got[2].header("webhook-id"), got[0].header("webhook-id"));
    }
}

#[actix_web::test]
async fn a_rotated_secret_signs_beside_the_old_one() {
    for app in fast_apps().await {
        let rx = Receiver::start(&[200]).await;
        let (id, old) = endpoint(&app, "m1", &rx.url, json!(["*"])).await;
        let t = app.token("m1", &["merchant"]);
        let rotated = app
            .post(
                &format!("/webhooks/endpoints/{id}/rotate-secret"),
                Some(&t),
                json!({}),
            )
            .await
            .expect(200);
        let new = rotated.data()["secret"]
            .as_str()
            .expect("secret")
            .to_owned();
        assert_ne!(new, old);
        app.post(
            &format!("/webhooks/endpoints/{id}/test"),
            Some(&t),
            json!({}),
        )
        .await
        .expect(202);
        let got = rx.wait_for(1).await;
        assert_eq!(
            got[0]
                .header("webhook-signature")
                .expect("sig")
                .split(' ')
                .count(),
            2
        );
        assert!(verifies(&got[0], &new) && verifies(&got[0], &old));
    }
}

#[actix_web::test]
async fn endpoints_are_validated_and_private_to_their_owner() {
    for app in TestApp::all().await {
        let t = app.token("m1", &["merchant"]);
        for (body, field) in [
            (json!({"url": "ftp://x.example", "events": ["*"]}), "url"),
            (
                json!({"url": "http://127.0.0.1:9/x", "events": ["*"]}),
                "url",
            ),
            (
                json!({"url": "http://169.254.169.254/", "events": ["*"]}),
                "url",
            ),
            (
                json!({"url": "https://x.example", "events": ["group.exploded"]}),
                "events",
            ),
            (json!({"url": "https://x.example", "events": []}), "events"),
        ] {
            let r = app
                .post("/webhooks/endpoints", Some(&t), body)
                .await
                .expect(422);
            assert_eq!(r.body["errors"][0]["field"], field);
        }
        let r = app
            .post(
                "/webhooks/endpoints",
                Some(&t),
                json!({"url": "https://hooks.example.com/x", "events": ["group.completed"], "description": "orders"}),
            )
            .await
            .expect(201);
        let id = r.data()["id"].as_str().expect("id").to_owned();
        let other = app.token("m2", &["merchant"]);
        app.get(&format!("/webhooks/endpoints/{id}"), Some(&other))
            .await
            .expect(404);
        app.delete(&format!("/webhooks/endpoints/{id}"), Some(&other))
            .await
            .expect(404);
        app.post(
            &format!("/webhooks/endpoints/{id}/test"),
            Some(&other),
            json!({}),
        )
        .await
        .expect(404);
        app.get("/webhooks/endpoints", None).await.expect(401);
        let mine = app.get("/webhooks/endpoints", Some(&t)).await.expect(200);
        assert_eq!(mine.data()["items"].as_array().expect("items").len(), 1);
        assert!(
            mine.data()["items"][0].get("secret").is_none(),
            "secret shown once"
        );
        let types = app.get("/webhooks/event-types", None).await.expect(200);
        let names: Vec<&str> = types
            .data()
            .as_array()
            .expect("types")
            .iter()
            .filter_map(|t| t["type"].as_str())
            .collect();
        for t in [
            "group.created",
            "group.completed",
            "group.failed",
            "seats.transferred",
        ] {
            assert!(names.contains(&t), "{t}");
        }
        app.delete(&format!("/webhooks/endpoints/{id}"), Some(&t))
            .await
            .expect(200);
        app.get(&format!("/webhooks/endpoints/{id}"), Some(&t))
            .await
            .expect(404);
    }
}

/// Opens (or joins) a group for `user` by paying a checkout session.
async fn pay(app: &TestApp, user: &str, product: &Value, group: Option<&str>) -> Value {
    let t = app.token(user, &[]);
    let mut body =
        json!({"sessionType": "GROUP_PURCHASE", "productId": product["productId"], "quantity": 1});
    if let Some(g) = group {
        body["metadata"] = json!({"groupInstanceId": g});
    }
    let s = app
        .post("/api/v1/checkout-sessions", Some(&t), body)
        .await
        .expect(201);
    let id = s.data()["sessionId"].as_str().expect("session").to_owned();
    app.post(
        &format!("/api/v1/checkout-sessions/{id}/process-payment"),
        Some(&t),
        json!({"paymentMethod": "WALLET"}),
    )
    .await
    .expect(200)
    .data()
    .clone()
}

#[actix_web::test]
async fn a_merchant_receives_its_groups_created_completed_and_failed() {
    for app in fast_apps().await {
        let rx = Receiver::start(&[200]).await;
        let (_, secret) = endpoint(
            &app,
            "m-events",
            &rx.url,
            json!(["group.created", "group.completed", "group.failed"]),
        )
        .await;
        // Another merchant's endpoint hears nothing of these groups.
        let other = Receiver::start(&[200]).await;
        endpoint(&app, "m-other", &other.url, json!(["*"])).await;
        app.credit("buyer-a", 500_000.0).await;
        app.credit("buyer-b", 500_000.0).await;
        let pair = app
            .product("m-events", json!({"groupMaxSize": 2, "maxPerCustomer": 2}))
            .await;
        let opened = pay(&app, "buyer-a", &pair, None).await;
        let group = opened["groupInstanceId"]
            .as_str()
            .expect("group")
            .to_owned();
        pay(&app, "buyer-b", &pair, Some(&group)).await;
        let brief = app
            .product(
                "m-events",
                json!({"groupMaxSize": 5, "groupTimeLimitHours": 0.0005}),
            )
            .await;
        let lonely = pay(&app, "buyer-a", &brief, None).await;
        let failing = lonely["groupInstanceId"]
            .as_str()
            .expect("group")
            .to_owned();
        // created x2, completed, failed (after the 1.8 s group expires and the sweep runs)
        let got = rx.wait_for(4).await;
        for r in &got {
            assert!(verifies(r, &secret), "{r:?}");
        }
        let of = |t: &str| -> Vec<Value> {
            got.iter()
                .map(Received::json)
                .filter(|b| b["type"] == t)
                .collect()
        };
        assert_eq!(of("group.created").len(), 2);
        let completed = &of("group.completed")[0];
        assert_eq!(completed["subject"], format!("group:{group}"));
        assert_eq!(completed["sequence"], 2, "created is 1, completed 2");
        assert_eq!(
            completed["data"]["orders"]
                .as_array()
                .expect("orders")
                .len(),
            2
        );
        let failed = &of("group.failed")[0];
        assert_eq!(failed["subject"], format!("group:{failing}"));
        assert_eq!(failed["data"]["refunds"][0]["user_id"], "buyer-a");
        assert_eq!(
            failed["data"]["refunds"][0]["amount"].to_string(),
            "80000.00"
        );
        assert!(
            failed["request_id"]
                .as_str()
                .expect("request id")
                .starts_with("sweep-"),
            "{failed}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            other.received().is_empty(),
            "another merchant's endpoint got events"
        );
    }
}
