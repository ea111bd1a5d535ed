//! Commit and withdraw: every refusal in its order and with its text, the upsert's
//! 201/200, events only for the organiser, and capacity as a property.

use super::super::group_buy::tests::{caller, ctx, pool, t0};
use super::*;
use crate::procurement::rules::{Rules, Visibility};
use crate::Refusal;
use uuid::Uuid;

pub(super) fn cmt_id(n: u128) -> CommitmentId {
    CommitmentId::new(Uuid::from_u128(n))
}

pub(super) fn req(quantity: i64, ceiling: i64) -> CommitRequest {
    CommitRequest {
        quantity,
        price_ceiling: Decimal::from(ceiling),
        purchase_order_ref: None,
    }
}

pub(super) fn by<'a>(p: &'a Principal, existing: Option<&'a Commitment>) -> CommitmentChange<'a> {
    CommitmentChange {
        caller: p,
        existing,
        if_match: None,
    }
}

pub(super) fn capped(max_quantity: i64, max_per_member: Option<i64>) -> GroupBuy {
    pool(Rules {
        max_quantity: Some(max_quantity),
        max_per_member,
        ..Rules::default()
    })
}

#[test]
fn a_first_commitment_is_created_and_counted() {
    let g = capped(150, None);
    let beta = caller("org_beta");
    let d = g
        .commit(by(&beta, None), req(30, 12), cmt_id(1), &ctx())
        .expect("ok");
    assert!(d.created && d.changed && !d.target_reached_now);
    assert_eq!((d.delta_quantity, d.delta_members), (30, 1));
    let c = &d.commitment;
    assert_eq!(
        (c.id, c.group_buy_id, c.member_id.as_str()),
        (cmt_id(1), g.id, "org_beta")
    );
    assert_eq!(
        (c.quantity, c.price_ceiling.minor(), c.status),
        (30, 1200, CommitmentStatus::Active)
    );
    let n = &d.group_buy;
    assert_eq!(
        (n.committed_quantity, n.members, n.version, n.updated_at),
        (30, 1, 2, t0())
    );
    let [e] = d.events.as_slice() else {
        panic!("one event")
    };
    assert_eq!(e.event_type, EventType::CommitmentCreated);
    assert_eq!(
        e.audience,
        crate::platform::Audience::Organisation("org_acme".into())
    );
    assert_eq!(e.data["member_id"], "org_beta");
    assert_eq!(e.data["quantity"], 30);
    assert_eq!(e.data["previous_quantity"], serde_json::Value::Null);
    assert_eq!(e.data["price_ceiling"].to_string(), "12.00");
    assert_eq!(e.data["groupbuy_id"], g.id.to_string());
    let [a] = d.audit.as_slice() else {
        panic!("one entry")
    };
    assert_eq!(
        (a.action.as_str(), a.org_id.as_deref()),
        ("commitment.create", Some("org_beta"))
    );
    assert_eq!(a.details["price_ceiling"], "12.00");
}

#[test]
fn a_second_commit_replaces_quantity_and_ceiling() {
    let g = capped(150, None);
    let beta = caller("org_beta");
    let first = g
        .commit(by(&beta, None), req(30, 12), cmt_id(1), &ctx())
        .expect("ok");
    let g = first.group_buy;
    let d = g
        .commit(
            by(&beta, Some(&first.commitment)),
            req(20, 11),
            cmt_id(2),
            &ctx(),
        )
        .expect("ok");
    assert!(!d.created && d.changed);
    assert_eq!((d.delta_quantity, d.delta_members), (-10, 0));
    assert_eq!(
        d.commitment.id,
        cmt_id(1),
        "one commitment per organisation"
    );
    assert_eq!(d.group_buy.committed_quantity, 20);
    assert_eq!(d.events[0].event_type, EventType::CommitmentUpdated);
    assert_eq!(d.events[0].data["previous_quantity"], 30);
    assert_eq!(d.audit[0].action, "commitment.update");
    // The same values again change nothing.
    let same = d
        .group_buy
        .commit(
            by(&beta, Some(&d.commitment)),
            req(20, 11),
            cmt_id(3),
            &ctx(),
        )
        .expect("ok");
    assert!(!same.created && !same.changed);
    assert_eq!(same.group_buy, d.group_buy);
    assert!(same.events.is_empty() && same.audit.is_empty());
}

#[test]
fn a_withdrawn_commitment_is_renewed_as_new() {
    let g = capped(150, None);
    let beta = caller("org_beta");
    let first = g
        .commit(by(&beta, None), req(30, 12), cmt_id(1), &ctx())
        .expect("ok");
    let gone = first
        .group_buy
        .withdraw(by(&beta, Some(&first.commitment)), &ctx())
        .expect("withdrawn");
    let again = gone
        .group_buy
        .commit(
            by(&beta, Some(&gone.commitment)),
            req(10, 9),
            cmt_id(2),
            &ctx(),
        )
        .expect("renewed");
    assert!(again.created);
    assert_eq!((again.delta_quantity, again.delta_members), (10, 1));
    assert_eq!(again.commitment.id, cmt_id(1));
    assert_eq!(again.commitment.created_at, first.commitment.created_at);
    assert_eq!(again.events[0].event_type, EventType::CommitmentCreated);
}

#[test]
fn reaching_the_target_says_so_once() {
    let mut g = capped(150, None);
    g.committed_quantity = 90;
    g.members = 3;
    let beta = caller("org_beta");
    let d = g
        .commit(by(&beta, None), req(10, 12), cmt_id(1), &ctx())
        .expect("ok");
    assert!(d.target_reached_now);
    assert_eq!(d.group_buy.target_reached_at, Some(t0()));
    let kinds: Vec<_> = d.events.iter().map(|e| e.event_type).collect();
    assert_eq!(
        kinds,
        vec![
            EventType::CommitmentCreated,
            EventType::GroupBuyTargetReached
        ]
    );
    let actions: Vec<_> = d.audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, vec!["commitment.create", "target_reached"]);
    let gamma = caller("org_gamma");
    let d2 = d
        .group_buy
        .commit(by(&gamma, None), req(10, 12), cmt_id(2), &ctx())
        .expect("ok");
    assert!(!d2.target_reached_now);
    assert_eq!(d2.events.len(), 1);
}

fn refusal(r: Result<CommitDecision, DomainError>) -> DomainError {
    r.expect_err("refused")
}

#[test]
fn commit_refusals_in_order_with_their_texts() {
    let g = pool(Rules {
        eligible_orgs: Some(vec!["org_beta".into()]),
        max_quantity: Some(100),
        max_per_member: Some(40),
        ..Rules::default()
    });
    let beta = caller("org_beta");
    let mut no_org = beta.clone();
    no_org.org_id = None;
    assert_eq!(
        refusal(g.commit(by(&no_org, None), req(10, 1), cmt_id(1), &ctx())),
        DomainError::Forbidden(Refusal::new(
            "organisation-required",
            "Organisation required"
        ))
    );
    assert_eq!(
        refusal(g.commit(by(&caller("org_zeta"), None), req(10, 1), cmt_id(1), &ctx())),
        DomainError::Forbidden(Refusal::new(
            "not-eligible",
            "Organisation org_zeta is not eligible for this group buy"
        ))
    );
    let stale = CommitmentChange {
        if_match: Some("\"7\""),
        ..by(&beta, None)
    };
    assert!(matches!(
        refusal(g.commit(stale, req(10, 1), cmt_id(1), &ctx())),
        DomainError::PreconditionFailed(m) if m == "Precondition failed: the group buy's current ETag is \"1\""
    ));
    let mut sourcing = g.clone();
    sourcing.status = GroupBuyStatus::Sourcing;
    assert_eq!(
        refusal(sourcing.commit(by(&beta, None), req(1, 1), cmt_id(1), &ctx())).to_string(),
        "Cannot commit to a group buy in status SOURCING; allowed: cancel, allocate"
    );
    let late = ChangeContext::new("user:b", "r", g.deadline + time::Duration::SECOND);
    let err = refusal(g.commit(by(&beta, None), req(10, 1), cmt_id(1), &late));
    assert!(matches!(err, DomainError::Conflict(ref r) if r.kind() == "deadline-passed"));
    assert_eq!(
        refusal(g.commit(by(&beta, None), req(4, 1), cmt_id(1), &ctx())),
        DomainError::invalid(
            "quantity",
            "quantity must be an integer from min_commitment (5) to 1000000000"
        )
    );
    assert!(matches!(
        refusal(g.commit(by(&beta, None), req(10, 0), cmt_id(1), &ctx())),
        DomainError::Validation { field, .. } if field == "price_ceiling"
    ));
    let cents = CommitRequest {
        quantity: 10,
        price_ceiling: Decimal::new(1001, 3),
        purchase_order_ref: None,
    };
    assert!(g.commit(by(&beta, None), cents, cmt_id(1), &ctx()).is_err());
    assert_eq!(
        refusal(g.commit(by(&beta, None), req(41, 1), cmt_id(1), &ctx())),
        DomainError::Conflict(Refusal::new(
            "capacity-exceeded",
            "Capacity exceeded: 40 units remain"
        ))
    );
}

#[test]
fn capacity_counts_everyone_elses_commitments_and_not_ones_own() {
    let mut g = capped(100, None);
    g.committed_quantity = 90;
    g.members = 3;
    let beta = caller("org_beta");
    assert_eq!(
        refusal(g.commit(by(&beta, None), req(11, 1), cmt_id(1), &ctx())).to_string(),
        "Capacity exceeded: 10 units remain"
    );
    assert!(g
        .commit(by(&beta, None), req(10, 1), cmt_id(1), &ctx())
        .is_ok());
    // Holding 20 of the 90, beta may raise its own to 30.
    let own = Commitment {
        id: cmt_id(9),
        group_buy_id: g.id,
        member_id: "org_beta".into(),
        quantity: 20,
        price_ceiling: crate::money::Money::from_minor(100, g.currency),
        purchase_order_ref: None,
        status: CommitmentStatus::Active,
        created_at: t0(),
        updated_at: t0(),
    };
    assert!(g
        .commit(by(&beta, Some(&own)), req(30, 1), cmt_id(1), &ctx())
        .is_ok());
    assert_eq!(
        g.capacity_refusal(20).to_string(),
        "Capacity exceeded: 30 units remain"
    );
    g.committed_quantity = 100;
    assert_eq!(
        g.capacity_refusal(0).to_string(),
        "Capacity exceeded: 0 units remain"
    );
    assert_eq!(capped(100, Some(7)).capacity_for(0), Some(7));
    assert_eq!(pool(Rules::default()).capacity_for(0), None);
}

#[test]
fn withdrawing_uncounts_the_commitment() {
    let g = capped(150, None);
    let beta = caller("org_beta");
    let first = g
        .commit(by(&beta, None), req(30, 12), cmt_id(1), &ctx())
        .expect("ok");
    let d = first
        .group_buy
        .withdraw(by(&beta, Some(&first.commitment)), &ctx())
        .expect("withdrawn");
    assert_eq!((d.delta_quantity, d.delta_members), (-30, -1));
    assert_eq!(
        (d.group_buy.committed_quantity, d.group_buy.members),
        (0, 0)
    );
    assert_eq!(d.group_buy.version, 3);
    assert_eq!(
        (d.commitment.status, d.commitment.quantity),
        (CommitmentStatus::Withdrawn, 30)
    );
    assert_eq!(d.events[0].event_type, EventType::CommitmentWithdrawn);
    assert_eq!(d.events[0].data["status"], "WITHDRAWN");
    assert_eq!(d.audit[0].action, "commitment.withdraw");
    // Nothing left to withdraw.
    assert_eq!(
        d.group_buy.withdraw(by(&beta, Some(&d.commitment)), &ctx()),
        Err(DomainError::NotFound("Commitment not found".into()))
    );
    assert_eq!(
        g.withdraw(by(&beta, None), &ctx()),
        Err(DomainError::NotFound("Commitment not found".into()))
    );
}

#[test]
fn withdrawing_only_while_open_and_before_the_deadline() {
    let g = capped(150, None);
    let beta = caller("org_beta");
    let first = g
        .commit(by(&beta, None), req(30, 12), cmt_id(1), &ctx())
        .expect("ok");
    let mut closed = first.group_buy.clone();
    closed.status = GroupBuyStatus::Cancelled;
    let err = closed
        .withdraw(by(&beta, Some(&first.commitment)), &ctx())
        .expect_err("closed");
    assert_eq!(
        err.to_string(),
        "Cannot withdraw from a group buy in status CANCELLED; allowed: none"
    );
    let late = ChangeContext::new("user:b", "r", g.deadline);
    let err = first
        .group_buy
        .withdraw(by(&beta, Some(&first.commitment)), &late)
        .expect_err("late");
    assert!(matches!(err, DomainError::Conflict(ref r) if r.kind() == "deadline-passed"));
}

#[test]
fn a_private_pool_is_not_found_by_outsiders_but_is_by_its_members() {
    let mut g = pool(Rules {
        visibility: Visibility::Private,
        ..Rules::default()
    });
    let zeta = caller("org_zeta");
    assert_eq!(
        g.commit(by(&zeta, None), req(10, 1), cmt_id(1), &ctx()),
        Err(DomainError::NotFound("Group buy not found".into()))
    );
    assert_eq!(
        g.withdraw(by(&zeta, None), &ctx()),
        Err(DomainError::NotFound("Group buy not found".into()))
    );
    g.rules.eligible_orgs = Some(vec!["org_zeta".into()]);
    assert!(g
        .commit(by(&zeta, None), req(10, 1), cmt_id(1), &ctx())
        .is_ok());
}
