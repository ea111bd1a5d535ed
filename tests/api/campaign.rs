//! Campaigns (`/v2`) over HTTP on every configured backend.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::{assert_problem, Reply, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const BASE: &str = "/v2/handles/gharart/group-buys";
const PUBLIC: &str = "/v2/public/group-buys/gharart";

fn closes_at() -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::days(7);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

impl TestApp {
    /// Claims `gharart` for m1 and returns m1's token.
    pub(crate) async fn gharart(&self) -> String {
        let t = self.token("m1", &["merchant"]);
        self.post(
            "/v2/handles",
            Some(&t),
            json!({"handle": "gharart", "displayName": "Gharart Decor"}),
        )
        .await
        .expect(201);
        t
    }

    /// Creates a DRAFT group-buy `slug` under gharart with the given thresholds/max.
    pub(crate) async fn group_buy(
        &self,
        owner: &str,
        slug: &str,
        thresholds: Value,
        max: Option<i64>,
    ) -> Value {
        self.post(
            BASE,
            Some(owner),
            json!({"slug": slug, "title": "Teak lamps", "description": "Hand-made", "unitPrice": 45000.5,
                   "currency": "TZS", "thresholds": thresholds, "maxQuantity": max, "closesAt": closes_at()}),
        )
        .await
        .expect(201)
        .data()
        .clone()
    }

    pub(crate) async fn act(&self, token: &str, slug: &str, action: &str) -> Reply {
        self.post(&format!("{BASE}/{slug}/{action}"), Some(token), json!({}))
            .await
    }

    /// PUT my-interest as the bearer's user.
    pub(crate) async fn interest_as(&self, user: &str, slug: &str, quantity: i64) -> Reply {
        let t = self.token(user, &[]);
        self.call(
            Method::PUT,
            &format!("{PUBLIC}/{slug}/my-interest"),
            Some(&t),
            Some(json!({"quantity": quantity})),
            &[],
        )
        .await
    }

    async fn public(&self, slug: &str) -> Value {
        self.get(&format!("{PUBLIC}/{slug}"), None)
            .await
            .expect(200)
            .data()
            .clone()
    }
}

#[actix_web::test]
async fn every_transition_is_allowed_or_refused_by_the_state_machine() {
    for app in TestApp::all().await {
        let m1 = app.gharart().await;
        let admin = app.token("root", &["platform-admin"]);
        let stranger = app.token("m2", &["merchant"]);
        let g = app
            .group_buy(&m1, "lamps", json!({"minParticipants": 2}), None)
            .await;
        assert_eq!(g["status"], "DRAFT");
        assert_eq!(g["unitPrice"].to_string(), "45000.50");
        assert_eq!(
            g["progress"]["participants"],
            json!({"minParticipants": 2, "participants": 0, "met": false})
        );
        assert!(g["publishedAt"].is_null());
        for action in ["publish", "pause", "close"] {
            app.act(&stranger, "lamps", action).await.expect(404);
        }
        let r = app.act(&m1, "lamps", "pause").await.expect(409);
        assert_eq!(
            r.message(),
            "Cannot pause a DRAFT group-buy; allowed from DRAFT: publish"
        );
        let r = app.act(&m1, "lamps", "close").await.expect(409);
        assert_eq!(
            r.message(),
            "Cannot close a DRAFT group-buy; allowed from DRAFT: publish"
        );
        let p = app.act(&m1, "lamps", "publish").await.expect(200);
        assert_eq!(p.data()["status"], "PUBLISHED");
        assert!(p.data()["publishedAt"].is_string());
        let r = app.act(&m1, "lamps", "publish").await.expect(409);
        assert_eq!(
            r.message(),
            "Cannot publish a PUBLISHED group-buy; allowed from PUBLISHED: pause, close"
        );
        let z = app.act(&admin, "lamps", "pause").await.expect(200);
        assert_eq!(z.data()["status"], "PAUSED");
        assert!(z.data()["pausedAt"].is_string());
        let r = app.act(&m1, "lamps", "pause").await.expect(409);
        assert_eq!(
            r.message(),
            "Cannot pause a PAUSED group-buy; allowed from PAUSED: publish, close"
        );
        let r = app.act(&m1, "lamps", "close").await.expect(409);
        assert_eq!(
            r.message(),
            "Cannot close: thresholds not met: participants 0/2"
        );
        app.act(&m1, "lamps", "publish").await.expect(200);
        app.interest_as("u1", "lamps", 1).await.expect(201);
        app.interest_as("u2", "lamps", 1).await.expect(201);
        let c = app.act(&m1, "lamps", "close").await.expect(200);
        assert_eq!(c.data()["status"], "CLOSED");
        assert!(c.data()["closedAt"].is_string());
        assert_eq!(c.data()["allowedActions"], json!([]));
        for action in ["publish", "pause", "close"] {
            let r = app.act(&admin, "lamps", action).await.expect(409);
            assert_eq!(
                r.message(),
                format!("Cannot {action} a CLOSED group-buy; allowed from CLOSED: none")
            );
        }
        let got = app
            .get(&format!("{BASE}/lamps"), Some(&m1))
            .await
            .expect(200);
        assert_eq!(got.data()["status"], "CLOSED");
    }
}

#[actix_web::test]
async fn close_is_refused_below_each_threshold_and_accepted_at_it() {
    for app in TestApp::all().await {
        let m1 = app.gharart().await;
        app.group_buy(
            &m1,
            "both",
            json!({"minParticipants": 2, "minQuantity": 3}),
            None,
        )
        .await;
        app.act(&m1, "both", "publish").await.expect(200);
        let r = app.act(&m1, "both", "close").await.expect(409);
        assert_eq!(
            r.message(),
            "Cannot close: thresholds not met: participants 0/2, quantity 0/3"
        );
        app.interest_as("u1", "both", 1).await.expect(201);
        app.interest_as("u2", "both", 1).await.expect(201);
        let r = app.act(&m1, "both", "close").await.expect(409);
        assert_eq!(
            r.message(),
            "Cannot close: thresholds not met: quantity 2/3"
        );
        app.interest_as("u2", "both", 2).await.expect(200);
        let g = app.public("both").await;
        assert_eq!(g["progress"]["met"], true);
        app.act(&m1, "both", "close").await.expect(200);

        app.group_buy(&m1, "qty", json!({"minQuantity": 5}), None)
            .await;
        app.act(&m1, "qty", "publish").await.expect(200);
        app.interest_as("u1", "qty", 5).await.expect(201);
        app.interest_as("u2", "qty", 1).await.expect(201);
        let r = app
            .call(
                Method::DELETE,
                &format!("{PUBLIC}/qty/my-interest"),
                Some(&app.token("u1", &[])),
                None,
                &[],
            )
            .await;
        assert_eq!(r.status.as_u16(), 204);
        let r = app.act(&m1, "qty", "close").await.expect(409);
        assert_eq!(
            r.message(),
            "Cannot close: thresholds not met: quantity 1/5"
        );
        app.interest_as("u3", "qty", 4).await.expect(201);
        app.act(&m1, "qty", "close").await.expect(200);
    }
}

#[actix_web::test]
async fn drafts_and_other_handles_stay_invisible() {
    for app in TestApp::all().await {
        let m1 = app.gharart().await;
        let m2 = app.token("m2", &["merchant"]);
        app.post(
            "/v2/handles",
            Some(&m2),
            json!({"handle": "other-shop", "displayName": "Other"}),
        )
        .await
        .expect(201);
        let r = app
            .post(
                "/v2/handles",
                Some(&m2),
                json!({"handle": "gharart", "displayName": "Mine"}),
            )
            .await
            .expect(409);
        assert!(r.message().contains("already taken"));
        let r = app
            .post(
                "/v2/handles",
                Some(&m2),
                json!({"handle": "Bad_Handle", "displayName": "x"}),
            )
            .await
            .expect(422);
        assert_eq!(r.body["errors"][0]["field"], "handle");
        app.post(
            "/v2/handles",
            Some(&app.token("u9", &[])),
            json!({"handle": "nope-shop", "displayName": "x"}),
        )
        .await
        .expect(403);
        app.get("/v2/handles/gharart", None).await.expect(200);
        app.group_buy(&m1, "draft-one", json!({"minQuantity": 1}), None)
            .await;
        app.group_buy(&m1, "live-one", json!({"minQuantity": 1}), None)
            .await;
        app.act(&m1, "live-one", "publish").await.expect(200);
        app.get(&format!("{PUBLIC}/draft-one"), None)
            .await
            .expect(404);
        app.call(
            Method::PUT,
            &format!("{PUBLIC}/draft-one/my-interest"),
            None,
            Some(json!({})),
            &[],
        )
        .await
        .expect(404);
        let list = app.get(PUBLIC, None).await.expect(200);
        let slugs: Vec<_> = list.data()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["slug"].clone())
            .collect();
        assert_eq!(slugs, vec![json!("live-one")]);
        app.get("/v2/public/group-buys/no-such-handle", None)
            .await
            .expect(404);
        // Another handle's owner sees nothing of gharart.
        app.get(BASE, Some(&m2)).await.expect(404);
        app.get(&format!("{BASE}/draft-one"), Some(&m2))
            .await
            .expect(404);
        app.get(&format!("{BASE}/live-one/interests"), Some(&m2))
            .await
            .expect(404);
        app.get(&format!("{BASE}/live-one/audit"), Some(&m2))
            .await
            .expect(404);
        app.post(BASE, Some(&m2), json!({"slug": "x-x-x", "title": "t", "unitPrice": 1, "thresholds": {"minQuantity": 1}, "closesAt": closes_at()}))
            .await
            .expect(404);
        app.get(BASE, None).await.expect(401);
        // Owner listing filters by status and paginates.
        let drafts = app
            .get(&format!("{BASE}?status=DRAFT"), Some(&m1))
            .await
            .expect(200);
        assert_eq!(drafts.data()["items"].as_array().unwrap().len(), 1);
        let p1 = app
            .get(&format!("{BASE}?limit=1"), Some(&m1))
            .await
            .expect(200);
        let cursor = p1.data()["next_cursor"].as_str().unwrap().to_owned();
        let p2 = app
            .get(&format!("{BASE}?limit=1&cursor={cursor}"), Some(&m1))
            .await
            .expect(200);
        assert_eq!(p2.data()["items"][0]["slug"], "draft-one");
        assert!(p2.data()["next_cursor"].is_null());
        app.get(&format!("{BASE}?status=OPEN"), Some(&m1))
            .await
            .expect(422);
        let dup = app.post(BASE, Some(&m1), json!({"slug": "live-one", "title": "t", "unitPrice": 1, "thresholds": {"minQuantity": 1}, "closesAt": closes_at()}))
            .await
            .expect(409);
        assert!(dup.message().contains("already used"));
    }
}

#[actix_web::test]
async fn group_buy_validation_names_each_field() {
    for app in TestApp::all().await {
        let m1 = app.gharart().await;
        let base = json!({"slug": "lamps", "title": "Lamps", "unitPrice": 10, "thresholds": {"minParticipants": 1}, "closesAt": closes_at()});
        let cases = [
            (json!({"slug": "No"}), "slug"),
            (json!({"title": ""}), "title"),
            (json!({"unitPrice": 0}), "unitPrice"),
            (json!({"unitPrice": 1.001}), "unitPrice"),
            (json!({"thresholds": {}}), "thresholds"),
            (
                json!({"thresholds": {"minQuantity": 0}}),
                "thresholds.minQuantity",
            ),
            (json!({"maxQuantity": 0}), "maxQuantity"),
            (json!({"closesAt": "2020-01-01T00:00:00Z"}), "closesAt"),
            (json!({"closesAt": "tomorrow"}), "closesAt"),
        ];
        for (patch, field) in cases {
            let mut body = base.clone();
            for (k, v) in patch.as_object().unwrap() {
                body[k] = v.clone();
            }
            let r = app.post(BASE, Some(&m1), body).await.expect(422);
            assert_eq!(r.body["errors"][0]["field"], field, "{}", r.body);
        }
    }
}

#[actix_web::test]
async fn an_anonymous_visitor_keeps_one_interest_through_the_signed_cookie() {
    for app in TestApp::all().await {
        let m1 = app.gharart().await;
        app.group_buy(&m1, "lamps", json!({"minQuantity": 10}), Some(10))
            .await;
        app.act(&m1, "lamps", "publish").await.expect(200);
        let path = format!("{PUBLIC}/lamps/my-interest");
        app.get(&path, None).await.expect(404);
        let first = app
            .call(Method::PUT, &path, None, None, &[])
            .await
            .expect(201);
        assert_eq!(first.data()["quantity"], 1);
        let cookie = first.header("set-cookie").expect("visitor cookie");
        assert!(cookie.starts_with("gb_visitor="), "{cookie}");
        for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(cookie.contains(attr), "{cookie} lacks {attr}");
        }
        let again = app
            .call(
                Method::PUT,
                &path,
                None,
                Some(json!({"quantity": 3, "note": "blue"})),
                &[],
            )
            .await
            .expect(200);
        assert_eq!(again.data()["id"], first.data()["id"]);
        assert!(again.header("set-cookie").is_none());
        let mine = app.get(&path, None).await.expect(200);
        assert_eq!(
            (mine.data()["quantity"].clone(), mine.data()["note"].clone()),
            (json!(3), json!("blue"))
        );
        let g = app.public("lamps").await;
        assert_eq!(
            (g["participants"].clone(), g["quantity"].clone()),
            (json!(1), json!(3))
        );
        // A tampered cookie is a new visitor.
        let value = cookie.split(';').next().unwrap();
        let tampered = format!("{}x", value);
        let plain = reqwest::Client::new();
        let r = plain
            .get(app.url(&path))
            .header("cookie", &tampered)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 404);
        let r = plain
            .get(app.url(&path))
            .header("cookie", value)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        // Validation and capacity.
        let r = app
            .call(Method::PUT, &path, None, Some(json!({"quantity": 0})), &[])
            .await
            .expect(422);
        assert_eq!(r.body["errors"][0]["field"], "quantity");
        let r = app.interest_as("u1", "lamps", 8).await.expect(409);
        assert!(r.message().contains("maxQuantity"), "{}", r.message());
        app.interest_as("u1", "lamps", 7).await.expect(201);
        // Withdrawal is idempotent and gives the units back.
        app.delete(&path, None).await;
        let r = app.call(Method::DELETE, &path, None, None, &[]).await;
        assert_eq!(r.status.as_u16(), 204);
        let g = app.public("lamps").await;
        assert_eq!(
            (g["participants"].clone(), g["quantity"].clone()),
            (json!(1), json!(7))
        );
        // Paused: no new interest, withdrawal still allowed; closed: nothing changes.
        app.act(&m1, "lamps", "pause").await.expect(200);
        let r = app
            .call(Method::PUT, &path, None, None, &[])
            .await
            .expect(409);
        assert!(r.message().contains("PAUSED"));
        app.act(&m1, "lamps", "publish").await.expect(200);
        app.interest_as("u2", "lamps", 3).await.expect(201);
        app.act(&m1, "lamps", "close").await.expect(200);
        let u1 = app.token("u1", &[]);
        app.call(Method::DELETE, &path, Some(&u1), None, &[])
            .await
            .expect(409);
        app.interest_as("u1", "lamps", 1).await.expect(409);
        let r = app
            .call(Method::GET, &path, Some("not-a-token"), None, &[])
            .await;
        assert_eq!(r.status.as_u16(), 401);
        assert_problem(&r);
    }
}

#[actix_web::test]
async fn concurrent_puts_never_duplicate_interest_or_double_count() {
    for app in TestApp::all().await {
        let m1 = app.gharart().await;
        app.group_buy(&m1, "hot", json!({"minParticipants": 101}), None)
            .await;
        app.act(&m1, "hot", "publish").await.expect(200);
        let url = app.url(&format!("{PUBLIC}/hot/my-interest"));
        let plain = reqwest::Client::new();
        let first = plain
            .put(&url)
            .json(&json!({"quantity": 2}))
            .send()
            .await
            .unwrap();
        assert_eq!(first.status().as_u16(), 201);
        let cookie = first.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let same = (0..100).map(|_| {
            plain
                .put(&url)
                .header("cookie", &cookie)
                .json(&json!({"quantity": 2}))
                .send()
        });
        for r in futures_util::future::join_all(same).await {
            assert_eq!(r.unwrap().status().as_u16(), 200);
        }
        let g = app.public("hot").await;
        assert_eq!(
            (g["participants"].clone(), g["quantity"].clone()),
            (json!(1), json!(2)),
            "{}",
            app.backend
        );
        let many = (0..100).map(|_| plain.put(&url).json(&json!({"quantity": 3})).send());
        for r in futures_util::future::join_all(many).await {
            assert_eq!(r.unwrap().status().as_u16(), 201);
        }
        let g = app.public("hot").await;
        assert_eq!(
            (g["participants"].clone(), g["quantity"].clone()),
            (json!(101), json!(302)),
            "{}",
            app.backend
        );
        let mut count = 0;
        let mut cursor = String::new();
        loop {
            let page = app
                .get(
                    &format!("{BASE}/hot/interests?limit=100&cursor={cursor}"),
                    Some(&m1),
                )
                .await
                .expect(200);
            count += page.data()["items"].as_array().unwrap().len();
            match page.data()["next_cursor"].as_str() {
                Some(c) => cursor = c.to_owned(),
                None => break,
            }
        }
        assert_eq!(count, 101);
        app.act(&m1, "hot", "close").await.expect(200);
    }
}

#[actix_web::test]
async fn the_admin_rollup_agrees_with_the_public_pages() {
    for app in TestApp::all().await {
        let m1 = app.gharart().await;
        let admin = app.token("root", &["platform-admin"]);
        app.group_buy(&m1, "draft-one", json!({"minQuantity": 1}), None)
            .await;
        app.group_buy(
            &m1,
            "live-one",
            json!({"minParticipants": 5, "minQuantity": 9}),
            None,
        )
        .await;
        app.act(&m1, "live-one", "publish").await.expect(200);
        app.interest_as("u1", "live-one", 4).await.expect(201);
        let r = app
            .get("/v2/platform-admin/group-buys", Some(&m1))
            .await
            .expect(403);
        assert_eq!(r.message(), "Missing required role: platform-admin");
        app.get("/v2/platform-admin/group-buys", None)
            .await
            .expect(401);
        let r = app
            .get("/v2/platform-admin/group-buys?handle=gharart", Some(&admin))
            .await
            .expect(200);
        let d = r.data();
        assert_eq!(
            d["countsByStatus"],
            json!({"CLOSED": 0, "DRAFT": 1, "PAUSED": 0, "PUBLISHED": 1})
        );
        assert_eq!(d["stuckDraftHours"], 72);
        assert_eq!(d["stuckDrafts"], json!([]));
        assert_eq!(d["pastCloseStillOpen"], json!([]));
        let live = d["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["slug"] == "live-one")
            .unwrap()
            .clone();
        let public = app.public("live-one").await;
        for key in ["participants", "quantity", "progress", "status", "closesAt"] {
            assert_eq!(live[key], public[key], "{key}");
        }
        assert_eq!(
            live["progress"]["quantity"],
            json!({"minQuantity": 9, "quantity": 4, "met": false})
        );
        let r = app
            .get(
                "/v2/platform-admin/group-buys?stuckDraftHours=0&status=DRAFT",
                Some(&admin),
            )
            .await
            .expect(200);
        assert_eq!(r.data()["stuckDrafts"][0]["slug"], "draft-one");
        assert_eq!(r.data()["items"].as_array().unwrap().len(), 1);
        let r = app
            .get("/v2/platform-admin/group-buys?limit=1", Some(&admin))
            .await
            .expect(200);
        assert!(r.data()["next_cursor"].is_string());
        app.get("/v2/platform-admin/group-buys?status=nope", Some(&admin))
            .await
            .expect(422);
    }
}

#[actix_web::test]
async fn audit_entries_record_actor_transition_and_request_id() {
    for app in TestApp::all().await {
        let m1 = app.gharart().await;
        app.group_buy(&m1, "lamps", json!({"minParticipants": 1}), None)
            .await;
        app.call(
            Method::POST,
            &format!("{BASE}/lamps/publish"),
            Some(&m1),
            Some(json!({})),
            &[("x-request-id", "req-publish-1")],
        )
        .await
        .expect(200);
        let u1 = app.token("u1", &[]);
        app.call(
            Method::PUT,
            &format!("{PUBLIC}/lamps/my-interest"),
            Some(&u1),
            None,
            &[("x-request-id", "req-interest-1")],
        )
        .await
        .expect(201);
        let r = app
            .get(&format!("{BASE}/lamps/audit"), Some(&m1))
            .await
            .expect(200);
        let items = r.data()["items"].as_array().unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0]["action"], "interest.register");
        assert_eq!(items[0]["actor"], "user:u1");
        assert_eq!(items[0]["requestId"], "req-interest-1");
        assert_eq!(items[1]["action"], "publish");
        assert_eq!(
            (
                items[1]["beforeStatus"].clone(),
                items[1]["afterStatus"].clone()
            ),
            (json!("DRAFT"), json!("PUBLISHED"))
        );
        assert_eq!(items[1]["actor"], "user:m1");
        assert_eq!(items[1]["requestId"], "req-publish-1");
        assert!(items[1]["at"].as_str().unwrap().ends_with('Z'));
        assert_eq!(items[2]["action"], "create");
        assert!(items[2]["beforeStatus"].is_null());
        let admin = app.token("root", &["platform-admin"]);
        app.get(&format!("{BASE}/lamps/audit"), Some(&admin))
            .await
            .expect(200);
    }
}

#[actix_web::test]
async fn support_reports_are_stored_listed_and_rate_limited() {
    for app in TestApp::all().await {
        let report = json!({"summary": "Close refused", "details": "thresholds not met", "handle": "gharart", "requestId": "req-x"});
        let r = app
            .call(
                Method::POST,
                "/v2/support/report",
                None,
                Some(report.clone()),
                &[("x-request-id", "req-report-1")],
            )
            .await
            .expect(201);
        assert!(r.data()["reportId"].is_string());
        assert_eq!(r.header("x-ratelimit-limit").as_deref(), Some("5"));
        assert_eq!(r.header("x-ratelimit-remaining").as_deref(), Some("4"));
        assert!(r.header("x-ratelimit-reset").is_some());
        let r = app
            .post(
                "/v2/support/report",
                None,
                json!({"summary": "", "details": "d"}),
            )
            .await
            .expect(422);
        assert_eq!(r.body["errors"][0]["field"], "summary");
        let long = "x".repeat(10_001);
        let r = app
            .post(
                "/v2/support/report",
                None,
                json!({"summary": "s", "details": long}),
            )
            .await
            .expect(422);
        assert_eq!(r.body["errors"][0]["field"], "details");
        // a signed-in reporter is counted by subject, not with the anonymous address
        let u1 = app.token("u1", &[]);
        let r = app
            .post("/v2/support/report", Some(&u1), report.clone())
            .await
            .expect(201);
        assert_eq!(r.header("x-ratelimit-remaining").as_deref(), Some("4"));
        let r = app
            .post("/v2/support/report", None, report.clone())
            .await
            .expect(201);
        assert_eq!(r.header("x-ratelimit-remaining").as_deref(), Some("1"));
        let r = app
            .post("/v2/support/report", None, report.clone())
            .await
            .expect(201);
        assert_eq!(r.header("x-ratelimit-remaining").as_deref(), Some("0"));
        let r = app
            .post("/v2/support/report", None, report.clone())
            .await
            .expect(429);
        assert!(r.header("retry-after").is_some());
        assert_eq!(r.header("x-ratelimit-remaining").as_deref(), Some("0"));
        let admin = app.token("root", &["platform-admin"]);
        app.get("/v2/platform-admin/support-reports", Some(&u1))
            .await
            .expect(403);
        let list = app
            .get("/v2/platform-admin/support-reports?limit=10", Some(&admin))
            .await
            .expect(200);
        let items = list.data()["items"].as_array().unwrap();
        assert_eq!(items.len(), 4);
        assert_eq!(items[2]["reporter"], "user:u1");
        assert_eq!(items[3]["submittedRequestId"], "req-report-1");
        assert_eq!(items[3]["requestId"], "req-x");
        assert_eq!(items[3]["reporter"], "anonymous");
    }
}

#[actix_web::test]
async fn a_draft_is_edited_by_its_owner_and_published_terms_are_final() {
    for app in TestApp::all().await {
        let m1 = app.gharart().await;
        app.group_buy(
            &m1,
            "lamps",
            json!({"minParticipants": 2, "minQuantity": 5}),
            Some(10),
        )
        .await;
        let path = format!("{BASE}/lamps");
        let r = app
            .patch(
                &path,
                Some(&m1),
                json!({"title": " Oak lamps ", "unitPrice": 39000, "thresholds": {"minQuantity": null},
                       "maxQuantity": null}),
            )
            .await
            .expect(200);
        let g = r.data();
        assert_eq!(g["title"], "Oak lamps");
        assert_eq!(g["unitPrice"].to_string(), "39000.00");
        assert_eq!(g["thresholds"]["minParticipants"], 2, "kept");
        assert_eq!(g["thresholds"]["minQuantity"], Value::Null, "removed");
        assert_eq!(g["maxQuantity"], Value::Null);
        assert_eq!(g["description"], "Hand-made", "kept");
        assert_eq!(g["status"], "DRAFT");
        let read = app.get(&path, Some(&m1)).await.expect(200);
        assert_eq!(read.data()["title"], "Oak lamps", "stored");

        // Refusals: as creation would (names the field), unknown fields, someone else's.
        let r = app
            .patch(
                &path,
                Some(&m1),
                json!({"thresholds": {"minParticipants": null}}),
            )
            .await
            .expect(422);
        assert_problem(&r);
        let r = app
            .patch(
                &path,
                Some(&m1),
                json!({"closesAt": "2001-01-01T00:00:00Z"}),
            )
            .await
            .expect(422);
        assert!(r.message().contains("closesAt"), "{}", r.message());
        let r = app
            .patch(&path, Some(&m1), json!({"slug": "other"}))
            .await
            .expect(422);
        assert!(
            r.message().contains("unknown field `slug`"),
            "the slug is the campaign's link"
        );
        let m2 = app.token("m2", &["merchant"]);
        app.patch(&path, Some(&m2), json!({"title": "Mine"}))
            .await
            .expect(404);
        let read = app.get(&path, Some(&m1)).await.expect(200);
        assert_eq!(
            read.data()["title"],
            "Oak lamps",
            "refusals changed nothing"
        );

        app.act(&m1, "lamps", "publish").await.expect(200);
        let r = app
            .patch(&path, Some(&m1), json!({"title": "After publishing"}))
            .await
            .expect(409);
        assert_eq!(r.body["type"], "https://groupbuy.dev/problems/not-a-draft");
        let audit = app
            .get(&format!("{path}/audit"), Some(&m1))
            .await
            .expect(200);
        let actions: Vec<&str> = audit.data()["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert_eq!(actions, ["publish", "edit", "create"], "{}", app.backend);
    }
}
