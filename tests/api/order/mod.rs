//! Orders to ship over HTTP: a shop's list, ship, deliver and cancel with their refusals,
//! the buyer's view of status and tracking, a cancellation's refund and restock (once,
//! even when retried with its Idempotency-Key) and the events at the merchant's endpoint;
//! who may act, and bodies, in [`access`].

mod access;

use crate::helpers::{Reply, TestApp};
use crate::webhook::{endpoint, event_types, fast_apps, Receiver};
use reqwest::Method;
use serde_json::{json, Value};

/// A completed group of one-seat `buyers` of a new product of `merchant`; returns the
/// product and the buyers' order ids (in `buyers`' order).
pub(super) async fn completed(
    app: &TestApp,
    merchant: &str,
    buyers: &[&str],
) -> (Value, Vec<String>) {
    let size = i64::try_from(buyers.len()).expect("small");
    let product = app
        .product(
            merchant,
            json!({"groupMaxSize": size, "stockQuantity": 100}),
        )
        .await;
    let mut group: Option<String> = None;
    for b in buyers {
        app.credit(b, 80_000.0).await;
        let t = app.token(b, &[]);
        let mut body = json!({"sessionType": "GROUP_PURCHASE", "productId": product["productId"], "quantity": 1});
        if let Some(g) = &group {
            body["metadata"] = json!({"groupInstanceId": g});
        }
        let s = app
            .post("/api/v1/checkout-sessions", Some(&t), body)
            .await
            .expect(201);
        let id = s.data()["sessionId"].as_str().expect("session");
        let paid = app
            .post(
                &format!("/api/v1/checkout-sessions/{id}/process-payment"),
                Some(&t),
                json!({"paymentMethod": "WALLET"}),
            )
            .await
            .expect(200);
        group = paid.data()["groupInstanceId"].as_str().map(str::to_owned);
    }
    let mut orders = Vec::new();
    for b in buyers {
        let mine = app
            .get("/api/v1/orders/my-orders", Some(&app.token(b, &[])))
            .await
            .expect(200);
        let first = &mine.data()["items"][0];
        assert_eq!(first["groupInstanceId"].as_str(), group.as_deref());
        orders.push(first["orderId"].as_str().expect("order").to_owned());
    }
    (product, orders)
}

pub(super) fn ids(r: &Reply) -> Vec<String> {
    r.data()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|o| o["orderId"].as_str().expect("id").to_owned())
        .collect()
}

pub(super) fn problem_type(r: &Reply) -> &str {
    r.body["type"].as_str().unwrap_or_default()
}

pub(super) async fn ship(app: &TestApp, token: &str, order: &str) -> Reply {
    let body = json!({"carrier": " DHL Express ", "trackingNumber": "1Z999AA1"});
    app.post(&format!("/api/v1/orders/{order}/ship"), Some(token), body)
        .await
}

pub(super) async fn deliver(app: &TestApp, token: &str, order: &str) -> Reply {
    app.call(
        Method::POST,
        &format!("/api/v1/orders/{order}/deliver"),
        Some(token),
        None,
        &[],
    )
    .await
}

pub(super) async fn cancel(app: &TestApp, token: &str, order: &str, key: Option<&str>) -> Reply {
    let headers: Vec<(&str, &str)> = key.map(|k| ("idempotency-key", k)).into_iter().collect();
    app.call(
        Method::POST,
        &format!("/api/v1/orders/{order}/cancel"),
        Some(token),
        Some(json!({"reason": "Out of stock"})),
        &headers,
    )
    .await
}

#[actix_web::test]
async fn a_merchant_lists_ships_and_delivers_and_the_buyer_sees_the_tracking() {
    for app in TestApp::all().await {
        let (product, orders) = completed(&app, "m1", &["a", "b"]).await;
        let shop = product["shopId"].as_str().expect("shop");
        let m = app.token("m1", &["merchant"]);
        let list = |q: &str| format!("/api/v1/shops/{shop}/orders{q}");
        let all = app.get(&list(""), Some(&m)).await.expect(200);
        assert_eq!(
            ids(&all),
            vec![orders[1].clone(), orders[0].clone()],
            "newest first"
        );
        assert_eq!(all.data()["items"][0]["userId"], "b");
        assert_eq!(all.data()["items"][0]["status"], "CONFIRMED");
        let first = app.get(&list("?limit=1"), Some(&m)).await.expect(200);
        let cursor = first.data()["next_cursor"]
            .as_str()
            .expect("cursor")
            .to_owned();
        let rest = app
            .get(&list(&format!("?limit=1&cursor={cursor}")), Some(&m))
            .await
            .expect(200);
        assert_eq!(ids(&rest), vec![orders[0].clone()]);
        assert!(rest.data()["next_cursor"].is_null());
        let shipped = ship(&app, &m, &orders[0]).await.expect(200);
        assert_eq!(shipped.message(), "Order shipped successfully");
        let d = shipped.data();
        assert_eq!(
            (&d["status"], &d["carrier"]),
            (&json!("SHIPPED"), &json!("DHL Express"))
        );
        assert_eq!(d["trackingNumber"], "1Z999AA1");
        assert!(d["shippedAt"].is_string() && d["deliveredAt"].is_null());
        let filtered = app
            .get(&list("?status=SHIPPED"), Some(&m))
            .await
            .expect(200);
        assert_eq!(ids(&filtered), vec![orders[0].clone()]);
        let confirmed = app
            .get(&list("?status=CONFIRMED"), Some(&m))
            .await
            .expect(200);
        assert_eq!(ids(&confirmed), vec![orders[1].clone()]);
        let bad = app.get(&list("?status=LOST"), Some(&m)).await.expect(422);
        assert_eq!(bad.body["errors"][0]["field"], "status");
        app.get(&list("?cursor=-1"), Some(&m)).await.expect(400);
        // The buyer sees the status and the tracking, in the list and alone.
        let ta = app.token("a", &[]);
        let mine = app
            .get("/api/v1/orders/my-orders", Some(&ta))
            .await
            .expect(200);
        let seen = &mine.data()["items"][0];
        assert_eq!(
            (&seen["status"], &seen["trackingNumber"]),
            (&json!("SHIPPED"), &json!("1Z999AA1"))
        );
        assert_eq!(seen["carrier"], "DHL Express");
        assert!(seen["cancelReason"].is_null());
        for field in [
            "orderId",
            "groupInstanceId",
            "groupCode",
            "productId",
            "quantity",
            "unitPrice",
            "totalAmount",
            "currency",
            "createdAt",
        ] {
            assert!(!seen[field].is_null(), "{field} kept");
        }
        let again = ship(&app, &m, &orders[0]).await.expect(409);
        assert_eq!(
            problem_type(&again),
            "https://groupbuy.dev/problems/order-not-shippable"
        );
        let early = deliver(&app, &m, &orders[1]).await.expect(409);
        assert_eq!(
            problem_type(&early),
            "https://groupbuy.dev/problems/order-not-deliverable"
        );
        let late = cancel(&app, &m, &orders[0], None).await.expect(409);
        assert_eq!(
            problem_type(&late),
            "https://groupbuy.dev/problems/order-not-cancellable"
        );
        let delivered = deliver(&app, &m, &orders[0]).await.expect(200);
        assert_eq!(delivered.data()["status"], "DELIVERED");
        let alone = app
            .get(&format!("/api/v1/orders/{}", orders[0]), Some(&ta))
            .await
            .expect(200);
        assert!(alone.data()["deliveredAt"].is_string());
        assert_eq!(alone.data()["trackingNumber"], "1Z999AA1");
    }
}

#[actix_web::test]
async fn a_cancellation_refunds_and_restocks_once_even_when_retried() {
    for app in TestApp::all().await {
        let (product, orders) = completed(&app, "m1", &["a", "b"]).await;
        let pid = product["productId"].as_str().expect("product");
        let stock = || async {
            app.get(&format!("/api/v1/products/{pid}"), None)
                .await
                .expect(200)
                .data()["stockQuantity"]
                .clone()
        };
        assert_eq!(stock().await, 98);
        assert_eq!(app.balance("a").await, "0.00");
        let m = app.token("m1", &["merchant"]);
        let first = cancel(&app, &m, &orders[0], Some("cancel-1"))
            .await
            .expect(200);
        assert_eq!(first.message(), "Order cancelled successfully");
        assert_eq!(first.data()["status"], "CANCELLED");
        assert_eq!(first.data()["cancelReason"], "Out of stock");
        let replay = cancel(&app, &m, &orders[0], Some("cancel-1"))
            .await
            .expect(200);
        assert_eq!(
            replay.header("idempotent-replayed").as_deref(),
            Some("true")
        );
        assert_eq!(replay.data(), first.data(), "the same answer");
        let fresh = cancel(&app, &m, &orders[0], Some("cancel-2"))
            .await
            .expect(409);
        assert_eq!(
            problem_type(&fresh),
            "https://groupbuy.dev/problems/order-not-cancellable"
        );
        assert_eq!(app.balance("a").await, "80000.00", "refunded once");
        assert_eq!(stock().await, 99, "restocked once");
        let ledger = app
            .get("/api/v1/wallet/transactions", Some(&app.token("a", &[])))
            .await
            .expect(200);
        let refunds: Vec<&Value> = ledger.data()["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|e| e["kind"] == "REFUND")
            .collect();
        assert_eq!(refunds.len(), 1, "{}", ledger.body);
        assert_eq!(
            refunds[0]["reference"],
            format!("order-cancel:{}", orders[0])
        );
        assert_eq!(refunds[0]["amount"].to_string(), "80000.00");
        // The buyer sees the cancellation; the other order is untouched.
        let seen = app
            .get(
                &format!("/api/v1/orders/{}", orders[0]),
                Some(&app.token("a", &[])),
            )
            .await
            .expect(200);
        assert_eq!(seen.data()["status"], "CANCELLED");
        assert!(seen.data()["cancelledAt"].is_string());
        assert_eq!(app.balance("b").await, "0.00");
        ship(&app, &m, &orders[0]).await.expect(409);
        ship(&app, &m, &orders[1]).await.expect(200);
        assert_eq!(stock().await, 99, "shipping moves no stock");
    }
}

#[actix_web::test]
async fn the_merchant_s_endpoint_hears_shipped_delivered_and_cancelled() {
    for app in fast_apps().await {
        let rx = Receiver::start(&[200]).await;
        endpoint(
            &app,
            "m-orders",
            &rx.url,
            json!(["order.shipped", "order.delivered", "order.cancelled"]),
        )
        .await;
        let other = Receiver::start(&[200]).await;
        endpoint(&app, "m-other", &other.url, json!(["*"])).await;
        let (_, orders) = completed(&app, "m-orders", &["a", "b"]).await;
        let m = app.token("m-orders", &["merchant"]);
        ship(&app, &m, &orders[0]).await.expect(200);
        deliver(&app, &m, &orders[0]).await.expect(200);
        cancel(&app, &m, &orders[1], None).await.expect(200);
        let got = rx.wait_for(3).await;
        let mut types = event_types(&got);
        types.sort();
        assert_eq!(
            types,
            ["order.cancelled", "order.delivered", "order.shipped"]
        );
        for r in &got {
            let body = r.json();
            let n = if body["type"] == "order.cancelled" {
                1
            } else {
                0
            };
            assert_eq!(body["subject"], format!("order:{}", orders[n]));
        }
        let cancelled = got
            .iter()
            .map(|r| r.json())
            .find(|b| b["type"] == "order.cancelled")
            .expect("cancelled");
        assert_eq!(cancelled["data"]["refund"].to_string(), "80000.00");
        assert_eq!(cancelled["data"]["previous_status"], "CONFIRMED");
        assert!(
            event_types(&other.received())
                .iter()
                .all(|t| !t.starts_with("order.")),
            "another merchant hears nothing of these orders"
        );
    }
}
