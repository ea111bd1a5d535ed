//! `GET /groupbuy/{id}/ocds` on both backends: who reads a pool's OCDS package, and the
//! package at each stage (open, sourcing with sealed bids, allocated, settled), public and
//! private. With `GROUPBUY_OCDS_OUT` set every package is written there for
//! `make ocds-validate` (libcoveocds).

use crate::helpers::TestApp;
use crate::sourcing::{
    fill_parties, finished, organiser, pooled_with, quote, send, sourcing, FINANCE, RW,
};
use reqwest::Method;
use serde_json::{json, Value};

/// Keeps `package` as `<GROUPBUY_OCDS_OUT>/api-<backend>-<name>.json` when the variable
/// is set.
fn keep(app: &TestApp, name: &str, package: &Value) {
    if let Some(dir) = std::env::var_os("GROUPBUY_OCDS_OUT").map(std::path::PathBuf::from) {
        std::fs::create_dir_all(&dir).expect("dir");
        let text = serde_json::to_string_pretty(package).expect("json");
        std::fs::write(dir.join(format!("api-{}-{name}.json", app.backend)), text).expect("write");
    }
}

/// The package of `id` as `token` reads it (200), kept as `name`; checks what every
/// package holds: the ocid, and release ids that two reads agree on.
async fn package(app: &TestApp, id: &str, token: &str, name: &str) -> Value {
    let path = format!("/groupbuy/{id}/ocds");
    // Bare OCDS, not the envelope: status only.
    let r = send(app, Method::GET, &path, token, None, None).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "{:?}",
        r.header("content-type")
    );
    let again = send(app, Method::GET, &path, token, None, None).await;
    assert_eq!(r.body, again.body, "two reads, one package");
    for release in r.body["releases"].as_array().expect("releases") {
        assert_eq!(release["ocid"], format!("ocds-groupbuy-{id}"));
    }
    keep(app, name, &r.body);
    r.body
}

fn release_ids(p: &Value) -> Vec<String> {
    p["releases"]
        .as_array()
        .expect("releases")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect()
}

#[actix_web::test]
async fn ocds_is_guarded_like_the_pool_and_private_pools_go_to_their_organiser_only() {
    for app in TestApp::all().await {
        let rules = json!({"visibility": "private", "eligible_orgs": ["org_a", "org_b", "org_c"]});
        let id = pooled_with(&app, "OCDS-PRIV", rules).await;
        let path = format!("/groupbuy/{id}/ocds");
        app.get(&path, None).await.expect(401);
        let no_scope = app.org_token("alice", "org_acme", "catalog:read");
        send(&app, Method::GET, &path, &no_scope, None, None)
            .await
            .expect(403);
        for stranger in [
            app.org_token("zed", "org_z", RW),
            app.org_token("a", "org_a", RW),
        ] {
            send(&app, Method::GET, &path, &stranger, None, None)
                .await
                .expect(404);
        }
        let p = package(&app, &id, &organiser(&app), "private-open").await;
        assert_eq!(release_ids(&p), [format!("{id}-tender")]);
        let buyers: Vec<&str> = p["releases"][0]["parties"]
            .as_array()
            .expect("parties")
            .iter()
            .map(|p| p["id"].as_str().expect("id"))
            .collect();
        assert_eq!(
            buyers,
            [
                "organisation:org_acme",
                "organisation:org_a",
                "organisation:org_b",
                "organisation:org_c"
            ]
        );
    }
}

#[actix_web::test]
async fn ocds_of_a_public_pool_shows_no_vendor_or_price_while_bids_are_sealed() {
    for app in TestApp::all().await {
        let rules =
            json!({"organiser_fee_bps": 250, "payment_terms_days": 14, "sealed_bids": true});
        let id = pooled_with(&app, "OCDS-PUB", rules).await;
        let reader = app.org_token("zed", "org_z", "groupbuy:read");
        let open = package(&app, &id, &reader, "public-open").await;
        assert_eq!(open["releases"][0]["tender"]["status"], "planned");
        assert_eq!(open["releases"][0]["tender"]["items"][0]["quantity"], 100);
        sourcing(&app, &id, "rfq-ocds").await;
        quote(&app, &id, "vendor_mills", 9.25, 70).await.expect(201);
        quote(&app, &id, "vendor_farm", 11.5, 100).await.expect(201);
        let sealed = package(&app, &id, &reader, "public-sourcing").await;
        let text = sealed.to_string();
        for hidden in ["9.25", "11.5", "vendor_mills", "vendor_farm", "amount"] {
            assert!(!text.contains(hidden), "{hidden} leaked: {text}");
        }
        assert!(sealed["releases"][0]["tender"]["tenderPeriod"]["endDate"].is_string());
        assert_eq!(sealed["publishedDate"], sealed["releases"][0]["date"]);
        // Sealed bids allocate from the due date on (an hour ahead): awards and contracts
        // are the next test's, on pools without sealed bids.
        assert_eq!(release_ids(&sealed), [format!("{id}-tender")]);
    }
}

#[actix_web::test]
async fn ocds_adds_awards_and_contracts_as_the_pool_is_allocated_and_settled() {
    for app in TestApp::all().await {
        for (name, rules) in [
            (
                "public",
                json!({"organiser_fee_bps": 250, "payment_terms_days": 14}),
            ),
            (
                "private",
                json!({"visibility": "private", "eligible_orgs": ["org_a", "org_b", "org_c"]}),
            ),
        ] {
            let id = pooled_with(&app, &format!("OCDS-{name}"), rules).await;
            let org = organiser(&app);
            sourcing(&app, &id, &format!("rfq-{name}")).await;
            quote(&app, &id, "vendor_mills", 9.25, 70).await.expect(201);
            quote(&app, &id, "vendor_farm", 11.5, 100).await.expect(201);
            let r = send(
                &app,
                Method::POST,
                &format!("/groupbuy/{id}/allocate"),
                &org,
                None,
                Some(&format!("alloc-{name}")),
            )
            .await
            .expect(202);
            finished(&app, &r.header("location").expect("Location")).await;
            let reader = if name == "public" {
                app.org_token("zed", "org_z", "groupbuy:read")
            } else {
                org.clone()
            };
            let awarded = package(&app, &id, &reader, &format!("{name}-allocated")).await;
            assert_eq!(
                release_ids(&awarded),
                [format!("{id}-tender"), format!("{id}-award")]
            );
            let award = &awarded["releases"][1];
            let awards = award["awards"].as_array().expect("awards");
            assert_eq!(awards.len(), 2, "{award}");
            let mills = awards
                .iter()
                .find(|a| a["id"] == format!("{id}-award-vendor_mills"))
                .expect("Mills' award");
            assert_eq!(mills["items"][0]["quantity"], 70);
            assert_eq!(mills["value"]["amount"].as_f64(), Some(647.5));
            let roles: Vec<&Value> = award["parties"]
                .as_array()
                .expect("parties")
                .iter()
                .filter(|p| p["id"] == "vendor:vendor_mills")
                .map(|p| &p["roles"])
                .collect();
            assert_eq!(roles, [&json!(["tenderer", "supplier"])]);
            fill_parties(&app).await;
            send(
                &app,
                Method::POST,
                &format!("/groupbuy/{id}/settle"),
                &app.org_token("alice", "org_acme", FINANCE),
                None,
                Some(&format!("settle-{name}")),
            )
            .await
            .expect(201);
            let settled = package(&app, &id, &reader, &format!("{name}-settled")).await;
            let ids = release_ids(&settled);
            assert_eq!(ids[..2], release_ids(&awarded)[..]);
            assert_eq!(ids[2], format!("{id}-contract"));
            let contract = &settled["releases"][2];
            assert_eq!(contract["contracts"].as_array().map(Vec::len), Some(2));
            assert_eq!(contract["parties"][0]["name"], "org_acme SA");
            assert_eq!(contract["parties"][0]["address"]["countryName"], "BE");
        }
    }
}
