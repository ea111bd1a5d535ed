//! The hosted join (`/g/{code}`, `/p/{productId}`) on every backend: signed out, the
//! pages say how to sign in; signed in, a form pays from the wallet once however often it
//! is sent, refusals come back in words with a 4xx and change nothing, CSRF is required,
//! `GROUPBUY_JOIN_URL` turns the button into a link, hostile names are escaped. On
//! PostgreSQL, many browsers joining one group at once never overfill it and debit each
//! wallet at most once. (The campaign page's forms: [`crate::pages_interest`].)

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::browser::{hidden, Browser};
use crate::group_purchase::buy_as;
use crate::helpers::{Reply, TestApp};
use serde_json::json;

const HOSTILE: &str = r#"<script>alert(1)</script>"><img src=x onerror=alert(1)>"#;

/// A product of m1 (group of 10 at 80,000.00, `cap` seats per customer) and a group on it
/// opened by `starter` with one seat; returns (product id, group code).
async fn group(app: &TestApp, cap: i64) -> (String, String) {
    let p = app.product("m1", json!({"maxPerCustomer": cap})).await;
    let pid = p["productId"].as_str().unwrap().to_owned();
    app.credit("starter", 1_000_000.0).await;
    let t = app.token("starter", &[]);
    let paid = buy_as(app, &t, &pid, 1, None).await.expect(200);
    (pid, paid.data()["groupCode"].as_str().unwrap().to_owned())
}

/// The join form's fields for `browser` on `page`, with `quantity`.
fn fields(browser: &Browser, page: &str, quantity: &str) -> Vec<(&'static str, String)> {
    let key = hidden(page, "idempotency_key").expect("the form's key");
    vec![
        ("csrf", browser.csrf.clone()),
        ("idempotency_key", key),
        ("quantity", quantity.to_owned()),
    ]
}

async fn post(browser: &Browser, path: &str, fields: &[(&str, String)]) -> Reply {
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post_form(path, &borrowed).await
}

/// Seats taken of the group `code`, from the API.
async fn seats(app: &TestApp, code: &str) -> i64 {
    let t = app.token("reader", &[]);
    app.get(&format!("/api/v1/group-purchases/code/{code}"), Some(&t))
        .await
        .expect(200)
        .data()["seatsOccupied"]
        .as_i64()
        .expect("seats")
}

#[actix_web::test]
async fn signed_out_the_pages_say_how_to_sign_in_and_show_no_form() {
    for app in TestApp::all_web().await {
        let (pid, code) = group(&app, 10).await;
        let visitor = app.anonymous_browser();
        let page = visitor.get(&format!("/g/{code}")).await.expect_page(200);
        let html = page.html();
        assert!(html.contains("To join, sign in first"), "{html}");
        assert!(
            html.contains(&format!("/auth/login?return_to=%2Fg%2F{code}")),
            "{html}"
        );
        assert!(!html.contains("/join\""), "no form: {html}");
        let product = visitor.get(&format!("/p/{pid}")).await.expect_page(200);
        assert!(product.html().contains("To join, sign in first"));
        assert!(!product.html().contains("/open\""));
        // A signed-out post changes nothing and says to sign in.
        let refused = visitor
            .post_form(&format!("/g/{code}/join"), &[("quantity", "1")])
            .await;
        assert_eq!(refused.status, 401, "{}", app.backend);
        assert_eq!(seats(&app, &code).await, 1);
    }
}

#[actix_web::test]
async fn a_join_pays_once_however_often_the_form_is_sent() {
    for app in TestApp::all_web().await {
        let (_, code) = group(&app, 1).await;
        app.credit("shopper", 200_000.0).await;
        let shopper = app.sign_in("shopper", "", None).await;
        let page = shopper.get(&format!("/g/{code}")).await.expect_page(200);
        assert!(
            page.html().contains("Your wallet balance"),
            "{}",
            page.html()
        );
        assert!(page.html().contains("TZS 200,000.00"));
        let form = fields(&shopper, page.html(), "1");
        let path = format!("/g/{code}/join");
        let (a, b, c) = futures_util::join!(
            post(&shopper, &path, &form),
            post(&shopper, &path, &form),
            post(&shopper, &path, &form)
        );
        let mut replies = vec![a, b, c];
        for _ in 0..3 {
            replies.push(post(&shopper, &path, &form).await);
        }
        for r in &replies {
            assert_eq!(r.status, 303, "{} {:?}", app.backend, r.body);
            assert_eq!(
                r.header("location").as_deref(),
                Some(format!("/g/{code}?joined=1").as_str())
            );
        }
        assert_eq!(app.balance("shopper").await, "120000.00", "debited once");
        assert_eq!(seats(&app, &code).await, 2, "one participant more");
        let joined = shopper
            .get(&format!("/g/{code}?joined=1"))
            .await
            .expect_page(200);
        assert!(joined.html().contains("You joined this group"));
        // A new form (a new key) is a new request: refused as the API refuses it.
        let again = shopper.get(&format!("/g/{code}")).await.expect_page(200);
        let second = post(&shopper, &path, &fields(&shopper, again.html(), "1")).await;
        let second = second.expect_page(400);
        assert!(second
            .html()
            .contains("as many seats in this group as one customer may"));
        assert_eq!(app.balance("shopper").await, "120000.00");
        assert_eq!(seats(&app, &code).await, 2);
    }
}

#[actix_web::test]
async fn a_form_without_the_session_s_csrf_token_is_refused_and_changes_nothing() {
    for app in TestApp::all_web().await {
        let (pid, code) = group(&app, 10).await;
        app.credit("shopper", 200_000.0).await;
        let shopper = app.sign_in("shopper", "", None).await;
        let page = shopper.get(&format!("/g/{code}")).await.expect_page(200);
        let mut form = fields(&shopper, page.html(), "1");
        form[0].1 = "forged".into();
        let path = format!("/g/{code}/join");
        post(&shopper, &path, &form).await.expect_page(403);
        form.remove(0);
        post(&shopper, &path, &form).await.expect_page(403);
        let product = shopper.get(&format!("/p/{pid}")).await.expect_page(200);
        let mut open = fields(&shopper, product.html(), "1");
        open[0].1 = String::new();
        post(&shopper, &format!("/p/{pid}/open"), &open)
            .await
            .expect_page(403);
        assert_eq!(app.balance("shopper").await, "200000.00");
        assert_eq!(seats(&app, &code).await, 1);
    }
}

#[actix_web::test]
async fn too_small_a_balance_is_said_in_words_and_charges_nothing() {
    for app in TestApp::all_web().await {
        let (_, code) = group(&app, 10).await;
        app.credit("poor", 1_000.0).await;
        let poor = app.sign_in("poor", "", None).await;
        let page = poor.get(&format!("/g/{code}")).await.expect_page(200);
        let form = fields(&poor, page.html(), "2");
        let r = post(&poor, &format!("/g/{code}/join"), &form).await;
        let r = r.expect_page(400);
        assert!(r
            .html()
            .contains("Your wallet balance does not cover these seats"));
        // What was typed is kept; a fresh key comes with the form.
        assert!(r.html().contains("value=\"2\""), "{}", r.html());
        assert_ne!(hidden(r.html(), "idempotency_key"), Some(form[1].1.clone()));
        assert_eq!(app.balance("poor").await, "1000.00");
        assert_eq!(seats(&app, &code).await, 1);
        // Out of the product's limits (the refused page's new form): refused as the API
        // refuses it. The first form's key is spent on its choices.
        let reused = fields(&poor, page.html(), "11");
        let r = post(&poor, &format!("/g/{code}/join"), &reused).await;
        let r = r.expect_page(422);
        assert!(r.html().contains("already sent with other choices"));
        let big = fields(&poor, r.html(), "11");
        let r = post(&poor, &format!("/g/{code}/join"), &big).await;
        assert_eq!(r.status, 400, "{:?}", r.body);
        assert!(r.html().contains("A group does not have that many seats"));
    }
}

#[actix_web::test]
async fn a_product_page_lists_its_groups_and_opens_a_new_one() {
    for app in TestApp::all_web().await {
        let (pid, code) = group(&app, 10).await;
        app.credit("opener", 500_000.0).await;
        let opener = app.sign_in("opener", "", None).await;
        let page = opener.get(&format!("/p/{pid}")).await.expect_page(200);
        for shown in [
            "Premium Wireless Headphones",
            "m1 shop",
            "TZS 80,000.00",
            "TZS 150,000.00",
            "TZS 70,000.00",
            "10 seats",
            "1 of 10 seats taken",
            "Open a new group",
        ] {
            assert!(page.html().contains(shown), "{shown}: {}", page.html());
        }
        assert!(page.html().contains(&format!("href=\"/g/{code}\"")));
        let form = fields(&opener, page.html(), "3");
        let path = format!("/p/{pid}/open");
        let first = post(&opener, &path, &form).await;
        assert_eq!(first.status, 303, "{:?}", first.body);
        let location = first.header("location").unwrap();
        let again = post(&opener, &path, &form).await;
        assert_eq!(again.header("location"), Some(location.clone()));
        assert!(location.ends_with("?opened=1") && location != format!("/g/{code}?opened=1"));
        let opened = opener.get(&location).await.expect_page(200);
        assert!(opened.html().contains("You opened this group"));
        assert!(opened.html().contains("3 of 10 seats taken"));
        assert_eq!(app.balance("opener").await, "260000.00");
        let unknown = opener.get("/p/not-a-uuid").await;
        assert_eq!(unknown.status, 404);
        let missing = opener.get(&format!("/p/{}", uuid::Uuid::new_v4())).await;
        assert_eq!(missing.status, 404);
    }
}

#[actix_web::test]
async fn with_a_join_url_the_button_links_to_the_platform_s_app() {
    let apps = TestApp::all_configured(|c| {
        c.jwt_secret = None;
        c.join_url = Some("https://shop.example/join?code={code}".into());
    })
    .await;
    for app in apps {
        let (_, code) = group(&app, 10).await;
        let shopper = app.sign_in("shopper", "", None).await;
        let page = shopper.get(&format!("/g/{code}")).await.expect_page(200);
        let link = format!("href=\"https://shop.example/join?code={code}\"");
        assert!(page.html().contains(&link), "{}", page.html());
        assert!(!page.html().contains("/join\""), "no hosted form");
        let anonymous = app.anonymous_browser().get(&format!("/g/{code}")).await;
        assert!(anonymous.html().contains(&link));
    }
}

#[actix_web::test]
async fn hostile_product_and_shop_names_are_escaped_on_the_product_page() {
    for app in TestApp::all_web().await {
        let m = app.token("m9", &["merchant"]);
        let shop = app
            .post(
                "/api/v1/shops",
                Some(&m),
                json!({"shopName": HOSTILE, "shopLogo": "https://img.example/l.png"}),
            )
            .await
            .expect(201);
        let sid = shop.data()["shopId"].as_str().unwrap().to_owned();
        let body = json!({"productName": HOSTILE, "productImage": "https://img.example/p.jpg",
            "regularPrice": 150000, "groupPrice": 80000, "stockQuantity": 100,
            "groupBuyingEnabled": true, "groupMaxSize": 10, "groupTimeLimitHours": 24});
        let p = app
            .post(&format!("/api/v1/shops/{sid}/products"), Some(&m), body)
            .await
            .expect(201);
        let pid = p.data()["productId"].as_str().unwrap();
        let page = app
            .anonymous_browser()
            .get(&format!("/p/{pid}"))
            .await
            .expect_page(200);
        let html = page.html();
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
}

#[actix_web::test]
async fn many_browsers_joining_one_group_at_once_never_overfill_it() {
    for app in TestApp::all_web().await {
        if app.backend != "postgres" {
            continue;
        }
        let (_, code) = group(&app, 1).await;
        const BROWSERS: usize = 14;
        let mut forms = Vec::new();
        for i in 0..BROWSERS {
            let who = format!("crowd-{i}");
            app.credit(&who, 100_000.0).await;
            let b = app.sign_in(&who, "", None).await;
            let page = b.get(&format!("/g/{code}")).await.expect_page(200);
            let form = fields(&b, page.html(), "1");
            forms.push((who, b, form));
        }
        let path = format!("/g/{code}/join");
        let presses = forms.iter().flat_map(|(_, b, form)| {
            // Each browser presses twice at once.
            [post(b, &path, form), post(b, &path, form)]
        });
        let replies = futures_util::future::join_all(presses).await;
        // Under contention a press may also be told the service is busy (503, the pool's
        // checkout timeout): it changed nothing, which the money check below proves.
        for r in &replies {
            assert!(
                r.status == 303 || r.status.is_client_error() || r.status == 503,
                "{:?}",
                r.body
            );
        }
        let busy = replies.iter().any(|r| r.status == 503);
        let taken = seats(&app, &code).await;
        assert!(taken <= 10, "seats {taken} of 10");
        let mut debited = 0;
        for (who, _, _) in &forms {
            match app.balance(who).await.as_str() {
                "100000.00" => {}
                "20000.00" => debited += 1,
                other => panic!("{who} has {other}: debited more than once"),
            }
        }
        assert_eq!(
            debited,
            taken - 1,
            "money moved exactly for the seats taken"
        );
        assert!(taken == 10 || busy, "the group filled (seats {taken})");
    }
}

#[actix_web::test]
async fn a_group_that_fills_before_the_press_is_said_to_be_full() {
    for app in TestApp::all_web().await {
        let p = app.product("m1", json!({"groupMaxSize": 2})).await;
        let pid = p["productId"].as_str().unwrap().to_owned();
        app.credit("starter", 1_000_000.0).await;
        let t = app.token("starter", &[]);
        let paid = buy_as(&app, &t, &pid, 1, None).await.expect(200);
        let code = paid.data()["groupCode"].as_str().unwrap().to_owned();
        let gid = paid.data()["groupInstanceId"].as_str().unwrap().to_owned();
        app.credit("late", 200_000.0).await;
        let late = app.sign_in("late", "", None).await;
        let page = late.get(&format!("/g/{code}")).await.expect_page(200);
        app.credit("quick", 200_000.0).await;
        let quick = app.token("quick", &[]);
        buy_as(&app, &quick, &pid, 1, Some(&gid)).await.expect(200);
        let r = post(
            &late,
            &format!("/g/{code}/join"),
            &fields(&late, page.html(), "1"),
        )
        .await;
        let r = r.expect_page(400);
        assert!(r.html().contains("This group is full"), "{}", r.html());
        assert!(!r.html().contains("/join\""), "no form on a full group");
        assert_eq!(app.balance("late").await, "200000.00");
    }
}
