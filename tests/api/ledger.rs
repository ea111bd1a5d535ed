//! The merchant ledger over HTTP: a completed group's orders settle into the shop's
//! balance less the platform's commission, a cancellation reverses both, a platform admin
//! sets a shop's rate and records payouts (Idempotency-Key required, never past the
//! balance), the merchant reads its balance and statement, and anyone else is told the
//! shop does not exist, per route. `payout.recorded` reaches the owner's endpoint (and,
//! as every emitted event, is checked against the published catalogue).

use crate::helpers::{Reply, TestApp};
use crate::order::{cancel, completed, problem_type};
use crate::webhook::{endpoint, event_types, Receiver};
use groupbuy_domain::ledger::CommissionRate;
use reqwest::Method;
use serde_json::{json, Value};

/// Apps charging 2.5% by default.
async fn charging_apps() -> Vec<TestApp> {
    TestApp::all_configured(|c| {
        c.commission = CommissionRate::from_bps(250, "bps").expect("rate");
        c.webhooks.allow_private = true;
        c.webhooks.poll = std::time::Duration::from_millis(50);
    })
    .await
}

fn admin(app: &TestApp) -> String {
    app.token("admin", &["platform-admin"])
}

async fn payout(app: &TestApp, token: &str, shop: &str, body: Value, key: Option<&str>) -> Reply {
    let headers: Vec<(&str, &str)> = key.map(|k| ("idempotency-key", k)).into_iter().collect();
    app.call(
        Method::POST,
        &format!("/api/v1/platform-admin/shops/{shop}/payouts"),
        Some(token),
        Some(body),
        &headers,
    )
    .await
}

async fn set_rate(app: &TestApp, token: &str, shop: &str, body: Value) -> Reply {
    app.call(
        Method::PUT,
        &format!("/api/v1/platform-admin/shops/{shop}/commission"),
        Some(token),
        Some(body),
        &[],
    )
    .await
}

/// (kind, amount) of each statement line, newest first.
fn lines(r: &Reply) -> Vec<(String, String)> {
    r.data()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().expect("kind").to_owned(),
                l["amount"].to_string(),
            )
        })
        .collect()
}

fn line(kind: &str, amount: &str) -> (String, String) {
    (kind.to_owned(), amount.to_owned())
}

#[actix_web::test]
async fn a_merchant_reads_its_statement_and_an_admin_records_a_payout() {
    for app in charging_apps().await {
        let rx = Receiver::start(&[200]).await;
        endpoint(&app, "m1", &rx.url, json!(["payout.recorded"])).await;
        let (product, orders) = completed(&app, "m1", &["a", "b"]).await;
        let shop = product["shopId"].as_str().expect("shop");
        let m = app.token("m1", &["merchant"]);
        let balance = app
            .get(&format!("/api/v1/shops/{shop}/balance"), Some(&m))
            .await
            .expect(200);
        assert_eq!(balance.message(), "Shop balance retrieved successfully");
        let b = balance.data();
        assert_eq!(b["balances"][0]["available"].to_string(), "156000.00");
        assert_eq!(b["balances"][0]["currency"], "TZS");
        assert_eq!(b["commission"]["commissionBps"], 250);
        assert!(b["commission"]["ownCommissionBps"].is_null());
        // The buyer's cancellation gives back both: the order's total and its commission.
        cancel(&app, &m, &orders[1], None).await.expect(200);
        let statement = format!("/api/v1/shops/{shop}/statement");
        let page = app.get(&statement, Some(&m)).await.expect(200);
        assert_eq!(
            lines(&page),
            [
                line("ORDER_CANCELLED", "-80000.00"),
                line("COMMISSION_REVERSED", "2000.00"),
                line("COMMISSION", "-2000.00"),
                line("ORDER_SETTLED", "80000.00"),
                line("COMMISSION", "-2000.00"),
                line("ORDER_SETTLED", "80000.00"),
            ]
        );
        assert_eq!(
            page.data()["items"][0]["balanceAfter"].to_string(),
            "78000.00"
        );
        assert_eq!(
            page.data()["items"][0]["reference"],
            format!("order-cancel:{}", orders[1])
        );
        // The admin pays out; a retry with the key replays it, never pays twice.
        let a = admin(&app);
        let body = json!({"amount": 50000, "reference": "bank transfer 42"});
        let paid = payout(&app, &a, shop, body.clone(), Some("p-1"))
            .await
            .expect(201);
        assert_eq!(paid.message(), "Payout recorded successfully");
        assert_eq!(paid.data()["amount"].to_string(), "50000.00");
        assert_eq!(paid.data()["balanceAfter"].to_string(), "28000.00");
        let again = payout(&app, &a, shop, body, Some("p-1")).await.expect(201);
        assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
        assert_eq!(again.data()["payoutId"], paid.data()["payoutId"]);
        let too_much = json!({"amount": 28000.01, "reference": "r"});
        let refused = payout(&app, &a, shop, too_much, Some("p-2"))
            .await
            .expect(409);
        assert_eq!(
            problem_type(&refused),
            "https://groupbuy.dev/problems/insufficient-shop-balance"
        );
        assert_eq!(
            refused.body["detail"],
            "Insufficient shop balance. Balance: 28000.00 TZS, required: 28000.01 TZS"
        );
        let keyless = payout(&app, &a, shop, json!({"amount": 1, "reference": "r"}), None)
            .await
            .expect(400);
        assert_eq!(
            problem_type(&keyless),
            "https://groupbuy.dev/problems/idempotency-key-required"
        );
        let newest = app
            .get(&format!("{statement}?limit=1"), Some(&m))
            .await
            .expect(200);
        assert_eq!(lines(&newest), [line("PAYOUT", "-50000.00")]);
        assert_eq!(newest.data()["items"][0]["reference"], "bank transfer 42");
        // The shop's own rate, for groups completing from now on.
        let set = set_rate(&app, &a, shop, json!({"commissionBps": 1000}))
            .await
            .expect(200);
        assert_eq!(set.data()["commissionBps"], 1000);
        assert_eq!(set.data()["defaultCommissionBps"], 250);
        let cleared = set_rate(&app, &a, shop, json!({"commissionBps": null}))
            .await
            .expect(200);
        assert_eq!(cleared.data()["commissionBps"], 250);
        assert!(cleared.data()["ownCommissionBps"].is_null());
        // The owner's endpoint hears of the payout once.
        let got = rx.wait_for(1).await;
        assert_eq!(event_types(&got), ["payout.recorded"]);
        let told = got[0].json();
        assert_eq!(told["subject"], format!("shop:{shop}"));
        assert_eq!(told["data"]["amount"].to_string(), "50000.00");
        assert_eq!(told["data"]["reference"], "bank transfer 42");
    }
}

#[actix_web::test]
async fn another_merchant_gets_404_on_every_ledger_route_and_only_admins_act() {
    for app in TestApp::all().await {
        let (product, _) = completed(&app, "m1", &["a"]).await;
        let shop = product["shopId"].as_str().expect("shop");
        let other = app.token("m2", &["merchant"]);
        let missing = format!("Shop not found with ID: {shop}");
        for path in [
            format!("/api/v1/shops/{shop}/balance"),
            format!("/api/v1/shops/{shop}/statement"),
        ] {
            let r = app.get(&path, Some(&other)).await.expect(404);
            assert_eq!(r.body["detail"], missing, "{path}");
            app.get(&path, None).await.expect(401);
            app.get(&path, Some(&admin(&app))).await.expect(200);
        }
        // Payouts and rates are the platform's: a merchant (even the owner) is refused,
        // and an admin naming no shop hears it does not exist.
        let body = json!({"amount": 1, "reference": "r"});
        for who in [other.clone(), app.token("m1", &["merchant"])] {
            payout(&app, &who, shop, body.clone(), Some("k"))
                .await
                .expect(403);
            set_rate(&app, &who, shop, json!({"commissionBps": 0}))
                .await
                .expect(403);
        }
        let nowhere = uuid::Uuid::new_v4();
        let a = admin(&app);
        let r = payout(&app, &a, &nowhere.to_string(), body, Some("k2"))
            .await
            .expect(404);
        assert_eq!(
            r.body["detail"],
            format!("Shop not found with ID: {nowhere}")
        );
        set_rate(&app, &a, &nowhere.to_string(), json!({"commissionBps": 0}))
            .await
            .expect(404);
        app.get(&format!("/api/v1/shops/{nowhere}/balance"), Some(&a))
            .await
            .expect(404);
        // A user named like the shop owns a wallet, not the shop's balance.
        let namesake = app.token(shop, &[]);
        let wallet = app.get("/api/v1/wallet", Some(&namesake)).await.expect(200);
        assert_eq!(wallet.data()["balance"].to_string(), "0.00");
        let mine = app
            .get("/api/v1/wallet/transactions", Some(&namesake))
            .await
            .expect(200);
        assert_eq!(mine.data()["items"], json!([]));
        let buyer = app
            .get("/api/v1/wallet/transactions", Some(&app.token("a", &[])))
            .await
            .expect(200);
        let kinds: Vec<&str> = buyer.data()["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|l| l["kind"].as_str())
            .collect();
        assert_eq!(
            kinds,
            ["PURCHASE", "CREDIT"],
            "a buyer sees only their wallet"
        );
    }
}

#[actix_web::test]
async fn bad_payouts_and_rates_are_clear_envelope_errors() {
    for app in TestApp::all().await {
        let shop = app.shop("m1").await;
        let a = admin(&app);
        let field = |r: &Reply| {
            r.body["errors"][0]["field"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        };
        for (i, (body, name)) in [
            (json!({"amount": 0, "reference": "r"}), "amount"),
            (json!({"amount": 1.001, "reference": "r"}), "amount"),
            (json!({"amount": 1, "reference": "  "}), "reference"),
            (
                json!({"amount": 1, "reference": "r", "currency": "XXX"}),
                "currency",
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let key = format!("bad-{i}");
            let r = payout(&app, &a, &shop, body.clone(), Some(&key))
                .await
                .expect(422);
            assert_eq!(field(&r), name, "{body}");
        }
        let r = payout(
            &app,
            &a,
            &shop,
            json!({"amount": "1", "reference": "r"}),
            Some("s"),
        )
        .await
        .expect(422);
        assert_eq!(field(&r), "amount", "a string is not a JSON number");
        let r = set_rate(&app, &a, &shop, json!({"commissionBps": 10001}))
            .await
            .expect(422);
        assert_eq!(field(&r), "commissionBps");
        let r = set_rate(&app, &a, &shop, json!({})).await;
        assert_eq!(
            r.status, 422,
            "null clears; absent is missing: {:?}",
            r.body
        );
        assert_eq!(field(&r), "commissionBps");
        set_rate(&app, &a, &shop, json!({"commissionBps": -1}))
            .await
            .expect(422);
        let m = app.token("m1", &["merchant"]);
        app.get(
            &format!("/api/v1/shops/{shop}/statement?cursor=x"),
            Some(&m),
        )
        .await
        .expect(400);
        app.get(&format!("/api/v1/shops/{shop}/statement?limit=0"), Some(&m))
            .await
            .expect(422);
        app.get("/api/v1/shops/not-a-uuid/balance", Some(&m))
            .await
            .expect(400);
        let empty = app
            .get(&format!("/api/v1/shops/{shop}/balance"), Some(&m))
            .await
            .expect(200);
        assert_eq!(empty.data()["balances"], json!([]));
        assert_eq!(empty.data()["commission"]["commissionBps"], 0);
    }
}
