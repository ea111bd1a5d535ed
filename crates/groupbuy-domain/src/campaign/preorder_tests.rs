use super::*;
use crate::campaign::group_buy::tests::{draft_gb, t0};
use crate::campaign::interest::VisitorId;
use crate::money::Currency;
use crate::Refusal;

fn closed() -> GroupBuy {
    GroupBuy {
        status: GroupBuyStatus::Closed,
        closed_at: Some(t0()),
        ..draft_gb()
    }
}

fn interest(visitor: VisitorId, quantity: i64) -> Interest {
    Interest {
        id: Uuid::new_v4(),
        group_buy_id: Uuid::nil(),
        visitor,
        quantity,
        note: None,
        created_at: t0(),
        updated_at: t0(),
    }
}

fn conflict(err: DomainError) -> Refusal {
    match err {
        DomainError::Conflict(r) => r,
        other => panic!("expected a 409, got {other:?}"),
    }
}

#[test]
fn the_payment_window_is_one_hour_to_thirty_days() {
    for ok in [1, 48, MAX_PAYMENT_WINDOW_HOURS] {
        assert_eq!(
            PreorderTerms::parse(ok).expect("ok").payment_window_hours(),
            ok
        );
    }
    for bad in [0, -1, MAX_PAYMENT_WINDOW_HOURS + 1, i64::MAX] {
        match PreorderTerms::parse(bad) {
            Err(DomainError::Validation { field, message }) => {
                assert_eq!(field, "preorder.paymentWindowHours");
                assert_eq!(
                    message,
                    "preorder.paymentWindowHours must be between 1 and 720"
                );
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
    let terms = PreorderTerms::parse(48).expect("ok");
    assert_eq!(terms.deadline(t0()), t0() + Duration::hours(48));
}

#[test]
fn each_signed_in_pledge_opens_one_session_and_anonymous_interest_is_only_counted() {
    let campaign = closed();
    let interests = [
        interest(VisitorId::user("alice"), 3),
        interest(VisitorId::anonymous(Uuid::from_u128(7)), 5),
        interest(VisitorId::user("bob"), 1),
    ];
    let mut n = 0u128;
    let opened = open_preorders(
        &campaign,
        PreorderTerms::parse(24).expect("terms"),
        &interests,
        t0(),
        || {
            n += 1;
            Uuid::from_u128(n)
        },
    )
    .expect("opened");
    assert_eq!(opened.anonymous_interests, 1);
    assert_eq!(opened.pledged_quantity, 4);
    let who: Vec<(&str, i64)> = opened
        .preorders
        .iter()
        .map(|p| (p.user_id.as_str(), p.quantity))
        .collect();
    assert_eq!(who, [("alice", 3), ("bob", 1)]);
    let alice = &opened.preorders[0];
    assert_eq!(alice.id, Uuid::from_u128(1));
    assert_eq!(alice.group_buy_id, campaign.id);
    assert_eq!(alice.unit_price, campaign.unit_price);
    // 45,000.50 TZS x 3
    assert_eq!(
        alice.total_amount,
        Money::from_minor(13_500_150, Currency::TZS)
    );
    assert_eq!(alice.status, PreorderStatus::PendingPayment);
    assert_eq!(alice.expires_at, t0() + Duration::hours(24));
    assert_eq!(alice.settled_at, None);
}

#[test]
fn a_pledge_past_the_money_bound_refuses_the_whole_opening() {
    // Past the ledger's bound (10^15 minor units), and past i64 itself.
    for whale in [Money::MAX_MINOR / 4_500_050 + 1, i64::MAX / 2] {
        let interests = [
            interest(VisitorId::user("alice"), 1),
            interest(VisitorId::user("whale"), whale),
        ];
        let refused = open_preorders(
            &closed(),
            PreorderTerms::parse(1).expect("terms"),
            &interests,
            t0(),
            Uuid::new_v4,
        );
        match refused {
            Err(DomainError::Rule(r)) => assert_eq!(r.kind(), "amount-too-large", "{whale}"),
            other => panic!("{whale}: {other:?}"),
        }
    }
}

/// The session of Alice's pledge of two units, with a two-hour window.
fn alice_pledges_two() -> Preorder {
    let opened = open_preorders(
        &closed(),
        PreorderTerms::parse(2).expect("terms"),
        &[interest(VisitorId::user("alice"), 2)],
        t0(),
        Uuid::new_v4,
    )
    .expect("opened");
    opened.preorders[0].clone()
}

#[test]
fn a_session_is_paid_once_and_only_inside_its_window() {
    let session = &alice_pledges_two();
    let just_before = session.expires_at - Duration::seconds(1);
    let paid = session.pay(just_before).expect("paid in time");
    assert_eq!(paid.status, PreorderStatus::Paid);
    assert_eq!(paid.settled_at, Some(just_before));
    let twice = conflict(paid.pay(just_before).expect_err("once"));
    assert_eq!(twice.kind(), "preorder-paid");
    assert_eq!(twice.message(), "The pre-order is already paid");
    assert_eq!(
        paid.expire(session.expires_at),
        None,
        "a paid session stays paid"
    );
    // At the deadline, even before the sweep marks it, the window is closed.
    let late = conflict(session.pay(session.expires_at).expect_err("too late"));
    assert_eq!(late.kind(), "preorder-expired");
    assert_eq!(
        late.message(),
        "Cannot pay: the pre-order's payment window closed at 2025-10-09T10:53:20Z"
    );
}

#[test]
fn the_sweep_expires_only_unpaid_sessions_past_their_deadline() {
    let session = &alice_pledges_two();
    assert_eq!(
        session.expire(session.expires_at - Duration::seconds(1)),
        None
    );
    let expired = session.expire(session.expires_at).expect("expired");
    assert_eq!(expired.status, PreorderStatus::Expired);
    assert_eq!(expired.settled_at, Some(session.expires_at));
    assert_eq!(
        expired.expire(session.expires_at + Duration::hours(1)),
        None
    );
    let refused = conflict(expired.pay(session.expires_at).expect_err("expired"));
    assert_eq!(refused.kind(), "preorder-expired");
}

#[test]
fn paying_makes_an_order_of_the_handle_and_posts_debit_settlement_and_commission() {
    use crate::ledger::CommissionRate;
    use crate::order::{OrderOrigin, OrderStatus};
    use crate::platform::{Audience, EventType};
    use crate::wallet::{Account, LedgerKind};
    let campaign = closed();
    let session = alice_pledges_two();
    let owner = Audience::User("owner".into());
    let rate = CommissionRate::from_bps(250, "bps").expect("rate");
    let order_id = Uuid::from_u128(99);
    let at = session.expires_at - Duration::minutes(5);
    let paid = session
        .pay_into_order(&campaign, rate, order_id, &owner, at)
        .expect("paid");
    assert_eq!(paid.preorder.status, PreorderStatus::Paid);
    let o = &paid.order;
    assert_eq!(o.id, order_id);
    assert_eq!(o.status, OrderStatus::Confirmed);
    assert_eq!(o.user_id, "alice");
    assert_eq!(o.quantity, 2);
    assert_eq!(
        o.origin,
        OrderOrigin::Preorder {
            group_buy_id: campaign.id,
            handle: campaign.handle.clone(),
            preorder_id: session.id,
        }
    );
    // 90,001.00 TZS at 2.5%: 2,250.025 rounds half-up to 2,250.03.
    assert_eq!(o.total_amount, Money::from_minor(9_000_100, Currency::TZS));
    assert_eq!(o.commission, Money::from_minor(225_003, Currency::TZS));
    let lines: Vec<(Account, LedgerKind, i64)> = paid
        .postings
        .iter()
        .map(|p| (p.account.clone(), p.kind, p.amount.minor()))
        .collect();
    let merchant = Account::handle_merchant(&campaign.handle);
    assert_eq!(
        lines,
        [
            (Account::wallet("alice"), LedgerKind::Purchase, -9_000_100),
            (merchant.clone(), LedgerKind::OrderSettled, 9_000_100),
            (merchant, LedgerKind::Commission, -225_003),
            (Account::platform(), LedgerKind::Commission, 225_003),
        ]
    );
    assert_eq!(
        paid.postings.iter().map(|p| p.amount.minor()).sum::<i64>(),
        0,
        "the debit leaves the wallet and lands, whole, on merchant and platform"
    );
    assert!(paid
        .postings
        .iter()
        .all(|p| p.reference.ends_with(&session.id.to_string())
            || p.reference == format!("order:{order_id}")));
    assert_eq!(paid.events.len(), 1);
    assert_eq!(paid.events[0].event_type, EventType::OrderCreated);
    assert_eq!(paid.events[0].audience, owner);
    assert_eq!(paid.events[0].data["handle"], campaign.handle.as_str());
    assert_eq!(
        paid.events[0].data["previous_status"],
        serde_json::Value::Null
    );
    // Late or twice: refused whole, nothing to post.
    let late = session.pay_into_order(&campaign, rate, order_id, &owner, session.expires_at);
    assert_eq!(conflict(late.expect_err("late")).kind(), "preorder-expired");
}

#[test]
fn the_opening_says_counts_and_money_never_who_pledged() {
    use crate::platform::{Audience, EventType};
    let campaign = closed();
    let opened = open_preorders(
        &campaign,
        PreorderTerms::parse(24).expect("terms"),
        &[
            interest(VisitorId::user("alice"), 3),
            interest(VisitorId::anonymous(Uuid::from_u128(7)), 5),
            interest(VisitorId::user("bob"), 1),
        ],
        t0(),
        Uuid::new_v4,
    )
    .expect("opened");
    let said = opened.event(&campaign, &Audience::User("owner".into()), t0());
    assert_eq!(said.event_type, EventType::CampaignPreordersOpened);
    assert_eq!(said.data["sessions"], 2);
    assert_eq!(said.data["pledged_quantity"], 4);
    assert_eq!(said.data["anonymous_interests"], 1);
    // 45,000.50 x 4
    assert_eq!(said.data["total"].to_string(), "180002.00");
    assert!(!said.data.to_string().contains("alice"));
}
