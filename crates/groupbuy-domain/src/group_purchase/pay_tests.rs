//! Each rule of [`pay`]: what refuses a payment, and what a payment produces.

use super::super::instance::GroupCode;
use super::super::lifecycle::{OpenGroup, Seller};
use super::super::rules::tests::{group, participant, product, t0};
use super::*;
use crate::ledger::CommissionRate;
use crate::money::Currency;
use crate::platform::Audience;
use crate::platform::EventType;
use time::Duration;

fn tzs(minor: i64) -> Money {
    Money::from_minor(minor, Currency::TZS)
}

fn owner() -> Audience {
    Audience::User("merchant".into())
}

fn ids() -> PayIds {
    PayIds {
        debit: Uuid::from_u128(1),
        purchase: Uuid::from_u128(2),
        participant: Uuid::from_u128(3),
    }
}

/// Bob's pending session for `quantity` seats of `g` at its price.
fn session(g: &GroupInstance, quantity: i32) -> CheckoutSession {
    CheckoutSession {
        id: Uuid::from_u128(9),
        user_id: "bob".into(),
        product_id: g.product_id,
        quantity,
        unit_price: g.unit_price,
        total_amount: g.unit_price.times(i64::from(quantity)).expect("fits"),
        status: CheckoutStatus::PendingPayment,
        group_instance_id: Some(g.id),
        joins_existing: true,
        group_code: None,
        transaction_id: None,
        created_at: t0(),
        completed_at: None,
    }
}

fn join<'a>(
    s: &'a CheckoutSession,
    g: &'a GroupInstance,
    mine: Option<&'a Participant>,
    wallet: Money,
    completing: Option<Members<'a>>,
) -> Result<Payment, DomainError> {
    pay(
        PayRequest {
            session: s,
            into: PayInto::Join {
                group: g,
                completing,
            },
            participation: mine,
            wallet,
            buyer_name: "Bob",
            buyer_picture: None,
            ids: ids(),
            now: t0() + Duration::hours(1),
        },
        Uuid::new_v4,
    )
}

fn refusal(r: Result<Payment, DomainError>) -> String {
    match r {
        Err(e) => e.to_string(),
        Ok(_) => panic!("expected a refusal"),
    }
}

#[test]
fn a_join_debits_the_wallet_seats_the_buyer_and_pays_the_session() {
    let g = group(5, 1);
    let s = session(&g, 2);
    let paid = join(&s, &g, None, tzs(20_000_000), None).expect("paid");
    assert_eq!(paid.group.seats_occupied, 3);
    assert_eq!(paid.debit.id, ids().debit);
    assert_eq!(paid.debit.amount, tzs(-16_000_000));
    assert_eq!(paid.debit.balance_after, tzs(4_000_000));
    assert_eq!(paid.debit.kind, LedgerKind::Purchase);
    assert_eq!(paid.debit.reference, format!("checkout:{}", s.id));
    assert!(paid.new_participant);
    assert_eq!(paid.participant.id, ids().participant);
    assert_eq!(paid.participant.quantity, 2);
    assert_eq!(paid.participant.total_paid, tzs(16_000_000));
    assert_eq!(paid.purchase_id, ids().purchase);
    assert_eq!(paid.purchase.participant_id, paid.participant.id);
    assert_eq!(paid.purchase.transaction_id, paid.debit.id);
    assert_eq!(paid.session.status, CheckoutStatus::Completed);
    assert_eq!(paid.session.transaction_id, Some(paid.debit.id));
    assert_eq!(paid.session.group_code.as_deref(), Some("GP-A3X7K9"));
    assert!(paid.completion.is_none() && paid.events.is_empty());
}

#[test]
fn a_returning_buyer_grows_or_restarts_the_participation() {
    let g = group(5, 1);
    let s = session(&g, 1);
    let mine = Participant {
        group_id: g.id,
        user_id: "bob".into(),
        ..participant(1)
    };
    let grown = join(&s, &g, Some(&mine), tzs(8_000_000), None).expect("paid");
    assert!(!grown.new_participant);
    assert_eq!(grown.participant.id, mine.id);
    assert_eq!(
        (grown.participant.quantity, grown.participant.purchase_count),
        (2, 2)
    );
    assert_eq!(grown.participant.total_paid, tzs(16_000_000));
    let left = Participant {
        status: ParticipantStatus::TransferredOut,
        ..mine
    };
    let back = join(&s, &g, Some(&left), tzs(8_000_000), None).expect("paid");
    assert_eq!(back.participant.quantity, 1);
    assert_eq!(back.participant.status, ParticipantStatus::Active);
}

#[test]
fn insufficient_balance_refuses() {
    let g = group(5, 1);
    let s = session(&g, 2);
    let e = join(&s, &g, None, tzs(15_999_999), None).expect_err("short");
    assert!(
        matches!(e, DomainError::Rule(ref r) if r.kind() == "insufficient-balance"),
        "{e:?}"
    );
}

#[test]
fn a_wallet_in_another_currency_refuses() {
    let g = group(5, 1);
    let s = session(&g, 1);
    let e = join(
        &s,
        &g,
        None,
        Money::from_minor(99_000_000, Currency::parse("KWD").expect("supported")),
        None,
    )
    .expect_err("mismatch");
    assert!(
        matches!(e, DomainError::Conflict(ref r) if r.kind() == "currency-mismatch"),
        "{e:?}"
    );
}

#[test]
fn a_full_group_refuses() {
    let g = group(5, 5);
    let s = session(&g, 1);
    assert_eq!(
        refusal(join(&s, &g, None, tzs(99_000_000), None)),
        Refused::GroupFull {
            occupied: 5,
            total: 5
        }
        .to_string()
    );
}

#[test]
fn an_expired_group_refuses() {
    let g = GroupInstance {
        expires_at: t0(),
        ..group(5, 1)
    };
    let s = session(&g, 1);
    let e = join(&s, &g, None, tzs(99_000_000), None).expect_err("expired");
    assert_eq!(
        e.to_string(),
        DomainError::from(Refused::GroupExpired { expires_at: t0() }).to_string()
    );
}

#[test]
fn a_paid_session_refuses() {
    let g = group(5, 1);
    let s = CheckoutSession {
        status: CheckoutStatus::Completed,
        ..session(&g, 1)
    };
    assert_eq!(
        refusal(join(&s, &g, None, tzs(99_000_000), None)),
        Refused::PaidElsewhere.to_string()
    );
}

#[test]
fn a_changed_price_refuses() {
    let g = group(5, 1);
    let s = CheckoutSession {
        unit_price: tzs(7_000_000),
        total_amount: tzs(7_000_000),
        ..session(&g, 1)
    };
    assert_eq!(
        refusal(join(&s, &g, None, tzs(99_000_000), None)),
        Refused::SessionPriceDiffers.to_string()
    );
    let mut new = session(&g, 1);
    new.unit_price = tzs(7_000_000);
    new.total_amount = tzs(7_000_000);
    let opened = pay(
        PayRequest {
            session: &new,
            into: PayInto::Open(OpenGroup {
                id: Uuid::from_u128(7),
                code: GroupCode::from_stored("GP-B4Y8L2".into()),
                product: &product(),
                initiator_id: "bob",
                initiator_name: "Bob".into(),
                quantity: 1,
                session_price: new.unit_price,
                audience: &owner(),
                commission: CommissionRate::ZERO,
            }),
            participation: None,
            wallet: tzs(99_000_000),
            buyer_name: "Bob",
            buyer_picture: None,
            ids: ids(),
            now: t0(),
        },
        Uuid::new_v4,
    );
    assert_eq!(
        refusal(opened),
        Refused::GroupPriceChanged(tzs(8_000_000)).to_string()
    );
}

#[test]
fn opening_a_group_says_so_and_seats_the_initiator() {
    let p = product();
    let g = group(5, 0);
    let s = CheckoutSession {
        group_instance_id: None,
        joins_existing: false,
        ..session(&g, 2)
    };
    let paid = pay(
        PayRequest {
            session: &s,
            into: PayInto::Open(OpenGroup {
                id: Uuid::from_u128(7),
                code: GroupCode::from_stored("GP-B4Y8L2".into()),
                product: &p,
                initiator_id: "bob",
                initiator_name: "Bob".into(),
                quantity: 2,
                session_price: s.unit_price,
                audience: &owner(),
                commission: CommissionRate::ZERO,
            }),
            participation: None,
            wallet: tzs(16_000_000),
            buyer_name: "Bob",
            buyer_picture: None,
            ids: ids(),
            now: t0(),
        },
        Uuid::new_v4,
    )
    .expect("opened");
    assert_eq!(paid.group.id, Uuid::from_u128(7));
    assert_eq!(paid.participant.group_id, paid.group.id);
    assert_eq!(paid.session.group_instance_id, Some(paid.group.id));
    assert_eq!(paid.debit.balance_after, tzs(0));
    let kinds: Vec<EventType> = paid.events.iter().map(|e| e.event_type).collect();
    assert_eq!(kinds, vec![EventType::GroupCreated]);
}

#[test]
fn filling_the_group_completes_it_with_one_order_per_active_participant() {
    let g = group(5, 3);
    let member = |user: &str, qty: i32, status| Participant {
        group_id: g.id,
        user_id: user.into(),
        status,
        ..participant(qty)
    };
    let mine = member("bob", 1, ParticipantStatus::Active);
    let active = vec![
        member("alice", 2, ParticipantStatus::Active),
        mine.clone(),
        member("carol", 1, ParticipantStatus::TransferredOut),
    ];
    let s = session(&g, 2);
    let owner = owner();
    let members = Members {
        active: &active,
        seller: Seller {
            audience: &owner,
            commission: CommissionRate::ZERO,
        },
    };
    let paid = join(&s, &g, Some(&mine), tzs(16_000_000), Some(members)).expect("paid");
    let done = paid.completion.expect("completed");
    assert_eq!(
        done.group.status,
        super::super::instance::GroupStatus::Completed
    );
    let mut orders: Vec<(String, i32)> = done
        .orders
        .iter()
        .map(|o| (o.user_id.clone(), o.quantity))
        .collect();
    orders.sort();
    // Bob's order is for what he holds after this payment, once.
    assert_eq!(orders, vec![("alice".into(), 2), ("bob".into(), 3)]);
    let kinds: Vec<EventType> = paid.events.iter().map(|e| e.event_type).collect();
    assert_eq!(kinds, vec![EventType::GroupCompleted]);
    // Without the members a filling payment is decided, its completion left to the caller.
    let alone = join(&s, &g, Some(&mine), tzs(16_000_000), None).expect("paid");
    assert!(alone.group.is_full() && alone.completion.is_none());
}
