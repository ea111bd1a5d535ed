//! The push channel of every counterparty: after a pool is sourced, allocated and settled,
//! each party's endpoint has received exactly its own events and lines, nothing of
//! another vendor's or member's.

use super::award::allocated;
use super::*;
use crate::webhook::schema::webhook_deliveries as wd;
use groupbuy_domain::webhook::{EndpointDraft, WebhookStore};
use serde_json::Value;

/// An endpoint for every event, registered by `owner`.
fn endpoint(db: &Database, owner: &Principal) -> String {
    let draft =
        EndpointDraft::parse("http://127.0.0.1:9/hook", &["*".into()], None, true).expect("draft");
    db.create_endpoint(owner, draft, "whsec_x", t0())
        .expect("endpoint")
        .id
}

/// (type, data) of what endpoint `id` was given, in the order of the events.
fn received(db: &Database, id: &str) -> Vec<(String, Value)> {
    db.read(|c| {
        let ids: Vec<String> = wd::table
            .filter(wd::endpoint_id.eq(id))
            .order(wd::seq)
            .select(wd::event_id)
            .load(c)?;
        let mut out = Vec::new();
        for event in ids {
            let (t, data): (String, String) = events::table
                .filter(events::id.eq(&event))
                .select((events::event_type, events::data))
                .first(c)?;
            out.push((t, serde_json::from_str(&data).expect("json")));
        }
        Ok(out)
    })
    .expect("deliveries")
}

fn types(got: &[(String, Value)]) -> Vec<&str> {
    got.iter().map(|(t, _)| t.as_str()).collect()
}

/// Whether `data` names `party` anywhere as a JSON string.
fn names(data: &Value, party: &str) -> bool {
    data.to_string().contains(&format!("\"{party}\""))
}

fn each_party_receives_its_own_events_and_lines_only(db: &Database) {
    let members = ["org_a", "org_b", "org_c"];
    let vendors = ["v_mills", "v_farm"];
    let acme = endpoint(db, &org("org_acme"));
    let of_member: Vec<String> = members.iter().map(|m| endpoint(db, &org(m))).collect();
    let of_vendor: Vec<String> = vendors.iter().map(|v| endpoint(db, &vendor(v))).collect();
    // A member organisation's user's personal endpoint: the organisation's events are not
    // theirs.
    let personal = endpoint(
        db,
        &Principal {
            org_id: None,
            ..org("org_a")
        },
    );
    let g = allocated(db);
    super::parties::fill_parties(db);
    db.settle(
        &org("org_acme"),
        &g.id,
        &at("acme", hours(30)),
        Answer::none(),
    )
    .expect("settle");
    while db.dispatch(hours(31), 100).expect("dispatch") > 0 {}

    let organiser = received(db, &acme);
    let t = types(&organiser);
    assert!(t.contains(&"rfq.opened") && t.contains(&"vendor.response.received"));
    assert!(!t.contains(&"rfq.invited"), "{t:?}");
    let full = |t: &str| -> Vec<&Value> {
        organiser
            .iter()
            .filter(|(k, _)| k == t)
            .map(|(_, d)| d)
            .collect()
    };
    assert_eq!(full("allocation.created").len(), 1);
    assert_eq!(
        full("settlement.completed")[0]["settlement"]["documents"]
            .as_array()
            .map(Vec::len),
        Some(5)
    );
    assert!(received(db, &personal).is_empty());

    for (m, id) in members.iter().zip(&of_member) {
        let got = received(db, id);
        assert_eq!(
            types(&got),
            ["allocation.created", "settlement.completed"],
            "{m}"
        );
        let lines = got[0].1["allocation"]["results"].as_array().expect("lines");
        assert!(!lines.is_empty() && lines.iter().all(|l| l["member_id"] == *m));
        let docs = got[1].1["settlement"]["documents"]
            .as_array()
            .expect("docs");
        assert_eq!(docs.len(), 1, "{m}");
        assert_eq!(
            (&docs[0]["type"], &docs[0]["counterparty"]),
            (&Value::from("RECEIVABLE"), &Value::from(*m))
        );
        for (_, data) in &got {
            for other in members.iter().filter(|o| *o != m) {
                assert!(!names(data, other), "{m} was told of {other}: {data}");
            }
        }
    }
    for (v, id) in vendors.iter().zip(&of_vendor) {
        let got = received(db, id);
        assert_eq!(
            types(&got),
            ["rfq.invited", "allocation.created", "settlement.completed"],
            "{v}"
        );
        let invitation = &got[0].1;
        assert_eq!(invitation["vendor_id"], *v);
        assert_eq!(invitation["quantity"], 100);
        assert_eq!(invitation["items"][0]["unit_code"], "XBG");
        let lines = got[1].1["allocation"]["results"].as_array().expect("lines");
        assert!(!lines.is_empty() && lines.iter().all(|l| l["vendor_id"] == *v));
        assert_eq!(got[1].1["allocation"]["unfilled"], Value::Array(vec![]));
        let docs = got[2].1["settlement"]["documents"]
            .as_array()
            .expect("docs");
        assert_eq!(docs.len(), 1, "{v}");
        assert_eq!(
            (&docs[0]["type"], &docs[0]["counterparty"]),
            (&Value::from("PAYABLE"), &Value::from(*v))
        );
        assert_eq!(got[2].1["settlement"]["payables"], docs[0]["total"]);
        for (_, data) in &got {
            for other in vendors.iter().filter(|o| *o != v) {
                assert!(!names(data, other), "{v} was told of {other}: {data}");
            }
        }
    }
}

crate::on_both_backends!(each_party_receives_its_own_events_and_lines_only);
