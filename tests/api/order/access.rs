//! Who may act on an order and what a body must hold: another merchant's shop and orders
//! are 404 on every route, a platform admin passes, a buyer or a read-only token is 403,
//! and each field's rules are 422 naming it.

use super::{cancel, completed, deliver, ids, problem_type, ship};
use crate::helpers::TestApp;
use reqwest::Method;
use serde_json::json;

#[actix_web::test]
async fn bodies_are_validated_and_only_merchants_with_write_scope_act() {
    for app in TestApp::all().await {
        let (_, orders) = completed(&app, "m1", &["a"]).await;
        let m = app.token("m1", &["merchant"]);
        let path = format!("/api/v1/orders/{}/ship", orders[0]);
        for (body, field) in [
            (json!({"carrier": "  ", "trackingNumber": "T1"}), "carrier"),
            (
                json!({"carrier": "DHL", "trackingNumber": "T\u{0}1"}),
                "trackingNumber",
            ),
            (
                json!({"carrier": "c".repeat(101), "trackingNumber": "T1"}),
                "carrier",
            ),
            (json!({"carrier": "DHL"}), "trackingNumber"),
            (
                json!({"carrier": "DHL", "trackingNumber": "T1", "eta": 1}),
                "eta",
            ),
        ] {
            let r = app.post(&path, Some(&m), body).await.expect(422);
            let named = r.body["errors"][0]["field"].as_str().unwrap_or_default();
            assert!(
                named.contains(field) || r.message().contains(field),
                "{field}: {}",
                r.body
            );
        }
        let cancel_path = format!("/api/v1/orders/{}/cancel", orders[0]);
        app.post(&cancel_path, Some(&m), json!({"reason": ""}))
            .await
            .expect(422);
        app.post(&cancel_path, Some(&m), json!({"reason": "x".repeat(501)}))
            .await
            .expect(422);
        app.call(Method::POST, &cancel_path, Some(&m), None, &[])
            .await
            .expect(400);
        // Without the merchant role (platform admins pass), or the write scope: 403.
        let buyer = app.token("a", &[]);
        let valid = json!({"carrier": "DHL", "trackingNumber": "T1"});
        let r = app
            .post(&path, Some(&buyer), valid.clone())
            .await
            .expect(403);
        assert_eq!(
            problem_type(&r),
            "https://groupbuy.dev/problems/missing-role"
        );
        let reader = app.token_with("m1", &["merchant"], "groupbuy:read", 600);
        let r = app.post(&path, Some(&reader), valid).await.expect(403);
        assert_eq!(
            problem_type(&r),
            "https://groupbuy.dev/problems/missing-scope"
        );
        app.post(&path, None, json!({})).await.expect(401);
        app.post("/api/v1/orders/not-a-uuid/ship", Some(&m), json!({}))
            .await
            .expect(400);
        // Nothing changed.
        let seen = app
            .get(&format!("/api/v1/orders/{}", orders[0]), Some(&buyer))
            .await
            .expect(200);
        assert_eq!(seen.data()["status"], "CONFIRMED");
    }
}

#[actix_web::test]
async fn another_merchant_s_shop_and_orders_are_not_found_on_every_route() {
    for app in TestApp::all().await {
        let (product, orders) = completed(&app, "m1", &["a"]).await;
        let shop = product["shopId"].as_str().expect("shop").to_owned();
        let order = &orders[0];
        app.shop("m2").await;
        let intruder = app.token("m2", &["merchant"]);
        let missing_shop = uuid::Uuid::new_v4().to_string();
        for id in [&shop, &missing_shop] {
            let r = app
                .get(&format!("/api/v1/shops/{id}/orders"), Some(&intruder))
                .await
                .expect(404);
            assert_eq!(r.message(), format!("Shop not found with ID: {id}"));
        }
        let missing_order = uuid::Uuid::new_v4().to_string();
        for id in [order, &missing_order] {
            for r in [
                ship(&app, &intruder, id).await,
                deliver(&app, &intruder, id).await,
                cancel(&app, &intruder, id, None).await,
                // The buyer's read of it too: another user's order.
                app.get(&format!("/api/v1/orders/{id}"), Some(&intruder))
                    .await,
            ] {
                assert_eq!(r.expect(404).message(), "Order not found");
            }
        }
        // Nothing happened to the order; a platform admin may read and act on it.
        let admin = app.token("ops", &["platform-admin"]);
        let listed = app
            .get(
                &format!("/api/v1/shops/{shop}/orders?status=CONFIRMED"),
                Some(&admin),
            )
            .await
            .expect(200);
        assert_eq!(ids(&listed), vec![order.clone()]);
        ship(&app, &admin, order).await.expect(200);
        assert_eq!(app.balance("a").await, "0.00");
    }
}
