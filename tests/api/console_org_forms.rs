//! The console's forms for organisers and platform admins, on every backend: CSRF
//! refusals, one effect per form (a second press, a double click), refusals in words,
//! and the organiser's steps (RFQ, allocate, settle, cancel) and a member's (commit,
//! withdraw) by form.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::browser::{hidden, Browser};
use crate::console_org::{as_organiser, HOSTILE};
use crate::helpers::{Reply, TestApp};
use crate::sourcing::{pooled_with, quote, RW};
use serde_json::json;

#[actix_web::test]
async fn forms_refuse_a_wrong_csrf_token_and_take_effect_once() {
    for app in TestApp::all_web().await {
        let alice = app.sign_in("alice", "", Some("org_acme")).await;
        let form = alice.get("/console/pools").await.expect_page(200);
        let key = hidden(form.html(), "idempotency_key").expect("a key");
        let fields = |csrf: &str| -> Vec<(String, String)> {
            [
                ("csrf", csrf),
                ("idempotency_key", key.as_str()),
                ("title", HOSTILE),
                ("sku", "CO-3"),
                ("item_name", "Rice"),
                ("unit", "bag"),
                ("target_quantity", "100"),
                ("min_commitment", "10"),
                ("deadline", "2099-01-01T10:00"),
                ("currency", "USD"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .to_vec()
        };
        let post = |csrf: &str| {
            let f = fields(csrf);
            let alice = &alice;
            async move {
                let refs: Vec<(&str, &str)> =
                    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                alice.post_form("/console/pools", &refs).await
            }
        };
        let pools = || async {
            let r = as_organiser(&app, "/groupbuy").await;
            r.data()["items"].as_array().map_or(0, Vec::len)
        };
        post("wrong").await.expect_page(403);
        assert_eq!(pools().await, 0, "refused: nothing created");
        let first = post(&alice.csrf).await;
        assert_eq!(first.status.as_u16(), 303, "{:?}", first.body);
        let again = post(&alice.csrf).await;
        assert_eq!(again.status.as_u16(), 303);
        assert_eq!(first.header("location"), again.header("location"));
        assert_eq!(pools().await, 1, "created once");

        // Its page escapes the hostile title; a member commits by form.
        let location = first.header("location").expect("to the pool");
        let page = alice.get(&location).await.expect_page(200);
        assert!(!page.html().contains("<script>alert(1)") && !page.html().contains("<img src=x"));
        assert!(page
            .html()
            .contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        let member = app.sign_in("buyer", "", Some("org_a")).await;
        let page = member.get(&location).await.expect_page(200);
        let key = hidden(page.html(), "idempotency_key").expect("the commit form's key");
        let commit = format!("{location}/commit");
        member
            .post_form(
                &commit,
                &[
                    ("csrf", "nope"),
                    ("idempotency_key", &key),
                    ("quantity", "20"),
                    ("price_ceiling", "9.5"),
                ],
            )
            .await
            .expect_page(403);
        let done = member
            .post_form(
                &commit,
                &[
                    ("csrf", &member.csrf),
                    ("idempotency_key", &key),
                    ("quantity", "20"),
                    ("price_ceiling", "9.5"),
                ],
            )
            .await;
        assert_eq!(done.status.as_u16(), 303, "{:?}", done.body);
        let id = location.rsplit('/').next().expect("id");
        let mine = app
            .get(
                &format!("/groupbuy/{id}/commitments"),
                Some(&app.org_token("buyer", "org_a", RW)),
            )
            .await
            .expect(200);
        assert_eq!(mine.data()["items"][0]["quantity"], 20);
        // The same form key with other values is refused in words, and changes nothing.
        let reused = member
            .post_form(
                &commit,
                &[
                    ("csrf", &member.csrf),
                    ("idempotency_key", &key),
                    ("quantity", "40"),
                    ("price_ceiling", "9.5"),
                ],
            )
            .await
            .expect_page(422);
        assert!(reused
            .html()
            .contains("already submitted with other values"));
        assert!(
            reused.html().contains(&format!("href=\"{location}\"")),
            "back to the pool"
        );
        // A refusal in words with the API's status: below the smallest commitment.
        let page = member.get(&location).await.expect_page(200);
        let key = hidden(page.html(), "idempotency_key").expect("a fresh key");
        member
            .post_form(
                &commit,
                &[
                    ("csrf", &member.csrf),
                    ("idempotency_key", &key),
                    ("quantity", "1"),
                    ("price_ceiling", "9.5"),
                ],
            )
            .await
            .expect_page(422);

        let ops = app.sign_in("ops", "platform-admin", None).await;
        ops.post_form(
            "/console/admin/payouts",
            &[
                ("csrf", "nope"),
                ("idempotency_key", "k"),
                ("shop", "00000000-0000-0000-0000-000000000000"),
                ("amount", "1"),
                ("reference", "x"),
            ],
        )
        .await
        .expect_page(403);
    }
}

/// Posts the one-button form (allocate, settle) of the pool page at `pool`, as `who`.
async fn press(who: &Browser, pool: &str, step: &str) -> Reply {
    let page = who.get(pool).await.expect_page(200);
    let action = format!("action=\"{pool}/{step}\"");
    let html = page.html();
    let form = &html[html.find(&action).expect("the step's form")..];
    let key = hidden(form, "idempotency_key").expect("its key");
    who.post_form(
        &format!("{pool}/{step}"),
        &[("csrf", &who.csrf), ("idempotency_key", &key)],
    )
    .await
}

/// Waits (bounded) until the pool page at `pool` shows `text`.
async fn until_shown(who: &Browser, pool: &str, text: &str) -> String {
    for _ in 0..80 {
        let page = who.get(pool).await.expect_page(200);
        if page.html().contains(text) {
            return page.html().to_owned();
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{text} never shown on {pool}");
}

#[actix_web::test]
async fn an_organiser_issues_the_rfq_allocates_and_settles_by_forms() {
    for app in TestApp::all_web().await {
        let id = pooled_with(&app, "CO-5", json!({"payment_terms_days": 14})).await;
        let pool = format!("/console/pools/{id}");
        let alice = app.sign_in("alice", "", Some("org_acme")).await;
        let page = alice.get(&pool).await.expect_page(200);
        let html = page.html();
        let form = &html[html.find("/rfq\"").expect("the RFQ form")..];
        let key = hidden(form, "idempotency_key").expect("its key");
        let vendors = "vendor_mills Mills & Co\nvendor_farm, Farm Direct";
        let fields = [
            ("csrf", alice.csrf.as_str()),
            ("idempotency_key", &key),
            ("vendors", vendors),
            ("due_date", &crate::sourcing::at(3600)),
        ];
        let issued = alice.post_form(&format!("{pool}/rfq"), &fields).await;
        assert_eq!(issued.status.as_u16(), 303, "{:?}", issued.body);
        // Pressed again: the same answer, one job.
        let again = alice.post_form(&format!("{pool}/rfq"), &fields).await;
        assert_eq!(issued.header("location"), again.header("location"));
        until_shown(&alice, &pool, "Farm Direct").await;
        quote(&app, &id, "vendor_mills", 9.5, 100).await.expect(201);
        quote(&app, &id, "vendor_farm", 11.0, 100).await.expect(201);

        let allocated = press(&alice, &pool, "allocate").await;
        assert_eq!(allocated.status.as_u16(), 303, "{:?}", allocated.body);
        until_shown(&alice, &pool, "/settle\"").await;
        crate::sourcing::fill_parties(&app).await;
        let settled = press(&alice, &pool, "settle").await;
        assert_eq!(settled.status.as_u16(), 303, "{:?}", settled.body);
        let html = until_shown(&alice, &pool, "/ubl\"").await;
        assert!(html.contains("Payable (owed to the vendor)"));
        let settlement = as_organiser(&app, &format!("/groupbuy/{id}/settlement")).await;
        assert!(!settlement.data()["documents"]
            .as_array()
            .expect("docs")
            .is_empty());
    }
}

#[actix_web::test]
async fn an_admin_reads_a_shops_statement_and_hears_a_refused_payout_in_words() {
    for app in TestApp::all_web().await {
        let shop = app.shop("merchant-1").await;
        let ops = app.sign_in("ops", "platform-admin", None).await;
        let page = ops
            .get(&format!("/console/admin/payouts?shop={shop}"))
            .await
            .expect_page(200);
        let key = hidden(page.html(), "idempotency_key").expect("the payout form's key");
        let refused = ops
            .post_form(
                "/console/admin/payouts",
                &[
                    ("csrf", &ops.csrf),
                    ("idempotency_key", &key),
                    ("shop", &shop),
                    ("amount", "1000"),
                    ("currency", "TZS"),
                    ("reference", "TRF-1"),
                ],
            )
            .await
            .expect_page(409);
        assert!(refused.html().contains("This cannot be done now"));
        let merchant = app.sign_in("merchant-1", "merchant", None).await;
        merchant
            .post_form(
                "/console/admin/payouts",
                &[
                    ("csrf", &merchant.csrf),
                    ("idempotency_key", "k1"),
                    ("shop", &shop),
                    ("amount", "1"),
                    ("reference", "x"),
                ],
            )
            .await
            .expect_page(403);
    }
}

#[actix_web::test]
async fn a_double_click_creates_one_pool_and_both_answers_lead_to_it() {
    for app in TestApp::all_web().await {
        let alice = app.sign_in("alice", "", Some("org_acme")).await;
        let form = alice.get("/console/pools").await.expect_page(200);
        let key = hidden(form.html(), "idempotency_key").expect("a key");
        let fields = [
            ("csrf", alice.csrf.as_str()),
            ("idempotency_key", &key),
            ("title", "Rice"),
            ("sku", "CO-6"),
            ("item_name", "Rice 50 kg"),
            ("unit", "bag"),
            ("target_quantity", "100"),
            ("min_commitment", "10"),
            ("deadline", "2099-01-01T10:00"),
        ];
        let clicks = (0..3).map(|_| alice.post_form("/console/pools", &fields));
        let answers = futures_util::future::join_all(clicks).await;
        for a in &answers {
            assert_eq!(a.status.as_u16(), 303, "{:?}", a.body);
            assert_eq!(a.header("location"), answers[0].header("location"));
        }
        let pools = as_organiser(&app, "/groupbuy").await;
        assert_eq!(pools.data()["items"].as_array().map(Vec::len), Some(1));
    }
}

#[actix_web::test]
async fn a_member_withdraws_and_the_organiser_cancels_by_forms() {
    for app in TestApp::all_web().await {
        let id = pooled_with(&app, "CO-7", json!({})).await;
        let pool = format!("/console/pools/{id}");
        let member = app.sign_in("org_a-buyer", "", Some("org_a")).await;
        // Only the organiser is offered the cancel button.
        assert!(!member
            .get(&pool)
            .await
            .expect_page(200)
            .html()
            .contains("/cancel\""));
        let withdrawn = press(&member, &pool, "withdraw").await;
        assert_eq!(withdrawn.status.as_u16(), 303, "{:?}", withdrawn.body);
        let token = app.org_token("org_a-buyer", "org_a", RW);
        let mine = app
            .get(&format!("/groupbuy/{id}"), Some(&token))
            .await
            .expect(200);
        assert!(mine.data()["my_commitment"].is_null(), "{}", mine.body);

        let alice = app.sign_in("alice", "", Some("org_acme")).await;
        let cancelled = press(&alice, &pool, "cancel").await;
        assert_eq!(cancelled.status.as_u16(), 303, "{:?}", cancelled.body);
        let g = as_organiser(&app, &format!("/groupbuy/{id}")).await;
        assert_eq!(g.data()["status"], "CANCELLED");
        let unknown = [("csrf", alice.csrf.as_str()), ("idempotency_key", "k")];
        alice
            .post_form(&format!("{pool}/nonsense"), &unknown)
            .await
            .expect_page(404);
        assert!(!alice
            .get(&pool)
            .await
            .expect_page(200)
            .html()
            .contains("/cancel\""));
    }
}
