//! RFQ validation, preconditions and opening; fixtures the other sourcing tests share.

use super::*;
use crate::procurement::group_buy::tests::{caller, ctx, pool, t0};
use crate::procurement::rules::Rules;
use time::Duration;
use uuid::Uuid;

pub(crate) fn vendor(id: &str, name: &str) -> InvitedVendor {
    InvitedVendor {
        vendor_id: id.into(),
        name: name.into(),
        contact: None,
    }
}

/// Two invited vendors, due in two days.
pub(crate) fn draft() -> RfqDraft {
    RfqDraft::parse(
        vec![vendor("v_mills", "Mills Ltd"), vendor("v_farm", "Farm Co")],
        t0() + Duration::days(2),
        t0(),
    )
    .expect("valid")
}

/// A pool of `org_acme` at 120/100 by three members.
pub(crate) fn reached(rules: Rules) -> GroupBuy {
    GroupBuy {
        committed_quantity: 120,
        members: 3,
        target_reached_at: Some(t0()),
        ..pool(rules)
    }
}

/// `reached` opened: SOURCING with its RFQ.
pub(crate) fn sourcing(rules: Rules) -> (GroupBuy, Rfq) {
    let (rfq, t) = open_rfq(
        &reached(rules),
        "org_acme",
        draft(),
        RfqId::new(Uuid::from_u128(20)),
        &ctx(),
    )
    .expect("opens");
    (t.group_buy, rfq)
}

fn organiser_viewer(g: &GroupBuy) -> Viewer {
    Viewer::of(&caller("org_acme"), g, false)
}

fn invalid(err: DomainError) -> (String, String) {
    match err {
        DomainError::Validation { field, message } => (field, message),
        other => panic!("not a validation error: {other:?}"),
    }
}

#[test]
fn a_draft_names_each_bad_field() {
    let due = t0() + Duration::days(2);
    let parse = |vendors: Vec<InvitedVendor>, due| RfqDraft::parse(vendors, due, t0());
    let cases: Vec<(Result<RfqDraft, DomainError>, &str, &str)> = vec![
        (
            parse(vec![], due),
            "vendors",
            "vendors must list between 1 and 50 vendors",
        ),
        (
            parse(
                (0..51).map(|i| vendor(&format!("v{i}"), "V")).collect(),
                due,
            ),
            "vendors",
            "vendors must list between 1 and 50 vendors",
        ),
        (
            parse(vec![vendor("v1", "A"), vendor("  ", "B")], due),
            "vendors[1].vendor_id",
            "vendors[1].vendor_id must be between 1 and 200 characters",
        ),
        (
            parse(
                vec![vendor("v1", "A"), vendor("v2", "B"), vendor(" v1 ", "C")],
                due,
            ),
            "vendors[2].vendor_id",
            "vendors[2].vendor_id v1 is already vendors[0]; each vendor_id must be unique",
        ),
        (
            parse(vec![vendor("v1", &"x".repeat(201))], due),
            "vendors[0].name",
            "vendors[0].name must be between 1 and 200 characters",
        ),
        (
            parse(vec![vendor("v1", "A")], t0()),
            "due_date",
            "due_date must be in the future",
        ),
    ];
    for (result, field, message) in cases {
        let (f, m) = invalid(result.expect_err(field));
        assert_eq!((f.as_str(), m.as_str()), (field, message));
    }
}

#[test]
fn a_draft_trims_and_round_trips_through_its_job_payload() {
    let d = RfqDraft::parse(
        vec![InvitedVendor {
            vendor_id: " v1 ".into(),
            name: " Mills ".into(),
            contact: Some("  ".into()),
        }],
        t0() + Duration::days(1),
        t0(),
    )
    .expect("valid");
    assert_eq!(d.vendors, vec![vendor("v1", "Mills")]);
    assert_eq!(RfqDraft::from_payload(&d.to_payload()).expect("back"), d);
    assert!(matches!(
        RfqDraft::from_payload(&serde_json::json!({"x": 1})),
        Err(DomainError::Internal(_))
    ));
}

#[test]
fn only_the_organiser_may_open_an_rfq() {
    let g = reached(Rules::default());
    assert_eq!(check_can_open_rfq(&g, &organiser_viewer(&g), None), Ok(()));
    let member = Viewer::of(&caller("org_b"), &g, true);
    assert_eq!(
        check_can_open_rfq(&g, &member, None)
            .expect_err("member")
            .to_string(),
        "Only the organising organisation may open an RFQ for this group buy"
    );
    assert_eq!(
        check_can_open_rfq(&g, &organiser_viewer(&g), Some("\"9\""))
            .expect_err("stale")
            .status(),
        412
    );
}

#[test]
fn an_rfq_needs_commitments_and_the_target_unless_partial() {
    let empty = pool(Rules::default());
    let v = organiser_viewer(&empty);
    assert_eq!(
        check_can_open_rfq(&empty, &v, None)
            .expect_err("empty")
            .to_string(),
        "Cannot open an RFQ: the group buy has no commitments"
    );
    let short = GroupBuy {
        committed_quantity: 60,
        members: 2,
        ..pool(Rules::default())
    };
    assert_eq!(
        check_can_open_rfq(&short, &v, None)
            .expect_err("short")
            .to_string(),
        "Cannot open an RFQ: target not reached (60/100) and rules.allow_partial is false"
    );
    let partial = GroupBuy {
        rules: Rules {
            allow_partial: true,
            ..Rules::default()
        },
        ..short
    };
    assert_eq!(check_can_open_rfq(&partial, &v, None), Ok(()));
    let empty_partial = GroupBuy {
        rules: partial.rules.clone(),
        ..empty
    };
    assert_eq!(
        check_can_open_rfq(&empty_partial, &v, None),
        Err(SourcingRefusal::NoCommitments)
    );
}

#[test]
fn an_rfq_opens_only_from_open() {
    let (g, _) = sourcing(Rules::default());
    assert_eq!(
        check_can_open_rfq(&g, &organiser_viewer(&g), None)
            .expect_err("sourcing")
            .to_string(),
        "Cannot open an RFQ for a group buy in status SOURCING; allowed: cancel, allocate"
    );
}

#[test]
fn opening_moves_to_sourcing_and_says_so() {
    let before = reached(Rules::default());
    let (rfq, t) = open_rfq(
        &before,
        "org_acme",
        draft(),
        RfqId::new(Uuid::from_u128(20)),
        &ctx(),
    )
    .expect("opens");
    assert_eq!(t.group_buy.status, GroupBuyStatus::Sourcing);
    assert_eq!(t.group_buy.version, before.version + 1);
    assert_eq!(rfq.vendors.len(), 2);
    assert_eq!(rfq.opened_at, t0());
    assert_eq!(rfq.status(&t.group_buy, t0()), RfqStatus::Open);
    assert_eq!(rfq.status(&t.group_buy, rfq.due_date), RfqStatus::Closed);
    assert_eq!(rfq.vendor_names()["v_mills"], "Mills Ltd");
    // The organiser's event, then one invitation per vendor (notify_tests.rs).
    let [event, _mills, _farm] = t.events.as_slice() else {
        panic!("three events")
    };
    assert_eq!(event.event_type.as_str(), "rfq.opened");
    assert_eq!(
        event.audience,
        crate::platform::Audience::Organisation("org_acme".into())
    );
    assert_eq!(event.data["rfq_id"], "rfq_00000000000000000000000000000014");
    assert_eq!(event.data["status"], "SOURCING");
    assert_eq!(event.data["committed_quantity"], 120);
    assert_eq!(event.data["vendors"][1]["vendor_id"], "v_farm");
    let [entry] = t.audit.as_slice() else {
        panic!("one entry")
    };
    assert_eq!(entry.action, "rfq");
    assert_eq!(entry.from_status.as_deref(), Some("OPEN"));
    assert_eq!(entry.to_status.as_deref(), Some("SOURCING"));
    assert_eq!(entry.org_id.as_deref(), Some("org_acme"));
}

#[test]
fn the_job_checks_the_facts_again() {
    let withdrawn = GroupBuy {
        committed_quantity: 0,
        members: 0,
        ..reached(Rules::default())
    };
    let id = RfqId::new(Uuid::from_u128(20));
    let err = open_rfq(&withdrawn, "org_acme", draft(), id, &ctx()).expect_err("empty");
    assert_eq!(
        err.to_string(),
        "Cannot open an RFQ: the group buy has no commitments"
    );
    let late = ChangeContext {
        now: t0() + Duration::days(3),
        ..ctx()
    };
    let err = open_rfq(&reached(Rules::default()), "org_acme", draft(), id, &late)
        .expect_err("due date passed");
    assert_eq!(invalid(err).0, "due_date");
}
