//! The group transitions and their events: refusals with the spec's text and their kinds,
//! and the invariants (no overfill, one order or refund per ACTIVE participant, transfers
//! conserve seats and money).

use super::super::refusal::GroupPurchaseRefusal as Refused;
use super::super::rules::tests::{group, participant, product, t0};
use super::super::rules::TransferCheck;
use super::super::transfer::transfer;
use super::*;
use crate::error::DomainError;
use crate::money::Currency;
use crate::wallet::{Account, LedgerKind};
use proptest::prelude::*;
use time::Duration;

fn shop_owner() -> Audience {
    Audience::User("merchant".into())
}

fn seller(audience: &Audience) -> Seller<'_> {
    Seller {
        audience,
        commission: CommissionRate::ZERO,
    }
}

fn member(g: &GroupInstance, user: &str, qty: i32, status: ParticipantStatus) -> Participant {
    Participant {
        group_id: g.id,
        user_id: user.into(),
        status,
        ..participant(qty)
    }
}

fn open(quantity: i32, session_price: Money) -> Result<Transition<GroupInstance>, Refused> {
    GroupInstance::open(
        OpenGroup {
            id: Uuid::nil(),
            code: GroupCode::from_stored("GP-A3X7K9".into()),
            product: &product(),
            initiator_id: "alice",
            initiator_name: "Alice".into(),
            quantity,
            session_price,
            audience: &shop_owner(),
            commission: CommissionRate::ZERO,
        },
        t0(),
    )
}

#[test]
fn open_says_group_created_with_the_group() {
    let opened = open(2, product().group_price).expect("open");
    let g = &opened.state;
    assert_eq!((g.seats_occupied, g.total_seats), (2, 5));
    assert_eq!(g.name, "GP-A3X7K9-Headphones");
    assert_eq!(g.expires_at, t0() + Duration::hours(24));
    let [e] = opened.events.as_slice() else {
        panic!("one event")
    };
    assert_eq!(e.event_type, EventType::GroupCreated);
    assert_eq!(e.subject, format!("group:{}", Uuid::nil()));
    assert_eq!(e.audience, shop_owner());
    assert_eq!(e.data["code"], "GP-A3X7K9");
    assert_eq!(e.data["seats_occupied"], 2);
    assert_eq!(e.data["unit_price"].to_string(), "80000.00");
    assert_eq!(e.data["expires_at"], "2025-10-10T08:53:20Z");
}

#[test]
fn open_refusals_have_the_spec_text_and_their_kinds() {
    let err = open(8, product().group_price).unwrap_err();
    assert_eq!(err.to_string(), "Quantity (8) exceeds group max size (5)");
    assert_eq!(err.kind(), "exceeds-group-size");
    let other = Money::from_minor(1, Currency::TZS);
    let err = open(1, other).unwrap_err();
    assert_eq!(
        err.to_string(),
        "The group price changed to 80000.00; create a new checkout session"
    );
    match DomainError::from(err) {
        DomainError::Rule(r) => assert_eq!(r.kind(), "price-changed"),
        e => panic!("{e:?}"),
    }
    // "Not a participant" is seed 001's 404, not a 400.
    assert!(matches!(
        DomainError::from(Refused::NotParticipant),
        DomainError::NotFound(m) if m == "You are not a participant in the source group"
    ));
}

#[test]
fn join_takes_seats_or_refuses_with_the_spec_text() {
    let g = group(3, 2);
    let joined = g.join(1, 0, g.unit_price, t0()).expect("join");
    assert_eq!(joined.seats_occupied, 3);
    let full = joined.join(1, 0, g.unit_price, t0()).unwrap_err();
    assert_eq!(
        full,
        Refused::GroupFull {
            occupied: 3,
            total: 3
        }
    );
    assert_eq!(full.to_string(), "Group is full. Seats occupied: 3/3");
    assert_eq!(full.kind(), "group-full");
    let price = Money::from_minor(1, Currency::TZS);
    assert_eq!(
        g.join(1, 0, price, t0()).unwrap_err().to_string(),
        "Group price differs from the checkout session"
    );
    let late = g.join(1, 0, g.unit_price, g.expires_at).unwrap_err();
    assert_eq!(
        late.to_string(),
        "Group has expired at: 2025-10-10T08:53:20Z"
    );
}

#[test]
fn complete_orders_every_active_participant_once() {
    let g = group(4, 4);
    let ps = vec![
        member(&g, "a", 3, ParticipantStatus::Active),
        member(&g, "b", 1, ParticipantStatus::Active),
        member(&g, "c", 2, ParticipantStatus::TransferredOut),
    ];
    let mut n = 0u128;
    let done = g
        .complete(
            &ps,
            || {
                n += 1;
                Uuid::from_u128(n)
            },
            seller(&shop_owner()),
            t0(),
        )
        .expect("full");
    assert_eq!(done.group.status, GroupStatus::Completed);
    assert_eq!(done.group.completed_at, Some(t0()));
    let users: Vec<(&str, i32, Money)> = done
        .orders
        .iter()
        .map(|o| (o.user_id.as_str(), o.quantity, o.total_amount))
        .collect();
    assert_eq!(
        users,
        [("a", 3, ps[0].total_paid), ("b", 1, ps[1].total_paid)]
    );
    let [e] = done.events.as_slice() else {
        panic!("one event")
    };
    assert_eq!(e.event_type, EventType::GroupCompleted);
    assert_eq!(e.data["orders"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        e.data["orders"][0]["order_id"],
        Uuid::from_u128(1).to_string()
    );
    assert!(group(4, 3)
        .complete(&ps, Uuid::nil, seller(&shop_owner()), t0())
        .is_none());
    assert!(done
        .group
        .complete(&ps, Uuid::nil, seller(&shop_owner()), t0())
        .is_none());
}

#[test]
fn complete_charges_each_order_its_commission_once_and_settles_it() {
    let g = group(4, 4);
    let ps = vec![
        member(&g, "a", 3, ParticipantStatus::Active),
        member(&g, "b", 1, ParticipantStatus::Active),
    ];
    let owner = shop_owner();
    let rate = CommissionRate::from_bps(333, "commissionBps").expect("rate");
    let s = Seller {
        audience: &owner,
        commission: rate,
    };
    let done = g.complete(&ps, Uuid::new_v4, s, t0()).expect("full");
    for o in &done.orders {
        assert_eq!(o.commission, rate.on(o.total_amount));
    }
    let to = |account: &Account| -> i64 {
        done.settlement
            .iter()
            .filter(|p| &p.account == account)
            .map(|p| p.amount.minor())
            .sum()
    };
    let total: i64 = done.orders.iter().map(|o| o.total_amount.minor()).sum();
    let commission: i64 = done.orders.iter().map(|o| o.commission.minor()).sum();
    assert!(commission > 0);
    assert_eq!(to(&Account::merchant(g.shop_id)), total - commission);
    assert_eq!(to(&Account::platform()), commission);
    let settled = done
        .settlement
        .iter()
        .filter(|p| p.kind == LedgerKind::OrderSettled)
        .count();
    assert_eq!(settled, done.orders.len());
}

#[test]
fn fail_and_delete_refund_active_participants_or_refuse() {
    let g = group(5, 3);
    let ps = vec![
        member(&g, "a", 2, ParticipantStatus::Active),
        member(&g, "b", 1, ParticipantStatus::Active),
        member(&g, "c", 1, ParticipantStatus::Refunded),
    ];
    assert!(
        g.fail(&ps, &shop_owner(), t0()).is_none(),
        "not expired yet"
    );
    let failed = g.fail(&ps, &shop_owner(), g.expires_at).expect("expired");
    assert_eq!(failed.group.status, GroupStatus::Failed);
    let owed: Vec<(&str, Money)> = failed
        .refunds
        .iter()
        .map(|r| (r.user_id.as_str(), r.amount))
        .collect();
    assert_eq!(owed, [("a", ps[0].total_paid), ("b", ps[1].total_paid)]);
    assert_eq!(failed.events[0].event_type, EventType::GroupFailed);
    assert_eq!(
        failed.events[0].data["refunds"][0]["amount"].to_string(),
        "160000.00"
    );
    // A failed group's refunds were owed when it failed: deleting it owes nothing more.
    let deleted = failed
        .group
        .delete(&ps, &shop_owner(), t0())
        .expect("delete");
    assert!(deleted.refunds.is_empty());
    assert_eq!(deleted.events[0].event_type, EventType::GroupDeleted);
    let gone = deleted.group.delete(&ps, &shop_owner(), t0()).unwrap_err();
    assert_eq!(gone.to_string(), "Group is already deleted");
    let done = GroupInstance {
        status: GroupStatus::Completed,
        ..g.clone()
    };
    assert_eq!(
        done.delete(&ps, &shop_owner(), t0())
            .unwrap_err()
            .to_string(),
        "Cannot delete group with status: COMPLETED"
    );
    assert_eq!(
        g.delete(&ps, &shop_owner(), t0())
            .expect("open")
            .refunds
            .len(),
        2
    );
}

#[test]
fn rename_trims_or_refuses() {
    let g = group(5, 1);
    assert_eq!(
        g.rename("alice", "  Dar Deal ", t0()).expect("rename").name,
        "Dar Deal"
    );
    assert_eq!(
        g.rename("bob", "Dar Deal", t0()).unwrap_err(),
        Refused::NotInitiator
    );
    assert_eq!(
        g.rename("alice", "ab", t0()).unwrap_err(),
        Refused::NameLength
    );
}

#[test]
fn emptying_transfer_deletes_the_source_and_says_both() {
    let source = group(10, 2);
    let target = GroupInstance {
        id: Uuid::from_u128(7),
        ..group(10, 1)
    };
    let mine = member(&source, "alice", 2, ParticipantStatus::Active);
    let check = TransferCheck {
        source: &source,
        target: &target,
        mine_in_source: Some(&mine),
        held_in_target: 0,
        quantity: 2,
        now: t0(),
    };
    let plan = transfer(check, &shop_owner()).expect("transfer");
    assert!(plan.empties_source());
    assert_eq!(plan.mine.status, ParticipantStatus::TransferredOut);
    let kinds: Vec<EventType> = plan.events.iter().map(|e| e.event_type).collect();
    assert_eq!(
        kinds,
        [EventType::SeatsTransferred, EventType::GroupDeleted]
    );
    assert!(plan
        .events
        .iter()
        .all(|e| e.subject == format!("group:{}", source.id)));
    assert_eq!(
        plan.events[0].data["target_group_id"],
        target.id.to_string()
    );
    let refused = transfer(
        TransferCheck {
            quantity: 3,
            ..check
        },
        &shop_owner(),
    )
    .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "Not enough seats to transfer. You have: 2, requested: 3"
    );
}

proptest! {
    /// Joins the domain accepts never overfill, whatever their sizes and order.
    #[test]
    fn accepted_joins_never_overfill(total in 1i32..30, attempts in proptest::collection::vec((1i32..8, 0i32..3), 0..40)) {
        let mut g = group(total, 0);
        for (q, held) in attempts {
            if let Ok(next) = g.join(q, held, g.unit_price, t0()) {
                prop_assert_eq!(next.seats_occupied, g.seats_occupied + q);
                g = next;
            }
            prop_assert!(g.seats_occupied <= g.total_seats);
        }
    }

    /// Completion orders, and failure refunds, exactly the ACTIVE participants, for what they hold.
    #[test]
    fn one_order_or_refund_per_active_participant(members in proptest::collection::vec((1i32..5, 0usize..3), 1..12)) {
        let statuses = [ParticipantStatus::Active, ParticipantStatus::TransferredOut, ParticipantStatus::Refunded];
        let total: i32 = members.iter().map(|(q, _)| q).sum();
        let g = group(total, total);
        let ps: Vec<Participant> = members.iter().enumerate()
            .map(|(i, (q, s))| member(&g, &format!("u{i}"), *q, statuses[*s]))
            .collect();
        let active: Vec<(String, Money)> = ps.iter()
            .filter(|p| p.status == ParticipantStatus::Active)
            .map(|p| (p.user_id.clone(), p.total_paid))
            .collect();
        let done = g.complete(&ps, Uuid::new_v4, seller(&shop_owner()), t0()).expect("full");
        let ordered: Vec<(String, Money)> = done.orders.iter().map(|o| (o.user_id.clone(), o.total_amount)).collect();
        prop_assert_eq!(&ordered, &active);
        let failed = g.fail(&ps, &shop_owner(), g.expires_at).expect("expired");
        let refunded: Vec<(String, Money)> = failed.refunds.iter().map(|r| (r.user_id.clone(), r.amount)).collect();
        prop_assert_eq!(&refunded, &active);
    }

    /// A transfer conserves seats across the two groups and money across the two participations.
    #[test]
    fn transfers_conserve_seats_and_money(have in 1i32..10, want in 1i32..10, occupied in 0i32..10, paid_less in 0i64..100) {
        let source = group(10, have);
        let target = GroupInstance { id: Uuid::from_u128(7), ..group(10, occupied) };
        let mut mine = member(&source, "alice", have, ParticipantStatus::Active);
        mine.total_paid = Money::from_minor(mine.total_paid.minor() - paid_less, Currency::TZS);
        let check = TransferCheck { source: &source, target: &target, mine_in_source: Some(&mine), held_in_target: 0, quantity: want, now: t0() };
        if let Ok(plan) = transfer(check, &shop_owner()) {
            prop_assert_eq!(plan.source.seats_occupied + plan.target.seats_occupied, have + occupied);
            prop_assert!(plan.target.seats_occupied <= plan.target.total_seats);
            prop_assert_eq!(plan.mine.total_paid.minor() + plan.moved.minor(), mine.total_paid.minor());
            prop_assert!(plan.moved.minor() >= 0);
            prop_assert_eq!(plan.mine.quantity, have - want);
        }
    }
}
