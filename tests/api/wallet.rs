//! Wallets over HTTP.

use crate::helpers::TestApp;
use serde_json::json;

#[actix_web::test]
async fn credits_show_in_balance_and_ledger_newest_first() {
    for app in TestApp::all().await {
        let u = app.token("u1", &[]);
        assert_eq!(
            app.get("/api/v1/wallet", Some(&u)).await.expect(200).data()["balance"].to_string(),
            "0.00"
        );
        for _ in 0..3 {
            app.credit("u1", 100.25).await;
        }
        let w = app.get("/api/v1/wallet", Some(&u)).await.expect(200);
        assert_eq!(w.data()["balance"].to_string(), "300.75");
        assert_eq!(w.data()["currency"], "TZS");
        let page = app
            .get("/api/v1/wallet/transactions?limit=2", Some(&u))
            .await
            .expect(200);
        let items = page.data()["items"].as_array().expect("items").clone();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["balanceAfter"].to_string(), "300.75");
        let cursor = page.data()["next_cursor"]
            .as_str()
            .expect("cursor")
            .to_owned();
        let next = app
            .get(
                &format!("/api/v1/wallet/transactions?limit=2&cursor={cursor}"),
                Some(&u),
            )
            .await
            .expect(200);
        assert_eq!(next.data()["items"].as_array().expect("items").len(), 1);
        assert!(next.data()["next_cursor"].is_null());
        // another user's ledger is not visible
        let v = app.token("u2", &[]);
        assert_eq!(
            app.get("/api/v1/wallet/transactions", Some(&v))
                .await
                .expect(200)
                .data()["items"]
                .as_array()
                .expect("items")
                .len(),
            0
        );
    }
}

#[actix_web::test]
async fn credits_must_be_positive_and_exact() {
    for app in TestApp::all().await {
        let admin = app.token("admin", &["platform-admin"]);
        for amount in [json!(0), json!(-5), json!(1.001)] {
            let r = app
                .post(
                    "/api/v1/platform-admin/wallets/u1/credit",
                    Some(&admin),
                    json!({"amount": amount, "reference": "x"}),
                )
                .await
                .expect(422);
            assert_eq!(r.body["errors"][0]["field"], "amount");
        }
        app.post(
            "/api/v1/platform-admin/wallets/u1/credit",
            Some(&admin),
            json!({"amount": 5, "reference": ""}),
        )
        .await
        .expect(422);
        assert_eq!(app.balance("u1").await, "0.00");
    }
}

#[actix_web::test]
async fn credits_past_the_documented_maximum_are_refused_with_422() {
    for app in TestApp::all().await {
        let admin = app.token("admin", &["platform-admin"]);
        let credit = |amount: &str| {
            let body: serde_json::Value =
                serde_json::from_str(&format!(r#"{{"amount": {amount}, "reference": "big"}}"#))
                    .expect("json");
            app.post(
                "/api/v1/platform-admin/wallets/whale/credit",
                Some(&admin),
                body,
            )
        };
        let refused = credit("92233720368547758.07").await.expect(422);
        assert_eq!(refused.body["errors"][0]["field"], "amount");
        credit("10000000000000.00").await.expect(201);
        let past = credit("0.01").await.expect(422);
        assert_eq!(past.body["errors"][0]["field"], "amount");
        assert!(
            past.message().contains("10000000000000.00"),
            "{}",
            past.message()
        );
        assert_eq!(app.balance("whale").await, "10000000000000.00");
    }
}
