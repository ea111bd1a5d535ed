//! Parties over HTTP on both backends (issue 22): who reads and changes them, If-Match,
//! validation in the envelope, the 409 naming what settling lacks, and the UBL invoices
//! of a settled pool, written to `GROUPBUY_UBL_OUT` for `make ubl-validate`.

use crate::helpers::TestApp;
use crate::sourcing::{
    at, fill_parties, finished, organiser, party_body, send, sourcing, vendor, FINANCE, RW,
};
use reqwest::Method;
use serde_json::json;

/// Keeps `xml` as `<GROUPBUY_UBL_OUT>/api-<backend>-<name>.xml` when the variable is set,
/// for `make ubl-validate`.
pub(crate) fn keep(app: &TestApp, name: &str, xml: &str) {
    if let Some(dir) = std::env::var_os("GROUPBUY_UBL_OUT").map(std::path::PathBuf::from) {
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join(format!("api-{}-{name}.xml", app.backend)), xml).expect("write");
    }
}

#[actix_web::test]
async fn ubl_parties_are_guarded_versioned_and_validated() {
    for app in TestApp::all().await {
        let acme = app.org_token("alice", "org_acme", RW);
        let path = "/groupbuy/organisations/org_acme";
        let r = send(&app, Method::GET, path, &acme, None, None)
            .await
            .expect(200);
        assert_eq!(r.header("etag").as_deref(), Some("\"0\""));
        assert_eq!(r.data()["version"], 0);
        let put = |token: String, if_match: Option<&'static str>| {
            let app = &app;
            async move {
                let headers: Vec<(&str, &str)> =
                    if_match.map(|m| ("If-Match", m)).into_iter().collect();
                app.call(
                    Method::PUT,
                    path,
                    Some(&token),
                    Some(party_body("Acme")),
                    &headers,
                )
                .await
            }
        };
        let r = put(acme.clone(), Some("\"0\"")).await.expect(200);
        assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
        assert_eq!(r.data()["postal_address"]["country"], "BE");
        put(acme.clone(), Some("\"0\"")).await.expect(412);
        put(app.org_token("bob", "org_b", RW), None)
            .await
            .expect(403);
        put(app.org_token("alice", "org_acme", "groupbuy:read"), None)
            .await
            .expect(403);
        // Nobody shares a pool with org_acme: another organisation, a vendor: 404.
        send(
            &app,
            Method::GET,
            path,
            &app.org_token("zed", "org_z", RW),
            None,
            None,
        )
        .await
        .expect(404);
        send(
            &app,
            Method::GET,
            path,
            &vendor(&app, "vendor_mills"),
            None,
            None,
        )
        .await
        .expect(404);
        // Validation errors name the field in the envelope.
        let mut bad = party_body("Acme");
        bad["electronic_address"]["identifier"] = json!("5798000012348");
        let r = send(&app, Method::PUT, path, &acme, Some(bad), None)
            .await
            .expect(422);
        assert_eq!(
            r.body["errors"][0]["field"], "electronic_address.identifier",
            "{}",
            r.body
        );
        let mut bad = party_body("Acme");
        bad["postal_address"]["country"] = json!("XX");
        let r = send(&app, Method::PUT, path, &acme, Some(bad), None)
            .await
            .expect(422);
        assert_eq!(r.body["errors"][0]["field"], "postal_address.country");
        let mut bad = party_body("Acme");
        bad["default_vat"] = json!({"category": "S"});
        let r = send(&app, Method::PUT, path, &acme, Some(bad), None)
            .await
            .expect(422);
        assert_eq!(r.body["errors"][0]["field"], "default_vat.rate");
        // A vendor changes itself only.
        let mills = "/groupbuy/vendors/vendor_mills";
        send(
            &app,
            Method::PUT,
            mills,
            &vendor(&app, "vendor_mills"),
            Some(party_body("Mills")),
            None,
        )
        .await
        .expect(200);
        send(
            &app,
            Method::PUT,
            mills,
            &vendor(&app, "vendor_farm"),
            Some(party_body("Farm")),
            None,
        )
        .await
        .expect(403);
        send(
            &app,
            Method::GET,
            mills,
            &vendor(&app, "vendor_farm"),
            None,
            None,
        )
        .await
        .expect(404);
    }
}

#[actix_web::test]
async fn ubl_settling_names_missing_party_data_then_issues_invoices_that_pass() {
    for app in TestApp::all().await {
        let org = organiser(&app);
        let body = json!({
            "title": "Maize flour", "target_quantity": 100, "min_commitment": 10,
            "items": [{"sku": "MF-25", "name": "Maize flour 25 kg", "unit": "bag", "unit_code": "XBG"}],
            "deadline": at(3600), "currency": "EUR",
            "rules": {"organiser_fee_bps": 250, "organiser_fee_vat": {"category": "S", "rate": 6}}
        });
        let r = send(
            &app,
            Method::POST,
            "/groupbuy",
            &org,
            Some(body),
            Some("pool-ubl"),
        )
        .await
        .expect(201);
        let id = r.data()["id"].as_str().expect("id").to_owned();
        let bad_unit = json!({"title": "X", "target_quantity": 1, "min_commitment": 1, "deadline": at(3600),
            "items": [{"sku": "X", "name": "X", "unit": "bag", "unit_code": "BG"}]});
        let r = send(
            &app,
            Method::POST,
            "/groupbuy",
            &org,
            Some(bad_unit),
            Some("pool-bg"),
        )
        .await
        .expect(422);
        assert_eq!(r.body["errors"][0]["field"], "items[0].unit_code");
        for (member, qty, po) in [("org_a", 60, Some("PO-A-1")), ("org_b", 40, None)] {
            let t = app.org_token(&format!("{member}-buyer"), member, RW);
            let c = send(
                &app,
                Method::POST,
                &format!("/groupbuy/{id}/commit"),
                &t,
                Some(json!({"quantity": qty, "price_ceiling": 12.0, "purchase_order_ref": po})),
                Some(&format!("ubl-{member}")),
            )
            .await
            .expect(201);
            assert_eq!(c.data()["purchase_order_ref"], json!(po));
        }
        sourcing(&app, &id, "rfq-ubl").await;
        for (who, price, vat) in [
            ("vendor_mills", 9.5, json!({"category": "S", "rate": 21})),
            ("vendor_farm", 11.0, json!({"category": "Z"})),
        ] {
            send(&app, Method::POST, &format!("/groupbuy/{id}/rfq/responses"), &vendor(&app, who),
                Some(json!({"unit_price": price, "available_quantity": 70, "valid_until": at(7200), "vat": vat})), None)
                .await
                .expect(201);
        }
        let r = send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/allocate"),
            &org,
            None,
            Some("alloc-ubl"),
        )
        .await
        .expect(202);
        finished(&app, &r.header("location").expect("Location")).await;
        let fin = app.org_token("alice", "org_acme", FINANCE);
        let settle = format!("/groupbuy/{id}/settle");
        let r = send(
            &app,
            Method::POST,
            &settle,
            &fin,
            None,
            Some("settle-ubl-0"),
        )
        .await
        .expect(409);
        assert!(
            r.body["type"]
                .as_str()
                .is_some_and(|t| t.ends_with("/party-data-missing")),
            "{}",
            r.body
        );
        for named in [
            "organisation org_acme: legal_name",
            "vendor vendor_mills: legal_name",
            "organisation org_b: legal_name",
        ] {
            assert!(r.message().contains(named), "{named}: {}", r.message());
        }
        send(
            &app,
            Method::GET,
            &format!("/groupbuy/{id}/settlement"),
            &fin,
            None,
            None,
        )
        .await
        .expect(404);
        fill_parties(&app).await;
        // A member reads its organiser as a counterparty: legal name and country only.
        let r = send(
            &app,
            Method::GET,
            "/groupbuy/organisations/org_acme",
            &app.org_token("b", "org_b", RW),
            None,
            None,
        )
        .await
        .expect(200);
        assert_eq!(
            (
                r.data()["legal_name"].as_str(),
                r.data()["country"].as_str()
            ),
            (Some("org_acme SA"), Some("BE"))
        );
        assert!(
            // No version tag (If-Match is the owner's), only the weak tag of what it read.
            r.data().get("vat_id").is_none()
                && r.header("etag").is_some_and(|t| t.starts_with("W/")),
            "{}",
            r.body
        );
        let s = send(
            &app,
            Method::POST,
            &settle,
            &fin,
            None,
            Some("settle-ubl-1"),
        )
        .await
        .expect(201);
        let docs = s.data()["documents"].as_array().expect("documents").clone();
        for d in &docs {
            assert!(d["invoice"]["seller"]["legal_name"].is_string(), "{d}");
            let url = app.url(&format!(
                "/groupbuy/{id}/settlement/documents/{}",
                d["id"].as_str().expect("id")
            ));
            let xml = reqwest::Client::new()
                .get(url)
                .bearer_auth(&fin)
                .header("Accept", "application/xml")
                .send()
                .await
                .expect("send")
                .text()
                .await
                .expect("xml");
            assert!(xml.contains("<cbc:BuyerReference>"), "{xml}");
            keep(&app, d["number"].as_str().expect("number"), &xml);
        }
        let a = docs
            .iter()
            .find(|d| d["counterparty"] == "org_a")
            .expect("org_a's receivable");
        assert_eq!(a["invoice"]["buyer_reference"], "PO-A-1");
        let b = docs
            .iter()
            .find(|d| d["counterparty"] == "org_b")
            .expect("org_b's receivable");
        assert_eq!(b["invoice"]["buyer_reference"], json!(id));
    }
}
