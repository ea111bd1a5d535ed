//! The campaign read model (issue 23), on every backend: a public campaign read again is a
//! hit that checks out no database connection; an interest registered by another client
//! is on the next read of the instance that took it and, through the live announcements,
//! soon on a sibling; a DRAFT is never served publicly; a visitor's own interest is never
//! another visitor's.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::TestApp;
use crate::read_model::{quiet_apps, sample};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const LAMPS: &str = "/v2/public/group-buys/gharart/lamps";

/// gharart's campaign `lamps`, published; the owner's token.
async fn lamps(app: &TestApp) -> String {
    let m = app.gharart().await;
    app.group_buy(&m, "lamps", json!({"minParticipants": 2}), None)
        .await;
    app.act(&m, "lamps", "publish").await.expect(200);
    m
}

/// The public view of `lamps` on `app`.
async fn public(app: &TestApp) -> Value {
    app.get(LAMPS, None).await.expect(200).data().clone()
}

#[actix_web::test]
async fn repeated_public_reads_of_an_unchanged_campaign_are_hits_without_a_connection() {
    for app in quiet_apps().await {
        lamps(&app).await;
        // The publication's own announcement (PostgreSQL: after the commit) lands first.
        tokio::time::sleep(Duration::from_millis(200)).await;
        public(&app).await;
        let hits = sample(&app, "groupbuy_read_model_campaign_hits_total").await;
        let checkouts = sample(&app, "groupbuy_db_pool_checkouts_total").await;
        let started = Instant::now();
        const READS: u32 = 30;
        for _ in 0..READS {
            assert_eq!(public(&app).await["status"], "PUBLISHED");
        }
        // The procurement jobs' pass every 250 ms: its queue's measure and its claim.
        let polls = (2 * (started.elapsed().as_millis() / 250 + 1)) as f64;
        let more = sample(&app, "groupbuy_read_model_campaign_hits_total").await - hits;
        assert!(more >= f64::from(READS), "{more} hits, {}", app.backend);
        let used = sample(&app, "groupbuy_db_pool_checkouts_total").await - checkouts;
        assert!(
            used <= polls,
            "{used} checkouts for {READS} cached reads (job polls: {polls}), {}",
            app.backend
        );
        // The group counters are the groups' alone.
        assert_eq!(sample(&app, "groupbuy_read_model_hits_total").await, 0.0);
    }
}

#[actix_web::test]
async fn an_interest_is_on_the_next_read_here_and_soon_on_a_sibling() {
    for a in TestApp::all().await {
        let b = a.sibling().await;
        lamps(&a).await;
        for app in [&a, &b] {
            for _ in 0..3 {
                assert_eq!(public(app).await["participants"], 0);
            }
        }
        // Another client registers interest through a: a's next read shows it.
        a.interest_as("u1", "lamps", 3).await.expect(201);
        let here = public(&a).await;
        assert_eq!(
            (&here["participants"], &here["quantity"]),
            (&json!(1), &json!(3))
        );
        // Under the 2 s max age: only the announcement can have dropped b's entry.
        let until = Instant::now() + Duration::from_millis(1500);
        loop {
            let there = public(&b).await;
            if there["quantity"] == 3 {
                break;
            }
            assert!(
                Instant::now() < until,
                "the sibling still shows {there}, {}",
                a.backend
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // And a withdrawal through b, the other way round.
        let t = b.token("u1", &[]);
        let gone = b.delete(&format!("{LAMPS}/my-interest"), Some(&t)).await;
        assert_eq!(gone.status, 204);
        assert_eq!(public(&b).await["participants"], 0, "{}", a.backend);
        let until = Instant::now() + Duration::from_millis(1500);
        while public(&a).await["participants"] != 0 {
            assert!(
                Instant::now() < until,
                "a still counts the withdrawn interest"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

#[actix_web::test]
async fn a_draft_is_never_served_publicly_and_its_publication_is_seen_at_once() {
    for app in TestApp::all().await {
        let m = app.gharart().await;
        app.group_buy(&m, "lamps", json!({"minParticipants": 2}), None)
            .await;
        for _ in 0..3 {
            app.get(LAMPS, None).await.expect(404);
            // The owner sees the draft; the public read still does not.
            app.get("/v2/handles/gharart/group-buys/lamps", Some(&m))
                .await
                .expect(200);
        }
        app.act(&m, "lamps", "publish").await.expect(200);
        assert_eq!(public(&app).await["status"], "PUBLISHED", "{}", app.backend);
        app.act(&m, "lamps", "pause").await.expect(200);
        assert_eq!(public(&app).await["status"], "PAUSED", "{}", app.backend);
    }
}

#[actix_web::test]
async fn a_cached_campaign_shows_no_visitor_another_s_interest() {
    for app in TestApp::all_web().await {
        lamps(&app).await;
        app.interest_as("asha", "lamps", 3).await.expect(201);
        let (asha, bora) = (app.token("asha", &[]), app.token("bora", &[]));
        let mine = format!("{LAMPS}/my-interest");
        for _ in 0..2 {
            // The shared view holds counts only.
            let view = public(&app).await;
            assert_eq!(view["quantity"], 3);
            assert!(view.get("note").is_none() && view.get("myInterest").is_none());
            let hers = app.get(&mine, Some(&asha)).await.expect(200);
            assert_eq!(hers.data()["quantity"], 3);
            app.get(&mine, Some(&bora)).await.expect(404);
        }
        // The page: each visitor's own section, around the one cached view.
        let fan = app.sign_in("asha", "", None).await;
        let other = app.sign_in("bora", "", None).await;
        for _ in 0..2 {
            let page = fan.get("/c/gharart/lamps").await.expect_page(200);
            assert!(
                page.html().contains("You registered interest in 3."),
                "{}",
                app.backend
            );
            let page = other.get("/c/gharart/lamps").await.expect_page(200);
            assert!(
                !page.html().contains("You registered interest"),
                "{}",
                app.backend
            );
        }
    }
}
