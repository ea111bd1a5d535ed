//! `/groupbuy` Procurement II over HTTP on both backends: the RFQ and allocation as durable
//! jobs, vendors' responses, the explained allocation, settlement into documents that
//! balance, the UBL invoice, and every status code the issue names.

use crate::helpers::{Reply, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

pub(crate) const RW: &str = "groupbuy:read groupbuy:write";
const ORGANISER: &str = "groupbuy:read groupbuy:write procurement:write";
pub(crate) const FINANCE: &str = "groupbuy:read groupbuy:write procurement:write finance:write";

pub(crate) fn at(in_seconds: i64) -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::seconds(in_seconds);
    t.format(&time::format_description::well_known::Rfc3339)
        .expect("rfc3339")
}

pub(crate) async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
    key: Option<&str>,
) -> Reply {
    let headers: Vec<(&str, &str)> = key.map(|k| ("Idempotency-Key", k)).into_iter().collect();
    app.call(method, path, Some(token), body, &headers).await
}

pub(crate) fn organiser(app: &TestApp) -> String {
    app.org_token("alice", "org_acme", ORGANISER)
}

pub(crate) fn vendor(app: &TestApp, id: &str) -> String {
    app.token_full(id, None, &["vendor"], RW, 3600)
}

/// A complete party body named `name` (Belgian, VAT registered, a GLN address).
pub(crate) fn party_body(name: &str) -> Value {
    json!({
        "legal_name": format!("{name} SA"),
        "postal_address": {"street": "Rue Haute 1", "city": "Brussels", "postal_code": "1000", "country": "BE"},
        "vat_id": "BE0403578495",
        "electronic_address": {"scheme": "0088", "identifier": "5798000012349"},
        "contact_email": "ap@example.com",
        "default_vat": {"category": "S", "rate": 21}
    })
}

/// Every party of these tests filled in by a platform admin, as settling needs.
pub(crate) async fn fill_parties(app: &TestApp) {
    let admin = app.token("ops", &["platform-admin"]);
    let paths = ["org_acme", "org_a", "org_b", "org_c"]
        .map(|o| format!("/groupbuy/organisations/{o}"))
        .into_iter()
        .chain(["vendor_mills", "vendor_farm"].map(|v| format!("/groupbuy/vendors/{v}")));
    for path in paths {
        let name = path.rsplit('/').next().unwrap_or("x").to_owned();
        send(
            app,
            Method::PUT,
            &path,
            &admin,
            Some(party_body(&name)),
            None,
        )
        .await
        .expect(200);
    }
}

/// A pool of org_acme with members A (50 at 10.00), B (30 at 10.00) and C (20 at 12.00).
async fn pooled(app: &TestApp, sku: &str, fee_bps: u32) -> String {
    let rules = json!({"organiser_fee_bps": fee_bps, "payment_terms_days": 14});
    pooled_with(app, sku, rules).await
}

/// [`pooled`] with these `rules`.
pub(crate) async fn pooled_with(app: &TestApp, sku: &str, rules: Value) -> String {
    let body = json!({
        "title": "Maize flour", "target_quantity": 100, "min_commitment": 10,
        "items": [{"sku": sku, "name": "Maize flour 25 kg", "unit": "bag"}],
        "deadline": at(3600), "currency": "USD", "rules": rules
    });
    let r = send(
        app,
        Method::POST,
        "/groupbuy",
        &organiser(app),
        Some(body),
        Some(&format!("pool-{sku}")),
    )
    .await
    .expect(201);
    let id = r.data()["id"].as_str().expect("id").to_owned();
    for (org, qty, ceiling) in [
        ("org_a", 50, 10.0),
        ("org_b", 30, 10.0),
        ("org_c", 20, 12.0),
    ] {
        let t = app.org_token(&format!("{org}-buyer"), org, RW);
        send(
            app,
            Method::POST,
            &format!("/groupbuy/{id}/commit"),
            &t,
            Some(json!({"quantity": qty, "price_ceiling": ceiling})),
            Some(&format!("{sku}-{org}")),
        )
        .await
        .expect(201);
    }
    id
}

/// Polls a job until it finished (bounded: 8 s); returns it.
pub(crate) async fn finished(app: &TestApp, location: &str) -> Value {
    let t = organiser(app);
    let mut job = Value::Null;
    for _ in 0..80 {
        job = send(app, Method::GET, location, &t, None, None)
            .await
            .expect(200)
            .data()
            .clone();
        if job["status"] == "succeeded" || job["status"] == "failed" {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    job
}

/// Opens the RFQ to Mills and Farm and waits for the job; returns nothing.
pub(crate) async fn sourcing(app: &TestApp, id: &str, key: &str) {
    let body = json!({
        "vendors": [
            {"vendor_id": "vendor_mills", "name": "Mills & Co"},
            {"vendor_id": "vendor_farm", "name": "Farm Direct", "contact": "sales@farm.example"}
        ],
        "due_date": at(3600)
    });
    let r = send(
        app,
        Method::POST,
        &format!("/groupbuy/{id}/rfq"),
        &organiser(app),
        Some(body),
        Some(key),
    )
    .await
    .expect(202);
    let location = r.header("location").expect("Location");
    assert!(location.starts_with("/groupbuy/jobs/job_"), "{location}");
    assert_eq!(r.data()["type"], "rfq");
    let job = finished(app, &location).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["result_url"], format!("/groupbuy/{id}/rfq"));
}

pub(crate) async fn quote(app: &TestApp, id: &str, who: &str, price: f64, available: i64) -> Reply {
    send(
        app,
        Method::POST,
        &format!("/groupbuy/{id}/rfq/responses"),
        &vendor(app, who),
        Some(json!({"unit_price": price, "available_quantity": available, "valid_until": at(7200), "lead_time_days": 5})),
        None,
    )
    .await
}

/// Allocates `id` by its job (waited for), fills in every party and settles it (keys
/// `a{key}`, `s{key}`).
pub(crate) async fn allocate_and_settle(app: &TestApp, id: &str, key: &str) {
    let r = send(
        app,
        Method::POST,
        &format!("/groupbuy/{id}/allocate"),
        &organiser(app),
        None,
        Some(&format!("a{key}")),
    )
    .await
    .expect(202);
    let job = finished(app, &r.header("location").expect("Location")).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    fill_parties(app).await;
    send(
        app,
        Method::POST,
        &format!("/groupbuy/{id}/settle"),
        &app.org_token("alice", "org_acme", FINANCE),
        None,
        Some(&format!("s{key}")),
    )
    .await
    .expect(201);
}

#[actix_web::test]
async fn from_rfq_to_settlement_every_document_balances() {
    for app in TestApp::all().await {
        let id = pooled(&app, "MAIZE", 250).await;
        let org = organiser(&app);
        // Preconditions refused at once, never as a failed job.
        let r = send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/allocate"),
            &org,
            None,
            Some("a0"),
        )
        .await
        .expect(409);
        assert!(r.message().contains("OPEN"), "{}", r.body);
        let r = send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/settle"),
            &app.org_token("alice", "org_acme", FINANCE),
            None,
            Some("s0"),
        )
        .await
        .expect(409);
        assert!(r.message().contains("OPEN"), "{}", r.body);
        let plain = app.org_token("alice", "org_acme", RW);
        let r = send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/rfq"),
            &plain,
            Some(json!({"vendors": [], "due_date": at(60)})),
            Some("r0"),
        )
        .await
        .expect(403);
        assert_eq!(r.message(), "Missing scope: procurement:write");
        let r = send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/rfq"),
            &org,
            Some(json!({"vendors": [], "due_date": at(60)})),
            Some("r1"),
        )
        .await
        .expect(422);
        assert_eq!(r.body["errors"][0]["field"], "vendors");
        send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/rfq"),
            &org,
            Some(json!({"vendors": [{"vendor_id": "v", "name": "V"}], "due_date": at(60)})),
            None,
        )
        .await
        .expect(400);

        sourcing(&app, &id, "rfq-1").await;
        let g = send(
            &app,
            Method::GET,
            &format!("/groupbuy/{id}"),
            &org,
            None,
            None,
        )
        .await
        .expect(200);
        assert_eq!(g.data()["status"], "SOURCING");
        // Commitments are closed now.
        let t = app.org_token("a-buyer", "org_a", RW);
        send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/commit"),
            &t,
            Some(json!({"quantity": 60, "price_ceiling": 10})),
            Some("late"),
        )
        .await
        .expect(409);

        // Vendors respond: 201 first, 200 for a revision; the uninvited get 404.
        let r = quote(&app, &id, "vendor_mills", 9.5, 60).await.expect(201);
        assert_eq!(r.data()["version"], 1);
        let r = quote(&app, &id, "vendor_mills", 9.0, 60).await.expect(200);
        assert_eq!(r.data()["version"], 2);
        quote(&app, &id, "vendor_farm", 11.0, 100).await.expect(201);
        quote(&app, &id, "vendor_stranger", 5.0, 100)
            .await
            .expect(404);
        // 422 naming the field.
        let r = send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/rfq/responses"),
            &vendor(&app, "vendor_farm"),
            Some(json!({"unit_price": 11, "available_quantity": 0, "valid_until": at(7200)})),
            None,
        )
        .await
        .expect(422);
        assert_eq!(r.body["errors"][0]["field"], "available_quantity");
        let member_as_vendor = app.org_token("a-buyer", "org_a", RW);
        send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/rfq/responses"),
            &member_as_vendor,
            Some(json!({"unit_price": 1, "available_quantity": 1, "valid_until": at(7200)})),
            None,
        )
        .await
        .expect(403);

        // Who sees what of the RFQ.
        let rfq = send(
            &app,
            Method::GET,
            &format!("/groupbuy/{id}/rfq"),
            &org,
            None,
            None,
        )
        .await
        .expect(200);
        assert_eq!(rfq.data()["vendors"].as_array().map(Vec::len), Some(2));
        assert_eq!(rfq.data()["responses"].as_array().map(Vec::len), Some(2));
        let mills = send(
            &app,
            Method::GET,
            &format!("/groupbuy/{id}/rfq"),
            &vendor(&app, "vendor_mills"),
            None,
            None,
        )
        .await
        .expect(200);
        let own = mills.data()["responses"]
            .as_array()
            .expect("responses")
            .clone();
        assert_eq!(own.len(), 1);
        assert_eq!(own[0]["vendor_id"], "vendor_mills");
        assert!(
            mills.data()["vendors"].is_null(),
            "a vendor does not see the other vendors"
        );
        assert_eq!(mills.data()["committed_quantity"], 100);
        let outsider = app.org_token("eve", "org_eve", RW);
        send(
            &app,
            Method::GET,
            &format!("/groupbuy/{id}/rfq"),
            &outsider,
            None,
            None,
        )
        .await
        .expect(404);

        // Allocation: a job; then the explained split.
        let r = send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/allocate"),
            &org,
            None,
            Some("alloc-1"),
        )
        .await
        .expect(202);
        let job = finished(&app, &r.header("location").expect("Location")).await;
        assert_eq!(job["status"], "succeeded", "{job}");
        let alloc = send(
            &app,
            Method::GET,
            &format!("/groupbuy/{id}/allocation"),
            &org,
            None,
            None,
        )
        .await
        .expect(200);
        let a = alloc.data();
        assert_eq!(a["method"], "lowest_price_pro_rata");
        let mills_lines: Vec<_> = a["results"]
            .as_array()
            .expect("results")
            .iter()
            .filter(|l| l["vendor_id"] == "vendor_mills")
            .collect();
        let split: Vec<i64> = mills_lines
            .iter()
            .map(|l| l["quantity"].as_i64().unwrap_or_default())
            .collect();
        assert_eq!(
            split,
            [30, 18, 12],
            "Mills' 60 units shared in proportion to need"
        );
        assert!(
            mills_lines[0]["explanation"]
                .as_str()
                .unwrap_or_default()
                .contains("pro rata share of 60 units among 3 members"),
            "{}",
            mills_lines[0]
        );
        let unfilled: i64 = a["unfilled"]
            .as_array()
            .expect("unfilled")
            .iter()
            .map(|u| u["quantity"].as_i64().unwrap_or_default())
            .sum();
        assert_eq!(
            a["totals"]["allocated_quantity"]
                .as_i64()
                .unwrap_or_default()
                + unfilled,
            100,
            "every unit accounted for"
        );
        let member = send(
            &app,
            Method::GET,
            &format!("/groupbuy/{id}/allocation"),
            &t,
            None,
            None,
        )
        .await
        .expect(200);
        assert!(member.data()["results"]
            .as_array()
            .expect("results")
            .iter()
            .all(|l| l["member_id"] == "org_a"));
        let farm = send(
            &app,
            Method::GET,
            &format!("/groupbuy/{id}/allocation"),
            &vendor(&app, "vendor_farm"),
            None,
            None,
        )
        .await
        .expect(200);
        assert!(farm.data()["results"]
            .as_array()
            .expect("results")
            .iter()
            .all(|l| l["vendor_id"] == "vendor_farm"));
        // Once allocated, responses are closed.
        quote(&app, &id, "vendor_farm", 10.5, 100).await.expect(409);

        // Settlement: both scopes; once; the same key replays it.
        fill_parties(&app).await;
        send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/settle"),
            &org,
            None,
            Some("settle-1"),
        )
        .await
        .expect(403);
        let fin = app.org_token("alice", "org_acme", FINANCE);
        let s = send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/settle"),
            &fin,
            None,
            Some("settle-1"),
        )
        .await
        .expect(201);
        let again = send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/settle"),
            &fin,
            None,
            Some("settle-1"),
        )
        .await
        .expect(201);
        assert_eq!(again.data()["id"], s.data()["id"]);
        let r = send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/settle"),
            &fin,
            None,
            Some("settle-2"),
        )
        .await
        .expect(409);
        assert_eq!(r.message(), "Group buy already settled");
        let d = s.data();
        let docs = d["documents"].as_array().expect("documents").clone();
        let minor = |v: &Value| (v.as_f64().unwrap_or_default() * 100.0).round() as i64;
        let sum = |kind: &str| {
            docs.iter()
                .filter(|x| x["type"] == kind)
                .map(|x| minor(&x["total"]))
                .sum::<i64>()
        };
        let fees: i64 = docs.iter().map(|x| minor(&x["fee"])).sum();
        assert_eq!(
            docs.iter().filter(|x| x["type"] == "PAYABLE").count(),
            2,
            "one payable per awarded vendor"
        );
        assert_eq!(
            docs.iter().filter(|x| x["type"] == "RECEIVABLE").count(),
            3,
            "one receivable per member"
        );
        assert_eq!(
            sum("RECEIVABLE"),
            sum("PAYABLE") + fees,
            "receivables == payables + fees"
        );
        assert_eq!(minor(&d["totals"]["receivables"]), sum("RECEIVABLE"));
        for doc in &docs {
            let lines: i64 = doc["lines"]
                .as_array()
                .expect("lines")
                .iter()
                .map(|l| minor(&l["amount"]))
                .sum();
            assert_eq!(
                lines,
                minor(&doc["total"]),
                "a document's total is its lines' sum"
            );
        }
        let receivable = docs
            .iter()
            .find(|x| x["type"] == "RECEIVABLE")
            .expect("receivable");
        let due = time::Date::parse(
            receivable["due_date"].as_str().unwrap_or_default(),
            &time::format_description::well_known::Iso8601::DATE,
        )
        .expect("date");
        let issued = time::Date::parse(
            receivable["issue_date"].as_str().unwrap_or_default(),
            &time::format_description::well_known::Iso8601::DATE,
        )
        .expect("date");
        assert_eq!(
            due - issued,
            time::Duration::days(14),
            "rules.payment_terms_days"
        );
        let g = send(
            &app,
            Method::GET,
            &format!("/groupbuy/{id}"),
            &org,
            None,
            None,
        )
        .await
        .expect(200);
        assert_eq!(g.data()["status"], "SETTLED");

        // Each party sees its own document; the UBL invoice agrees with the JSON.
        let mine = send(
            &app,
            Method::GET,
            &format!("/groupbuy/{id}/settlement"),
            &t,
            None,
            None,
        )
        .await
        .expect(200);
        let mine = mine.data()["documents"]
            .as_array()
            .expect("documents")
            .clone();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0]["counterparty"], "org_a");
        let doc_path = format!(
            "/groupbuy/{id}/settlement/documents/{}",
            mine[0]["id"].as_str().expect("doc id")
        );
        let res = app
            .client
            .get(app.url(&doc_path))
            .bearer_auth(&t)
            .header("Accept", "application/xml")
            .send()
            .await
            .expect("xml");
        assert_eq!(res.status(), 200);
        let xml = res.text().await.expect("body");
        let payable = xml
            .split("<cbc:PayableAmount currencyID=\"USD\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .expect("PayableAmount");
        assert_eq!(
            minor(&json!(payable.parse::<f64>().expect("number"))),
            minor(&mine[0]["invoice"]["total_with_tax"]),
            "the invoice's payable is the document's total with its VAT"
        );
        assert!(
            xml.contains("<cbc:InvoicedQuantity unitCode=\"C62\">"),
            "{xml}"
        );
        send(
            &app,
            Method::GET,
            &doc_path,
            &vendor(&app, "vendor_farm"),
            None,
            None,
        )
        .await
        .expect(404);
    }
}

#[actix_web::test]
async fn an_rfq_needs_commitments_and_the_target_unless_partial_is_allowed() {
    for app in TestApp::all().await {
        let org = organiser(&app);
        let body = |sku: &str, partial: bool| {
            json!({
                "title": "Pens", "target_quantity": 100, "min_commitment": 10,
                "items": [{"sku": sku, "name": "Pen", "unit": "box"}],
                "deadline": at(3600), "rules": {"allow_partial": partial}
            })
        };
        let vendors = json!({"vendors": [{"vendor_id": "v1", "name": "V1"}], "due_date": at(600)});
        let empty = send(
            &app,
            Method::POST,
            "/groupbuy",
            &org,
            Some(body("EMPTY", false)),
            Some("p1"),
        )
        .await
        .expect(201);
        let empty = empty.data()["id"].as_str().expect("id").to_owned();
        let r = send(
            &app,
            Method::POST,
            &format!("/groupbuy/{empty}/rfq"),
            &org,
            Some(vendors.clone()),
            Some("r1"),
        )
        .await
        .expect(409);
        assert!(r.message().contains("no commitments"), "{}", r.body);
        let short = send(
            &app,
            Method::POST,
            "/groupbuy",
            &org,
            Some(body("SHORT", false)),
            Some("p2"),
        )
        .await
        .expect(201);
        let short = short.data()["id"].as_str().expect("id").to_owned();
        let t = app.org_token("b", "org_b", RW);
        send(
            &app,
            Method::POST,
            &format!("/groupbuy/{short}/commit"),
            &t,
            Some(json!({"quantity": 60, "price_ceiling": 2})),
            Some("c1"),
        )
        .await
        .expect(201);
        let r = send(
            &app,
            Method::POST,
            &format!("/groupbuy/{short}/rfq"),
            &org,
            Some(vendors.clone()),
            Some("r2"),
        )
        .await
        .expect(409);
        assert!(r.message().contains("60/100"), "{}", r.body);
        let partial = send(
            &app,
            Method::POST,
            "/groupbuy",
            &org,
            Some(body("PARTIAL", true)),
            Some("p3"),
        )
        .await
        .expect(201);
        let partial = partial.data()["id"].as_str().expect("id").to_owned();
        send(
            &app,
            Method::POST,
            &format!("/groupbuy/{partial}/commit"),
            &t,
            Some(json!({"quantity": 60, "price_ceiling": 2})),
            Some("c2"),
        )
        .await
        .expect(201);
        // A stale If-Match is 412 naming the current ETag; then the RFQ opens.
        let stale = app
            .call(
                Method::POST,
                &format!("/groupbuy/{partial}/rfq"),
                Some(&org),
                Some(vendors.clone()),
                &[("Idempotency-Key", "r3s"), ("If-Match", "\"1\"")],
            )
            .await
            .expect(412);
        assert!(stale.message().contains("\"2\""), "{}", stale.body);
        let r = send(
            &app,
            Method::POST,
            &format!("/groupbuy/{partial}/rfq"),
            &org,
            Some(vendors.clone()),
            Some("r3"),
        )
        .await
        .expect(202);
        let job = finished(&app, &r.header("location").expect("Location")).await;
        assert_eq!(job["status"], "succeeded", "{job}");
        // A second RFQ is refused at once: the pool is SOURCING now.
        send(
            &app,
            Method::POST,
            &format!("/groupbuy/{partial}/rfq"),
            &org,
            Some(vendors),
            Some("r4"),
        )
        .await
        .expect(409);
        // Another organisation's job is not found.
        let job_path = r.header("location").expect("Location");
        send(&app, Method::GET, &job_path, &t, None, None)
            .await
            .expect(404);
        send(
            &app,
            Method::GET,
            "/groupbuy/jobs/job_00000000000000000000000000000000",
            &org,
            None,
            None,
        )
        .await
        .expect(404);
        // Allocation without any response: 409 at once.
        let r = send(
            &app,
            Method::POST,
            &format!("/groupbuy/{partial}/allocate"),
            &org,
            None,
            Some("a1"),
        )
        .await
        .expect(409);
        assert!(
            r.message().contains("No valid vendor response"),
            "{}",
            r.body
        );
    }
}

#[actix_web::test]
async fn every_sourcing_event_reaches_the_organiser_signed_with_the_seed_payloads() {
    use crate::webhook::{fast_apps, verifies, Receiver};
    for app in fast_apps().await {
        let receiver = Receiver::start(&[]).await;
        let r = app
            .post(
                "/webhooks/endpoints",
                Some(&app.org_token("alice", "org_acme", RW)),
                json!({"url": receiver.url, "events": ["rfq.opened", "vendor.response.received", "allocation.created", "settlement.completed"]}),
            )
            .await
            .expect(201);
        let secret = r.data()["secret"].as_str().expect("secret").to_owned();
        let id = pooled(&app, "RICE", 0).await;
        sourcing(&app, &id, "rfq-1").await;
        quote(&app, &id, "vendor_mills", 9.0, 100).await.expect(201);
        allocate_and_settle(&app, &id, "1").await;
        let got = receiver.wait_for(4).await;
        let types = crate::webhook::event_types(&got);
        assert_eq!(
            types,
            [
                "rfq.opened",
                "vendor.response.received",
                "allocation.created",
                "settlement.completed"
            ]
        );
        for r in &got {
            assert!(verifies(r, &secret), "signed with the endpoint's secret");
            assert_eq!(r.json()["subject"], format!("groupbuy:{id}"));
        }
        // Seed 002's example: data.groupbuy_id and data.allocation.{id, results[{member_id, quantity}]}.
        let allocation = got[2].json();
        assert_eq!(allocation["data"]["groupbuy_id"], json!(id));
        assert!(allocation["data"]["allocation"]["id"]
            .as_str()
            .unwrap_or_default()
            .starts_with("alloc_"));
        let results = allocation["data"]["allocation"]["results"]
            .as_array()
            .expect("results")
            .clone();
        assert_eq!(results.len(), 3);
        assert!(results
            .iter()
            .all(|l| l["member_id"].is_string() && l["quantity"].is_i64()));
        // The events carry the X-Request-Id of the request that caused them (jobs included).
        assert!(got.iter().all(|r| r.header("x-request-id").is_some()));
    }
}
