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

/// Headers any HTTP server or the transport adds, not the API's own.
const TRANSPORT_HEADERS: [&str; 6] = [
    "content-type",
    "content-length",
    "date",
    "connection",
    "transfer-encoding",
    "vary",
];

/// Every header of `r` that is the API's own is declared on the served document's
/// response for (`method`, `template`, status), and that response exists.
fn assert_documented(doc: &Value, method: &str, template: &str, r: &crate::helpers::Reply) {
    let status = r.status.as_u16().to_string();
    let response = &doc["paths"][template][method]["responses"][&status];
    assert!(
        response.is_object(),
        "{method} {template} answered {status}, which its document does not list"
    );
    let declared: Vec<String> = response["headers"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, _)| name.to_ascii_lowercase())
        .collect();
    for name in r.headers.keys() {
        let name = name.as_str();
        assert!(
            TRANSPORT_HEADERS.contains(&name) || declared.iter().any(|d| d == name),
            "{method} {template} {status} sends {name}, undocumented (declared: {declared:?})"
        );
    }
}

#[actix_web::test]
async fn every_header_a_response_carries_is_documented_for_its_operation_and_status() {
    for app in TestApp::all().await {
        let doc = app.get("/openapi.json", None).await.body;
        let all = "groupbuy:read groupbuy:write procurement:write finance:write";
        let acme = app.org_token("alice", "org_acme", all);
        let beta = app.org_token("bob", "org_beta", all);
        let deadline = (time::OffsetDateTime::now_utc() + time::Duration::hours(2))
            .format(&time::format_description::well_known::Rfc3339)
            .expect("rfc3339");
        let pool = json!({"title": "Paper", "items": [{"sku": "A", "name": "Paper", "unit": "box"}],
            "target_quantity": 10, "min_commitment": 1, "deadline": deadline});
        let key = [("Idempotency-Key", "h-create")];
        let mut seen = Vec::new();
        let created = app
            .call(
                Method::POST,
                "/groupbuy",
                Some(&acme),
                Some(pool.clone()),
                &key,
            )
            .await
            .expect(201);
        let id = created.data()["id"].as_str().expect("id").to_owned();
        assert!(created.header("location").is_some() && created.header("etag").is_some());
        seen.push(("post", "/groupbuy", created));
        let replay = app
            .call(
                Method::POST,
                "/groupbuy",
                Some(&acme),
                Some(pool.clone()),
                &key,
            )
            .await
            .expect(201);
        assert_eq!(
            replay.header("idempotent-replayed").as_deref(),
            Some("true")
        );
        seen.push(("post", "/groupbuy", replay));
        let mut bad = pool.clone();
        bad["title"] = json!("");
        bad["target_quantity"] = json!(0);
        let invalid = [("Idempotency-Key", "h-bad")];
        seen.push((
            "post",
            "/groupbuy",
            app.call(Method::POST, "/groupbuy", Some(&acme), Some(bad), &invalid)
                .await
                .expect(422),
        ));
        seen.push((
            "post",
            "/groupbuy",
            app.call(
                Method::POST,
                "/groupbuy",
                Some(&acme),
                Some(pool.clone()),
                &[],
            )
            .await
            .expect(400),
        ));
        seen.push((
            "get",
            "/groupbuy",
            app.get("/groupbuy", None).await.expect(401),
        ));
        seen.push((
            "get",
            "/groupbuy",
            app.get("/groupbuy", Some(&acme)).await.expect(200),
        ));
        let one = format!("/groupbuy/{id}");
        seen.push((
            "get",
            "/groupbuy/{id}",
            app.get(&one, Some(&acme)).await.expect(200),
        ));
        seen.push((
            "get",
            "/groupbuy/{id}",
            app.get("/groupbuy/gb_00000000000000000000000000", Some(&acme))
                .await
                .expect(404),
        ));
        let commit = app
            .call(
                Method::POST,
                &format!("{one}/commit"),
                Some(&beta),
                Some(json!({"quantity": 10, "price_ceiling": 5})),
                &[("Idempotency-Key", "h-commit")],
            )
            .await
            .expect(201);
        seen.push(("post", "/groupbuy/{id}/commit", commit));
        let stale = app
            .call(
                Method::POST,
                &format!("{one}/cancel"),
                Some(&acme),
                None,
                &[("If-Match", "\"999\"")],
            )
            .await
            .expect(412);
        seen.push(("post", "/groupbuy/{id}/cancel", stale));
        let due = (time::OffsetDateTime::now_utc() + time::Duration::hours(1))
            .format(&time::format_description::well_known::Rfc3339)
            .expect("rfc3339");
        let rfq = app
            .call(
                Method::POST,
                &format!("{one}/rfq"),
                Some(&acme),
                Some(json!({"vendors": [{"vendor_id": "v1", "name": "Vendor"}], "due_date": due})),
                &[("Idempotency-Key", "h-rfq")],
            )
            .await
            .expect(202);
        let job = rfq.header("location").expect("job location");
        assert_eq!(rfq.header("retry-after").as_deref(), Some("1"));
        seen.push(("post", "/groupbuy/{id}/rfq", rfq));
        seen.push((
            "get",
            "/groupbuy/jobs/{job_id}",
            app.get(&job, Some(&acme)).await.expect(200),
        ));
        for (method, template, reply) in &seen {
            assert_documented(&doc, method, template, reply);
        }
    }
}

#[actix_web::test]
async fn idempotency_key_is_documented_required_exactly_where_its_absence_is_a_400() {
    for app in TestApp::all().await {
        let doc = app.get("/openapi.json", None).await.body;
        let mut required = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("item") {
                let key = op["parameters"].as_array().into_iter().flatten().find(|p| {
                    p["name"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case("Idempotency-Key"))
                });
                if key.is_some_and(|k| k["required"] == true) {
                    required.push(format!("{} {path}", method.to_uppercase()));
                }
            }
        }
        required.sort();
        let all = "groupbuy:read groupbuy:write procurement:write finance:write";
        let t = app.org_token("alice", "org_acme", all);
        let deadline = "2099-01-01T00:00:00Z";
        let gb = "gb_00000000000000000000000000";
        let candidates = [
            (
                "POST /groupbuy",
                "/groupbuy".to_owned(),
                Some(json!({"title": "P",
                "items": [{"sku": "A", "name": "P", "unit": "box"}], "target_quantity": 1,
                "min_commitment": 1, "deadline": deadline})),
            ),
            (
                "POST /groupbuy/{id}/commit",
                format!("/groupbuy/{gb}/commit"),
                Some(json!({"quantity": 1, "price_ceiling": 1})),
            ),
            (
                "POST /groupbuy/{id}/rfq",
                format!("/groupbuy/{gb}/rfq"),
                Some(json!({"vendors": [{"vendor_id": "v", "name": "V"}], "due_date": deadline})),
            ),
            (
                "POST /groupbuy/{id}/allocate",
                format!("/groupbuy/{gb}/allocate"),
                None,
            ),
            (
                "POST /groupbuy/{id}/settle",
                format!("/groupbuy/{gb}/settle"),
                None,
            ),
            (
                "POST /groupbuy/{id}/cancel",
                format!("/groupbuy/{gb}/cancel"),
                None,
            ),
            (
                "POST /webhooks/endpoints",
                "/webhooks/endpoints".to_owned(),
                Some(json!({"url": "https://example.com/hook"})),
            ),
        ];
        let mut refused = Vec::new();
        for (name, path, body) in candidates {
            let r = app.call(Method::POST, &path, Some(&t), body, &[]).await;
            if r.status.as_u16() == 400
                && r.body["type"]
                    .as_str()
                    .is_some_and(|t| t.ends_with("/idempotency-key-required"))
            {
                refused.push(name.to_owned());
            }
        }
        // The platform admin's payouts (a shop that does not exist: the key is checked first).
        let admin = app.token("admin", &["platform-admin"]);
        let payouts = format!("/api/v1/platform-admin/shops/{}/payouts", uuid::Uuid::nil());
        let body = json!({"amount": 1, "reference": "r"});
        let r = app
            .call(Method::POST, &payouts, Some(&admin), Some(body), &[])
            .await;
        if r.status.as_u16() == 400
            && r.body["type"]
                .as_str()
                .is_some_and(|t| t.ends_with("/idempotency-key-required"))
        {
            refused.push("POST /api/v1/platform-admin/shops/{shopId}/payouts".to_owned());
        }
        refused.sort();
        assert_eq!(refused.len(), 6, "{refused:?}");
        assert_eq!(required, refused, "({})", app.backend);
    }
}
