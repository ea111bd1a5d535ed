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
        Self::spawn(url, true).await
    }

    /// The real binary, dying on its failpoint after an idempotent COMMIT or not.
    async fn spawn(url: &str, failpoint: bool) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_groupbuy"))
            .arg("serve")
            .env("DATABASE_URL", url)
            .env("GROUPBUY_BIND", format!("127.0.0.1:{port}"))
            .env("GROUPBUY_JWT_SECRET", SECRET)
            .env(
                "GROUPBUY_FAILPOINT_ABORT_AFTER_COMMIT",
                if failpoint { "1" } else { "0" },
            )
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

/// A SIGKILL while batches of payments for one hot group are in flight: every payment
/// answered 200 is durable and replays; nothing is half-applied (seats, participants and
/// debits agree); each unanswered payment, paid again, is charged exactly once.
#[actix_web::test]
async fn a_server_killed_mid_batch_leaves_every_payment_whole() {
    for app in TestApp::all().await {
        let p = app.product("m-batch", json!({"groupMaxSize": 1000})).await;
        let product = p["productId"].as_str().expect("id").to_owned();
        app.credit("opener", 80_000.0).await;
        let opener = app.token("opener", &[]);
        let s = app
            .post(
                "/api/v1/checkout-sessions",
                Some(&opener),
                json!({"sessionType": "GROUP_PURCHASE", "productId": product, "quantity": 1}),
            )
            .await
            .expect(201);
        let sid = s.data()["sessionId"].as_str().expect("id").to_owned();
        let paid = app
            .post(
                &format!("/api/v1/checkout-sessions/{sid}/process-payment"),
                Some(&opener),
                json!({"paymentMethod": "WALLET"}),
            )
            .await
            .expect(200);
        let group = paid.data()["groupInstanceId"]
            .as_str()
            .expect("group")
            .to_owned();
        let mut payers = Vec::new();
        for i in 0..48 {
            let who = format!("batch-payer-{i}");
            app.credit(&who, 80_000.0).await;
            let t = app.token(&who, &[]);
            let s = app.post("/api/v1/checkout-sessions", Some(&t), json!({"sessionType": "GROUP_PURCHASE", "productId": product, "quantity": 1, "metadata": {"groupInstanceId": group}})).await.expect(201);
            payers.push((
                who,
                t,
                s.data()["sessionId"].as_str().expect("id").to_owned(),
            ));
        }
        let mut server = DoomedServer::spawn(&app.db.url, false).await;
        let (answered, mut answers) = tokio::sync::mpsc::unbounded_channel();
        let client = reqwest::Client::new();
        for (i, (_, t, sid)) in payers.iter().enumerate() {
            let (client, answered, t) = (client.clone(), answered.clone(), t.clone());
            let url = format!(
                "{}/api/v1/checkout-sessions/{sid}/process-payment",
                server.address
            );
            actix_web::rt::spawn(async move {
                let res = client
                    .post(url)
                    .bearer_auth(t)
                    .header("idempotency-key", format!("batch-{i}"))
                    .json(&json!({"paymentMethod": "WALLET"}))
                    .send()
                    .await;
                let _ = answered.send((i, res.map(|r| r.status().as_u16()).ok()));
            });
        }
        drop(answered);
        // A few answers mean batches committed; the kill lands while later ones run.
        let mut outcomes = Vec::new();
        while outcomes.len() < 3 {
            outcomes.push(answers.recv().await.expect("an answer"));
        }
        server.child.kill().expect("SIGKILL");
        server.child.wait().expect("reaped");
        while let Some(o) = answers.recv().await {
            outcomes.push(o);
        }
        let ok: Vec<usize> = outcomes
            .iter()
            .filter(|(_, status)| *status == Some(200))
            .map(|(i, _)| *i)
            .collect();
        assert!(
            outcomes.iter().all(|(_, s)| s.is_none() || *s == Some(200)),
            "only answers of success or no answer: {outcomes:?}"
        );
        // Whatever each request's fate, the group and the money agree with each other.
        let mut completed = 0;
        for (i, (who, t, sid)) in payers.iter().enumerate() {
            let session = app
                .get(&format!("/api/v1/checkout-sessions/{sid}"), Some(t))
                .await
                .expect(200);
            let done = session.data()["status"] == "COMPLETED";
            completed += usize::from(done);
            assert!(
                done || !ok.contains(&i),
                "payment {i} answered 200 but did not last"
            );
            let left = if done { "0.00" } else { "80000.00" };
            assert_eq!(
                app.balance(who).await,
                left,
                "{who} charged exactly for what they hold"
            );
        }
        let detail = app
            .get(&format!("/api/v1/group-purchases/{group}"), Some(&opener))
            .await
            .expect(200);
        let seats = detail.data()["seatsOccupied"].as_u64().expect("seats");
        let held: u64 = detail.data()["participants"]
            .as_array()
            .expect("participants")
            .iter()
            .map(|p| p["quantity"].as_u64().expect("qty"))
            .sum();
        assert_eq!(seats, 1 + completed as u64, "one seat per paid session");
        assert_eq!(held, seats, "seats == sum of ACTIVE quantities");
        // Answered payments replay under their key; the rest, paid again (no key), once.
        for (i, (who, t, sid)) in payers.iter().enumerate() {
            let path = format!("/api/v1/checkout-sessions/{sid}/process-payment");
            let body = Some(json!({"paymentMethod": "WALLET"}));
            let key = format!("batch-{i}");
            let headers: &[(&str, &str)] = if ok.contains(&i) {
                &[("idempotency-key", key.as_str())]
            } else {
                &[]
            };
            let again = app
                .call(Method::POST, &path, Some(t), body, headers)
                .await
                .expect(200);
            assert_eq!(again.data()["status"], "COMPLETED");
            assert_eq!(app.balance(who).await, "0.00", "{who} charged once");
        }
        let detail = app
            .get(&format!("/api/v1/group-purchases/{group}"), Some(&opener))
            .await
            .expect(200);
        assert_eq!(detail.data()["seatsOccupied"], 49);
    }
}
