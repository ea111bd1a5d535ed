//! The console's organiser pages (`/console/pools`) and platform-admin pages
//! (`/console/admin`) on every backend: what an organiser sees of its pool (commitments,
//! the vendors' responses compared, the allocation explained, the documents to
//! download, byte for byte the API's), another organisation's pool a 404, admin pages
//! refused to others, CSRF refusals, forms that take effect once, escaping, sign-in.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::{Reply, TestApp};
use crate::sourcing::{allocate_and_settle, organiser, pooled_with, quote, send, sourcing, RW};
use reqwest::Method;
use serde_json::json;

pub(crate) const HOSTILE: &str = r#"<script>alert(1)</script>"><img src=x onerror=alert(1)>"#;

/// A private pool of org_acme (members org_a 50 at 10.00, org_b 30 at 10.00, org_c 20 at
/// 12.00) with the RFQ open to Mills (9.50 for 100) and Farm (11.00 for 100).
async fn quoted(app: &TestApp, sku: &str) -> String {
    let rules = json!({
        "payment_terms_days": 14, "visibility": "private",
        "eligible_orgs": ["org_a", "org_b", "org_c"]
    });
    let id = pooled_with(app, sku, rules).await;
    sourcing(app, &id, &format!("rfq-{sku}")).await;
    quote(app, &id, "vendor_mills", 9.5, 100).await.expect(201);
    quote(app, &id, "vendor_farm", 11.0, 100).await.expect(201);
    id
}

/// `GET path` of the API with the organiser's token, expected 200.
pub(crate) async fn as_organiser(app: &TestApp, path: &str) -> Reply {
    app.get(path, Some(&organiser(app))).await.expect(200)
}

#[actix_web::test]
async fn an_organiser_compares_responses_reads_the_allocation_and_downloads_the_ubl() {
    for app in TestApp::all_web().await {
        let id = quoted(&app, "CO-1").await;
        let alice = app.sign_in("alice", "", Some("org_acme")).await;
        let list = alice.get("/console/pools").await.expect_page(200);
        assert!(list.html().contains(&format!("/console/pools/{id}")));
        let page = alice
            .get(&format!("/console/pools/{id}"))
            .await
            .expect_page(200);
        let html = page.html();
        for member in ["org_a", "org_b", "org_c"] {
            assert!(html.contains(member), "{member} in the commitments");
        }
        assert!(html.contains("Mills &amp; Co") && html.contains("Farm Direct"));
        assert!(html.contains("USD 9.50") && html.contains("USD 11.00"));
        // Farm's 11.00 is above org_a's and org_b's 10.00, within org_c's 12.00.
        let farm = &html[html.find("Farm Direct").expect("farm's row")..];
        let farm_row = &farm[..farm.find("</tr>").expect("row end")];
        assert_eq!(farm_row.matches(">Above<").count(), 2, "{farm_row}");
        assert_eq!(farm_row.matches(">Within<").count(), 1, "{farm_row}");

        allocate_and_settle(&app, &id, "CO-1").await;
        let page = alice
            .get(&format!("/console/pools/{id}"))
            .await
            .expect_page(200);
        let api = as_organiser(&app, &format!("/groupbuy/{id}/allocation")).await;
        let explanation = api.data()["results"][0]["explanation"]
            .as_str()
            .expect("explained");
        assert!(page.html().contains(explanation), "{explanation}");

        let settlement = as_organiser(&app, &format!("/groupbuy/{id}/settlement")).await;
        let doc = settlement.data()["documents"][0]["id"]
            .as_str()
            .expect("a document")
            .to_owned();
        assert!(page
            .html()
            .contains(&format!("/console/pools/{id}/documents/{doc}/ubl")));
        let ubl = alice
            .get(&format!("/console/pools/{id}/documents/{doc}/ubl"))
            .await
            .expect_page(200);
        assert!(ubl
            .header("content-type")
            .expect("type")
            .starts_with("application/xml"));
        let disposition = ubl.header("content-disposition").expect("a download");
        assert!(
            disposition.starts_with("attachment;") && disposition.contains(".xml"),
            "{disposition}"
        );
        let from_api = app
            .call(
                Method::GET,
                &format!("/groupbuy/{id}/settlement/documents/{doc}"),
                Some(&organiser(&app)),
                None,
                &[("Accept", "application/xml")],
            )
            .await
            .expect_page(200);
        assert_eq!(ubl.body, from_api.body, "the same bytes as the API");
        let json = alice
            .get(&format!("/console/pools/{id}/documents/{doc}/json"))
            .await
            .expect_page(200);
        assert_eq!(
            json.header("content-type").as_deref(),
            Some("application/json")
        );
        assert_eq!(json.body["id"], doc.as_str());
    }
}

#[actix_web::test]
async fn another_organisations_pool_and_documents_are_404() {
    for app in TestApp::all_web().await {
        let id = quoted(&app, "CO-2").await;
        allocate_and_settle(&app, &id, "CO-2").await;
        let doc = as_organiser(&app, &format!("/groupbuy/{id}/settlement"))
            .await
            .data()["documents"][0]["id"]
            .as_str()
            .expect("doc")
            .to_owned();
        let mallory = app.sign_in("mallory", "", Some("org_evil")).await;
        mallory
            .get(&format!("/console/pools/{id}"))
            .await
            .expect_page(404);
        mallory
            .get(&format!("/console/pools/{id}/documents/{doc}/ubl"))
            .await
            .expect_page(404);
        mallory
            .get("/console/pools/gb_nonsense")
            .await
            .expect_page(404);
        // A member sees its own commitment, never the RFQ's prices.
        let member = app.sign_in("org_a-buyer", "", Some("org_a")).await;
        let page = member
            .get(&format!("/console/pools/{id}"))
            .await
            .expect_page(200);
        assert!(page.html().contains("org_a"));
        assert!(!page.html().contains("USD 11.00") && !page.html().contains("org_b"));
        // The API answers the same to tokens with the same claims.
        let evil = app.org_token("mallory", "org_evil", RW);
        app.get(&format!("/groupbuy/{id}"), Some(&evil))
            .await
            .expect(404);
    }
}

#[actix_web::test]
async fn admin_pages_are_refused_to_others_and_show_the_rollup_to_admins() {
    for app in TestApp::all_web().await {
        let merchant = app.sign_in("merchant-1", "merchant", Some("org-1")).await;
        for path in [
            "/console/admin",
            "/console/admin/support",
            "/console/admin/payouts",
        ] {
            let r = merchant.get(path).await.expect_page(403);
            assert!(r.html().contains("You may not do this"), "{path}");
        }
        assert!(!merchant
            .get("/console")
            .await
            .expect_page(200)
            .html()
            .contains("/console/admin"));
        let ops = app.sign_in("ops", "platform-admin", None).await;
        assert!(ops
            .get("/console")
            .await
            .expect_page(200)
            .html()
            .contains("href=\"/console/admin\""));
        let rollup = ops.get("/console/admin").await.expect_page(200);
        assert!(rollup.html().contains("Campaigns by status"));
        ops.get("/console/admin/support").await.expect_page(200);
        ops.get("/console/admin/payouts").await.expect_page(200);
    }
}

#[actix_web::test]
async fn hostile_vendor_names_are_escaped_in_the_matrix() {
    for app in TestApp::all_web().await {
        let id = pooled_with(&app, "CO-4", json!({})).await;
        let body = json!({"vendors": [{"vendor_id": "vendor_mills", "name": HOSTILE}], "due_date": crate::sourcing::at(3600)});
        let r = send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/rfq"),
            &organiser(&app),
            Some(body),
            Some("rfq-co4"),
        )
        .await
        .expect(202);
        crate::sourcing::finished(&app, &r.header("location").expect("job")).await;
        let alice = app.sign_in("alice", "", Some("org_acme")).await;
        let page = alice
            .get(&format!("/console/pools/{id}"))
            .await
            .expect_page(200);
        assert!(!page.html().contains("<script>alert(1)") && !page.html().contains("<img src=x"));
        assert!(page.html().contains("&lt;img src=x onerror=alert(1)&gt;"));
    }
}

#[actix_web::test]
async fn signed_out_visitors_are_sent_to_sign_in() {
    for app in TestApp::all_web().await {
        let anonymous = app.anonymous_browser();
        for path in [
            "/console/pools",
            "/console/admin",
            "/console/pools/gb_00000000000000000000000000000000",
        ] {
            let r = anonymous.get(path).await;
            assert_eq!(r.status.as_u16(), 303, "{path}");
            assert!(r
                .header("location")
                .expect("to sign in")
                .starts_with("/auth/login?return_to="));
        }
        let r = anonymous
            .post_form("/console/pools", &[("title", "x")])
            .await;
        assert_eq!(r.status.as_u16(), 303);
    }
}

#[actix_web::test]
async fn the_pools_list_pages_past_a_hundred_and_a_bad_cursor_is_refused_in_words() {
    for app in TestApp::all_web().await {
        let year = time::OffsetDateTime::now_utc().year() + 1;
        for n in 0..101 {
            let body = json!({
                "title": format!("Toner {n}"), "target_quantity": 10, "min_commitment": 1,
                "items": [{"sku": format!("PG-{n}"), "name": "Toner", "unit": "box"}],
                "deadline": format!("{year}-06-01T00:00:00Z")
            });
            let key = format!("page-{n}");
            send(
                &app,
                Method::POST,
                "/groupbuy",
                &organiser(&app),
                Some(body),
                Some(&key),
            )
            .await
            .expect(201);
        }
        let alice = app.sign_in("alice", "", Some("org_acme")).await;
        let first = alice.get("/console/pools").await.expect_page(200);
        assert_eq!(first.html().matches("href=\"/console/pools/").count(), 100);
        let start = first
            .html()
            .find("/console/pools?cursor=")
            .expect("a next page");
        let end = start + first.html()[start..].find('"').expect("link end");
        let next = first.html()[start..end].replace("&amp;", "&");
        let second = alice.get(&next).await.expect_page(200);
        assert_eq!(second.html().matches("href=\"/console/pools/").count(), 1);
        assert!(
            second.html().contains("Toner 0<"),
            "the oldest is on the last page"
        );
        assert!(
            !second.html().contains("?cursor="),
            "no page after the last"
        );
        let bad = alice.get("/console/pools?cursor=garbage").await;
        assert_eq!(bad.status.as_u16(), 422, "{}", bad.body);
        assert!(bad.html().contains("<h1"), "a page in words, not JSON");
        // A NUL in a page's address is refused before any handler, with a page too.
        let nul = alice
            .get("/console/pools?cursor=a%00b")
            .await
            .expect_page(400);
        assert!(
            nul.html().contains("This link is damaged"),
            "{}",
            nul.html()
        );
        let api = app
            .get("/groupbuy?cursor=a%00b", Some(&organiser(&app)))
            .await
            .expect(400);
        assert_eq!(api.body["status"], 400, "the API keeps its problem JSON");
    }
}
