//! Hostile input at the edge (issue 7, defects 3 and 5): control characters in bodies,
//! paths, queries and token claims; trailing data; money as strings; unknown metadata;
//! negative cursors. Each is refused with a 4xx before it reaches the database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::{assert_problem, Reply, TestApp};
use groupbuy_api::platform::auth::Claims;
use reqwest::Method;
use serde_json::{json, Value};

const NUL: &str = "\u{0}";

fn closes_at() -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::days(7);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// A 422 whose first field error names `field`.
#[track_caller]
fn refused_field(r: Reply, field: &str) {
    let r = r.expect(422);
    assert_eq!(r.body["errors"][0]["field"], field, "{}", r.body);
}

/// Sends `body` verbatim as JSON.
async fn raw(app: &TestApp, method: Method, path: &str, token: &str, body: &str) -> Reply {
    let res = app
        .client
        .request(method, app.url(path))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("sent");
    let status = res.status();
    let headers = res.headers().clone();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
    }
}

/// Opens a group of `product` for `user` (credited first); returns the group id.
async fn open_group(app: &TestApp, user: &str, product: &str) -> String {
    app.credit(user, 1_000_000.0).await;
    let t = app.token(user, &[]);
    let session = app
        .post(
            "/api/v1/checkout-sessions",
            Some(&t),
            json!({"sessionType": "GROUP_PURCHASE", "productId": product, "quantity": 1}),
        )
        .await
        .expect(201);
    let id = session.data()["sessionId"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/checkout-sessions/{id}/process-payment"),
        Some(&t),
        json!({"paymentMethod": "WALLET"}),
    )
    .await
    .expect(200)
    .data()["groupInstanceId"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn control_characters_in_bodies_are_422_naming_the_field() {
    for app in TestApp::all().await {
        let m = app.token("m1", &["merchant"]);
        refused_field(
            app.post(
                "/api/v1/shops",
                Some(&m),
                json!({"shopName": format!("a{NUL}b")}),
            )
            .await,
            "shopName",
        );
        refused_field(
            app.post(
                "/api/v1/shops",
                Some(&m),
                json!({"shopName": "ok", "shopLogo": "https://x/\u{85}"}),
            )
            .await,
            "shopLogo",
        );
        let product = app.product("m1", json!({})).await;
        let shop = product["shopId"].as_str().unwrap();
        let pid = product["productId"].as_str().unwrap();
        let mut body = json!({"productName": format!("Lamp{NUL}"), "regularPrice": 100,
            "groupPrice": 80, "stockQuantity": 10, "groupBuyingEnabled": true,
            "groupMaxSize": 5, "groupTimeLimitHours": 24});
        refused_field(
            app.post(
                &format!("/api/v1/shops/{shop}/products"),
                Some(&m),
                body.clone(),
            )
            .await,
            "productName",
        );
        body["productName"] = json!("Lamp");
        app.post(&format!("/api/v1/shops/{shop}/products"), Some(&m), body)
            .await
            .expect(201);
        refused_field(
            app.patch(
                &format!("/api/v1/products/{pid}"),
                Some(&m),
                json!({"productName": format!("x{NUL}")}),
            )
            .await,
            "productName",
        );
        // a rename of a real group
        let group = open_group(&app, "alice", pid).await;
        let alice = app.token("alice", &[]);
        refused_field(
            app.patch(
                &format!("/api/v1/groups/{group}/name"),
                Some(&alice),
                json!({"groupName": format!("Friends{NUL}")}),
            )
            .await,
            "groupName",
        );
        // wallet credit reference
        let admin = app.token("admin", &["platform-admin"]);
        refused_field(
            app.post(
                "/api/v1/platform-admin/wallets/bob/credit",
                Some(&admin),
                json!({"amount": 10, "reference": "top\u{1b}[31m-up"}),
            )
            .await,
            "reference",
        );
        // campaign fields, nested paths named in full
        app.post(
            "/v2/handles",
            Some(&m),
            json!({"handle": "gharart", "displayName": "Gharart"}),
        )
        .await
        .expect(201);
        refused_field(
            app.post(
                "/v2/handles",
                Some(&m),
                json!({"handle": "other", "displayName": format!("D{NUL}")}),
            )
            .await,
            "displayName",
        );
        let gb = json!({"slug": "lamps", "title": "Teak lamps", "unitPrice": 45000,
            "thresholds": {"minParticipants": 2}, "closesAt": closes_at()});
        for (field, value) in [
            ("title", json!(format!("Teak{NUL}"))),
            ("slug", json!(format!("lamps{NUL}"))),
            ("description", json!(format!("line one\nline{NUL}two"))),
            ("closesAt", json!(format!("{}{NUL}", closes_at()))),
            ("currency", json!(format!("TZ\u{7f}"))),
        ] {
            let mut body = gb.clone();
            body[field] = value;
            refused_field(
                app.post("/v2/handles/gharart/group-buys", Some(&m), body)
                    .await,
                field,
            );
        }
        // free text keeps line breaks and tabs: a description of several lines is fine
        let mut body = gb.clone();
        body["description"] = json!("Hand-made.\r\n\tTeak, 40 cm.\n");
        app.post("/v2/handles/gharart/group-buys", Some(&m), body)
            .await
            .expect(201);
        // but a title is one line
        let mut body = gb.clone();
        body["slug"] = json!("other");
        body["title"] = json!("Teak\nlamps");
        refused_field(
            app.post("/v2/handles/gharart/group-buys", Some(&m), body)
                .await,
            "title",
        );
        // public interest and support reports (anonymous callers)
        let report = app
            .call(
                Method::POST,
                "/v2/support/report",
                None,
                Some(json!({"summary": "Broken", "details": format!("x{NUL}")})),
                &[],
            )
            .await;
        refused_field(report, "details");
    }
}

#[actix_web::test]
async fn control_characters_in_paths_and_queries_are_400() {
    for app in TestApp::all().await {
        let admin = app.token("admin", &["platform-admin"]);
        let alice = app.token("alice", &[]);
        let cases: [(Method, &str, Option<&str>); 9] = [
            (
                Method::POST,
                "/api/v1/platform-admin/wallets/a%00b/credit",
                Some(&admin),
            ),
            (
                Method::GET,
                "/api/v1/group-purchases/code/%00",
                Some(&alice),
            ),
            (Method::GET, "/api/v1/group-purchases/code/GP-%01", None),
            (Method::GET, "/v2/handles/a%00b", None),
            (Method::GET, "/v2/public/group-buys/gharart/%00", None),
            (Method::GET, "/v2/public/group-buys/a%C2%85b", None),
            (
                Method::GET,
                "/v2/platform-admin/group-buys?handle=%00",
                Some(&admin),
            ),
            (
                Method::GET,
                "/api/v1/group-purchases/my-groups?status=OPEN%00",
                Some(&alice),
            ),
            (
                Method::GET,
                "/api/v1/wallet/transactions?cursor=%0A",
                Some(&alice),
            ),
        ];
        for (method, path, token) in cases {
            let body = (method == Method::POST).then(|| json!({"amount": 1, "reference": "r"}));
            let r = app.call(method, path, token, body, &[]).await;
            assert_eq!(r.status.as_u16(), 400, "{path}: {}", r.body);
            assert_problem(&r);
            assert!(
                r.message().contains("control character"),
                "{path}: {}",
                r.body
            );
        }
    }
}

#[actix_web::test]
async fn control_characters_in_token_claims_are_401() {
    for app in TestApp::all().await {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let base = Claims {
            sub: "alice".into(),
            name: Some("Alice".into()),
            picture: Some("https://img.example/a.png".into()),
            scope: Some("groupbuy:read groupbuy:write".into()),
            roles: vec!["merchant".into()],
            org_id: Some("org-1".into()),
            exp: now + 600,
            iat: Some(now),
            iss: None,
            aud: None,
        };
        let keys = groupbuy_api::platform::auth::JwtKeys::new(crate::helpers::SECRET, None, None);
        let good = keys.mint(&base).unwrap();
        app.get("/api/v1/wallet", Some(&good)).await.expect(200);
        let bad = |f: &dyn Fn(&mut Claims)| {
            let mut c = base.clone();
            f(&mut c);
            keys.mint(&c).unwrap()
        };
        let tokens = [
            bad(&|c| c.sub = format!("ali{NUL}ce")),
            bad(&|c| c.sub = "alice\u{9f}".into()),
            bad(&|c| c.name = Some(format!("Alice{NUL}"))),
            bad(&|c| c.picture = Some(format!("https://img{NUL}"))),
            bad(&|c| c.org_id = Some("org\n1".into())),
            bad(&|c| c.roles = vec![format!("merchant{NUL}")]),
            bad(&|c| c.scope = Some(format!("groupbuy:read{NUL} groupbuy:write"))),
        ];
        for t in tokens {
            let r = app.get("/api/v1/wallet", Some(&t)).await.expect(401);
            assert_eq!(r.message(), "User not authenticated");
            // writes too (the shop name itself is clean)
            app.post("/api/v1/shops", Some(&t), json!({"shopName": "Shop"}))
                .await
                .expect(401);
        }
    }
}

#[actix_web::test]
async fn trailing_data_after_the_body_is_400() {
    for app in TestApp::all().await {
        let m = app.token("m1", &["merchant"]);
        for body in [
            r#"{"shopName":"a"}xx"#,
            r#"{"shopName":"a"} {}"#,
            r#"{"shopName":"a"}}"#,
        ] {
            let r = raw(&app, Method::POST, "/api/v1/shops", &m, body)
                .await
                .expect(400);
            assert!(r.message().contains("Malformed JSON"), "{}", r.body);
        }
        // trailing whitespace is not data
        raw(
            &app,
            Method::POST,
            "/api/v1/shops",
            &m,
            "{\"shopName\":\"a\"} \n",
        )
        .await
        .expect(201);
    }
}

#[actix_web::test]
async fn money_and_decimals_must_be_json_numbers() {
    for app in TestApp::all().await {
        let m = app.token("m1", &["merchant"]);
        let shop = app.shop("m1").await;
        let body = json!({"productName": "Lamp", "regularPrice": 100, "groupPrice": 80,
            "stockQuantity": 10, "groupBuyingEnabled": true, "groupMaxSize": 5,
            "groupTimeLimitHours": 24});
        for (field, value) in [
            ("regularPrice", json!("100")),
            ("groupPrice", json!("80")),
            ("groupTimeLimitHours", json!("24")),
        ] {
            let mut b = body.clone();
            b[field] = value;
            refused_field(
                app.post(&format!("/api/v1/shops/{shop}/products"), Some(&m), b)
                    .await,
                field,
            );
        }
        let pid = app
            .post(&format!("/api/v1/shops/{shop}/products"), Some(&m), body)
            .await
            .expect(201)
            .data()["productId"]
            .as_str()
            .unwrap()
            .to_owned();
        for field in ["regularPrice", "groupPrice", "groupTimeLimitHours"] {
            refused_field(
                app.patch(
                    &format!("/api/v1/products/{pid}"),
                    Some(&m),
                    json!({ field: "90" }),
                )
                .await,
                field,
            );
        }
        // numbers keep working, decimals exactly
        let r = app
            .patch(
                &format!("/api/v1/products/{pid}"),
                Some(&m),
                json!({"regularPrice": 99.5}),
            )
            .await
            .expect(200);
        assert_eq!(r.data()["regularPrice"].to_string(), "99.50");
        let admin = app.token("admin", &["platform-admin"]);
        refused_field(
            app.post(
                "/api/v1/platform-admin/wallets/bob/credit",
                Some(&admin),
                json!({"amount": "500", "reference": "r"}),
            )
            .await,
            "amount",
        );
        app.post(
            "/v2/handles",
            Some(&m),
            json!({"handle": "gharart", "displayName": "Gharart"}),
        )
        .await
        .expect(201);
        refused_field(
            app.post(
                "/v2/handles/gharart/group-buys",
                Some(&m),
                json!({"slug": "lamps", "title": "Teak lamps", "unitPrice": "45000",
                       "thresholds": {"minParticipants": 2}, "closesAt": closes_at()}),
            )
            .await,
            "unitPrice",
        );
    }
}

#[actix_web::test]
async fn checkout_metadata_refuses_unknown_fields() {
    for app in TestApp::all().await {
        let product = app.product("m1", json!({})).await;
        let t = app.token("alice", &[]);
        let r = app
            .post(
                "/api/v1/checkout-sessions",
                Some(&t),
                json!({"sessionType": "GROUP_PURCHASE", "productId": product["productId"],
                       "quantity": 1, "metadata": {"groupInstanceID": uuid::Uuid::new_v4()}}),
            )
            .await
            .expect(422);
        assert_eq!(
            r.body["errors"][0]["field"], "metadata.groupInstanceID",
            "{}",
            r.body
        );
        assert!(r.message().contains("groupInstanceID"), "{}", r.body);
    }
}

#[actix_web::test]
async fn every_cursor_must_be_a_cursor() {
    for app in TestApp::all().await {
        let m = app.token("m1", &["merchant"]);
        let admin = app.token("admin", &["platform-admin"]);
        app.post(
            "/v2/handles",
            Some(&m),
            json!({"handle": "gharart", "displayName": "Gharart"}),
        )
        .await
        .expect(201);
        let lists = [
            ("/api/v1/wallet/transactions", &m),
            ("/api/v1/orders/my-orders", &m),
            ("/v2/handles/gharart/group-buys", &m),
            ("/v2/handles/gharart/group-buys/lamps/interests", &m),
            ("/v2/handles/gharart/group-buys/lamps/audit", &m),
            ("/v2/public/group-buys/gharart", &m),
            ("/v2/platform-admin/group-buys", &admin),
            ("/v2/platform-admin/support-reports", &admin),
        ];
        for (list, token) in lists {
            for cursor in ["-1", "1.5", "abc", "99999999999999999999"] {
                let r = app
                    .get(&format!("{list}?cursor={cursor}"), Some(token))
                    .await;
                assert_eq!(r.status.as_u16(), 400, "{list}?cursor={cursor}: {}", r.body);
                assert_problem(&r);
                assert!(r.message().contains("cursor"), "{}", r.body);
            }
        }
        // an empty cursor is the first page
        app.get("/api/v1/wallet/transactions?cursor=", Some(&m))
            .await
            .expect(200);
        app.get("/api/v1/wallet/transactions?cursor=5", Some(&m))
            .await
            .expect(200);
    }
}

#[actix_web::test]
async fn a_visitor_cookie_that_is_not_ours_is_a_new_visitor() {
    for app in TestApp::all().await {
        let m = app.token("m1", &["merchant"]);
        app.post(
            "/v2/handles",
            Some(&m),
            json!({"handle": "gharart", "displayName": "Gharart"}),
        )
        .await
        .expect(201);
        app.post(
            "/v2/handles/gharart/group-buys",
            Some(&m),
            json!({"slug": "lamps", "title": "Teak lamps", "unitPrice": 45000,
                   "thresholds": {"minParticipants": 2}, "closesAt": closes_at()}),
        )
        .await
        .expect(201);
        app.post(
            "/v2/handles/gharart/group-buys/lamps/publish",
            Some(&m),
            json!({}),
        )
        .await
        .expect(200);
        // the cookie's value is only ever used once its signature verifies (a UUID we
        // issued): a forged one with control characters never reaches the database
        for cookie in ["gb_visitor=a%00b", "gb_visitor=%C2%85", "gb_visitor=x\t"] {
            let r = app
                .call(
                    Method::PUT,
                    "/v2/public/group-buys/gharart/lamps/my-interest",
                    None,
                    Some(json!({"quantity": 1})),
                    &[("cookie", cookie)],
                )
                .await
                .expect(201);
            assert!(r.header("set-cookie").is_some(), "a new visitor: {cookie}");
        }
    }
}
