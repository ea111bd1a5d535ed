//! The audit chain: canonical encoding, sealing, and verification that names the first
//! entry that was edited, removed or relinked.

use super::*;
use proptest::prelude::*;
use serde_json::json;
use time::macros::datetime;
use time::Duration;

fn draft(i: i64) -> AuditDraft {
    AuditDraft {
        subject: "groupbuy:gb_0123456789abcdef0123456789abcdef".into(),
        actor: "user:alice".into(),
        org_id: Some("org_acme".into()),
        action: if i == 1 {
            "create"
        } else {
            "commitment.create"
        }
        .into(),
        from_status: (i > 1).then(|| "OPEN".into()),
        to_status: Some("OPEN".into()),
        request_id: format!("req-{i}"),
        details: json!({"quantity": i * 10, "member_id": "org_beta", "nested": {"b": 1, "a": [1, "x"]}}),
        at: datetime!(2026-11-23 12:00:00.123456789 UTC) + Duration::seconds(i),
    }
}

fn chain(n: i64) -> Vec<AuditRecord> {
    let mut records: Vec<AuditRecord> = Vec::new();
    for i in 1..=n {
        let prev = records
            .last()
            .map_or_else(|| GENESIS_HASH.to_owned(), |r| r.hash.clone());
        let id = audit_id(uuid::Uuid::from_u128(i as u128));
        records.push(draft(i).seal(i, id, prev));
    }
    records
}

#[test]
fn genesis_is_sixty_four_zeros() {
    assert_eq!(GENESIS_HASH.len(), 64);
    assert!(GENESIS_HASH.chars().all(|c| c == '0'));
}

#[test]
fn ids_are_prefixed_simple_uuids() {
    assert_eq!(
        audit_id(uuid::Uuid::from_u128(1)),
        "aud_00000000000000000000000000000001"
    );
}

#[test]
fn the_canonical_encoding_sorts_keys_and_writes_micros_in_utc() {
    let r = &chain(1)[0];
    assert_eq!(
        r.canonical(),
        concat!(
            r#"{"action":"create","actor":"user:alice","at":"2026-11-23T12:00:01.123456Z","#,
            r#""details":{"member_id":"org_beta","nested":{"a":[1,"x"],"b":1},"quantity":10},"#,
            r#""from_status":null,"id":"aud_00000000000000000000000000000001","org_id":"org_acme","#,
            r#""prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","#,
            r#""request_id":"req-1","seq":1,"#,
            r#""subject":"groupbuy:gb_0123456789abcdef0123456789abcdef","to_status":"OPEN"}"#
        )
    );
    assert_eq!(r.hash.len(), 64);
    assert!(r
        .hash
        .chars()
        .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));
    assert_eq!(r.hash, r.compute_hash());
}

#[test]
fn sealing_truncates_to_microseconds_so_a_database_round_trip_keeps_the_hash() {
    let r = &chain(1)[0];
    assert_eq!(r.at.nanosecond(), 123_456_000);
    // Read back in another offset and without the dropped nanoseconds: same hash.
    let mut back = r.clone();
    back.at =
        r.at.to_offset(time::UtcOffset::from_hms(3, 0, 0).expect("offset"));
    assert_eq!(back.compute_hash(), r.hash);
    // Details read back from text with keys in another order: same hash.
    back.details = serde_json::from_str(
        r#"{"quantity":10,"nested":{"b":1,"a":[1,"x"]},"member_id":"org_beta"}"#,
    )
    .expect("json");
    assert_eq!(back.compute_hash(), r.hash);
}

#[test]
fn an_intact_chain_is_valid_and_names_its_head() {
    let records = chain(4);
    let verdict = verify_chain(&records);
    assert_eq!(
        verdict,
        ChainVerdict {
            valid: true,
            entries: 4,
            head_hash: Some(records[3].hash.clone()),
            first_invalid_seq: None,
        }
    );
    assert_eq!(records[1].prev_hash, records[0].hash);
    assert_eq!(
        verify_chain(&[]),
        ChainVerdict {
            valid: true,
            entries: 0,
            head_hash: None,
            first_invalid_seq: None
        }
    );
}

#[test]
fn an_edited_entry_is_named() {
    let mut records = chain(4);
    records[2].details = json!({"quantity": 9999});
    let verdict = verify_chain(&records);
    assert!(!verdict.valid);
    assert_eq!(verdict.first_invalid_seq, Some(3));
    assert_eq!(verdict.entries, 4);
}

#[test]
fn a_removed_entry_is_a_gap_named_by_its_seq() {
    let mut records = chain(4);
    records.remove(1);
    assert_eq!(verify_chain(&records).first_invalid_seq, Some(2));
    let mut records = chain(4);
    records.remove(0);
    assert_eq!(verify_chain(&records).first_invalid_seq, Some(1));
}

#[test]
fn a_resealed_entry_breaks_the_next_link() {
    let mut records = chain(3);
    let mut forged = draft(2);
    forged.details = json!({"quantity": 1});
    records[1] = forged.seal(2, records[1].id.clone(), records[0].hash.clone());
    assert_eq!(verify_chain(&records).first_invalid_seq, Some(3));
}

fn flip_first(hex: &str) -> String {
    let first = if hex.starts_with('0') { '1' } else { '0' };
    format!("{first}{}", &hex[1..])
}

/// Changes field `field` (0..14) of `r` to something else.
fn tamper(r: &mut AuditRecord, field: usize) {
    let other = |s: &str| format!("{s}x");
    match field {
        0 => r.seq += 1,
        1 => r.id = other(&r.id),
        2 => r.subject = other(&r.subject),
        3 => r.actor = other(&r.actor),
        4 => r.org_id = r.org_id.as_ref().map_or(Some("org_x".into()), |_| None),
        5 => r.action = other(&r.action),
        6 => r.from_status = r.from_status.as_ref().map_or(Some("OPEN".into()), |_| None),
        7 => r.to_status = Some("CANCELLED".into()),
        8 => r.request_id = other(&r.request_id),
        9 => r.details["quantity"] = json!(r.details["quantity"].as_i64().unwrap_or(0) + 1),
        10 => r.at += Duration::microseconds(1),
        11 => r.prev_hash = flip_first(&r.prev_hash),
        12 => r.hash = flip_first(&r.hash),
        _ => r.details["nested"]["a"][1] = json!("y"),
    }
}

proptest! {
    #[test]
    fn any_edit_of_any_field_is_named_at_its_entry(
        n in 1i64..8,
        pick in 0usize..100,
        field in 0usize..14,
    ) {
        let mut records = chain(n);
        let at = pick % records.len();
        tamper(&mut records[at], field);
        let verdict = verify_chain(&records);
        prop_assert!(!verdict.valid);
        prop_assert_eq!(verdict.first_invalid_seq, Some(at as i64 + 1));
        prop_assert_eq!(verdict.entries, n as u64);
    }

    #[test]
    fn sealing_is_deterministic(n in 1i64..6) {
        prop_assert_eq!(chain(n), chain(n));
        prop_assert!(verify_chain(&chain(n)).valid);
    }
}
