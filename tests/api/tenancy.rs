//! Tenancy over HTTP on both backends: what a scope, a missing or blank organisation, or
//! another organisation's token can reach, and what a hidden pool answers (as a missing one).

use crate::helpers::{Reply, TestApp};
use crate::sourcing::{
    at, finished, organiser, pooled_with, quote, send, sourcing, vendor, FINANCE, RW,
};
use groupbuy_api::platform::rate_limit::RateLimitConfig;
use groupbuy_domain::platform::RateQuota;
use reqwest::Method;
use serde_json::json;

const MISSING: &str = "gb_00000000000000000000000000000000";

/// A private pool of org_acme (members org_a, org_b, org_c), quoted, allocated and settled
/// into five documents; returns its id and its documents' ids.
async fn settled_private(app: &TestApp) -> (String, Vec<String>) {
    let rules = json!({"visibility": "private", "eligible_orgs": ["org_a", "org_b", "org_c"]});
    let id = pooled_with(app, "SECRET", rules).await;
    sourcing(app, &id, "rfq-secret").await;
    quote(app, &id, "vendor_mills", 9.0, 60).await.expect(201);
    quote(app, &id, "vendor_farm", 11.0, 100).await.expect(201);
    let org = organiser(app);
    let path = format!("/groupbuy/{id}/allocate");
    let r = send(app, Method::POST, &path, &org, None, Some("alloc-secret")).await;
    let job = finished(app, &r.expect(202).header("location").expect("Location")).await;
    assert_eq!(job["status"], "succeeded", "{job}");
    let fin = app.org_token("alice", "org_acme", FINANCE);
    crate::sourcing::fill_parties(app).await;
    let path = format!("/groupbuy/{id}/settle");
    let s = send(app, Method::POST, &path, &fin, None, Some("settle-secret")).await;
    let docs = s.expect(201).data()["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .map(|d| d["id"].as_str().expect("doc id").to_owned())
        .collect::<Vec<_>>();
    assert_eq!(docs.len(), 5, "two payables, three receivables");
    (id, docs)
}

async fn get(app: &TestApp, path: &str, token: &str, xml: bool) -> Reply {
    let accept = if xml {
        "application/xml"
    } else {
        "application/json"
    };
    app.call(Method::GET, path, Some(token), None, &[("Accept", accept)])
        .await
}

#[actix_web::test]
async fn finance_write_never_reads_another_organisation_s_settlement() {
    for app in TestApp::all().await {
        let (id, docs) = settled_private(&app).await;
        let missing = get(
            &app,
            &format!("/groupbuy/{MISSING}/settlement"),
            &organiser(&app),
            false,
        )
        .await
        .expect(404);
        let strangers = [
            ("no org", app.token_full("fin", None, &[], FINANCE, 3600)),
            (
                "blank org",
                app.token_full("fin", Some(""), &[], FINANCE, 3600),
            ),
            (
                "spaces org",
                app.token_full("fin", Some("   "), &[], FINANCE, 3600),
            ),
            ("other org", app.org_token("fin", "org_z", FINANCE)),
            (
                "uninvited vendor",
                app.token_full("vendor_stranger", None, &["vendor"], FINANCE, 3600),
            ),
        ];
        // A hidden pool not settled yet answers as a missing one too.
        let rules = json!({"visibility": "private", "eligible_orgs": ["org_a", "org_b", "org_c"]});
        let unsettled = pooled_with(&app, "UNSETTLED", rules).await;
        let path = format!("/groupbuy/{unsettled}/settlement");
        let r = get(&app, &path, &strangers[3].1, false).await.expect(404);
        assert_eq!(r.message(), missing.message());
        for (who, t) in &strangers {
            let pool = get(&app, &format!("/groupbuy/{id}"), t, false)
                .await
                .expect(404);
            let paths = std::iter::once(format!("/groupbuy/{id}/settlement")).chain(
                docs.iter()
                    .map(|d| format!("/groupbuy/{id}/settlement/documents/{d}")),
            );
            for path in paths {
                for xml in [false, true] {
                    let r = get(&app, &path, t, xml).await.expect(404);
                    assert_eq!(r.message(), pool.message(), "{who} {path} xml={xml}");
                    assert_eq!(r.message(), missing.message(), "{who}: as a missing pool");
                }
            }
        }

        // A finance user of a member organisation reads its own receivable only.
        let member = app.org_token("fin-a", "org_a", FINANCE);
        let r = get(&app, &format!("/groupbuy/{id}/settlement"), &member, false)
            .await
            .expect(200);
        let own = r.data()["documents"].as_array().expect("documents").clone();
        assert_eq!(own.len(), 1, "{}", r.body);
        assert_eq!(own[0]["counterparty"], "org_a");

        // Cross-organisation reads take the platform-admin role.
        let admin = app.token_full("root", None, &["platform-admin"], "groupbuy:read", 3600);
        let r = get(&app, &format!("/groupbuy/{id}/settlement"), &admin, false)
            .await
            .expect(200);
        assert_eq!(r.data()["documents"].as_array().map(Vec::len), Some(5));
        for d in &docs {
            let path = format!("/groupbuy/{id}/settlement/documents/{d}");
            get(&app, &path, &admin, false).await.expect(200);
            let res = get(&app, &path, &admin, true).await;
            assert_eq!(res.status, 200, "{}", res.body);
        }
        // The invited vendors still read their payables.
        let mills = vendor(&app, "vendor_mills");
        let r = get(&app, &format!("/groupbuy/{id}/settlement"), &mills, false)
            .await
            .expect(200);
        assert_eq!(r.data()["documents"].as_array().map(Vec::len), Some(1));
    }
}

#[actix_web::test]
async fn blank_organisations_share_no_webhook_endpoint() {
    for app in TestApp::all().await {
        let blank = |sub: &str, org: &str| {
            app.token_full(
                sub,
                Some(org),
                &["merchant"],
                "groupbuy:read groupbuy:write",
                3600,
            )
        };
        let (u1, u2) = (blank("u1", ""), blank("u2", "   "));
        let body = json!({"url": "https://hooks.example.com/x", "events": ["*"]});
        let r = app
            .post("/webhooks/endpoints", Some(&u1), body)
            .await
            .expect(201);
        let id = r.data()["id"].as_str().expect("id").to_owned();
        for other in [&u2, &blank("u3", "")] {
            let listed = app
                .get("/webhooks/endpoints", Some(other))
                .await
                .expect(200);
            assert_eq!(listed.data()["items"], json!([]), "{}", listed.body);
            let path = format!("/webhooks/endpoints/{id}");
            app.get(&path, Some(other)).await.expect(404);
            let change = json!({"description": "mine now"});
            app.patch(&path, Some(other), change).await.expect(404);
            let rotate = format!("{path}/rotate-secret");
            app.post(&rotate, Some(other), json!({})).await.expect(404);
            app.delete(&path, Some(other)).await.expect(404);
        }
        app.get(&format!("/webhooks/endpoints/{id}"), Some(&u1))
            .await
            .expect(200);
    }
}

#[actix_web::test]
async fn scopes_split_on_ascii_spaces_and_tokens_are_bounded() {
    for app in TestApp::all().await {
        let read = |scope: &str, sub: &str| app.token_full(sub, Some("org_a"), &[], scope, 3600);
        app.get("/groupbuy", Some(&read("groupbuy:read", "alice")))
            .await
            .expect(200);
        for scope in [
            "x\u{3000}groupbuy:read",
            "x\u{a0}groupbuy:read",
            "x\u{2028}groupbuy:read",
        ] {
            let r = app.get("/groupbuy", Some(&read(scope, "alice"))).await;
            assert_eq!(r.status, 403, "{scope:?}: {}", r.body);
        }
        let r = app
            .get("/groupbuy", Some(&read("groupbuy:read", &"a".repeat(256))))
            .await;
        assert_eq!(r.status, 401, "a 256-character sub");
        app.get("/groupbuy", Some(&read("groupbuy:read", &"a".repeat(255))))
            .await
            .expect(200);
        let huge = app.token_full(
            "alice",
            Some("org_a"),
            &[],
            &"groupbuy:read ".repeat(5_000),
            3600,
        );
        // Under the server's 128 KiB header buffer (431 beyond it), over the token cap.
        assert!((80_000..128 * 1024).contains(&huge.len()), "{}", huge.len());
        let r = app.get("/groupbuy", Some(&huge)).await;
        assert_eq!(r.status, 401, "a {} byte token", huge.len());
    }
}

#[actix_web::test]
async fn an_if_match_that_is_not_ascii_is_412_never_ignored() {
    for app in TestApp::all().await {
        let id = pooled_with(&app, "ETAG", json!({})).await;
        let current = get(&app, &format!("/groupbuy/{id}"), &organiser(&app), false)
            .await
            .expect(200)
            .header("etag")
            .expect("ETag");
        for raw in [format!("{current}\u{e9}"), format!("\u{e9}, {current}")] {
            let value = reqwest::header::HeaderValue::from_bytes(raw.as_bytes()).expect("obs-text");
            let res = app
                .client
                .post(app.url(&format!("/groupbuy/{id}/cancel")))
                .bearer_auth(organiser(&app))
                .header("If-Match", value)
                .send()
                .await
                .expect("sent");
            let status = res.status();
            assert_eq!(
                status,
                412,
                "{raw:?} {}",
                res.text().await.unwrap_or_default()
            );
        }
        let g = get(&app, &format!("/groupbuy/{id}"), &organiser(&app), false).await;
        assert_eq!(g.expect(200).data()["status"], "OPEN");
    }
}

async fn respond(app: &TestApp, id: &str, token: String) -> Reply {
    let body = json!({"unit_price": 1, "available_quantity": 1, "valid_until": at(7200)});
    let path = format!("/groupbuy/{id}/rfq/responses");
    send(app, Method::POST, &path, &token, Some(body), None).await
}

#[actix_web::test]
async fn responding_to_a_hidden_pool_answers_as_to_a_missing_one() {
    for app in TestApp::all().await {
        let private =
            || json!({"visibility": "private", "eligible_orgs": ["org_a", "org_b", "org_c"]});
        let quoted = pooled_with(&app, "HIDDEN-RFQ", private()).await;
        sourcing(&app, &quoted, "rfq-hidden").await;
        let no_rfq = pooled_with(&app, "HIDDEN-NO-RFQ", private()).await;
        let missing = respond(&app, MISSING, app.org_token("eve", "org_z", RW))
            .await
            .expect(404);
        for id in [&quoted, &no_rfq] {
            for token in [
                app.org_token("eve", "org_z", RW),
                app.token_full("vendor_stranger", None, &["vendor"], RW, 3600),
            ] {
                let r = respond(&app, id, token).await.expect(404);
                assert_eq!(r.message(), missing.message(), "{}", r.body);
            }
        }
        // A member sees the pool: for it the role is still the reason.
        let member = app.org_token("a-buyer", "org_a", RW);
        respond(&app, &quoted, member).await.expect(403);
        quote(&app, &quoted, "vendor_mills", 9.0, 60)
            .await
            .expect(201);
    }
}

#[actix_web::test]
async fn a_hidden_pool_s_rfq_and_allocation_answer_as_a_missing_pool() {
    for app in TestApp::all().await {
        let private =
            || json!({"visibility": "private", "eligible_orgs": ["org_a", "org_b", "org_c"]});
        let quoted = pooled_with(&app, "HIDDEN-READ", private()).await;
        sourcing(&app, &quoted, "rfq-hidden-read").await;
        let no_rfq = pooled_with(&app, "HIDDEN-READ-NONE", private()).await;
        let stranger = app.org_token("eve", "org_z", RW);
        for what in ["rfq", "allocation"] {
            let missing = get(
                &app,
                &format!("/groupbuy/{MISSING}/{what}"),
                &stranger,
                false,
            )
            .await
            .expect(404);
            for id in [&quoted, &no_rfq] {
                let r = get(&app, &format!("/groupbuy/{id}/{what}"), &stranger, false).await;
                let r = r.expect(404);
                assert_eq!(r.message(), missing.message(), "{what} of {id}: {}", r.body);
            }
        }
        // Who sees the pool still learns that its allocation is not there yet.
        let member = app.org_token("a-buyer", "org_a", RW);
        let r = get(
            &app,
            &format!("/groupbuy/{quoted}/allocation"),
            &member,
            false,
        )
        .await;
        assert_eq!(r.expect(404).message(), "Allocation not found");
    }
}

/// A pool's body, the same every time (its deadline a fixed day, a year ahead).
fn pool_body(sku: &str) -> serde_json::Value {
    let year = time::OffsetDateTime::now_utc().year() + 1;
    json!({
        "title": "Toner", "target_quantity": 10, "min_commitment": 1,
        "items": [{"sku": sku, "name": "Toner", "unit": "box"}],
        "deadline": format!("{year}-06-01T00:00:00Z")
    })
}

#[actix_web::test]
async fn replays_use_up_no_rate_limit_or_quota() {
    let config = RateLimitConfig {
        writes: RateQuota::new(3, time::Duration::HOUR),
        daily_writes: RateQuota::new(2, time::Duration::DAY),
        ..RateLimitConfig::disabled()
    };
    for app in TestApp::all_limited(config).await {
        let t = app.org_token("alice", "org_acme", RW);
        let create = |key: &'static str| {
            let t = t.clone();
            let app = &app;
            async move {
                let body = Some(pool_body(key));
                send(app, Method::POST, "/groupbuy", &t, body, Some(key)).await
            }
        };
        let first = create("k1").await.expect(201);
        for _ in 0..4 {
            let again = create("k1").await.expect(201);
            assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
            assert_eq!(again.data()["id"], first.data()["id"]);
        }
        create("k2").await.expect(201);
        create("k3").await.expect(429);
        // Beyond the quota, a replay is still the stored answer.
        create("k1").await.expect(201);
    }
}

#[actix_web::test]
async fn a_key_reused_under_another_organisation_is_a_mismatch_not_a_replay() {
    for app in TestApp::all().await {
        let acme = app.org_token("alice", "org_acme", RW);
        let beta = app.org_token("alice", "org_beta", RW);
        let create = |token: String| {
            let app = &app;
            async move {
                let body = Some(pool_body("SAME"));
                send(
                    app,
                    Method::POST,
                    "/groupbuy",
                    &token,
                    body,
                    Some("same-key"),
                )
                .await
            }
        };
        create(acme.clone()).await.expect(201);
        let r = create(beta).await.expect(422);
        assert!(r.header("idempotent-replayed").is_none());
        assert_eq!(
            r.message(),
            "Idempotency-Key was already used for a different request"
        );
        create(acme).await.expect(201);
    }
}

#[actix_web::test]
async fn a_member_sees_its_own_commitment_and_the_progress_not_how_many_committed() {
    for app in TestApp::all().await {
        let rules = json!({"visibility": "private", "eligible_orgs": ["org_a", "org_b", "org_c"]});
        let id = pooled_with(&app, "COUNTS", rules).await;
        let member = app.org_token("a-buyer", "org_a", RW);
        let r = get(&app, &format!("/groupbuy/{id}"), &member, false)
            .await
            .expect(200);
        let stats = &r.data()["stats"];
        assert!(stats.get("members").is_none(), "{stats}");
        assert_eq!(stats["committed_quantity"], 100);
        assert_eq!(stats["target_reached"], true);
        assert_eq!(r.data()["my_commitment"]["quantity"], 50);
        assert!(r.data().get("commitments_summary").is_none());
        let list = get(&app, "/groupbuy", &member, false).await.expect(200);
        let items = list.data()["items"].as_array().expect("items").clone();
        assert!(!items.is_empty());
        assert!(items.iter().all(|g| g["stats"].get("members").is_none()));
        let r = get(&app, &format!("/groupbuy/{id}"), &organiser(&app), false)
            .await
            .expect(200);
        assert_eq!(r.data()["stats"]["members"], 3);
    }
}
