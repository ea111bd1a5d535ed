//! Conditional GETs: an ETag on every successful GET (strong on the read-model reads, one
//! per viewer where the answer is the viewer's), If-None-Match -> 304 without a body while
//! the data is unchanged and 200 once it changed, Cache-Control public for reads without
//! credentials and private for reads with them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::group_purchase::buy_as;
use crate::helpers::{Reply, TestApp};
use reqwest::Method;
use serde_json::json;

/// GET `path` as the holder of `token` with a copy tagged `tag`.
async fn revalidate(app: &TestApp, path: &str, token: &str, tag: &str) -> Reply {
    app.call(
        Method::GET,
        path,
        Some(token),
        None,
        &[("If-None-Match", tag)],
    )
    .await
}

#[actix_web::test]
async fn an_unchanged_group_answers_304_and_a_join_changes_its_tag() {
    for app in TestApp::all().await {
        let product = app.product("m1", json!({"groupMaxSize": 4})).await;
        let pid = product["productId"].as_str().unwrap();
        app.credit("u1", 500000.0).await;
        app.credit("u2", 500000.0).await;
        let (t1, t2) = (app.token("u1", &[]), app.token("u2", &[]));
        let paid = buy_as(&app, &t1, pid, 1, None).await.expect(200);
        let group = paid.data()["groupInstanceId"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/group-purchases/{group}");
        // The payment's own announcement (PostgreSQL: after the commit) lands first: a
        // read it races answers correctly but unversioned (weakly tagged).
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;

        let first = app.get(&path, Some(&t1)).await.expect(200);
        let tag = first.header("etag").expect("an ETag");
        assert!(tag.starts_with('"') && tag.ends_with('"'), "strong: {tag}");
        assert_eq!(
            first.header("cache-control").as_deref(),
            Some("private, no-cache")
        );
        // A second later the answer is the same bytes, answer time included: the tag is
        // a strong validator.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let again = app.get(&path, Some(&t1)).await.expect(200);
        assert_eq!(again.header("etag").as_ref(), Some(&tag), "{}", app.backend);
        assert_eq!(again.body, first.body, "{}", app.backend);

        // The tag, its weak form, a list naming it and `*` all mean "my copy is current".
        let weak = format!("W/{tag}");
        let listed = format!("\"other\", {tag}");
        for wanted in [tag.as_str(), &weak, &listed, "*"] {
            let cached = revalidate(&app, &path, &t1, wanted).await;
            assert_eq!(cached.status, 304, "{wanted} {}", app.backend);
            assert!(cached.body.is_null(), "a 304 has no body");
            assert_eq!(cached.header("etag").as_ref(), Some(&tag));
            assert_eq!(
                cached.header("cache-control").as_deref(),
                Some("private, no-cache")
            );
            assert!(cached.header("vary").unwrap().contains("Authorization"));
        }
        let other = revalidate(&app, &path, &t1, "\"not-it\"").await.expect(200);
        assert_eq!(other.header("etag").as_ref(), Some(&tag));

        buy_as(&app, &t2, pid, 1, Some(&group)).await.expect(200);
        let changed = revalidate(&app, &path, &t1, &tag).await.expect(200);
        assert_ne!(changed.header("etag").as_ref(), Some(&tag));
        assert_eq!(changed.data()["seatsOccupied"], 2);
    }
}

#[actix_web::test]
async fn viewers_of_one_group_never_share_a_tag() {
    for app in TestApp::all().await {
        let product = app.product("m1", json!({"groupMaxSize": 4})).await;
        let pid = product["productId"].as_str().unwrap();
        app.credit("u1", 500000.0).await;
        let t1 = app.token("u1", &[]);
        let paid = buy_as(&app, &t1, pid, 1, None).await.expect(200);
        let group = paid.data()["groupInstanceId"].as_str().unwrap().to_owned();
        let code = paid.data()["groupCode"].as_str().unwrap().to_owned();
        let by_id = format!("/api/v1/group-purchases/{group}");
        let by_code = format!("/api/v1/group-purchases/code/{code}");
        let (member, stranger) = (t1, app.token("u2", &[]));
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        for path in [&by_id, &by_code] {
            let mine = app.get(path, Some(&member)).await.expect(200);
            let theirs = app.get(path, Some(&stranger)).await.expect(200);
            assert_eq!(mine.data()["isUserMember"], true);
            assert_eq!(theirs.data()["isUserMember"], false);
            let tag = mine.header("etag").unwrap();
            assert_ne!(theirs.header("etag"), Some(tag.clone()), "{}", app.backend);
            // The member's tag revalidates nothing for the stranger: a 200 with their own.
            let asked = revalidate(&app, path, &stranger, &tag).await.expect(200);
            assert_eq!(asked.data()["isUserMember"], false, "{}", app.backend);
            assert_eq!(asked.header("etag"), theirs.header("etag"));
        }
    }
}

#[actix_web::test]
async fn a_public_campaign_has_a_strong_tag_that_an_interest_changes() {
    for app in TestApp::all().await {
        let m = app.gharart().await;
        app.group_buy(&m, "lamps", json!({"minParticipants": 2}), None)
            .await;
        app.act(&m, "lamps", "publish").await.expect(200);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let path = "/v2/public/group-buys/gharart/lamps";
        let first = app.get(path, None).await.expect(200);
        let tag = first.header("etag").expect("an ETag");
        assert!(!tag.starts_with("W/"), "strong: {tag}");
        assert_eq!(
            first.header("cache-control").as_deref(),
            Some("public, max-age=2")
        );
        let cached = app
            .call(Method::GET, path, None, None, &[("If-None-Match", &tag)])
            .await;
        assert_eq!(cached.status, 304, "{}", app.backend);
        assert!(cached.body.is_null());
        app.interest_as("u1", "lamps", 2).await.expect(201);
        let changed = app
            .call(Method::GET, path, None, None, &[("If-None-Match", &tag)])
            .await
            .expect(200);
        assert_ne!(changed.header("etag"), Some(tag), "{}", app.backend);
        assert_eq!(changed.data()["participants"], 1);
    }
}

#[actix_web::test]
async fn reads_without_credentials_may_be_kept_by_anyone_for_two_seconds() {
    for app in TestApp::all().await {
        let product = app.product("m1", json!({})).await;
        let pid = product["productId"].as_str().unwrap();
        let path = format!("/api/v1/group-purchases/product/{pid}/available");
        let public = app.get(&path, None).await.expect(200);
        assert_eq!(
            public.header("cache-control").as_deref(),
            Some("public, max-age=2")
        );
        assert!(public.header("vary").unwrap().contains("Authorization"));
        // The same read with a token is someone's: private.
        let mine = app
            .get(&path, Some(&app.token("u1", &[])))
            .await
            .expect(200);
        assert_eq!(
            mine.header("cache-control").as_deref(),
            Some("private, no-cache")
        );
        let spec = app.get("/openapi.json", None).await;
        assert_eq!(
            spec.header("cache-control").as_deref(),
            Some("public, max-age=2")
        );
        let tag = spec.header("etag").unwrap();
        let cached = app
            .call(
                Method::GET,
                "/openapi.json",
                None,
                None,
                &[("If-None-Match", &tag)],
            )
            .await;
        assert_eq!(cached.status, 304);
        // Errors are never tagged or cached.
        let missing = app.get("/api/v1/group-purchases/not-a-uuid", None).await;
        assert!(missing.header("etag").is_none());
    }
}
