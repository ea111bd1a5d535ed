//! Each group-purchase use case writes its events to the outbox in its own transaction:
//! count, types, subject, audience, sequence order and request id; a refused one writes
//! none.

use super::{buy, ctx, fund, product, t0, user};
use crate::db::Database;
use crate::platform::schema::events;
use diesel::prelude::*;
use groupbuy_domain::group_purchase::GroupPurchaseStore;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::platform::ChangeContext;
use serde_json::Value;
use time::Duration;
use uuid::Uuid;

/// One stored event: type, subject, sequence, audience, request id, data.
#[derive(Debug)]
struct Stored {
    kind: String,
    subject: String,
    sequence: i64,
    audience: String,
    request_id: String,
    data: Value,
}

fn stored(db: &Database) -> Vec<Stored> {
    let rows: Vec<(String, String, i64, String, String, String)> = db
        .read(|c| {
            Ok(events::table
                .select((
                    events::event_type,
                    events::subject,
                    events::sequence,
                    events::audience_id,
                    events::request_id,
                    events::data,
                ))
                .order(events::seq)
                .load(c)?)
        })
        .expect("events");
    rows.into_iter()
        .map(
            |(kind, subject, sequence, audience, request_id, data)| Stored {
                kind,
                subject,
                sequence,
                audience,
                request_id,
                data: serde_json::from_str(&data).expect("json"),
            },
        )
        .collect()
}

fn kinds(events: &[Stored]) -> Vec<&str> {
    events.iter().map(|e| e.kind.as_str()).collect()
}

fn subject(g: Uuid) -> String {
    format!("group:{g}")
}

fn a_group_fills_with_created_then_completed(db: &Database) {
    let p = product(db, 3, None);
    for who in ["a", "b", "c"] {
        fund(db, who, 1_000_000);
    }
    let g = buy(db, "a", p, 1, None, t0()).expect("open");
    let e = stored(db);
    assert_eq!(kinds(&e), ["group.created"]);
    assert_eq!(e[0].subject, subject(g));
    assert_eq!((e[0].sequence, e[0].audience.as_str()), (1, "merchant"));
    assert_eq!(e[0].request_id, "req-test");
    assert_eq!(e[0].data["seats_occupied"], 1);
    assert_eq!(e[0].data["total_seats"], 3);
    assert_eq!(e[0].data["unit_price"].to_string(), "80000.00");
    assert_eq!(e[0].data["currency"], "TZS");
    buy(db, "b", p, 1, Some(g), t0()).expect("join");
    // An ordinary join says nothing.
    assert_eq!(stored(db).len(), 1);
    buy(db, "c", p, 1, Some(g), t0()).expect("fill");
    let e = stored(db);
    assert_eq!(kinds(&e), ["group.created", "group.completed"]);
    assert_eq!((e[1].subject.clone(), e[1].sequence), (subject(g), 2));
    let orders = e[1].data["orders"].as_array().expect("orders");
    assert_eq!(orders.len(), 3);
    assert!(orders.iter().all(|o| o["total"].as_f64() == Some(80_000.0)));
    // A refused join (the group is full) writes nothing.
    assert!(buy(db, "a", p, 1, Some(g), t0()).is_err());
    assert_eq!(stored(db).len(), 2);
}

fn expiry_says_failed_with_the_refunds_under_the_sweep_id(db: &Database) {
    let p = product(db, 5, None);
    fund(db, "a", 1_000_000);
    fund(db, "b", 1_000_000);
    let g = buy(db, "a", p, 2, None, t0()).expect("open");
    buy(db, "b", p, 1, Some(g), t0()).expect("join");
    let sweep = ChangeContext::new("system:expiry-sweep", "sweep-1", t0() + Duration::hours(2));
    assert_eq!(db.expire_due(&sweep, 10).expect("sweep"), 1);
    assert_eq!(db.expire_due(&sweep, 10).expect("again"), 0);
    let e = stored(db);
    assert_eq!(kinds(&e), ["group.created", "group.failed"]);
    assert_eq!((e[1].sequence, e[1].request_id.as_str()), (2, "sweep-1"));
    let mut refunds: Vec<(String, String)> = e[1].data["refunds"]
        .as_array()
        .expect("refunds")
        .iter()
        .map(|r| (r["user_id"].to_string(), r["amount"].to_string()))
        .collect();
    refunds.sort();
    assert_eq!(
        refunds,
        [
            ("\"a\"".to_owned(), "160000.00".to_owned()),
            ("\"b\"".to_owned(), "80000.00".to_owned())
        ]
    );
}

fn transfers_and_deletion_say_so(db: &Database) {
    let p = product(db, 10, None);
    fund(db, "a", 1_000_000);
    fund(db, "b", 1_000_000);
    let g1 = buy(db, "a", p, 2, None, t0()).expect("g1");
    let g2 = buy(db, "b", p, 1, None, t0()).expect("g2");
    // Refused: more seats than held. Nothing is written.
    assert!(db
        .transfer(&user("a"), g1, g2, 3, &ctx(t0()), Answer::none())
        .is_err());
    assert_eq!(stored(db).len(), 2);
    db.transfer(&user("a"), g1, g2, 2, &ctx(t0()), Answer::none())
        .expect("transfer");
    let e = stored(db);
    assert_eq!(
        kinds(&e),
        [
            "group.created",
            "group.created",
            "seats.transferred",
            "group.deleted"
        ]
    );
    // Both are about the source group, in order after its creation.
    assert_eq!((e[2].subject.clone(), e[2].sequence), (subject(g1), 2));
    assert_eq!((e[3].subject.clone(), e[3].sequence), (subject(g1), 3));
    assert_eq!(e[2].data["target_group_id"], g2.to_string());
    assert_eq!(
        (
            e[2].data["quantity"].clone(),
            e[2].data["amount"].to_string()
        ),
        (2.into(), "160000.00".into())
    );
    assert_eq!(e[3].data["refunds"].as_array().map(Vec::len), Some(0));
    // An admin deletion lists the refunds it owes.
    db.delete_group(g2, &ctx(t0())).expect("delete");
    let e = stored(db);
    let last = e.last().expect("event");
    assert_eq!((last.kind.as_str(), last.sequence), ("group.deleted", 2));
    assert_eq!(last.subject, subject(g2));
    let refunds = last.data["refunds"].as_array().expect("refunds");
    assert_eq!(refunds.len(), 2, "b and a hold seats in g2");
    // Deleting again is refused and says nothing.
    assert!(db.delete_group(g2, &ctx(t0())).is_err());
    assert_eq!(stored(db).len(), e.len());
}

crate::on_both_backends!(
    a_group_fills_with_created_then_completed,
    expiry_says_failed_with_the_refunds_under_the_sweep_id,
    transfers_and_deletion_say_so,
);
