//! The group read model (issue 23), on every backend: a cached group never shows one
//! viewer's private fields to another; a join is visible on the very next read of the
//! instance that made it and, through the live announcements, soon on a sibling; repeated
//! reads of an unchanged group are hits that check out no database connection.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::TestApp;
use crate::live::{group, join};
use crate::platform::metrics_text;
use serde_json::Value;
use std::time::{Duration, Instant};

/// The detail of group `id` as `who` reads it.
async fn detail(app: &TestApp, id: &str, who: &str) -> Value {
    app.get(
        &format!("/api/v1/group-purchases/{id}"),
        Some(&app.token(who, &[])),
    )
    .await
    .expect(200)
    .data()
    .clone()
}

/// The value of the sample `name` (no labels) in `/metrics` now.
pub(crate) async fn sample(app: &TestApp, name: &str) -> f64 {
    crate::platform::sample(&metrics_text(app).await, name)
}

#[actix_web::test]
async fn a_cached_group_shows_each_viewer_only_their_own_fields() {
    for app in TestApp::all().await {
        let (code, id) = group(&app).await;
        join(&app, &id, "bora", "Bora", 3).await;
        // Each viewer twice, interleaved, so most reads are answered from memory.
        for _ in 0..2 {
            for (who, quantity) in [("asha", Some(2)), ("bora", Some(3)), ("carl", None)] {
                let by_id = detail(&app, &id, who).await;
                let by_code = app
                    .get(
                        &format!("/api/v1/group-purchases/code/{code}"),
                        Some(&app.token(who, &[])),
                    )
                    .await
                    .expect(200)
                    .data()
                    .clone();
                for d in [by_id, by_code] {
                    assert_eq!(
                        d["isUserMember"],
                        quantity.is_some(),
                        "{who} {}",
                        app.backend
                    );
                    assert_eq!(d["myQuantity"], serde_json::json!(quantity), "{who}");
                    assert_eq!(d["myParticipantId"].is_string(), quantity.is_some());
                    for p in d["participants"].as_array().unwrap() {
                        // Histories only on the viewer's own participation.
                        let own = p["userId"] == who;
                        assert_eq!(p["purchaseHistory"].is_array(), own, "{who}: {p}");
                        assert_eq!(p["transferHistory"].is_array(), own, "{who}: {p}");
                    }
                }
            }
        }
    }
}

#[actix_web::test]
async fn a_join_is_on_the_next_group_read_here_and_soon_on_a_sibling() {
    for a in TestApp::all().await {
        let b = a.sibling().await;
        let (_, id) = group(&a).await;
        // Both instances hold the group with 2 seats taken.
        for app in [&a, &b] {
            for _ in 0..3 {
                assert_eq!(detail(app, &id, "asha").await["seatsOccupied"], 2);
            }
        }
        join(&a, &id, "bora", "Bora", 3).await;
        let here = detail(&a, &id, "bora").await;
        assert_eq!(here["seatsOccupied"], 5, "read-your-writes, {}", a.backend);
        assert_eq!(here["myQuantity"], 3);
        // A rename too, read right after by its author.
        a.patch(
            &format!("/api/v1/groups/{id}/name"),
            Some(&a.token("asha", &[])),
            serde_json::json!({"groupName": "Asha's lamps"}),
        )
        .await
        .expect(200);
        assert_eq!(detail(&a, &id, "asha").await["groupName"], "Asha's lamps");
        // Under the 2 s max age: only the announcement can have dropped b's entry.
        let until = Instant::now() + Duration::from_millis(1500);
        loop {
            let there = detail(&b, &id, "bora").await;
            if there["seatsOccupied"] == 5 && there["groupName"] == "Asha's lamps" {
                assert_eq!(there["myQuantity"], 3);
                break;
            }
            assert!(Instant::now() < until, "the sibling still shows {there}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// One app per backend where no sweep runs during a test's reads (the first passes run at
/// start); the procurement job queue is still polled every 250 ms, the only checkouts
/// allowed meanwhile.
pub(crate) async fn quiet_apps() -> Vec<TestApp> {
    let long = Duration::from_secs(3600);
    TestApp::all_configured(|c| {
        c.sweep_interval = long;
        c.webhooks.poll = long;
    })
    .await
}

#[actix_web::test]
async fn repeated_reads_of_an_unchanged_group_are_hits_without_a_connection() {
    for app in quiet_apps().await {
        let (_, id) = group(&app).await;
        // The creation's own announcement (PostgreSQL: after the commit) lands first.
        tokio::time::sleep(Duration::from_millis(200)).await;
        detail(&app, &id, "asha").await;
        detail(&app, &id, "asha").await;
        let hits = sample(&app, "groupbuy_read_model_hits_total").await;
        let checkouts = sample(&app, "groupbuy_db_pool_checkouts_total").await;
        let started = Instant::now();
        const READS: u32 = 40;
        for who in ["asha", "bora", "carl", "dina", "emil"]
            .iter()
            .cycle()
            .take(READS as usize)
        {
            detail(&app, &id, who).await;
        }
        // The procurement jobs' pass every 250 ms: its queue's measure and its claim.
        let polls = (2 * (started.elapsed().as_millis() / 250 + 1)) as f64;
        let more = sample(&app, "groupbuy_read_model_hits_total").await - hits;
        assert!(more >= f64::from(READS), "{more} hits, {}", app.backend);
        let used = sample(&app, "groupbuy_db_pool_checkouts_total").await - checkouts;
        assert!(
            used <= polls,
            "{used} checkouts for {READS} cached reads (job polls: {polls}), {}",
            app.backend
        );
        assert!(sample(&app, "groupbuy_read_model_misses_total").await >= 1.0);
    }
}
