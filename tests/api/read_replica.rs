//! Reads on a PostgreSQL read replica (`DATABASE_READ_URL`, issue 23), black-box over HTTP:
//! the "replica" is a *different* database holding a group the primary lacks, so what a
//! read answers says where it was read. A caller's reads right after its own write stay on
//! the primary (it sees itself); others' public reads go to the replica; a replica that
//! cannot be reached sends reads to the primary, counted, never a 5xx. PostgreSQL only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::TestApp;
use crate::live::{group, join};
use crate::platform::{metrics_text, sample};

/// `GET /api/v1/group-purchases/code/{code}` as `who`: the status and, on 200, whether
/// `who` is a member.
async fn by_code(app: &TestApp, code: &str, who: &str) -> (u16, bool) {
    let r = app
        .get(
            &format!("/api/v1/group-purchases/code/{code}"),
            Some(&app.token(who, &[])),
        )
        .await;
    let member = r.status == 200 && r.data()["isUserMember"] == true;
    (r.status.as_u16(), member)
}

#[actix_web::test]
async fn public_reads_go_to_the_replica_and_a_writer_reads_its_own_write_on_the_primary() {
    let Some(replica) = TestApp::postgres_configured(|_| {}).await else {
        return;
    };
    // A group only the "replica" database holds.
    let (replica_code, _) = group(&replica).await;
    let read_url = replica.db.url.clone();
    let app = TestApp::postgres_configured(move |c| c.database.read_url = Some(read_url.clone()))
        .await
        .expect("postgres");
    let (code, id) = group(&app).await;
    join(&app, &id, "dana", "Dana", 1).await;

    // Carl never wrote: his public read is answered by the replica.
    assert_eq!(by_code(&app, &replica_code, "carl").await, (200, false));
    // Dana just joined: her reads are on the primary, which has no such group...
    assert_eq!(by_code(&app, &replica_code, "dana").await.0, 404);
    // ...and has her join: she sees herself at once.
    assert_eq!(by_code(&app, &code, "dana").await, (200, true));
    // Carl's read of a group the replica lacks (not replayed, as far as it can tell) is
    // confirmed on the primary rather than answered 404.
    assert_eq!(by_code(&app, &code, "carl").await, (200, false));

    let text = metrics_text(&app).await;
    assert!(sample(&text, "groupbuy_db_replica_pool_checkouts_total") >= 2.0);
    assert_eq!(
        sample(&text, "groupbuy_db_read_replica_fallbacks_total"),
        0.0
    );
}

#[actix_web::test]
async fn an_unreachable_replica_costs_no_error_and_is_counted() {
    // Nothing listens on port 1.
    let Some(app) = TestApp::postgres_configured(|c| {
        c.database.read_url = Some("postgres://postgres@127.0.0.1:1/none".into());
    })
    .await
    else {
        return;
    };
    let (code, id) = group(&app).await;
    for who in ["carl", "erin"] {
        assert_eq!(by_code(&app, &code, who).await, (200, false));
    }
    let product = app
        .get(
            &format!("/api/v1/group-purchases/{id}"),
            Some(&app.token("asha", &[])),
        )
        .await
        .expect(200)
        .data()["productId"]
        .as_str()
        .unwrap()
        .to_owned();
    let available = app
        .get(
            &format!("/api/v1/group-purchases/product/{product}/available"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(
        available.data().as_array().map(Vec::len),
        Some(1),
        "{available:?}"
    );
    let text = metrics_text(&app).await;
    assert!(sample(&text, "groupbuy_db_read_replica_fallbacks_total") >= 2.0);
    assert_eq!(sample(&text, "groupbuy_db_replica_pool_connections"), 0.0);
}
