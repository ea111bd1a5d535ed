//! The push channel of every counterparty over HTTP: a vendor registers its own endpoint
//! and receives its invitation, its award lines and its payable only; a member its lines
//! and its receivable only; nobody may register for another vendor or organisation.

use crate::helpers::TestApp;
use crate::sourcing::{allocate_and_settle, pooled_with, quote, send, sourcing, vendor, RW};
use crate::webhook::{event_types, fast_apps, verifies, Received, Receiver};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

/// Registers an endpoint for every event with `token` and `owner` fields; returns the
/// reply.
async fn register(app: &TestApp, token: &str, url: &str, owner: Value) -> crate::helpers::Reply {
    let mut body = json!({"url": url, "events": ["*"]});
    if let (Some(b), Some(o)) = (body.as_object_mut(), owner.as_object()) {
        b.extend(o.clone());
    }
    send(
        app,
        Method::POST,
        "/webhooks/endpoints",
        token,
        Some(body),
        None,
    )
    .await
}

fn secret(r: &crate::helpers::Reply) -> String {
    r.data()["secret"].as_str().expect("secret").to_owned()
}

/// Waits for `n` deliveries, then a moment more: exactly `n` arrive.
async fn exactly(receiver: &Receiver, n: usize) -> Vec<Received> {
    receiver.wait_for(n).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let got = receiver.received();
    assert_eq!(got.len(), n, "{:?}", event_types(&got));
    got
}

/// Whether a delivery names `party` anywhere as a JSON string.
fn names(r: &Received, party: &str) -> bool {
    r.body.contains(&format!("\"{party}\""))
}

#[actix_web::test]
async fn a_vendors_endpoint_gets_its_invitation_award_and_payable_only() {
    for app in fast_apps().await {
        let (mills, farm, member) = (
            Receiver::start(&[]).await,
            Receiver::start(&[]).await,
            Receiver::start(&[]).await,
        );
        let buyer_a = app.org_token("org_a-buyer", "org_a", RW);
        // Another tenant's ids are 404, as anywhere else.
        let r = register(
            &app,
            &vendor(&app, "vendor_farm"),
            &farm.url,
            json!({"vendor_id": "vendor_mills"}),
        )
        .await;
        r.expect(404);
        register(
            &app,
            &buyer_a,
            &member.url,
            json!({"vendor_id": "vendor_mills"}),
        )
        .await
        .expect(404);
        register(&app, &buyer_a, &member.url, json!({"org_id": "org_b"}))
            .await
            .expect(404);
        let mills_secret = secret(
            &register(
                &app,
                &vendor(&app, "vendor_mills"),
                &mills.url,
                json!({"vendor_id": "vendor_mills"}),
            )
            .await
            .expect(201),
        );
        // A vendor's token registers for itself without naming it too.
        let r = register(&app, &vendor(&app, "vendor_farm"), &farm.url, json!({}))
            .await
            .expect(201);
        let farm_endpoint = r.data()["id"].as_str().expect("id").to_owned();
        let member_secret = secret(
            &register(&app, &buyer_a, &member.url, json!({"org_id": "org_a"}))
                .await
                .expect(201),
        );
        // One vendor neither sees nor manages the other's endpoint.
        let path = format!("/webhooks/endpoints/{farm_endpoint}");
        let other = vendor(&app, "vendor_mills");
        app.get(&path, Some(&other)).await.expect(404);
        app.get(&format!("{path}/deliveries"), Some(&other))
            .await
            .expect(404);

        let rules = json!({"organiser_fee_bps": 250, "payment_terms_days": 14});
        let id = pooled_with(&app, "PUSH", rules).await;
        sourcing(&app, &id, "rfq-push").await;
        quote(&app, &id, "vendor_mills", 9.0, 60).await.expect(201);
        quote(&app, &id, "vendor_farm", 11.0, 100).await.expect(201);
        allocate_and_settle(&app, &id, "push").await;

        for (who, receiver, other) in [
            ("vendor_mills", &mills, "vendor_farm"),
            ("vendor_farm", &farm, "vendor_mills"),
        ] {
            let got = exactly(receiver, 3).await;
            assert_eq!(
                event_types(&got),
                ["rfq.invited", "allocation.created", "settlement.completed"],
                "{who}"
            );
            let data: Vec<Value> = got.iter().map(|r| r.json()["data"].clone()).collect();
            assert_eq!(data[0]["vendor_id"], who);
            assert_eq!(data[0]["quantity"], 100);
            assert_eq!(data[0]["items"][0]["sku"], "PUSH");
            let lines = data[1]["allocation"]["results"].as_array().expect("lines");
            assert!(
                !lines.is_empty() && lines.iter().all(|l| l["vendor_id"] == who),
                "{who}"
            );
            let docs = data[2]["settlement"]["documents"]
                .as_array()
                .expect("documents");
            assert_eq!(docs.len(), 1, "{who}");
            assert_eq!(
                (docs[0]["type"].as_str(), docs[0]["counterparty"].as_str()),
                (Some("PAYABLE"), Some(who))
            );
            assert_eq!(data[2]["settlement"]["payables"], docs[0]["total"]);
            assert_eq!(data[2]["settlement"]["receivables"].as_f64(), Some(0.0));
            for r in &got {
                assert!(!names(r, other), "{who} was told of {other}: {}", r.body);
                assert_eq!(r.json()["subject"], format!("groupbuy:{id}"));
            }
        }
        assert!(mills.received().iter().all(|r| verifies(r, &mills_secret)));

        let got = exactly(&member, 2).await;
        assert_eq!(
            event_types(&got),
            ["allocation.created", "settlement.completed"]
        );
        let lines = got[0].json()["data"]["allocation"]["results"].clone();
        assert!(lines
            .as_array()
            .is_some_and(|l| !l.is_empty() && l.iter().all(|l| l["member_id"] == "org_a")));
        let docs = got[1].json()["data"]["settlement"]["documents"].clone();
        assert_eq!(docs.as_array().map(Vec::len), Some(1));
        assert_eq!(
            (docs[0]["type"].as_str(), docs[0]["counterparty"].as_str()),
            (Some("RECEIVABLE"), Some("org_a"))
        );
        for r in &got {
            assert!(verifies(r, &member_secret));
            for other in ["org_b", "org_c"] {
                assert!(!names(r, other), "org_a was told of {other}: {}", r.body);
            }
        }
    }
}
