//! The public pages (`/g/{groupCode}`, `/c/{handle}`, `/c/{handle}/{slug}`) on every
//! backend: what they show, their link previews and JSON-LD, escaping of hostile names,
//! HTML 404s and the security headers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::group_purchase::buy_as;
use crate::helpers::{Reply, TestApp};
use serde_json::{json, Value};
use std::time::Duration;

const HOSTILE: &str = r#"<script>alert(1)</script>"><img src=x onerror=alert(1)></script>"#;

/// The page's HTML (the reply kept it as a JSON string since it is no JSON).
fn html(r: &Reply) -> &str {
    r.body.as_str().expect("an HTML body")
}

/// Checks the headers every page carries.
#[track_caller]
fn assert_page_headers(r: &Reply) {
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    let csp = r.header("content-security-policy").expect("a CSP");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(
        r.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert!(r.header("referrer-policy").is_some());
}

/// The `content` of the `<meta property|name="key">` tag.
fn meta<'a>(page: &'a str, key: &str) -> &'a str {
    let tag = format!("=\"{key}\" content=\"");
    let rest = &page[page.find(&tag).expect(key) + tag.len()..];
    &rest[..rest.find('"').expect("closing quote")]
}

/// The one JSON-LD block, parsed.
fn json_ld(page: &str) -> Value {
    let open = r#"<script type="application/ld+json">"#;
    let start = page.find(open).expect("JSON-LD") + open.len();
    let end = start + page[start..].find("</script>").expect("its end");
    serde_json::from_str(&page[start..end]).expect("JSON-LD parses")
}

/// A product of `name`, and a group on it where `buyer` (named `display`) took `seats`.
async fn group_of(app: &TestApp, name: &str, display: &str, seats: i64, hours: f64) -> String {
    let p = app
        .product(
            "m1",
            json!({"productName": name, "groupTimeLimitHours": hours}),
        )
        .await;
    app.credit("buyer", 1_000_000.0).await;
    let t = app.token_named("buyer", display);
    let pid = p["productId"].as_str().unwrap();
    let paid = buy_as(app, &t, pid, seats, None).await.expect(200);
    paid.data()["groupCode"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn the_group_page_shows_seats_prices_participants_and_its_previews() {
    for app in TestApp::all().await {
        let code = group_of(&app, "Teak lamp", "Asha Mwangi", 4, 24.0).await;
        let r = app.get(&format!("/g/{code}"), None).await;
        assert_eq!(r.status, 200, "{}", app.backend);
        assert_page_headers(&r);
        let page = html(&r);
        for shown in [
            "TZS 80,000.00",
            "TZS 150,000.00",
            "TZS 70,000.00",
            "4 of 10 seats taken",
            "Asha Mwangi",
            "m1 shop",
            "<progress max=\"10\" value=\"4\"",
            "https://img.example/buyer.png",
        ] {
            assert!(page.contains(shown), "{shown} missing: {page}");
        }
        assert_eq!(meta(page, "og:title"), "Teak lamp");
        assert_eq!(meta(page, "twitter:title"), "Teak lamp");
        assert!(meta(page, "og:description").starts_with("4 of 10 seats, "));
        assert!(meta(page, "og:description").ends_with(" h left"));
        assert_eq!(meta(page, "og:image"), "https://img.example/headphones.jpg");
        assert_eq!(
            meta(page, "og:url"),
            format!("http://127.0.0.1:8080/g/{code}")
        );
        let ld = json_ld(page);
        assert_eq!(ld["@type"], "Product");
        assert_eq!(ld["name"], "Teak lamp");
        assert_eq!(ld["offers"]["price"], "80000.00");
        assert_eq!(ld["offers"]["priceCurrency"], "TZS");
        assert_eq!(ld["offers"]["availability"], "https://schema.org/InStock");
        assert!(ld["offers"]["validThrough"]
            .as_str()
            .unwrap()
            .ends_with('Z'));
        let css = app.get("/assets/site.css", None).await;
        assert_eq!(css.status, 200);
        assert!(css.header("content-type").unwrap().starts_with("text/css"));
    }
}

#[actix_web::test]
async fn hostile_names_are_escaped_in_the_body_the_meta_tags_and_the_json_ld() {
    for app in TestApp::all().await {
        let code = group_of(&app, HOSTILE, HOSTILE, 1, 24.0).await;
        let r = app.get(&format!("/g/{code}"), None).await;
        assert_eq!(r.status, 200, "{}", app.backend);
        let page = html(&r);
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(!page.contains("<img src=x"), "{page}");
        assert!(!page.contains("onerror=alert(1)>"), "{page}");
        // The only closing script tags are the JSON-LD's own and the live script's.
        assert_eq!(page.matches("</script>").count(), 2, "{page}");
        assert!(page.contains(r#"<script src="/assets/live.js" defer></script>"#));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert_eq!(json_ld(page)["name"], HOSTILE);
    }
}

#[actix_web::test]
async fn an_unknown_group_or_campaign_is_an_html_404() {
    for app in TestApp::all().await {
        for path in [
            "/g/GP-ZZZZZZ",
            "/g/nonsense",
            "/c/nobody-here",
            "/c/Bad_Handle/x",
        ] {
            let r = app.get(path, None).await;
            assert_eq!(r.status, 404, "{path} on {}", app.backend);
            let page = r.body.as_str().unwrap_or_default();
            assert!(page.contains("Page not found"), "{path}: {}", r.body);
            assert_page_headers(&r);
        }
    }
}

#[actix_web::test]
async fn a_failed_group_says_so() {
    for app in TestApp::all_with(Duration::from_millis(100)).await {
        // 0.0003 h is about a second: the app's own sweep fails the group.
        let code = group_of(&app, "Teak lamp", "Asha", 1, 0.0003).await;
        let mut page = String::new();
        for _ in 0..60 {
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
            page = html(&app.get(&format!("/g/{code}"), None).await).to_owned();
            if page.contains("Failed") {
                break;
            }
        }
        assert!(page.contains("Failed: the group did not fill"), "{page}");
        assert!(page.contains("status-failed"));
        assert!(json_ld(&page)["offers"]["availability"]
            .as_str()
            .unwrap()
            .ends_with("Discontinued"));
    }
}

#[actix_web::test]
async fn a_draft_campaign_is_a_404_and_a_published_one_shows_its_progress() {
    for app in TestApp::all().await {
        let m1 = app.gharart().await;
        app.group_buy(&m1, "lamps", json!({"minParticipants": 2}), None)
            .await;
        let r = app.get("/c/gharart/lamps", None).await;
        assert_eq!(r.status, 404, "{}", app.backend);
        assert!(!html(&app.get("/c/gharart", None).await).contains("Teak lamps"));
        app.act(&m1, "lamps", "publish").await.expect(200);
        app.interest_as("u1", "lamps", 3).await.expect(201);
        let r = app.get("/c/gharart/lamps", None).await;
        assert_eq!(r.status, 200);
        assert_page_headers(&r);
        let page = html(&r);
        for shown in [
            "Teak lamps",
            "Hand-made",
            "TZS 45,000.50",
            "1 of 2 participants",
            "<progress max=\"2\" value=\"1\"",
            "Open: taking interest",
        ] {
            assert!(page.contains(shown), "{shown} missing: {page}");
        }
        let list = app.get("/c/gharart", None).await;
        assert_eq!(list.status, 200);
        assert!(html(&list).contains("href=\"/c/gharart/lamps\""));
    }
}

#[actix_web::test]
async fn a_signed_in_browser_sees_its_name_and_a_sign_out_form_and_the_console_asks_to_sign_in() {
    for app in TestApp::all_web().await {
        let anonymous = app.anonymous_browser();
        let console = anonymous.get("/console").await;
        assert_eq!(console.status, 303, "{}", app.backend);
        assert_eq!(
            console.header("location").as_deref(),
            Some("/auth/login?return_to=%2Fconsole")
        );
        let browser = app.sign_in("shopper-7", "", None).await;
        let page = browser.get("/console").await.expect_page(200);
        assert!(page.html().contains("Signed in as"), "{}", app.backend);
        assert!(
            page.html().contains(&browser.csrf),
            "the sign-out form carries the token"
        );
        assert_eq!(page.header("cache-control").as_deref(), Some("no-store"));
        // The bearer tokens of a development-mode app still work beside sessions.
        let token = app.token("shopper-7", &[]);
        app.get("/api/v1/wallet", Some(&token)).await.expect(200);
    }
}

#[actix_web::test]
async fn the_home_page_opens_a_group_by_the_code_a_friend_sent() {
    for app in TestApp::all().await {
        let browser = app.anonymous_browser();
        let home = browser.get("/").await.expect_page(200);
        assert_page_headers(&home);
        assert!(home.html().contains("action=\"/g\""), "{}", app.backend);
        // Typed with spaces and in lower case, as people do.
        let typed = browser.get("/g?code=%20gp-a3x7k9%20").await;
        assert_eq!(typed.status, 303);
        assert_eq!(typed.header("location").as_deref(), Some("/g/GP-A3X7K9"));
        // Nothing but letters, digits and dashes reaches the Location header (control
        // characters never get this far: every query is checked for them first).
        let hostile = browser.get("/g?code=%2F%2Fevil.example%2F%3Fx=%22").await;
        assert_eq!(
            hostile.header("location").as_deref(),
            Some("/g/EVILEXAMPLEX")
        );
        let split = browser.get("/g?code=a%0d%0aSet-Cookie:x").await;
        assert_eq!(split.status, 400);
        let empty = browser.get("/g?code=").await;
        assert_eq!(empty.header("location").as_deref(), Some("/"));
    }
}
