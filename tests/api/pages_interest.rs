//! The campaign page's forms (`/c/{handle}/{slug}`) on every backend: interest registered
//! (twice is one interest) and withdrawn by anonymous visitors (a token tied to the visitor
//! cookie) and signed-in ones (the session's token), forged tokens refused, drafts not
//! found, the public interest rate limit shared; a closed pre-order paid once from the
//! wallet however often its button is pressed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::browser::{hidden, Browser};
use crate::helpers::{Reply, TestApp};
use serde_json::{json, Value};

/// The campaign the interest tests use (published; `secret` beside it is a draft).
const LAMPS: &str = "/c/gharart/lamps";

/// gharart's campaign `lamps` (published, one participant tips it) and draft `secret`.
async fn campaign(app: &TestApp) {
    let m = app.gharart().await;
    let one = json!({"minParticipants": 1});
    app.group_buy(&m, "lamps", one.clone(), None).await;
    app.group_buy(&m, "secret", one, None).await;
    app.act(&m, "lamps", "publish").await.expect(200);
}

/// The campaign's participants and quantity, from the public API.
async fn interest_totals(app: &TestApp) -> (i64, i64) {
    let g = app
        .get("/v2/public/group-buys/gharart/lamps", None)
        .await
        .expect(200);
    let d = g.data();
    let n = |v: &Value| v.as_i64().expect("a count");
    (n(&d["participants"]), n(&d["quantity"]))
}

/// Posts the interest form of the campaign page `page`.
async fn interest(browser: &Browser, page: &str, csrf: &str, quantity: &str) -> Reply {
    browser
        .post_form(
            &format!("{page}/interest"),
            &[
                ("csrf", csrf),
                ("quantity", quantity),
                ("note", "<b>bold</b> please"),
            ],
        )
        .await
}

#[actix_web::test]
async fn an_anonymous_visitor_registers_and_withdraws_interest_once() {
    for app in TestApp::all_web().await {
        campaign(&app).await;
        let visitor = app.anonymous_browser();
        let page = visitor.get(LAMPS).await.expect_page(200);
        assert!(
            page.html().contains("I&#39;m interested") || page.html().contains("I'm interested")
        );
        let token = hidden(page.html(), "csrf").expect("the visitor's token");
        // The page holds this visitor's token: never from a shared cache.
        assert_eq!(
            page.header("cache-control").as_deref(),
            Some("private, no-store")
        );
        assert!(page
            .header("set-cookie")
            .unwrap()
            .starts_with("gb_visitor="));
        for _ in 0..2 {
            let r = interest(&visitor, LAMPS, &token, "3").await;
            assert_eq!(r.status, 303, "{} {:?}", app.backend, r.body);
            assert_eq!(
                r.header("location").as_deref(),
                Some("/c/gharart/lamps?interest=saved")
            );
        }
        assert_eq!(interest_totals(&app).await, (1, 3), "one interest");
        let shown = visitor
            .get("/c/gharart/lamps?interest=saved")
            .await
            .expect_page(200);
        assert!(shown.html().contains("your interest is registered"));
        assert!(shown.html().contains("You registered interest in 3."));
        assert!(shown.html().contains("&lt;b&gt;bold&lt;/b&gt; please"));
        assert!(shown.html().contains("Withdraw my interest"));
        // A forged token, or the token without the visitor's cookie, is refused.
        interest(&visitor, LAMPS, "forged", "5")
            .await
            .expect_page(403);
        let stranger = app.anonymous_browser();
        interest(&stranger, LAMPS, &token, "5")
            .await
            .expect_page(403);
        assert_eq!(interest_totals(&app).await, (1, 3));
        // Refusals in words, nothing lost.
        let zero = interest(&visitor, LAMPS, &token, "0")
            .await
            .expect_page(422);
        assert!(zero.html().contains("Choose a quantity of at least 1"));
        let withdraw = "/c/gharart/lamps/interest/withdraw";
        let gone = visitor.post_form(withdraw, &[("csrf", &token)]).await;
        assert_eq!(gone.status, 303, "{:?}", gone.body);
        let again = visitor.post_form(withdraw, &[("csrf", &token)]).await;
        assert_eq!(again.status, 303);
        assert_eq!(interest_totals(&app).await, (0, 0));
        // Drafts are not found, page and forms alike.
        assert_eq!(visitor.get("/c/gharart/secret").await.status, 404);
        let draft = visitor
            .post_form("/c/gharart/secret/interest", &[("csrf", &token)])
            .await;
        assert_eq!(draft.status, 404);
    }
}

#[actix_web::test]
async fn a_signed_in_visitor_s_interest_is_their_user_s() {
    for app in TestApp::all_web().await {
        campaign(&app).await;
        let fan = app.sign_in("fan", "", None).await;
        let page = fan.get(LAMPS).await.expect_page(200);
        assert_eq!(
            hidden(page.html(), "csrf").as_deref(),
            Some(fan.csrf.as_str())
        );
        interest(&fan, LAMPS, "wrong", "2").await.expect_page(403);
        for _ in 0..2 {
            assert_eq!(interest(&fan, LAMPS, &fan.csrf, "2").await.status, 303);
        }
        let t = app.token("fan", &[]);
        let mine = app
            .get("/v2/public/group-buys/gharart/lamps/my-interest", Some(&t))
            .await
            .expect(200);
        assert_eq!(mine.data()["quantity"], 2);
        assert_eq!(interest_totals(&app).await, (1, 2));
        let withdraw = "/c/gharart/lamps/interest/withdraw";
        let gone = fan.post_form(withdraw, &[("csrf", &fan.csrf)]).await;
        assert_eq!(gone.status, 303);
        assert_eq!(interest_totals(&app).await, (0, 0));
    }
}

#[actix_web::test]
async fn the_interest_forms_share_the_public_interest_rate_limit() {
    let apps = TestApp::all_configured(|c| {
        c.jwt_secret = None;
        c.rate_limits.interest =
            groupbuy_domain::platform::RateQuota::new(2, time::Duration::MINUTE);
    })
    .await;
    for app in apps {
        campaign(&app).await;
        let visitor = app.anonymous_browser();
        let page = visitor.get(LAMPS).await.expect_page(200);
        let token = hidden(page.html(), "csrf").expect("the visitor's token");
        assert_eq!(interest(&visitor, LAMPS, &token, "1").await.status, 303);
        assert_eq!(interest(&visitor, LAMPS, &token, "2").await.status, 303);
        let limited = interest(&visitor, LAMPS, &token, "3").await;
        assert_eq!(limited.status, 429, "{}", app.backend);
        assert!(limited.header("retry-after").is_some());
        assert_eq!(interest_totals(&app).await, (1, 2));
    }
}

/// The pre-order campaign of `crate::preorder` (closes once two are in).
const COFFEE: &str = "/c/kilimo/coffee";

#[actix_web::test]
async fn a_pledger_pays_a_closed_pre_order_once() {
    for app in TestApp::all_web().await {
        let m1 = crate::preorder::preorder_campaign(&app).await;
        let alice = app.sign_in("alice", "", None).await;
        assert_eq!(interest(&alice, COFFEE, &alice.csrf, "2").await.status, 303);
        // A second pledger tips the campaign (two participants).
        crate::preorder::pledge(&app, Some(&app.token("bob", &[])), 1)
            .await
            .expect(201);
        app.post(
            "/v2/handles/kilimo/group-buys/coffee/close",
            Some(&m1),
            json!({}),
        )
        .await
        .expect(200);
        app.credit("alice", 30_000.0).await;
        let page = alice.get("/c/kilimo/coffee").await.expect_page(200);
        assert!(page.html().contains("Your pre-order"), "{}", page.html());
        assert!(page.html().contains("TZS 25,000.00"));
        let key = hidden(page.html(), "idempotency_key").expect("the pay form's key");
        let form = [
            ("csrf", alice.csrf.as_str()),
            ("idempotency_key", key.as_str()),
        ];
        let path = "/c/kilimo/coffee/preorder/pay";
        let (a, b) =
            futures_util::join!(alice.post_form(path, &form), alice.post_form(path, &form));
        let c = alice.post_form(path, &form).await;
        for r in [a, b, c] {
            assert_eq!(r.status, 303, "{} {:?}", app.backend, r.body);
        }
        assert_eq!(app.balance("alice").await, "5000.00", "paid once");
        let paid = alice.get("/c/kilimo/coffee?paid=1").await.expect_page(200);
        assert!(paid.html().contains("Paid: your order is with the seller."));
        // A new form on a paid pre-order has no button; a forged one is refused.
        let forged = alice
            .post_form(path, &[("csrf", "x"), ("idempotency_key", "k2")])
            .await;
        assert_eq!(forged.status, 403);
        assert_eq!(app.balance("alice").await, "5000.00");
    }
}
