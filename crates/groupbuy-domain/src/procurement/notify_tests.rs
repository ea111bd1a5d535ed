//! Each counterparty's events carry its own part and nothing of another party's.

use crate::platform::{Audience, DomainEvent, EventType};
use crate::procurement::group_buy::tests::ctx;
use crate::procurement::rules::Rules;
use crate::procurement::settle::tests::settled;
use crate::procurement::sourcing::award::tests::allocating;
use crate::procurement::sourcing::rfq::open_rfq;
use crate::procurement::sourcing::rfq::tests::{draft, reached};
use crate::procurement::RfqId;
use serde_json::Value;
use uuid::Uuid;

const MEMBERS: [&str; 3] = ["org_a", "org_b", "org_c"];
const VENDORS: [&str; 2] = ["v_mills", "v_farm"];

fn to(events: &[DomainEvent], audience: &Audience, t: EventType) -> Vec<Value> {
    events
        .iter()
        .filter(|e| &e.audience == audience && e.event_type == t)
        .map(|e| e.data.clone())
        .collect()
}

fn vendor(id: &str) -> Audience {
    Audience::User(id.into())
}

fn member(id: &str) -> Audience {
    Audience::Organisation(id.into())
}

/// Whether `data` names `party` anywhere (as an id, a counterparty, a member of a line).
fn names(data: &Value, party: &str) -> bool {
    data.to_string().contains(&format!("\"{party}\""))
}

#[test]
fn each_invited_vendor_gets_its_own_invitation_naming_no_one_else() {
    let (rfq, t) = open_rfq(
        &reached(Rules::default()),
        "org_acme",
        draft(),
        RfqId::new(Uuid::from_u128(20)),
        &ctx(),
    )
    .expect("opens");
    let kinds: Vec<(EventType, Audience)> = t
        .events
        .iter()
        .map(|e| (e.event_type, e.audience.clone()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (EventType::RfqOpened, member("org_acme")),
            (EventType::RfqInvited, vendor("v_mills")),
            (EventType::RfqInvited, vendor("v_farm")),
        ]
    );
    let mills = &to(&t.events, &vendor("v_mills"), EventType::RfqInvited)[0];
    assert_eq!(mills["vendor_id"], "v_mills");
    assert_eq!(mills["vendor_name"], "Mills Ltd");
    assert_eq!(mills["rfq_id"], rfq.id.to_string());
    assert_eq!(mills["quantity"], 120);
    assert_eq!(mills["due_date"], "2026-11-25T12:00:00Z");
    assert!(mills["items"].as_array().is_some_and(|i| !i.is_empty()));
    assert!(!names(mills, "v_farm"));
    for m in MEMBERS {
        assert!(!names(mills, m), "{m}");
    }
}

#[test]
fn allocation_tells_each_member_and_vendor_its_own_lines_only() {
    let (_, award, t) = allocating(Rules::default());
    let id = award.id;
    let all = to(&t.events, &member("org_acme"), EventType::AllocationCreated);
    assert_eq!(all.len(), 1);
    assert_eq!(t.events.len(), 1 + MEMBERS.len() + VENDORS.len());
    for m in MEMBERS {
        let mine = to(&t.events, &member(m), EventType::AllocationCreated);
        assert_eq!(mine.len(), 1, "{m}");
        let lines = mine[0]["allocation"]["results"].as_array().expect("lines");
        assert!(!lines.is_empty(), "{m}");
        assert!(lines.iter().all(|l| l["member_id"] == m), "{m}");
        for other in MEMBERS.iter().filter(|o| **o != m) {
            assert!(!names(&mine[0], other), "{m} reads {other}");
        }
        assert_eq!(mine[0]["allocation"]["id"], id.to_string());
    }
    for v in VENDORS {
        let mine = to(&t.events, &vendor(v), EventType::AllocationCreated);
        assert_eq!(mine.len(), 1, "{v}");
        let a = &mine[0]["allocation"];
        let lines = a["results"].as_array().expect("lines");
        assert!(lines.iter().all(|l| l["vendor_id"] == v), "{v}");
        assert_eq!(a["unfilled"], Value::Array(vec![]));
        let other = VENDORS.iter().find(|o| **o != v).expect("two vendors");
        assert!(!names(&mine[0], other), "{v} reads {other}");
        let units: i64 = lines.iter().filter_map(|l| l["quantity"].as_i64()).sum();
        assert_eq!(a["allocated_quantity"], units);
    }
}

#[test]
fn settlement_tells_each_member_its_receivable_and_each_vendor_its_payable() {
    let (_, record, t) = settled(Rules {
        organiser_fee_bps: 250,
        ..Rules::default()
    });
    let all = to(
        &t.events,
        &member("org_acme"),
        EventType::SettlementCompleted,
    );
    assert_eq!(all.len(), 1);
    assert_eq!(
        all[0]["settlement"]["documents"].as_array().map(Vec::len),
        Some(record.documents.len())
    );
    assert_eq!(t.events.len(), 1 + record.documents.len());
    let check = |audience: Audience, party: &str, kind: &str, others: &[&str]| {
        let mine = to(&t.events, &audience, EventType::SettlementCompleted);
        assert_eq!(mine.len(), 1, "{party}");
        let s = &mine[0]["settlement"];
        let docs = s["documents"].as_array().expect("documents");
        assert_eq!(docs.len(), 1, "{party}");
        assert_eq!(docs[0]["counterparty"], party);
        assert_eq!(docs[0]["type"], kind);
        let total = if kind == "PAYABLE" {
            &s["payables"]
        } else {
            &s["receivables"]
        };
        assert_eq!(total, &docs[0]["total"], "{party}");
        for other in others.iter().filter(|o| **o != party) {
            assert!(!names(&mine[0], other), "{party} reads {other}");
        }
    };
    for m in MEMBERS {
        check(member(m), m, "RECEIVABLE", &MEMBERS);
    }
    let paid: Vec<&str> = record
        .documents
        .iter()
        .filter(|d| d.document.kind.as_str() == "PAYABLE")
        .map(|d| d.document.counterparty.as_str())
        .collect();
    assert!(!paid.is_empty());
    for v in paid {
        check(vendor(v), v, "PAYABLE", &VENDORS);
    }
}
