//! Statuses, actions, stats, overlap and draft validation; the fixtures the other
//! procurement tests share.

use super::*;
use crate::money::Currency;
use crate::platform::ChangeContext;
use crate::principal::Principal;
use crate::procurement::draft::{GroupBuyDraft, GroupBuyFields};
use crate::procurement::ids::GroupBuyId;
use crate::procurement::rules::Rules;
use crate::DomainError;
use crate::IntoEnumIterator;
use serde_json::json;
use time::macros::datetime;
use time::Duration;
use uuid::Uuid;

/// The instant every test happens at.
pub(crate) fn t0() -> OffsetDateTime {
    datetime!(2026-11-23 12:00:00 UTC)
}

/// A change by `user:alice` at [`t0`].
pub(crate) fn ctx() -> ChangeContext {
    ChangeContext::new("user:alice", "req-1", t0())
}

/// A caller of `org` with read and write scopes.
pub(crate) fn caller(org: &str) -> Principal {
    Principal {
        user_id: format!("{org}-buyer"),
        scopes: vec!["groupbuy:read".into(), "groupbuy:write".into()],
        org_id: Some(org.into()),
        ..Principal::default()
    }
}

pub(crate) fn item(sku: &str) -> Item {
    Item {
        sku: sku.into(),
        name: format!("Item {sku}"),
        unit: "box".into(),
        quantity_per_unit: Some(12),
        unit_code: None,
    }
}

/// An OPEN pool of `org_acme`: target 100, min 5, deadline a week ahead, in USD.
pub(crate) fn pool(rules: Rules) -> GroupBuy {
    GroupBuy {
        id: GroupBuyId::new(Uuid::from_u128(1)),
        title: "Nitrile gloves".into(),
        description: None,
        items: vec![item("GLV-M"), item("GLV-L")],
        target_quantity: 100,
        min_commitment: 5,
        deadline: t0() + Duration::days(7),
        currency: Currency::parse("USD").expect("usd"),
        rules,
        status: GroupBuyStatus::Open,
        org_id: "org_acme".into(),
        created_by: "org_acme-buyer".into(),
        created_at: t0() - Duration::days(1),
        updated_at: t0() - Duration::days(1),
        version: 1,
        committed_quantity: 0,
        members: 0,
        target_reached_at: None,
    }
}

pub(crate) fn fields() -> GroupBuyFields {
    GroupBuyFields {
        title: "  Nitrile gloves  ".into(),
        description: Some("For the clinics".into()),
        items: vec![item("GLV-M"), item("GLV-L")],
        target_quantity: 100,
        min_commitment: 5,
        deadline: t0() + Duration::days(7),
        currency: None,
        rules: json!({"max_quantity": 150, "max_per_member": 40}),
    }
}

#[test]
fn statuses_have_uppercase_wire_names_and_parse_back() {
    for s in GroupBuyStatus::iter() {
        assert_eq!(GroupBuyStatus::parse(s.as_str()).expect("known"), s);
        assert_eq!(
            GroupBuyStatus::parse(&s.as_str().to_lowercase()).expect("known"),
            s
        );
        assert_eq!(serde_json::to_value(s).expect("json"), json!(s.as_str()));
    }
    let err = GroupBuyStatus::parse("DONE").expect_err("unknown");
    assert_eq!(
        err,
        DomainError::invalid(
            "status",
            "Unknown status DONE; use one of OPEN, SOURCING, ALLOCATED, SETTLED, CANCELLED, EXPIRED"
        )
    );
}

#[test]
fn each_status_allows_its_actions_and_names_them_when_refusing() {
    use Action::*;
    let allowed = |s: GroupBuyStatus| s.allowed_actions().to_vec();
    assert_eq!(
        allowed(GroupBuyStatus::Open),
        vec![Commit, Withdraw, Cancel, Rfq]
    );
    assert_eq!(allowed(GroupBuyStatus::Sourcing), vec![Cancel, Allocate]);
    assert_eq!(allowed(GroupBuyStatus::Allocated), vec![Settle]);
    for s in [
        GroupBuyStatus::Settled,
        GroupBuyStatus::Cancelled,
        GroupBuyStatus::Expired,
    ] {
        assert!(s.is_final());
    }
    let mut g = pool(Rules::default());
    g.status = GroupBuyStatus::Sourcing;
    assert_eq!(
        g.check_action(Commit).expect_err("closed").to_string(),
        "Cannot commit to a group buy in status SOURCING; allowed: cancel, allocate"
    );
    g.status = GroupBuyStatus::Cancelled;
    assert_eq!(
        g.check_action(Cancel).expect_err("final").to_string(),
        "Cannot cancel a group buy in status CANCELLED; allowed: none"
    );
    g.status = GroupBuyStatus::Open;
    assert_eq!(
        g.check_action(Settle).expect_err("open").to_string(),
        "Cannot settle a group buy in status OPEN; allowed: commit, withdraw, cancel, rfq"
    );
    g.status = GroupBuyStatus::Settled;
    assert_eq!(
        g.check_action(Settle).expect_err("twice").to_string(),
        "Group buy already settled"
    );
    g.status = GroupBuyStatus::Open;
    assert!(g.check_action(Expire).is_ok());
    g.status = GroupBuyStatus::Sourcing;
    assert!(g.check_action(Expire).is_err());
    for a in Action::iter() {
        assert!(!a.as_str().is_empty() && !a.verb().is_empty());
    }
}

#[test]
fn stats_round_progress_to_two_decimals_without_a_cap() {
    let mut g = pool(Rules {
        max_quantity: Some(150),
        ..Rules::default()
    });
    g.target_quantity = 3;
    g.committed_quantity = 1;
    g.members = 1;
    let s = g.stats();
    assert_eq!(s.progress_percentage.to_string(), "33.33");
    assert_eq!(s.remaining_capacity, Some(149));
    assert!(!s.target_reached);
    g.committed_quantity = 5;
    let s = g.stats();
    assert_eq!(s.progress_percentage.to_string(), "166.67");
    assert!(s.target_reached);
    g.rules.max_quantity = None;
    assert_eq!(g.stats().remaining_capacity, None);
    assert_eq!(
        serde_json::to_value(g.stats()).expect("json")["progress_percentage"].to_string(),
        "166.67"
    );
}

#[test]
fn the_etag_is_the_quoted_version_and_the_subject_names_the_pool() {
    let g = pool(Rules::default());
    assert_eq!(g.etag(), "\"1\"");
    assert_eq!(g.subject(), "groupbuy:gb_00000000000000000000000000000001");
}

#[test]
fn commitments_close_at_the_deadline_naming_it() {
    let g = pool(Rules::default());
    assert!(g.check_commitments_open(Action::Commit, t0()).is_ok());
    let err = g
        .check_commitments_open(Action::Commit, g.deadline)
        .expect_err("at the deadline");
    assert_eq!(
        err.to_string(),
        "The deadline of this group buy passed at 2026-11-30T12:00:00Z; commitments are closed"
    );
}

#[test]
fn an_open_pool_of_the_same_org_with_a_shared_sku_overlaps() {
    let other = pool(Rules::default());
    let now = t0();
    let items = vec![item("MASK"), item("GLV-L")];
    assert_eq!(overlap("org_acme", &items, &other, now), Some("GLV-L"));
    assert!(overlaps("org_acme", &items, &other, now));
    assert!(!overlaps("org_beta", &items, &other, now), "other org");
    assert!(
        !overlaps("org_acme", &[item("MASK")], &other, now),
        "no shared sku"
    );
    assert!(
        !overlaps("org_acme", &items, &other, other.deadline),
        "deadline passed"
    );
    let mut closed = other.clone();
    closed.status = GroupBuyStatus::Sourcing;
    assert!(!overlaps("org_acme", &items, &closed, now), "not OPEN");
    let err = check_overlap("org_acme", &items, &[closed, other], now).expect_err("overlap");
    assert_eq!(
        err.to_string(),
        "Overlaps group buy gb_00000000000000000000000000000001, OPEN until 2026-11-30T12:00:00Z, which already pools SKU GLV-L"
    );
    assert_eq!(err.kind(), "overlapping-group-buy");
}

#[test]
fn a_valid_draft_is_trimmed_and_defaulted() {
    let d = GroupBuyDraft::parse(fields(), t0()).expect("valid");
    assert_eq!(d.title, "Nitrile gloves");
    assert_eq!(d.currency.code(), "USD");
    assert_eq!(d.rules.max_quantity, Some(150));
    assert_eq!(d.rules.payment_terms_days, 30);
    let mut f = fields();
    f.currency = Some("eur".into());
    f.description = Some("   ".into());
    let d = GroupBuyDraft::parse(f, t0()).expect("valid");
    assert_eq!(d.currency.code(), "EUR");
    assert_eq!(d.description, None);
}

fn refused_field(change: impl FnOnce(&mut GroupBuyFields)) -> String {
    let mut f = fields();
    change(&mut f);
    match GroupBuyDraft::parse(f, t0()) {
        Err(DomainError::Validation { field, .. }) => field,
        other => panic!("expected a 422, got {other:?}"),
    }
}

#[test]
fn each_bad_field_is_named() {
    assert_eq!(refused_field(|f| f.title = " ".into()), "title");
    assert_eq!(refused_field(|f| f.title = "x".repeat(201)), "title");
    assert_eq!(
        refused_field(|f| f.description = Some("x".repeat(10_001))),
        "description"
    );
    assert_eq!(refused_field(|f| f.items.clear()), "items");
    assert_eq!(
        refused_field(|f| f.items = (0..101).map(|i| item(&i.to_string())).collect()),
        "items"
    );
    assert_eq!(
        refused_field(|f| f.items[1].sku = "GLV-M".into()),
        "items[1].sku"
    );
    assert_eq!(
        refused_field(|f| f.items[0].sku = "".into()),
        "items[0].sku"
    );
    assert_eq!(
        refused_field(|f| f.items[1].name = "".into()),
        "items[1].name"
    );
    assert_eq!(
        refused_field(|f| f.items[0].unit = "u".repeat(33)),
        "items[0].unit"
    );
    assert_eq!(
        refused_field(|f| f.items[0].quantity_per_unit = Some(0)),
        "items[0].quantity_per_unit"
    );
    assert_eq!(refused_field(|f| f.target_quantity = 0), "target_quantity");
    assert_eq!(refused_field(|f| f.min_commitment = 0), "min_commitment");
    assert_eq!(refused_field(|f| f.deadline = t0()), "deadline");
    assert_eq!(
        refused_field(|f| f.currency = Some("XYZ".into())),
        "currency"
    );
    assert_eq!(
        refused_field(|f| f.rules = json!({"colour": "red"})),
        "rules.colour"
    );
    assert_eq!(refused_field(|f| f.rules = json!([])), "rules");
}

#[test]
fn contradictory_rules_are_a_conflict_naming_the_rule() {
    let conflict = |rules: serde_json::Value, min: i64| {
        let mut f = fields();
        f.rules = rules;
        f.min_commitment = min;
        match GroupBuyDraft::parse(f, t0()) {
            Err(DomainError::Conflict(r)) => {
                assert_eq!(r.kind(), "contradictory-rules");
                r.to_string()
            }
            other => panic!("expected a 409, got {other:?}"),
        }
    };
    assert_eq!(
        conflict(json!({"max_quantity": 99}), 5),
        "Contradictory rules: rules.max_quantity (99) is less than target_quantity (100)"
    );
    assert_eq!(
        conflict(json!({"max_per_member": 4}), 5),
        "Contradictory rules: rules.max_per_member (4) is less than min_commitment (5)"
    );
    assert_eq!(
        conflict(json!({"max_quantity": 100}), 101),
        "Contradictory rules: min_commitment (101) is greater than rules.max_quantity (100)"
    );
    assert_eq!(
        conflict(json!({"eligible_orgs": []}), 5),
        "Contradictory rules: rules.eligible_orgs is empty, so no organisation could commit"
    );
}
