//! Campaign pre-orders over HTTP, the walk-through of issue 20: a campaign created with
//! `preorder` terms closes into one payment session per signed-in pledge (anonymous
//! interest is counted, never charged); a pledger sees the session in `my-interest` and
//! pays it with the ordinary process-payment (Idempotency-Key honoured); the paid
//! pre-order is an order of the handle, which lists, ships and reads its balance and
//! statement; the owner's endpoint hears `campaign.preorders_opened` and `order.created`;
//! anyone else is told the handle does not exist, per route. Expiry needs the clock: it
//! is proved in the store's tests (`campaign/preorder/tests`).

use crate::helpers::{assert_problem, Reply, TestApp};
use crate::order::ship;
use crate::webhook::{endpoint, event_types, fast_apps, Receiver};
use reqwest::Method;
use serde_json::{json, Value};

const HANDLE: &str = "/v2/handles/kilimo";
const PUBLIC: &str = "/v2/public/group-buys/kilimo/coffee";

fn closes_at() -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::days(7);
    t.format(&time::format_description::well_known::Rfc3339)
        .expect("rfc3339")
}

/// The handle `kilimo` of m1 and a published pre-order campaign `coffee` (12,500.00 TZS a
/// unit, closes once 2 visitors are in, 48 hours to pay); returns m1's token.
pub(crate) async fn preorder_campaign(app: &TestApp) -> String {
    let m1 = app.token("m1", &["merchant"]);
    app.post(
        "/v2/handles",
        Some(&m1),
        json!({"handle": "kilimo", "displayName": "Kilimo Coffee"}),
    )
    .await
    .expect(201);
    let created = app
        .post(
            &format!("{HANDLE}/group-buys"),
            Some(&m1),
            json!({"slug": "coffee", "title": "Kilimo coffee", "unitPrice": 12500,
                   "thresholds": {"minParticipants": 2}, "closesAt": closes_at(),
                   "preorder": {"paymentWindowHours": 48}}),
        )
        .await
        .expect(201);
    assert_eq!(created.data()["preorder"]["paymentWindowHours"], 48);
    app.post(
        &format!("{HANDLE}/group-buys/coffee/publish"),
        Some(&m1),
        json!({}),
    )
    .await
    .expect(200);
    m1
}

pub(crate) async fn pledge(app: &TestApp, token: Option<&str>, quantity: i64) -> Reply {
    app.call(
        Method::PUT,
        &format!("{PUBLIC}/my-interest"),
        token,
        Some(json!({"quantity": quantity})),
        &[],
    )
    .await
}

async fn pay(app: &TestApp, token: &str, session: &str, key: &str) -> Reply {
    app.call(
        Method::POST,
        &format!("/api/v1/checkout-sessions/{session}/process-payment"),
        Some(token),
        Some(json!({"paymentMethod": "WALLET"})),
        &[("idempotency-key", key)],
    )
    .await
}

/// The session `my-interest` shows the bearer.
async fn my_session(app: &TestApp, token: &str) -> Value {
    app.get(&format!("{PUBLIC}/my-interest"), Some(token))
        .await
        .expect(200)
        .data()["preorder"]
        .clone()
}

#[actix_web::test]
async fn a_closed_campaign_s_pledges_are_paid_into_orders_the_handle_ships() {
    for app in fast_apps().await {
        let rx = Receiver::start(&[200]).await;
        endpoint(
            &app,
            "m1",
            &rx.url,
            json!([
                "campaign.preorders_opened",
                "order.created",
                "order.shipped"
            ]),
        )
        .await;
        let m1 = preorder_campaign(&app).await;
        let (alice, bob) = (app.token("alice", &[]), app.token("bob", &[]));
        pledge(&app, Some(&alice), 2).await.expect(201);
        pledge(&app, Some(&bob), 1).await.expect(201);
        pledge(&app, None, 4).await.expect(201);
        let before = app
            .get(&format!("{PUBLIC}/my-interest"), Some(&alice))
            .await;
        assert_eq!(before.expect(200).data()["preorder"], Value::Null);
        app.post(
            &format!("{HANDLE}/group-buys/coffee/close"),
            Some(&m1),
            json!({}),
        )
        .await
        .expect(200);
        let session = my_session(&app, &alice).await;
        assert_eq!(session["sessionType"], "CAMPAIGN_PREORDER");
        assert_eq!(session["status"], "PENDING_PAYMENT");
        assert_eq!(session["totalAmount"].to_string(), "25000.00");
        let id = session["sessionId"].as_str().expect("id").to_owned();
        // Bob cannot pay or read Alice's session: it does not exist for him.
        let stolen = pay(&app, &bob, &id, "steal").await.expect(404);
        assert_problem(&stolen);
        app.credit("alice", 30_000.0).await;
        let paid = pay(&app, &alice, &id, "pay-coffee").await.expect(200);
        assert_eq!(paid.data()["status"], "PAID");
        let order = paid.data()["orderId"].as_str().expect("order").to_owned();
        let again = pay(&app, &alice, &id, "pay-coffee").await.expect(200);
        assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
        assert_eq!(again.data(), paid.data());
        assert_eq!(app.balance("alice").await, "5000.00");
        let read = app
            .get(&format!("/api/v1/checkout-sessions/{id}"), Some(&alice))
            .await
            .expect(200);
        assert_eq!(read.data()["status"], "PAID");
        let mine = app
            .get(&format!("/api/v1/orders/{order}"), Some(&alice))
            .await
            .expect(200);
        assert_eq!(mine.data()["source"], "CAMPAIGN_PREORDER");
        assert_eq!(mine.data()["handle"], "kilimo");
        assert_eq!(mine.data()["shopId"], Value::Null);
        let to_ship = app
            .get(&format!("{HANDLE}/orders?status=CONFIRMED"), Some(&m1))
            .await
            .expect(200);
        assert_eq!(to_ship.data()["items"][0]["orderId"], order.as_str());
        ship(&app, &m1, &order).await.expect(200);
        let balance = app
            .get(&format!("{HANDLE}/balance"), Some(&m1))
            .await
            .expect(200);
        assert_eq!(
            balance.data()["balances"][0]["available"].to_string(),
            "25000.00"
        );
        let statement = app
            .get(&format!("{HANDLE}/statement"), Some(&m1))
            .await
            .expect(200);
        assert_eq!(statement.data()["items"][0]["kind"], "ORDER_SETTLED");
        let counts = app
            .get(&format!("{HANDLE}/group-buys/coffee/preorders"), Some(&m1))
            .await
            .expect(200);
        assert_eq!(
            counts.data(),
            &json!({"pledged": 2, "pending": 1, "paid": 1, "expired": 0})
        );
        let got = rx.wait_for(3).await;
        assert_eq!(
            event_types(&got),
            [
                "campaign.preorders_opened",
                "order.created",
                "order.shipped"
            ]
        );
        assert_eq!(got[0].json()["data"]["anonymous_interests"], 1);
    }
}

#[actix_web::test]
async fn another_merchant_is_told_the_handle_does_not_exist_on_every_route() {
    for app in TestApp::all().await {
        preorder_campaign(&app).await;
        let m2 = app.token("m2", &["merchant"]);
        for path in [
            format!("{HANDLE}/orders"),
            format!("{HANDLE}/balance"),
            format!("{HANDLE}/statement"),
            format!("{HANDLE}/group-buys/coffee/preorders"),
        ] {
            let r = app.get(&path, Some(&m2)).await.expect(404);
            assert_problem(&r);
        }
    }
}

#[actix_web::test]
async fn preorder_terms_are_validated() {
    for app in TestApp::all().await {
        let m1 = preorder_campaign(&app).await;
        for (hours, status) in [(json!(0), 422), (json!(721), 422), (json!("48"), 422)] {
            let r = app
                .post(
                    &format!("{HANDLE}/group-buys"),
                    Some(&m1),
                    json!({"slug": "tea", "title": "Tea", "unitPrice": 100,
                           "thresholds": {"minParticipants": 1}, "closesAt": closes_at(),
                           "preorder": {"paymentWindowHours": hours}}),
                )
                .await;
            assert_eq!(r.status.as_u16(), status, "{hours}: {}", r.message());
        }
    }
}
