//! Sealed bids over HTTP on both backends (issue 17, item 4): only the RFQ's due date
//! unseals them. Cancelling a SOURCING pool keeps them sealed for good, and allocating
//! before the due date is a 409 naming it.

use crate::helpers::{Reply, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

const RW: &str = "groupbuy:read groupbuy:write";
const ORGANISER: &str = "groupbuy:read groupbuy:write procurement:write";
/// How far ahead the RFQ is due: long enough to quote, short enough to wait for.
const DUE_IN: time::Duration = time::Duration::seconds(2);

/// A request with a fresh Idempotency-Key (the sealed-bid steps never retry).
pub(crate) async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Reply {
    let key = uuid::Uuid::new_v4().to_string();
    crate::sourcing::send(app, method, path, token, body, Some(&key)).await
}

pub(crate) fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .expect("rfc3339")
}

/// A sealed-bid pool of org_acme at target, SOURCING with an RFQ due [`DUE_IN`] from now
/// (returned), and both invited vendors' quotes in.
async fn sealed_and_quoted(app: &TestApp) -> (String, time::OffsetDateTime) {
    let org = app.org_token("alice", "org_acme", ORGANISER);
    let now = time::OffsetDateTime::now_utc();
    let body = json!({
        "title": "Maize flour", "target_quantity": 10, "min_commitment": 10,
        "items": [{"sku": "MAIZE", "name": "Maize flour 25 kg", "unit": "bag"}],
        "deadline": rfc3339(now + time::Duration::hours(1)), "currency": "USD",
        "rules": {"sealed_bids": true}
    });
    let r = send(app, Method::POST, "/groupbuy", &org, Some(body))
        .await
        .expect(201);
    let id = r.data()["id"].as_str().expect("id").to_owned();
    let member = app.org_token("a-buyer", "org_a", RW);
    let commit = json!({"quantity": 10, "price_ceiling": 20});
    send(
        app,
        Method::POST,
        &format!("/groupbuy/{id}/commit"),
        &member,
        Some(commit),
    )
    .await
    .expect(201);
    let due = time::OffsetDateTime::now_utc() + DUE_IN;
    let rfq = json!({
        "vendors": [{"vendor_id": "vendor_mills", "name": "Mills"}, {"vendor_id": "vendor_farm", "name": "Farm"}],
        "due_date": rfc3339(due)
    });
    let r = send(
        app,
        Method::POST,
        &format!("/groupbuy/{id}/rfq"),
        &org,
        Some(rfq),
    )
    .await
    .expect(202);
    wait_for(app, &org, &r.header("location").expect("Location")).await;
    for (vendor, price) in [("vendor_mills", 9.5), ("vendor_farm", 11.0)] {
        let t = app.token_full(vendor, None, &["vendor"], RW, 3600);
        let quote = json!({"unit_price": price, "available_quantity": 10, "lead_time_days": 5,
            "valid_until": rfc3339(due + time::Duration::hours(1)), "notes": format!("{price} firm")});
        send(
            app,
            Method::POST,
            &format!("/groupbuy/{id}/rfq/responses"),
            &t,
            Some(quote),
        )
        .await
        .expect(201);
    }
    (id, due)
}

/// The organiser's view of the RFQ: whether sealed, and every price and note shown.
async fn organiser_sees(app: &TestApp, id: &str) -> (Value, Vec<(Value, Value)>) {
    let org = app.org_token("alice", "org_acme", ORGANISER);
    let r = send(app, Method::GET, &format!("/groupbuy/{id}/rfq"), &org, None)
        .await
        .expect(200);
    let shown = r.data()["responses"]
        .as_array()
        .expect("responses")
        .iter()
        .map(|x| (x["unit_price"].clone(), x["notes"].clone()))
        .collect();
    (r.data()["prices_sealed"].clone(), shown)
}

async fn until(due: time::OffsetDateTime) {
    let left = due - time::OffsetDateTime::now_utc() + time::Duration::milliseconds(50);
    if left.is_positive() {
        actix_web::rt::time::sleep(left.unsigned_abs()).await;
    }
}

#[actix_web::test]
async fn cancelling_a_sealed_rfq_keeps_its_bids_sealed_for_good() {
    for app in TestApp::all().await {
        let (id, due) = sealed_and_quoted(&app).await;
        let org = app.org_token("alice", "org_acme", ORGANISER);
        send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/cancel"),
            &org,
            None,
        )
        .await
        .expect(200);
        let sealed = (json!(true), vec![(Value::Null, Value::Null); 2]);
        assert_eq!(organiser_sees(&app, &id).await, sealed, "{}", app.backend);
        until(due).await;
        assert_eq!(organiser_sees(&app, &id).await, sealed, "{}", app.backend);
    }
}

#[actix_web::test]
async fn sealed_bids_are_allocated_from_the_due_date_on_only() {
    for app in TestApp::all().await {
        let (id, due) = sealed_and_quoted(&app).await;
        let org = app.org_token("alice", "org_acme", ORGANISER);
        let allocate = format!("/groupbuy/{id}/allocate");
        let r = send(&app, Method::POST, &allocate, &org, None)
            .await
            .expect(409);
        let due_text = rfc3339(due.replace_nanosecond(0).expect("whole seconds"));
        assert_eq!(
            r.message(),
            format!("Bids are sealed until the RFQ's due date {due_text}; allocate from then on"),
            "{}",
            app.backend
        );
        let (sealed, shown) = organiser_sees(&app, &id).await;
        assert_eq!(sealed, json!(true));
        assert!(
            shown.iter().all(|(p, n)| p.is_null() && n.is_null()),
            "{shown:?}"
        );
        until(due).await;
        let (sealed, shown) = organiser_sees(&app, &id).await;
        assert_eq!(sealed, json!(false));
        assert!(
            shown.iter().all(|(p, n)| p.is_number() && n.is_string()),
            "{shown:?}"
        );
        send(&app, Method::POST, &allocate, &org, None)
            .await
            .expect(202);
    }
}

/// Polls a job until it succeeded (bounded: 4 s).
pub(crate) async fn wait_for(app: &TestApp, token: &str, job: &str) {
    for _ in 0..80 {
        let j = send(app, Method::GET, job, token, None).await.expect(200);
        if j.data()["status"] == "succeeded" {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("job {job} did not succeed");
}
