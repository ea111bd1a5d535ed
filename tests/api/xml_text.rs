//! Text that would break the UBL settlement document (issue 17, item 8): characters XML
//! 1.0 cannot carry (C0 controls, U+FFFE, U+FFFF) and the other Unicode noncharacters are
//! refused in every text input; every character still allowed reaches the document, which
//! stays well-formed.

use crate::helpers::TestApp;
use crate::sealed::{rfc3339, send, wait_for};
use quick_xml::events::Event;
use quick_xml::Reader;
use reqwest::Method;
use serde_json::{json, Value};

const ORGANISER: &str = "groupbuy:read groupbuy:write procurement:write finance:write";
const RW: &str = "groupbuy:read groupbuy:write";
/// Odd but allowed: markup characters, a replacement character, the neighbours of the
/// noncharacter ranges, private use, a line separator, astral characters.
const ODD: &str = "<&>\"' \u{fffd}\u{fdcf}\u{fdf0}\u{e000}\u{2028}\u{200b}\u{10fffd}\u{1f600}";

fn pool(item_name: &str) -> Value {
    let deadline = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    json!({
        "title": "Maize", "target_quantity": 10, "min_commitment": 10,
        "items": [{"sku": "MAIZE", "name": item_name, "unit": "bag"}],
        "deadline": rfc3339(deadline), "currency": "USD"
    })
}

#[actix_web::test]
async fn noncharacters_in_a_name_are_a_422_naming_the_field() {
    for app in TestApp::all().await {
        let org = app.org_token("alice", "org_acme", ORGANISER);
        for bad in ["\u{fffe}", "\u{ffff}", "\u{fdd0}", "\u{1fffe}"] {
            let r = send(
                &app,
                Method::POST,
                "/groupbuy",
                &org,
                Some(pool(&format!("Maize{bad}"))),
            )
            .await
            .expect(422);
            assert_eq!(r.body["errors"][0]["field"], "items[0].name", "{}", r.body);
            assert!(r.message().contains("noncharacters"), "{}", r.body);
        }
    }
}

/// Whether `c` may appear in an XML 1.0 document (the `Char` production).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// Parses `xml` to the end; returns its text content.
fn well_formed_text(xml: &str) -> String {
    assert!(
        xml.chars().all(xml_char),
        "a character XML cannot carry: {xml:?}"
    );
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut text = String::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Text(t) => text.push_str(&t.decode().expect("utf-8")),
            Event::GeneralRef(r) => {
                let entity = r.decode().expect("utf-8");
                text.push_str(
                    quick_xml::escape::resolve_predefined_entity(&entity).expect("entity"),
                );
            }
            Event::Eof => return text,
            _ => {}
        }
    }
}

#[actix_web::test]
async fn the_ubl_of_names_with_every_allowed_odd_character_is_well_formed() {
    for app in TestApp::all().await {
        let org = app.org_token("alice", "org_acme", ORGANISER);
        let r = send(
            &app,
            Method::POST,
            "/groupbuy",
            &org,
            Some(pool(&format!("Maize {ODD}"))),
        )
        .await
        .expect(201);
        let id = r.data()["id"].as_str().expect("id").to_owned();
        let member = app.org_token("a-buyer", "org_a", RW);
        let commit = json!({"quantity": 10, "price_ceiling": 20});
        send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/commit"),
            &member,
            Some(commit),
        )
        .await
        .expect(201);
        let due = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
        let rfq = json!({"vendors": [{"vendor_id": "vendor_mills", "name": format!("Mills {ODD}")}],
            "due_date": rfc3339(due)});
        let job = send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/rfq"),
            &org,
            Some(rfq),
        )
        .await
        .expect(202)
        .header("location")
        .expect("Location");
        wait_for(&app, &org, &job).await;
        let vendor = app.token_full("vendor_mills", None, &["vendor"], RW, 3600);
        let quote = json!({"unit_price": 9.5, "available_quantity": 10, "lead_time_days": 5,
            "valid_until": rfc3339(due)});
        send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/rfq/responses"),
            &vendor,
            Some(quote),
        )
        .await
        .expect(201);
        let job = send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/allocate"),
            &org,
            None,
        )
        .await
        .expect(202)
        .header("location")
        .expect("Location");
        wait_for(&app, &org, &job).await;
        crate::sourcing::fill_parties(&app).await;
        let s = send(
            &app,
            Method::POST,
            &format!("/groupbuy/{id}/settle"),
            &org,
            None,
        )
        .await
        .expect(201);
        let docs = s.data()["documents"].as_array().expect("documents").clone();
        assert!(!docs.is_empty());
        let mut all = String::new();
        for doc in docs {
            let path = format!(
                "/groupbuy/{id}/settlement/documents/{}",
                doc["id"].as_str().expect("id")
            );
            let res = app
                .client
                .get(app.url(&path))
                .bearer_auth(&org)
                .header("Accept", "application/xml")
                .send()
                .await
                .expect("xml");
            assert_eq!(res.status(), 200, "{}", app.backend);
            let xml = res.text().await.expect("body");
            crate::ubl_parties::keep(
                &app,
                &format!("odd-{}", doc["number"].as_str().expect("number")),
                &xml,
            );
            all.push_str(&well_formed_text(&xml));
        }
        assert!(
            all.contains(ODD),
            "every allowed character reached the documents: {all:?}"
        );
    }
}
