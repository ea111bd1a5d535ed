//! The document tells the truth (issue 17, items 8-15): what a client generated from it
//! sends is what the server accepts, and what the server answers is what it documents.

use crate::helpers::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

const RW: &str = "groupbuy:read groupbuy:write";

fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str().map(str::to_owned))
        .collect()
}

#[actix_web::test]
async fn a_422_names_every_bad_field_of_the_body_at_once() {
    for app in TestApp::all().await {
        let t = app.org_token("alice", "org_acme", RW);
        let body = json!({
            "items": [{"sku": "A", "name": "Paper", "unit": "box"}, {"sku": "", "name": "Pens"}],
            "target_quantity": 0,
            "min_commitment": 1,
            "deadline": "next tuesday"
        });
        let r = app
            .call(
                Method::POST,
                "/groupbuy",
                Some(&t),
                Some(body),
                &[("Idempotency-Key", "k1")],
            )
            .await
            .expect(422);
        let named = fields(&r.body);
        for field in [
            "title",
            "deadline",
            "target_quantity",
            "items[1].sku",
            "items[1].unit",
        ] {
            assert!(
                named.iter().any(|f| f == field),
                "{field} not named: {named:?} ({})",
                app.backend
            );
        }
        assert_eq!(r.body["status"], 422);
    }
}

#[actix_web::test]
async fn a_key_sent_twice_is_refused_at_every_depth() {
    for app in TestApp::all().await {
        let t = app.org_token("alice", "org_acme", RW);
        let deadline = (time::OffsetDateTime::now_utc() + time::Duration::hours(1))
            .format(&time::format_description::well_known::Rfc3339)
            .expect("rfc3339");
        let pool = |rules: &str| {
            format!(
                r#"{{"title": "Paper", "items": [{{"sku": "A", "name": "Paper", "unit": "box"}}],
                   "target_quantity": 10, "min_commitment": 1, "deadline": "{deadline}",
                   "rules": {rules}}}"#
            )
        };
        for (i, (rules, field)) in [
            (
                r#"{"max_quantity": 50, "max_quantity": 5}"#,
                "rules.max_quantity",
            ),
            (
                r#"{"allocation": {"method": "single_vendor", "method": "single_vendor"}}"#,
                "rules.allocation.method",
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let r = app
                .client
                .post(app.url("/groupbuy"))
                .bearer_auth(&t)
                .header("Idempotency-Key", format!("dup-{i}"))
                .header("Content-Type", "application/json")
                .body(pool(rules))
                .send()
                .await
                .expect("send");
            assert_eq!(r.status().as_u16(), 422, "{rules} ({})", app.backend);
            let body: Value = r.json().await.expect("json");
            assert_eq!(fields(&body), [field], "{rules}");
        }
        // The same body without the repetition is created.
        let r = app
            .client
            .post(app.url("/groupbuy"))
            .bearer_auth(&t)
            .header("Idempotency-Key", "dup-ok")
            .header("Content-Type", "application/json")
            .body(pool(r#"{"max_quantity": 50}"#))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status().as_u16(), 201, "{}", app.backend);
    }
}
