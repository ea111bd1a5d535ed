//! Live updates (`/g/{code}/live`, `/c/{handle}/{slug}/live`) on every backend: a join
//! through the API reaches a subscriber, also one of ANOTHER instance on the same database
//! (PostgreSQL: NOTIFY/LISTEN; SQLite: instances of one process share the announcements
//! for one file); 404s; the subscriber limit's 503; Last-Event-ID resume; the script and
//! the QR code.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::group_purchase::buy_as;
use crate::helpers::TestApp;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// An open event stream and what it has received but not yet read.
struct Sse {
    res: reqwest::Response,
    buf: String,
}

/// One frame: an event (`id`, `data`), or a comment/retry line.
#[derive(Debug)]
enum Frame {
    Event { id: String, data: Value },
    Other(String),
}

impl Sse {
    async fn open(app: &TestApp, path: &str, last_id: Option<&str>) -> reqwest::Response {
        let mut req = app.client.get(format!("{}{path}", app.address));
        if let Some(id) = last_id {
            req = req.header("Last-Event-ID", id);
        }
        req.send().await.expect("stream request")
    }

    async fn subscribe(app: &TestApp, path: &str, last_id: Option<&str>) -> Sse {
        let res = Self::open(app, path, last_id).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(
            res.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        Sse {
            res,
            buf: String::new(),
        }
    }

    /// The next frame within `within`, `None` at the end of the stream or on time-out.
    async fn frame(&mut self, within: Duration) -> Option<Frame> {
        let until = Instant::now() + within;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let raw: String = self.buf.drain(..end + 2).collect();
                let (mut id, mut data) = (None, None);
                for line in raw.lines() {
                    if let Some(v) = line.strip_prefix("id: ") {
                        id = Some(v.to_owned());
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        data = Some(serde_json::from_str(v).expect("data is JSON"));
                    }
                }
                return Some(match (id, data) {
                    (Some(id), Some(data)) => Frame::Event { id, data },
                    _ => Frame::Other(raw),
                });
            }
            let left = until.checked_duration_since(Instant::now())?;
            match tokio::time::timeout(left, self.res.chunk()).await {
                Ok(Ok(Some(bytes))) => self.buf.push_str(std::str::from_utf8(&bytes).unwrap()),
                _ => return None,
            }
        }
    }

    /// The next event within `within` (skipping comments and the retry hint).
    async fn event(&mut self, within: Duration) -> Option<(String, Value)> {
        let until = Instant::now() + within;
        loop {
            let left = until.checked_duration_since(Instant::now())?;
            match self.frame(left).await? {
                Frame::Event { id, data } => return Some((id, data)),
                Frame::Other(_) => {}
            }
        }
    }

    /// The next event whose data satisfies `want`, within `within`.
    async fn until(&mut self, within: Duration, want: impl Fn(&Value) -> bool) -> Value {
        let until = Instant::now() + within;
        loop {
            let left = until
                .checked_duration_since(Instant::now())
                .expect("the awaited event in time");
            let (_, data) = self.event(left).await.expect("the awaited event in time");
            if want(&data) {
                return data;
            }
        }
    }
}

/// A 10-seat group with 2 seats taken by "Asha"; its code and id.
pub(crate) async fn group(app: &TestApp) -> (String, String) {
    group_lasting(app, 24.0).await
}

/// [`group`] expiring after `hours`.
async fn group_lasting(app: &TestApp, hours: f64) -> (String, String) {
    let p = app
        .product(
            "m1",
            json!({"productName": "Teak lamp", "groupTimeLimitHours": hours}),
        )
        .await;
    app.credit("asha", 1_000_000.0).await;
    let t = app.token_named("asha", "Asha");
    let paid = buy_as(app, &t, p["productId"].as_str().unwrap(), 2, None)
        .await
        .expect(200);
    (
        paid.data()["groupCode"].as_str().unwrap().to_owned(),
        paid.data()["groupInstanceId"].as_str().unwrap().to_owned(),
    )
}

/// `who` (shown as `name`) joins the group `id` through the API with `seats`.
pub(crate) async fn join(app: &TestApp, id: &str, who: &str, name: &str, seats: i64) {
    let detail = app
        .get(
            &format!("/api/v1/group-purchases/{id}"),
            Some(&app.token("asha", &[])),
        )
        .await;
    let product = detail.data()["productId"].as_str().unwrap().to_owned();
    app.credit(who, 1_000_000.0).await;
    let t = app.token_named(who, name);
    buy_as(app, &t, &product, seats, Some(id)).await.expect(200);
}

const SOON: Duration = Duration::from_secs(5);

#[actix_web::test]
async fn a_join_through_the_api_reaches_a_subscriber_with_the_public_progress() {
    for app in TestApp::all().await {
        let (code, id) = group(&app).await;
        let mut sse = Sse::subscribe(&app, &format!("/g/{code}/live"), None).await;
        let retry = sse.frame(SOON).await.expect("a first frame");
        assert!(
            matches!(&retry, Frame::Other(r) if r.starts_with("retry: ")),
            "{retry:?}"
        );
        let (_, first) = sse.event(SOON).await.expect("the current state first");
        assert_eq!(first["seatsOccupied"], 2, "{}", app.backend);
        assert_eq!(first["totalSeats"], 10);
        assert_eq!(first["status"], "OPEN");
        assert_eq!(first["seatsText"], "2 of 10 seats taken");
        assert_eq!(
            first["participants"],
            json!([{"name": "Asha", "picture": "https://img.example/asha.png", "pictureAlt": "Picture of Asha"}])
        );
        let started = Instant::now();
        join(&app, &id, "bora", "Bora", 3).await;
        let next = sse.until(SOON, |d| d["seatsOccupied"] == 5).await;
        assert!(started.elapsed() < SOON);
        let names: Vec<&str> = next["participants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Asha", "Bora"], "{}", app.backend);
        // Only public data: each participant's name and picture, no ids or payments.
        for p in next["participants"].as_array().unwrap() {
            let mut keys: Vec<&String> = p.as_object().unwrap().keys().collect();
            keys.sort();
            assert_eq!(keys, ["name", "picture", "pictureAlt"]);
        }
    }
}

#[actix_web::test]
async fn the_sweeps_failure_of_an_expired_group_reaches_its_subscriber() {
    for app in TestApp::all_with(Duration::from_millis(100)).await {
        // 0.0005 h is under two seconds: the app's own sweep fails the group and refunds.
        let (code, _) = group_lasting(&app, 0.0005).await;
        let mut sse = Sse::subscribe(&app, &format!("/g/{code}/live"), None).await;
        let failed = sse
            .until(Duration::from_secs(10), |d| d["status"] == "FAILED")
            .await;
        assert_eq!(failed["failed"], true, "{}", app.backend);
        assert_eq!(failed["open"], false);
        assert!(failed["statusText"].as_str().unwrap().contains("Failed"));
    }
}

#[actix_web::test]
async fn hostile_names_travel_as_json_text() {
    const HOSTILE: &str = r#"<script>alert(1)</script>"><img src=x onerror=alert(1)>"#;
    for app in TestApp::all().await {
        let (code, id) = group(&app).await;
        let mut sse = Sse::subscribe(&app, &format!("/g/{code}/live"), None).await;
        join(&app, &id, "eve", HOSTILE, 1).await;
        let next = sse.until(SOON, |d| d["seatsOccupied"] == 3).await;
        // Exactly the name (the script sets it as text, never as markup).
        assert_eq!(next["participants"][1]["name"], HOSTILE, "{}", app.backend);
    }
}

#[actix_web::test]
async fn a_join_on_one_instance_reaches_a_subscriber_of_another() {
    for a in TestApp::all().await {
        let b = a.sibling().await;
        let (code, id) = group(&a).await;
        let mut sse = Sse::subscribe(&b, &format!("/g/{code}/live"), None).await;
        sse.until(SOON, |d| d["seatsOccupied"] == 2).await;
        join(&a, &id, "bora", "Bora", 8).await;
        let done = sse.until(SOON, |d| d["seatsOccupied"] == 10).await;
        assert_eq!(done["status"], "COMPLETED", "{}", a.backend);
        assert_eq!(done["open"], false);
    }
}

#[actix_web::test]
async fn an_unknown_group_and_a_draft_campaign_are_404_and_a_published_one_streams() {
    for app in TestApp::all().await {
        assert_eq!(
            Sse::open(&app, "/g/NOPE1234/live", None).await.status(),
            404
        );
        assert_eq!(
            Sse::open(&app, "/c/gharart/lamps/live", None)
                .await
                .status(),
            404
        );
        let m1 = app.gharart().await;
        app.group_buy(&m1, "lamps", json!({"minParticipants": 2}), None)
            .await;
        let draft = Sse::open(&app, "/c/gharart/lamps/live", None).await;
        assert_eq!(draft.status(), 404, "{}", app.backend);
        assert_eq!(
            Sse::open(&app, "/c/NOT_A_HANDLE/x/live", None)
                .await
                .status(),
            404
        );
        app.act(&m1, "lamps", "publish").await.expect(200);
        let mut sse = Sse::subscribe(&app, "/c/gharart/lamps/live", None).await;
        let (_, first) = sse.event(SOON).await.expect("current state");
        assert_eq!(first["status"], "PUBLISHED");
        assert_eq!(first["thresholds"][0]["current"], 0);
        app.interest_as("u1", "lamps", 3).await.expect(201);
        let next = sse
            .until(SOON, |d| d["thresholds"][0]["current"] == 1)
            .await;
        assert_eq!(next["thresholds"][0]["target"], 2);
        assert_eq!(next["thresholds"][0]["met"], false);
        assert_eq!(next["thresholds"][0]["text"], "1 of 2 participants");
        assert_eq!(next["thresholds"][0]["metText"], "not met");
        assert_eq!(next["countsText"], "1 participant, 3 units");
        assert_eq!(
            (next["participants"].clone(), next["quantity"].clone()),
            (json!(1), json!(3))
        );
        app.interest_as("u2", "lamps", 1).await.expect(201);
        let met = sse.until(SOON, |d| d["met"] == true).await;
        assert_eq!(met["thresholds"][0]["current"], 2, "{}", app.backend);
    }
}

#[actix_web::test]
async fn beyond_the_subscriber_limit_a_503_until_a_subscriber_leaves() {
    let apps = TestApp::all_configured(|c| {
        c.live.max_subscribers = 2;
        c.live.heartbeat = Duration::from_millis(50);
    })
    .await;
    for app in apps {
        let (code, _) = group(&app).await;
        let path = format!("/g/{code}/live");
        let one = Sse::subscribe(&app, &path, None).await;
        let _two = Sse::subscribe(&app, &path, None).await;
        let refused = Sse::open(&app, &path, None).await;
        assert_eq!(refused.status(), 503, "{}", app.backend);
        assert_eq!(refused.headers()["retry-after"], "5");
        // The client goes away: the next heartbeat finds it gone and frees its place.
        drop(one);
        let until = Instant::now() + SOON;
        loop {
            let r = Sse::open(&app, &path, None).await;
            if r.status() == 200 {
                break;
            }
            assert!(Instant::now() < until, "the place was never released");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[actix_web::test]
async fn last_event_id_resumes_without_repeating_the_current_state() {
    let apps = TestApp::all_configured(|c| c.live.heartbeat = Duration::from_millis(100)).await;
    for app in apps {
        let (code, id) = group(&app).await;
        let path = format!("/g/{code}/live");
        let mut sse = Sse::subscribe(&app, &path, None).await;
        let (current, _) = sse.event(SOON).await.expect("current state");
        drop(sse);
        // Up to date: heartbeats only, no event.
        let mut resumed = Sse::subscribe(&app, &path, Some(&current)).await;
        let quiet = resumed.event(Duration::from_millis(400)).await;
        assert!(quiet.is_none(), "{quiet:?} ({})", app.backend);
        // Behind (a change happened since): the current state at once.
        join(&app, &id, "bora", "Bora", 1).await;
        let mut behind = Sse::subscribe(&app, &path, Some(&current)).await;
        let (newer, data) = behind.event(SOON).await.expect("the newer state");
        assert_ne!(newer, current);
        assert_eq!(data["seatsOccupied"], 3);
        // And the resumed stream got the change too, with the same id.
        let (same, _) = resumed.event(SOON).await.expect("the change");
        assert_eq!(same, newer, "ids name the content on every stream");
    }
}

#[actix_web::test]
async fn the_group_page_carries_the_script_and_its_qr_code_of_the_canonical_link() {
    for app in TestApp::all().await {
        let (code, _) = group(&app).await;
        let page = app.get(&format!("/g/{code}"), None).await;
        let html = page.body.as_str().unwrap();
        for shown in [
            r#"<script src="/assets/live.js" defer></script>"#,
            &format!(r#"data-live-src="/g/{code}/live""#),
            &format!(r#"src="/g/{code}/qr.svg""#),
            r#"data-live="seats""#,
            r#"data-live="participants""#,
        ] {
            assert!(html.contains(shown), "{shown} missing: {html}");
        }
        let js = app
            .client
            .get(format!("{}/assets/live.js", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(
            js.headers()["content-type"],
            "text/javascript; charset=utf-8"
        );
        let js = js.text().await.unwrap();
        assert!(js.contains("EventSource"));
        // Names reach the page as text only.
        assert!(!js.contains("innerHTML") && !js.contains("insertAdjacentHTML"));
        let qr = app
            .client
            .get(format!("{}/g/{code}/qr.svg", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(qr.status(), 200);
        assert_eq!(qr.headers()["content-type"], "image/svg+xml");
        let svg = qr.text().await.unwrap();
        let mut reader = quick_xml::Reader::from_str(&svg);
        let mut root = None;
        loop {
            match reader.read_event().expect("well-formed SVG") {
                quick_xml::events::Event::Start(e) if root.is_none() => {
                    root = Some(String::from_utf8(e.name().as_ref().to_vec()).unwrap());
                }
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(root.as_deref(), Some("svg"));
        let unknown = app
            .client
            .get(format!("{}/g/NOPE1234/qr.svg", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), 404);
    }
}

/// A token of the real binary (`groupbuy token`) for `sub` with `roles`.
fn cli_token(sub: &str, roles: &[&str]) -> String {
    let mut args = vec!["token", "--sub", sub];
    for r in roles {
        args.extend(["--role", r]);
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_groupbuy"))
        .args(args)
        .env("GROUPBUY_JWT_SECRET", crate::helpers::SECRET)
        .output()
        .expect("token");
    String::from_utf8(out.stdout)
        .expect("utf8")
        .trim()
        .to_owned()
}

#[actix_web::test]
async fn sigterm_ends_open_streams_so_the_server_exits_without_waiting_for_them() {
    let dir = std::env::temp_dir().join(format!("groupbuy-live-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    let (mut child, port, _logs) =
        crate::shutdown::serve_with(&dir, &[("GROUPBUY_SHUTDOWN_TIMEOUT_SECONDS", "60")]);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let post = |path: String, tok: String, body: Value| {
        let req = client
            .post(format!("{base}{path}"))
            .bearer_auth(tok)
            .json(&body);
        async move {
            let r = req.send().await.expect("sent");
            assert!(r.status().is_success(), "{}", r.status());
            r.json::<Value>().await.expect("json")["data"].clone()
        }
    };
    let m = cli_token("live-merchant", &["merchant"]);
    let shop = post(
        "/api/v1/shops".into(),
        m.clone(),
        json!({"shopName": "Live shop"}),
    )
    .await;
    let product = post(
        format!(
            "/api/v1/shops/{}/products",
            shop["shopId"].as_str().unwrap()
        ),
        m,
        json!({"productName": "Lamp", "productImage": "https://img.example/l.jpg",
               "regularPrice": 150000, "groupPrice": 80000, "stockQuantity": 100,
               "groupBuyingEnabled": true, "groupMaxSize": 10, "groupTimeLimitHours": 24,
               "maxPerCustomer": 10}),
    )
    .await;
    let admin = cli_token("live-admin", &["platform-admin"]);
    post(
        "/api/v1/platform-admin/wallets/live-buyer/credit".into(),
        admin,
        json!({"amount": 1000000, "reference": "test"}),
    )
    .await;
    let buyer = cli_token("live-buyer", &[]);
    let session = post(
        "/api/v1/checkout-sessions".into(),
        buyer.clone(),
        json!({"sessionType": "GROUP_PURCHASE", "productId": product["productId"], "quantity": 1}),
    )
    .await;
    let paid = post(
        format!(
            "/api/v1/checkout-sessions/{}/process-payment",
            session["sessionId"].as_str().unwrap()
        ),
        buyer,
        json!({"paymentMethod": "WALLET"}),
    )
    .await;
    let code = paid["groupCode"].as_str().unwrap();
    let res = client
        .get(format!("{base}/g/{code}/live"))
        .send()
        .await
        .expect("stream");
    assert_eq!(res.status(), 200);
    let mut sse = Sse {
        res,
        buf: String::new(),
    };
    sse.event(SOON).await.expect("the current state");
    let sent = Instant::now();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    // The stream ends (no heartbeat is due for 15 s: only the shutdown ends it).
    assert!(sse.event(Duration::from_secs(10)).await.is_none());
    assert!(
        sent.elapsed() < Duration::from_secs(10),
        "the stream outlived SIGTERM"
    );
    let until = Instant::now() + Duration::from_secs(20);
    while child.try_wait().expect("wait").is_none() {
        assert!(Instant::now() < until, "groupbuy waited for its streams");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[actix_web::test]
async fn operators_see_the_live_streams_against_their_limit() {
    for app in TestApp::all().await {
        let (code, _) = group(&app).await;
        let before = crate::platform::metrics_text(&app).await;
        let limit = crate::platform::sample(&before, "groupbuy_live_max_subscribers");
        assert!(limit >= 1.0, "{}", app.backend);
        let open = crate::platform::sample(&before, "groupbuy_live_subscribers");
        let mut sse = Sse::subscribe(&app, &format!("/g/{code}/live"), None).await;
        sse.event(SOON).await.expect("current state");
        let during = crate::platform::metrics_text(&app).await;
        assert_eq!(
            crate::platform::sample(&during, "groupbuy_live_subscribers"),
            open + 1.0,
            "{}",
            app.backend
        );
        assert!(crate::platform::sample(&during, "groupbuy_live_topics") >= 1.0);
    }
}
