//! Creation, cancel, expiry, the target reached once, Procurement II's moves and If-Match.

use super::super::group_buy::tests::{caller, ctx, fields, pool, t0};
use super::*;
use crate::platform::{verify_chain, Audience, GENESIS_HASH};
use crate::procurement::rules::{Rules, Visibility};
use time::Duration;
use uuid::Uuid;

fn draft() -> GroupBuyDraft {
    GroupBuyDraft::parse(fields(), t0()).expect("valid")
}

fn new_id() -> GroupBuyId {
    GroupBuyId::new(Uuid::from_u128(42))
}

fn private_pool() -> GroupBuy {
    pool(Rules {
        visibility: Visibility::Private,
        eligible_orgs: Some(vec!["org_beta".into()]),
        ..Rules::default()
    })
}

#[test]
fn creating_opens_the_pool_at_version_one_and_says_so() {
    let t = draft()
        .create(new_id(), &caller("org_acme"), &[], &ctx())
        .expect("created");
    let g = &t.group_buy;
    assert_eq!((g.status, g.version), (GroupBuyStatus::Open, 1));
    assert_eq!(
        (g.org_id.as_str(), g.created_by.as_str()),
        ("org_acme", "org_acme-buyer")
    );
    assert_eq!((g.created_at, g.updated_at), (t0(), t0()));
    assert_eq!((g.committed_quantity, g.members), (0, 0));
    let [e] = t.events.as_slice() else {
        panic!("one event")
    };
    assert_eq!(e.event_type, EventType::GroupBuyCreated);
    assert_eq!(e.subject, "groupbuy:gb_0000000000000000000000000000002a");
    assert_eq!(e.audience, Audience::Organisation("org_acme".into()));
    assert_eq!(e.data["groupbuy_id"], "gb_0000000000000000000000000000002a");
    assert_eq!(e.data["status"], "OPEN");
    assert_eq!(e.data["deadline"], "2026-11-30T12:00:00Z");
    let [a] = t.audit.as_slice() else {
        panic!("one entry")
    };
    assert_eq!(a.action, "create");
    assert_eq!(
        (a.from_status.as_deref(), a.to_status.as_deref()),
        (None, Some("OPEN"))
    );
    assert_eq!(
        (a.actor.as_str(), a.request_id.as_str()),
        ("user:alice", "req-1")
    );
    assert_eq!(a.org_id.as_deref(), Some("org_acme"));
    assert_eq!(a.details["items"], serde_json::json!(["GLV-M", "GLV-L"]));
    assert_eq!(a.details["rules"]["max_quantity"], 150);
    let sealed = a.clone().seal(1, "aud_1".into(), GENESIS_HASH.into());
    assert!(verify_chain(&[sealed]).valid);
}

#[test]
fn creating_needs_an_organisation_and_no_overlap() {
    let mut no_org = caller("org_acme");
    no_org.org_id = None;
    let err = draft()
        .create(new_id(), &no_org, &[], &ctx())
        .expect_err("no org");
    assert_eq!(
        err,
        DomainError::Forbidden(crate::Refusal::new(
            "organisation-required",
            "Organisation required"
        ))
    );
    let other = pool(Rules::default());
    let err = draft()
        .create(
            new_id(),
            &caller("org_acme"),
            std::slice::from_ref(&other),
            &ctx(),
        )
        .expect_err("overlap");
    assert!(matches!(err, DomainError::Conflict(ref r) if r.kind() == "overlapping-group-buy"));
    assert!(err.to_string().contains("which already pools SKU GLV-M"));
    // Another organisation's pool of the same SKUs does not block.
    assert!(draft()
        .create(new_id(), &caller("org_beta"), &[other], &ctx())
        .is_ok());
}

#[test]
fn the_organiser_or_an_admin_cancels_open_or_sourcing_pools() {
    let g = pool(Rules::default());
    let organiser = Viewer::of(&caller("org_acme"), &g, false);
    let t = g.cancel(&organiser, None, &ctx()).expect("cancelled");
    assert_eq!(
        (t.group_buy.status, t.group_buy.version),
        (GroupBuyStatus::Cancelled, 2)
    );
    assert_eq!(t.group_buy.updated_at, t0());
    assert_eq!(t.events[0].event_type, EventType::GroupBuyCancelled);
    assert_eq!(t.events[0].data["previous_status"], "OPEN");
    assert_eq!(t.audit[0].action, "cancel");
    assert_eq!(t.audit[0].from_status.as_deref(), Some("OPEN"));
    assert_eq!(t.audit[0].to_status.as_deref(), Some("CANCELLED"));
    let mut sourcing = g.clone();
    sourcing.status = GroupBuyStatus::Sourcing;
    let mut admin = caller("org_ops");
    admin.roles = vec!["platform-admin".into()];
    let admin = Viewer::of(&admin, &sourcing, false);
    assert!(sourcing.cancel(&admin, Some("\"1\""), &ctx()).is_ok());
    let err = t
        .group_buy
        .cancel(&organiser, None, &ctx())
        .expect_err("twice");
    assert_eq!(
        err.to_string(),
        "Cannot cancel a group buy in status CANCELLED; allowed: none"
    );
    assert!(matches!(err, DomainError::Conflict(ref r) if r.kind() == "invalid-transition"));
}

#[test]
fn cancel_refuses_in_order_not_found_forbidden_precondition() {
    let g = private_pool();
    let outsider = Viewer::of(&caller("org_zeta"), &g, false);
    assert_eq!(
        g.cancel(&outsider, None, &ctx()),
        Err(DomainError::NotFound("Group buy not found".into()))
    );
    let member = Viewer::of(&caller("org_beta"), &g, false);
    let err = g
        .cancel(&member, Some("\"9\""), &ctx())
        .expect_err("not organiser");
    assert_eq!(
        err.to_string(),
        "Only the organising organisation may cancel this group buy"
    );
    assert!(matches!(err, DomainError::Forbidden(_)));
    let organiser = Viewer::of(&caller("org_acme"), &g, false);
    assert_eq!(
        g.cancel(&organiser, Some("\"9\""), &ctx()),
        Err(DomainError::PreconditionFailed(
            "Precondition failed: the group buy's current ETag is \"1\"".into()
        ))
    );
}

#[test]
fn if_match_takes_absent_star_and_the_current_strong_tag_only() {
    for ok in [
        None,
        Some(""),
        Some("*"),
        Some("\"3\""),
        Some(" \"2\", \"3\" "),
        Some("3"),
    ] {
        assert_eq!(check_if_match(3, ok), Ok(()), "{ok:?}");
    }
    for stale in ["\"2\"", "W/\"3\"", "\"3", "x", "\"03\""] {
        assert_eq!(
            check_if_match(3, Some(stale)),
            Err(ProcurementRefusal::StaleEtag(3)),
            "{stale}"
        );
    }
}

#[test]
fn the_sweep_expires_open_pools_past_deadline_below_target() {
    let mut g = pool(Rules::default());
    g.committed_quantity = 40;
    g.members = 2;
    let after = crate::platform::ChangeContext::new("system:expiry", "sweep-1", g.deadline);
    assert!(g.expire(&ctx()).is_none(), "before the deadline");
    let t = g.expire(&after).expect("due");
    assert_eq!(
        (t.group_buy.status, t.group_buy.version),
        (GroupBuyStatus::Expired, 2)
    );
    assert_eq!(t.events[0].event_type, EventType::GroupBuyExpired);
    assert_eq!(t.audit[0].action, "expire");
    assert_eq!(t.audit[0].org_id, None);
    assert_eq!(t.audit[0].actor, "system:expiry");
    assert!(t.group_buy.expire(&after).is_none(), "once");
    // Reached its target: stays OPEN awaiting the RFQ, taking no more commitments.
    let mut reached = g.clone();
    reached.committed_quantity = 100;
    assert!(reached.expire(&after).is_none());
    assert!(reached
        .check_commitments_open(Action::Commit, after.now)
        .is_err());
    // allow_partial keeps a pool with commitments, not an empty one.
    g.rules.allow_partial = true;
    assert!(g.expire(&after).is_none());
    g.committed_quantity = 0;
    g.members = 0;
    assert!(g.expire(&after).is_some());
    let mut cancelled = g.clone();
    cancelled.status = GroupBuyStatus::Cancelled;
    assert!(cancelled.expire(&after).is_none());
}

#[test]
fn the_target_is_marked_reached_once() {
    let mut g = pool(Rules::default());
    g.committed_quantity = 99;
    assert!(g.mark_target_reached(&ctx()).is_none());
    g.committed_quantity = 100;
    let t = g.mark_target_reached(&ctx()).expect("reached");
    assert_eq!(t.group_buy.target_reached_at, Some(t0()));
    assert_eq!(
        t.group_buy.version, g.version,
        "part of the change that reached it"
    );
    assert_eq!(t.events[0].event_type, EventType::GroupBuyTargetReached);
    assert_eq!(t.audit[0].action, "target_reached");
    assert!(t.group_buy.mark_target_reached(&ctx()).is_none());
}

#[test]
fn procurement_two_advances_through_the_same_checks() {
    let g = pool(Rules::default());
    let later =
        crate::platform::ChangeContext::new("user:alice", "req-2", t0() + Duration::hours(1));
    let details = serde_json::json!({"rfq_id": "rfq_1"});
    let (sourcing, entry) = g
        .advance(Action::Rfq, Some("org_acme"), details, &later)
        .expect("rfq");
    assert_eq!(
        (sourcing.status, sourcing.version),
        (GroupBuyStatus::Sourcing, 2)
    );
    assert_eq!(sourcing.updated_at, later.now);
    assert_eq!(entry.action, "rfq");
    assert_eq!(entry.details["rfq_id"], "rfq_1");
    let (allocated, _) = sourcing
        .advance(Action::Allocate, None, serde_json::Value::Null, &later)
        .expect("allocate");
    let (settled, _) = allocated
        .advance(Action::Settle, None, serde_json::Value::Null, &later)
        .expect("settle");
    assert_eq!(settled.status, GroupBuyStatus::Settled);
    assert_eq!(
        settled.advance(Action::Settle, None, serde_json::Value::Null, &later),
        Err(ProcurementRefusal::AlreadySettled)
    );
    assert!(g
        .advance(Action::Commit, None, serde_json::Value::Null, &later)
        .is_err());
    assert!(g
        .advance(Action::Allocate, None, serde_json::Value::Null, &later)
        .is_err());
}
