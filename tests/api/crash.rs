//! A server killed between COMMIT and its response: the retry replays the committed
//! answer instead of running the request again, and a paid session recognises itself.

use crate::helpers::{TestApp, SECRET};
use reqwest::Method;
use serde_json::{json, Value};
use std::process::{Child, Command};
use std::time::Duration;

/// The real binary on `url`'s database, dying right after an idempotent COMMIT.
struct DoomedServer {
    child: Child,
    address: String,
}

impl DoomedServer {
    async fn start(url: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_groupbuy"))
            .arg("serve")
            .env("DATABASE_URL", url)
            .env("GROUPBUY_BIND", format!("127.0.0.1:{port}"))
            .env("GROUPBUY_JWT_SECRET", SECRET)
            .env("GROUPBUY_FAILPOINT_ABORT_AFTER_COMMIT", "1")
            .env("RUST_LOG", "error")
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn groupbuy");
        let address = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if reqwest::get(format!("{address}/healthz")).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self { child, address }
    }

    /// Sends the request; the server must die before answering.
    async fn post_and_die(mut self, path: &str, token: &str, key: &str, body: Value) {
        let sent = reqwest::Client::new()
            .post(format!("{}{path}", self.address))
            .bearer_auth(token)
            .header("idempotency-key", key)
            .json(&body)
            .send()
            .await;
        assert!(sent.is_err(), "the server answered: {sent:?}");
        let status = self.child.wait().expect("server exit");
        assert!(!status.success(), "the failpoint aborts the process");
    }
}

#[actix_web::test]
async fn a_credit_killed_after_commit_is_replayed_not_applied_twice() {
    for app in TestApp::all().await {
        let admin = app.token("admin", &["platform-admin"]);
        let path = "/api/v1/platform-admin/wallets/crash-credit/credit";
        let body = json!({"amount": 1000, "reference": "top-up"});
        DoomedServer::start(&app.db.url)
            .await
            .post_and_die(path, &admin, "credit-1", body.clone())
            .await;
        // The retry, on a healthy instance, long after: the stored answer, once.
        let retry = app
            .call(
                Method::POST,
                path,
                Some(&admin),
                Some(body.clone()),
                &[("idempotency-key", "credit-1")],
            )
            .await
            .expect(201);
        assert_eq!(retry.header("idempotent-replayed").as_deref(), Some("true"));
        assert_eq!(retry.data()["amount"].to_string(), "1000.00");
        assert_eq!(app.balance("crash-credit").await, "1000.00");
    }
}

#[actix_web::test]
async fn a_payment_killed_after_commit_is_replayed_and_recognised() {
    for app in TestApp::all().await {
        let p = app.product("m-crash", json!({})).await;
        app.credit("payer", 200_000.0).await;
        let t = app.token("payer", &[]);
        let s = app.post("/api/v1/checkout-sessions", Some(&t), json!({"sessionType": "GROUP_PURCHASE", "productId": p["productId"], "quantity": 1})).await.expect(201);
        let path = format!(
            "/api/v1/checkout-sessions/{}/process-payment",
            s.data()["sessionId"].as_str().expect("id")
        );
        let body = json!({"paymentMethod": "WALLET"});
        DoomedServer::start(&app.db.url)
            .await
            .post_and_die(&path, &t, "pay-crash", body.clone())
            .await;
        let replay = app
            .call(
                Method::POST,
                &path,
                Some(&t),
                Some(body.clone()),
                &[("idempotency-key", "pay-crash")],
            )
            .await
            .expect(200);
        assert_eq!(
            replay.header("idempotent-replayed").as_deref(),
            Some("true")
        );
        assert_eq!(replay.data()["status"], "COMPLETED");
        // Paying it again with another key, or none, returns the paid session, 200.
        for headers in [&[("idempotency-key", "pay-other")][..], &[][..]] {
            let again = app
                .call(Method::POST, &path, Some(&t), Some(body.clone()), headers)
                .await
                .expect(200);
            assert_eq!(again.data()["status"], "COMPLETED");
            assert_eq!(
                again.data()["transactionId"],
                replay.data()["transactionId"]
            );
            assert_eq!(
                again.data()["groupInstanceId"],
                replay.data()["groupInstanceId"]
            );
        }
        assert_eq!(app.balance("payer").await, "120000.00");
    }
}
