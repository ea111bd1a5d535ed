//! `/groupbuy` (seed 002, Procurement I) over HTTP on both backends: every status code
//! the issue names, tenancy, ETag/If-Match, the required Idempotency-Key, audit.

use crate::helpers::{Reply, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

const RW: &str = "groupbuy:read groupbuy:write";

fn deadline(in_seconds: i64) -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::seconds(in_seconds);
    t.format(&time::format_description::well_known::Rfc3339)
        .expect("rfc3339")
}

fn pool(sku: &str, rules: Value) -> Value {
    json!({
        "title": "Copy paper for Q1",
        "items": [{"sku": sku, "name": "A4 copy paper", "unit": "box", "quantity_per_unit": 5}],
        "target_quantity": 100,
        "min_commitment": 10,
        "deadline": deadline(3600),
        "currency": "USD",
        "rules": rules
    })
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Reply {
    app.call(method, path, Some(token), body, headers).await
}

/// Creates a pool as `org` (key `key`) and returns its id.
async fn create(app: &TestApp, org: &str, key: &str, body: Value) -> String {
    let t = app.org_token(&format!("{org}-buyer"), org, RW);
    let r = send(
        app,
        Method::POST,
        "/groupbuy",
        &t,
        Some(body),
        &[("Idempotency-Key", key)],
    )
    .await
    .expect(201);
    r.data()["id"].as_str().expect("id").to_owned()
}

async fn commit(app: &TestApp, org: &str, id: &str, quantity: i64, key: &str) -> Reply {
    let t = app.org_token(&format!("{org}-buyer"), org, RW);
    send(
        app,
        Method::POST,
        &format!("/groupbuy/{id}/commit"),
        &t,
        Some(json!({"quantity": quantity, "price_ceiling": 9.5})),
        &[("Idempotency-Key", key)],
    )
    .await
}

#[actix_web::test]
async fn creating_a_pool_answers_every_documented_status() {
    for app in TestApp::all().await {
        let acme = app.org_token("alice", "org_acme", RW);
        // 201 with Location and ETag; the same key replays both.
        let body = pool("PAPER-A4", json!({"max_quantity": 200}));
        let first = send(
            &app,
            Method::POST,
            "/groupbuy",
            &acme,
            Some(body.clone()),
            &[("Idempotency-Key", "k1")],
        )
        .await
        .expect(201);
        let id = first.data()["id"].as_str().expect("id").to_owned();
        assert!(id.starts_with("gb_"), "{id}");
        assert_eq!(first.header("location"), Some(format!("/groupbuy/{id}")));
        assert_eq!(first.header("etag").as_deref(), Some("\"1\""));
        let d = first.data();
        assert_eq!(d["status"], "OPEN");
        assert_eq!(d["org_id"], "org_acme");
        assert_eq!(d["created_by"], "alice");
        assert_eq!(d["rules"]["visibility"], "public");
        assert_eq!(d["rules"]["allocation"]["method"], "lowest_price_pro_rata");
        assert_eq!(d["rules"]["payment_terms_days"], 30);
        assert_eq!(d["stats"]["committed_quantity"], 0);
        assert_eq!(d["commitments_summary"]["count"], 0);
        let again = send(
            &app,
            Method::POST,
            "/groupbuy",
            &acme,
            Some(body),
            &[("Idempotency-Key", "k1")],
        )
        .await
        .expect(201);
        assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
        assert_eq!(again.header("location"), first.header("location"));
        assert_eq!(again.header("etag"), first.header("etag"));
        assert_eq!(again.data()["id"], first.data()["id"]);

        // 400 without the required key.
        let r = send(
            &app,
            Method::POST,
            "/groupbuy",
            &acme,
            Some(pool("OTHER", json!({}))),
            &[],
        )
        .await
        .expect(400);
        assert_eq!(r.message(), "Idempotency-Key header is required");
        // 401 without a token; 403 without the scope or an organisation.
        let r = app
            .call(
                Method::POST,
                "/groupbuy",
                None,
                Some(pool("X", json!({}))),
                &[("Idempotency-Key", "n")],
            )
            .await;
        r.expect(401);
        let reader = app.org_token("rita", "org_acme", "groupbuy:read");
        let r = send(
            &app,
            Method::POST,
            "/groupbuy",
            &reader,
            Some(pool("X", json!({}))),
            &[("Idempotency-Key", "r")],
        )
        .await
        .expect(403);
        assert_eq!(r.message(), "Missing scope: groupbuy:write");
        let orgless = app.token("olga", &[]);
        let r = send(
            &app,
            Method::POST,
            "/groupbuy",
            &orgless,
            Some(pool("X", json!({}))),
            &[("Idempotency-Key", "o")],
        )
        .await
        .expect(403);
        assert_eq!(r.message(), "Organisation required");

        // 422 naming the field; unknown rules too.
        let mut bad = pool("Y", json!({}));
        bad["target_quantity"] = json!(0);
        let r = send(
            &app,
            Method::POST,
            "/groupbuy",
            &acme,
            Some(bad),
            &[("Idempotency-Key", "b1")],
        )
        .await
        .expect(422);
        assert_eq!(r.body["errors"][0]["field"], "target_quantity");
        let mut past = pool("Y", json!({}));
        past["deadline"] = json!(deadline(-60));
        let r = send(
            &app,
            Method::POST,
            "/groupbuy",
            &acme,
            Some(past),
            &[("Idempotency-Key", "b2")],
        )
        .await
        .expect(422);
        assert_eq!(r.body["errors"][0]["field"], "deadline");
        let r = send(
            &app,
            Method::POST,
            "/groupbuy",
            &acme,
            Some(pool("Y", json!({"discount": 5}))),
            &[("Idempotency-Key", "b3")],
        )
        .await
        .expect(422);
        assert!(
            r.body["errors"][0]["field"]
                .as_str()
                .unwrap_or_default()
                .contains("discount"),
            "{}",
            r.body
        );

        // 409: contradictory rules, and an overlapping OPEN pool of the same organisation.
        let r = send(
            &app,
            Method::POST,
            "/groupbuy",
            &acme,
            Some(pool("Z", json!({"max_quantity": 50}))),
            &[("Idempotency-Key", "c1")],
        )
        .await
        .expect(409);
        assert!(
            r.message().contains("rules.max_quantity (50)"),
            "{}",
            r.body
        );
        let r = send(
            &app,
            Method::POST,
            "/groupbuy",
            &acme,
            Some(pool("PAPER-A4", json!({}))),
            &[("Idempotency-Key", "c2")],
        )
        .await
        .expect(409);
        assert!(r.message().contains("PAPER-A4"), "{}", r.body);
        // Another organisation may pool the same SKU.
        create(&app, "org_other", "c3", pool("PAPER-A4", json!({}))).await;

        // Reads: 200 with ETag, 404 for unknown or malformed ids, lists with filters.
        let r = send(
            &app,
            Method::GET,
            &format!("/groupbuy/{id}"),
            &acme,
            None,
            &[],
        )
        .await
        .expect(200);
        assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
        for missing in ["gb_00000000000000000000000000000000", "nope"] {
            let r = send(
                &app,
                Method::GET,
                &format!("/groupbuy/{missing}"),
                &acme,
                None,
                &[],
            )
            .await
            .expect(404);
            assert_eq!(r.message(), "Group buy not found");
        }
        let r = send(
            &app,
            Method::GET,
            "/groupbuy?status=OPEN&org_id=org_acme",
            &acme,
            None,
            &[],
        )
        .await
        .expect(200);
        let items = r.data()["items"].as_array().expect("items");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["id"], json!(id));
        let r = send(&app, Method::GET, "/groupbuy?limit=1", &acme, None, &[])
            .await
            .expect(200);
        assert!(
            r.data()["next_cursor"].is_string(),
            "two visible pools, one per page"
        );
        send(
            &app,
            Method::GET,
            "/groupbuy?status=LIMBO",
            &acme,
            None,
            &[],
        )
        .await
        .expect(422);
        send(
            &app,
            Method::GET,
            "/groupbuy?deadline_before=tomorrow",
            &acme,
            None,
            &[],
        )
        .await
        .expect(422);
        send(&app, Method::GET, "/groupbuy?cursor=-1", &acme, None, &[])
            .await
            .expect(400);
        let noscope = app.org_token("nate", "org_acme", "");
        let r = send(&app, Method::GET, "/groupbuy", &noscope, None, &[])
            .await
            .expect(403);
        assert_eq!(r.message(), "Missing scope: groupbuy:read");
    }
}

#[actix_web::test]
async fn organisations_commit_withdraw_and_see_only_what_is_theirs() {
    for app in TestApp::all().await {
        let id = create(
            &app,
            "org_acme",
            "p1",
            pool("TONER", json!({"max_quantity": 120, "max_per_member": 80, "eligible_orgs": ["org_b", "org_c", "org_d"]})),
        )
        .await;
        // 201 first, 200 when replaced; the ETag follows the version.
        let r = commit(&app, "org_b", &id, 40, "b1").await.expect(201);
        assert_eq!(r.data()["member_id"], "org_b");
        assert!(r.data()["id"]
            .as_str()
            .unwrap_or_default()
            .starts_with("cmt_"));
        assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
        let r = commit(&app, "org_b", &id, 50, "b2").await.expect(200);
        assert_eq!(r.data()["quantity"], 50);
        assert_eq!(r.header("etag").as_deref(), Some("\"3\""));
        // 400 without the key; 422 below min_commitment; 403 not eligible.
        let t = app.org_token("b-buyer", "org_b", crate::procurement::RW);
        let r = send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/commit"),
            &t,
            Some(json!({"quantity": 20, "price_ceiling": 9})),
            &[],
        )
        .await
        .expect(400);
        assert_eq!(r.message(), "Idempotency-Key header is required");
        let r = commit(&app, "org_c", &id, 5, "c0").await.expect(422);
        assert_eq!(r.body["errors"][0]["field"], "quantity");
        let r = commit(&app, "org_x", &id, 10, "x1").await.expect(403);
        assert_eq!(
            r.body["detail"],
            "Organisation org_x is not eligible for this group buy"
        );
        // 409 beyond max_per_member and beyond capacity, naming what remains.
        let r = commit(&app, "org_c", &id, 90, "c1").await.expect(409);
        assert_eq!(r.message(), "Capacity exceeded: 70 units remain");
        commit(&app, "org_c", &id, 60, "c2").await.expect(201);
        let r = commit(&app, "org_d", &id, 20, "d1").await.expect(409);
        assert_eq!(r.message(), "Capacity exceeded: 10 units remain");
        commit(&app, "org_d", &id, 10, "d2").await.expect(201);

        // If-Match: stale 412 naming the current ETag; `*` and the current one pass.
        let td = app.org_token("d-buyer", "org_d", RW);
        let path = format!("/groupbuy/{id}/commit");
        let r = send(
            &app,
            Method::DELETE,
            &path,
            &td,
            None,
            &[("If-Match", "\"1\"")],
        )
        .await
        .expect(412);
        assert!(r.message().contains("\"5\""), "{}", r.body);

        // What each viewer sees.
        let organiser = app.org_token("alice", "org_acme", RW);
        let r = send(
            &app,
            Method::GET,
            &format!("/groupbuy/{id}"),
            &organiser,
            None,
            &[],
        )
        .await
        .expect(200);
        assert_eq!(r.data()["stats"]["committed_quantity"], 120);
        assert_eq!(r.data()["stats"]["members"], 3);
        assert_eq!(r.data()["stats"]["remaining_capacity"], 0);
        assert_eq!(r.data()["stats"]["target_reached"], true);
        assert_eq!(r.data()["commitments_summary"]["count"], 3);
        assert_eq!(r.data()["commitments_summary"]["total_quantity"], 120);
        let etag = r.header("etag").expect("etag");
        let member = send(&app, Method::GET, &format!("/groupbuy/{id}"), &t, None, &[])
            .await
            .expect(200);
        assert!(
            member.data().get("commitments_summary").is_none(),
            "{}",
            member.body
        );
        assert_eq!(member.data()["my_commitment"]["quantity"], 50);
        let all = send(
            &app,
            Method::GET,
            &format!("/groupbuy/{id}/commitments"),
            &organiser,
            None,
            &[],
        )
        .await
        .expect(200);
        assert_eq!(all.data()["items"].as_array().map(Vec::len), Some(3));
        let own = send(
            &app,
            Method::GET,
            &format!("/groupbuy/{id}/commitments"),
            &t,
            None,
            &[],
        )
        .await
        .expect(200);
        let own = own.data()["items"].as_array().expect("items").clone();
        assert_eq!(own.len(), 1);
        assert_eq!(own[0]["member_id"], "org_b");

        // Withdraw: 204 with the new ETag; again 404.
        let r = send(
            &app,
            Method::DELETE,
            &path,
            &td,
            None,
            &[("If-Match", etag.as_str())],
        )
        .await;
        assert_eq!(r.status.as_u16(), 204, "{}", r.body);
        assert_eq!(r.header("etag").as_deref(), Some("\"6\""));
        let r = send(&app, Method::DELETE, &path, &td, None, &[("If-Match", "*")])
            .await
            .expect(404);
        assert_eq!(r.message(), "Commitment not found");

        // Cancel: only the organiser (403 for a member), once (409 after), then commits 409.
        let cancel = format!("/groupbuy/{id}/cancel");
        send(&app, Method::POST, &cancel, &t, None, &[])
            .await
            .expect(403);
        let r = send(&app, Method::POST, &cancel, &organiser, None, &[])
            .await
            .expect(200);
        assert_eq!(r.data()["status"], "CANCELLED");
        let r = send(&app, Method::POST, &cancel, &organiser, None, &[])
            .await
            .expect(409);
        assert!(r.message().contains("CANCELLED"), "{}", r.body);
        let r = commit(&app, "org_b", &id, 30, "b3").await.expect(409);
        assert!(r.message().contains("CANCELLED"), "{}", r.body);
    }
}

#[actix_web::test]
async fn an_outsider_sees_nothing_of_a_private_pool_and_only_public_facts_of_a_public_one() {
    for app in TestApp::all().await {
        let private = create(
            &app,
            "org_acme",
            "p1",
            pool(
                "SECRET",
                json!({"visibility": "private", "eligible_orgs": ["org_b"]}),
            ),
        )
        .await;
        let public = create(&app, "org_acme", "p2", pool("OPEN-SKU", json!({}))).await;
        commit(&app, "org_b", &private, 10, "b1").await.expect(201);
        commit(&app, "org_b", &public, 15, "b2").await.expect(201);
        let outsider = app.org_token("eve", "org_eve", RW);
        for path in [
            format!("/groupbuy/{private}"),
            format!("/groupbuy/{private}/commitments"),
            format!("/groupbuy/{private}/audit"),
        ] {
            let r = send(&app, Method::GET, &path, &outsider, None, &[])
                .await
                .expect(404);
            assert_eq!(r.message(), "Group buy not found");
        }
        commit(&app, "org_eve", &private, 10, "e1")
            .await
            .expect(404);
        let listed = send(&app, Method::GET, "/groupbuy", &outsider, None, &[])
            .await
            .expect(200);
        let ids: Vec<_> = listed.data()["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|g| g["id"].clone())
            .collect();
        assert_eq!(ids, vec![json!(public)]);
        // A public pool: its progress, never who committed or at what ceiling.
        let r = send(
            &app,
            Method::GET,
            &format!("/groupbuy/{public}"),
            &outsider,
            None,
            &[],
        )
        .await
        .expect(200);
        assert_eq!(r.data()["stats"]["committed_quantity"], 15);
        assert!(r.data().get("commitments_summary").is_none());
        assert!(r.data()["my_commitment"].is_null());
        assert!(!r.body.to_string().contains("org_b"), "{}", r.body);
        let r = send(
            &app,
            Method::GET,
            &format!("/groupbuy/{public}/commitments"),
            &outsider,
            None,
            &[],
        )
        .await
        .expect(200);
        assert_eq!(r.data()["items"], json!([]));
        send(
            &app,
            Method::GET,
            &format!("/groupbuy/{public}/audit"),
            &outsider,
            None,
            &[],
        )
        .await
        .expect(403);
        // The eligible member sees the private pool.
        let b = app.org_token("bob", "org_b", RW);
        send(
            &app,
            Method::GET,
            &format!("/groupbuy/{private}"),
            &b,
            None,
            &[],
        )
        .await
        .expect(200);
        // A platform admin sees everything.
        let admin = app.token_full("root", None, &["platform-admin"], RW, 3600);
        let r = send(
            &app,
            Method::GET,
            &format!("/groupbuy/{private}"),
            &admin,
            None,
            &[],
        )
        .await
        .expect(200);
        assert_eq!(r.data()["commitments_summary"]["count"], 1);
    }
}

#[actix_web::test]
async fn the_audit_chain_lists_every_change_and_names_a_tampered_entry() {
    for app in TestApp::all().await {
        let id = create(&app, "org_acme", "p1", pool("INK", json!({}))).await;
        commit(&app, "org_b", &id, 20, "b1").await.expect(201);
        commit(&app, "org_b", &id, 30, "b2").await.expect(200);
        let organiser = app.org_token("alice", "org_acme", RW);
        let r = send(
            &app,
            Method::GET,
            &format!("/groupbuy/{id}/audit"),
            &organiser,
            None,
            &[],
        )
        .await
        .expect(200);
        let entries = r.data()["items"].as_array().expect("items").clone();
        let actions: Vec<_> = entries
            .iter()
            .map(|e| e["action"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(
            actions,
            ["create", "commitment.create", "commitment.update"]
        );
        assert_eq!(entries[0]["prev_hash"], "0".repeat(64));
        assert_eq!(entries[1]["prev_hash"], entries[0]["hash"]);
        assert!(entries[0]["at"].as_str().unwrap_or_default().ends_with('Z'));
        let page = send(
            &app,
            Method::GET,
            &format!("/groupbuy/{id}/audit?limit=2"),
            &organiser,
            None,
            &[],
        )
        .await
        .expect(200);
        let next = page.data()["next_cursor"]
            .as_str()
            .expect("cursor")
            .to_owned();
        let rest = send(
            &app,
            Method::GET,
            &format!("/groupbuy/{id}/audit?limit=2&cursor={next}"),
            &organiser,
            None,
            &[],
        )
        .await
        .expect(200);
        assert_eq!(rest.data()["items"][0]["action"], "commitment.update");
        let verify = format!("/groupbuy/{id}/audit/verify");
        let r = send(&app, Method::GET, &verify, &organiser, None, &[])
            .await
            .expect(200);
        assert_eq!(r.data()["valid"], true);
        assert_eq!(r.data()["entries"], 3);
        assert_eq!(r.data()["head_hash"], entries[2]["hash"]);
        // A member is not an auditor.
        let member = app.org_token("bob", "org_b", RW);
        send(&app, Method::GET, &verify, &member, None, &[])
            .await
            .expect(403);
        // No route changes an entry; the database can, and verify names it.
        app.db
            .db
            .execute_batch(&format!(
                "UPDATE audit_log SET details = '{{\"quantity\":3}}' WHERE subject = 'groupbuy:{id}' AND seq = 2"
            ))
            .expect("tamper");
        let r = send(&app, Method::GET, &verify, &organiser, None, &[])
            .await
            .expect(200);
        assert_eq!(r.data()["valid"], false);
        assert_eq!(r.data()["first_invalid_seq"], 2);
    }
}

#[actix_web::test]
async fn a_pool_below_target_at_its_deadline_expires_and_says_so() {
    for app in TestApp::all_with(Duration::from_millis(100)).await {
        // Both pools close at the same instant.
        let closes = deadline(2);
        let mut body = pool("PENS", json!({}));
        body["deadline"] = json!(closes);
        let id = create(&app, "org_acme", "p1", body).await;
        commit(&app, "org_b", &id, 10, "b1").await.expect(201);
        // A pool that reached its target by the deadline stays OPEN (awaiting sourcing).
        let mut body = pool("PAPER", json!({}));
        body["deadline"] = json!(closes);
        let reached = create(&app, "org_acme", "p2", body).await;
        commit(&app, "org_b", &reached, 100, "b2").await.expect(201);
        let organiser = app.org_token("alice", "org_acme", RW);
        let mut status = Value::Null;
        for _ in 0..60 {
            let r = send(
                &app,
                Method::GET,
                &format!("/groupbuy/{id}"),
                &organiser,
                None,
                &[],
            )
            .await
            .expect(200);
            status = r.data()["status"].clone();
            if status == "EXPIRED" {
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(status, "EXPIRED");
        let r = send(
            &app,
            Method::GET,
            &format!("/groupbuy/{id}/audit"),
            &organiser,
            None,
            &[],
        )
        .await
        .expect(200);
        let last = r.data()["items"]
            .as_array()
            .and_then(|a| a.last().cloned())
            .expect("entry");
        assert_eq!(last["action"], "expire");
        assert_eq!(last["actor"], "system:procurement-expiry");
        assert!(last["request_id"]
            .as_str()
            .unwrap_or_default()
            .starts_with("sweep-"));
        let r = commit(&app, "org_c", &id, 10, "c1").await.expect(409);
        assert!(r.message().contains("EXPIRED"), "{}", r.body);
        let r = send(
            &app,
            Method::GET,
            &format!("/groupbuy/{reached}"),
            &organiser,
            None,
            &[],
        )
        .await
        .expect(200);
        assert_eq!(r.data()["status"], "OPEN");
        let r = commit(&app, "org_c", &reached, 10, "c2").await.expect(409);
        assert!(r.message().contains("deadline"), "{}", r.body);
    }
}

#[actix_web::test]
async fn the_organising_organisation_receives_its_pool_events_signed() {
    use crate::webhook::{fast_apps, verifies, Receiver};
    for app in fast_apps().await {
        let ours = Receiver::start(&[]).await;
        let theirs = Receiver::start(&[]).await;
        let mut ids = Vec::new();
        for (org, user, url) in [
            ("org_acme", "carol", &ours.url),
            ("org_b", "bob", &theirs.url),
        ] {
            let t = app.org_token(user, org, RW);
            let r = app
                .post(
                    "/webhooks/endpoints",
                    Some(&t),
                    json!({"url": url, "events": ["groupbuy.created", "commitment.created", "groupbuy.target_reached"]}),
                )
                .await
                .expect(201);
            ids.push(r.data()["secret"].as_str().expect("secret").to_owned());
        }
        let id = create(&app, "org_acme", "p1", pool("CHAIRS", json!({}))).await;
        commit(&app, "org_b", &id, 100, "b1").await.expect(201);
        let got = ours.wait_for(3).await;
        let types = crate::webhook::event_types(&got);
        assert_eq!(
            types,
            [
                "groupbuy.created",
                "commitment.created",
                "groupbuy.target_reached"
            ]
        );
        for r in &got {
            assert!(verifies(r, &ids[0]), "signed with the endpoint's secret");
            let e = r.json();
            assert_eq!(e["subject"], format!("groupbuy:{id}"));
            assert_eq!(e["data"]["groupbuy_id"], json!(id));
        }
        assert_eq!(got[1].json()["data"]["member_id"], "org_b");
        // Every endpoint of the organising organisation, and nobody else's.
        assert!(
            theirs.received().is_empty(),
            "a member's endpoint gets the organiser's events"
        );
    }
}
