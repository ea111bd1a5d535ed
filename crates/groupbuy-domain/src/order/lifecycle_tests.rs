//! Every transition of an order, allowed and refused, with what each moves and says.

use super::*;
use crate::error::DomainError;
use crate::money::Currency;
use crate::platform::{Audience, EventType};
use crate::IntoEnumIterator;

fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_760_000_000).expect("time")
}

fn merchant() -> Audience {
    Audience::User("merchant".into())
}

fn order(status: OrderStatus) -> Order {
    Order {
        id: Uuid::from_u128(7),
        origin: OrderOrigin::Group {
            group_instance_id: Uuid::from_u128(1),
            group_code: "GP-A3X7K9".into(),
            participant_id: Uuid::from_u128(3),
            product_id: Uuid::from_u128(4),
            shop_id: Uuid::from_u128(2),
        },
        user_id: "alice".into(),
        quantity: 2,
        unit_price: Money::from_minor(8_000_000, Currency::TZS),
        total_amount: Money::from_minor(16_000_000, Currency::TZS),
        commission: Money::from_minor(400_000, Currency::TZS),
        status,
        carrier: None,
        tracking_number: None,
        created_at: t0(),
        shipped_at: None,
        delivered_at: None,
        cancelled_at: None,
        cancel_reason: None,
    }
}

fn command(action: OrderAction) -> OrderCommand {
    match action {
        OrderAction::Ship => OrderCommand::Ship(Shipment::parse("DHL", "TRK-1").expect("valid")),
        OrderAction::Deliver => OrderCommand::Deliver,
        OrderAction::Cancel => {
            OrderCommand::Cancel(CancelReason::parse("Out of stock").expect("valid"))
        }
    }
}

/// The lifecycle's whole table: (from, action) -> to, everything else refused.
const ALLOWED: [(OrderStatus, OrderAction, OrderStatus); 3] = [
    (
        OrderStatus::Confirmed,
        OrderAction::Ship,
        OrderStatus::Shipped,
    ),
    (
        OrderStatus::Shipped,
        OrderAction::Deliver,
        OrderStatus::Delivered,
    ),
    (
        OrderStatus::Confirmed,
        OrderAction::Cancel,
        OrderStatus::Cancelled,
    ),
];

#[test]
fn every_status_and_action_is_allowed_exactly_as_the_lifecycle_says() {
    let mut refused = 0;
    for from in OrderStatus::iter() {
        for action in OrderAction::iter() {
            let allowed = ALLOWED
                .iter()
                .find(|(f, a, _)| *f == from && *a == action)
                .map(|(_, _, to)| *to);
            let later = t0() + time::Duration::hours(1);
            match (
                order(from).apply(command(action), &merchant(), later),
                allowed,
            ) {
                (Ok(change), Some(to)) => {
                    assert_eq!(change.before, from);
                    assert_eq!(change.order.status, to, "{from} {action}");
                    let [e] = change.events.as_slice() else {
                        panic!("one event");
                    };
                    assert_eq!(e.event_type, action.event_type());
                    assert_eq!(e.subject, format!("order:{}", Uuid::from_u128(7)));
                    assert_eq!(e.audience, merchant());
                    assert_eq!(e.data["status"], to.as_str());
                    assert_eq!(e.data["previous_status"], from.as_str());
                    assert_eq!(e.data["at"], "2025-10-09T09:53:20Z");
                }
                (Err(r), None) => {
                    refused += 1;
                    assert_eq!(r, OrderRefusal::of(action, from));
                    let err = DomainError::from(r.clone());
                    let DomainError::Conflict(c) = err else {
                        panic!("a refused transition is a 409");
                    };
                    assert_eq!(c.kind(), r.kind());
                    assert!(c.message().contains(&format!("with status: {from}")), "{c}");
                }
                (got, want) => panic!("{from} {action}: got {got:?}, want {want:?}"),
            }
        }
    }
    assert_eq!(refused, 9, "twelve pairs, three allowed");
}

#[test]
fn shipping_records_the_carrier_and_tracking_number_and_moves_no_money() {
    let change = order(OrderStatus::Confirmed)
        .apply(command(OrderAction::Ship), &merchant(), t0())
        .expect("ship");
    let o = &change.order;
    assert_eq!(
        (o.carrier.as_deref(), o.tracking_number.as_deref()),
        (Some("DHL"), Some("TRK-1"))
    );
    assert_eq!(o.shipped_at, Some(t0()));
    assert_eq!((change.refund, change.restock), (None, None));
    assert!(change.reversal.is_empty());
    assert_eq!(change.events[0].event_type, EventType::OrderShipped);
    assert_eq!(change.events[0].data["tracking_number"], "TRK-1");
    assert_eq!(change.events[0].data["refund"], serde_json::Value::Null);
    let delivered = o
        .apply(OrderCommand::Deliver, &merchant(), t0())
        .expect("deliver");
    assert_eq!(delivered.order.delivered_at, Some(t0()));
    assert_eq!(delivered.order.carrier.as_deref(), Some("DHL"), "kept");
    assert_eq!((delivered.refund, delivered.restock), (None, None));
    assert!(delivered.reversal.is_empty());
}

#[test]
fn cancelling_refunds_everything_to_the_buyer_and_restocks_the_units() {
    let change = order(OrderStatus::Confirmed)
        .apply(command(OrderAction::Cancel), &merchant(), t0())
        .expect("cancel");
    assert_eq!(
        change.refund,
        Some(OrderRefund {
            user_id: "alice".into(),
            amount: Money::from_minor(16_000_000, Currency::TZS),
            reference: format!("order-cancel:{}", Uuid::from_u128(7)),
        })
    );
    assert_eq!(
        change.restock,
        Some(Restock {
            product_id: Uuid::from_u128(4),
            quantity: 2
        })
    );
    assert_eq!(change.order.cancel_reason.as_deref(), Some("Out of stock"));
    assert_eq!(change.order.cancelled_at, Some(t0()));
    // The settlement is undone beside the refund: the commission back from the platform,
    // the total out of the merchant balance.
    assert_eq!(
        change.reversal,
        crate::ledger::reverse(&order(OrderStatus::Confirmed))
    );
    let merchant_out: i64 = change
        .reversal
        .iter()
        .filter(|p| p.account == crate::wallet::Account::merchant(Uuid::from_u128(2)))
        .map(|p| p.amount.minor())
        .sum();
    assert_eq!(merchant_out, -(16_000_000 - 400_000));
    let data = &change.events[0].data;
    assert_eq!(data["refund"].to_string(), "160000.00");
    assert_eq!(data["cancel_reason"], "Out of stock");
}

#[test]
fn refusals_name_the_status_and_what_is_allowed_with_their_own_types() {
    let cases = [
        (
            OrderRefusal::NotShippable(OrderStatus::Shipped),
            "order-not-shippable",
            "Cannot ship an order with status: SHIPPED. Only a CONFIRMED order can be shipped",
        ),
        (
            OrderRefusal::NotDeliverable(OrderStatus::Confirmed),
            "order-not-deliverable",
            "Cannot deliver an order with status: CONFIRMED. Only a SHIPPED order can be delivered",
        ),
        (
            OrderRefusal::NotCancellable(OrderStatus::Shipped),
            "order-not-cancellable",
            "Cannot cancel an order with status: SHIPPED. Only a CONFIRMED order can be cancelled",
        ),
        (
            OrderRefusal::ChangedMeanwhile,
            "order-changed-meanwhile",
            "The order changed meanwhile; retry",
        ),
    ];
    for (r, kind, text) in cases {
        assert_eq!((r.kind(), r.to_string().as_str()), (kind, text));
    }
}

#[test]
fn texts_are_trimmed_bounded_and_one_line() {
    let s = Shipment::parse("  DHL Express ", " 1Z999 ").expect("valid");
    assert_eq!((s.carrier(), s.tracking_number()), ("DHL Express", "1Z999"));
    let field = |e: DomainError| match e {
        DomainError::Validation { field, .. } => field,
        other => panic!("not a validation error: {other:?}"),
    };
    for (carrier, tracking, bad) in [
        ("", "x", "carrier"),
        ("   ", "x", "carrier"),
        ("DHL", "", "trackingNumber"),
        ("DHL", "a\0b", "trackingNumber"),
        ("D\nHL", "x", "carrier"),
        (&"c".repeat(101), "x", "carrier"),
        ("DHL", &"t".repeat(101), "trackingNumber"),
    ] {
        let err = Shipment::parse(carrier, tracking).expect_err("refused");
        assert_eq!(field(err), bad, "{carrier:?} {tracking:?}");
    }
    assert!(Shipment::parse(&"c".repeat(100), &"t".repeat(100)).is_ok());
    assert_eq!(
        CancelReason::parse(" Buyer asked ")
            .expect("valid")
            .as_str(),
        "Buyer asked"
    );
    for bad in ["", " ", "a\u{0}", "a\u{85}b", &"r".repeat(501)] {
        assert_eq!(
            field(CancelReason::parse(bad).expect_err("refused")),
            "reason"
        );
    }
}

#[test]
fn a_status_filter_parses_or_names_every_status() {
    assert_eq!(OrderStatus::parse("SHIPPED"), Ok(OrderStatus::Shipped));
    let err = OrderStatus::parse("LOST").expect_err("refused");
    assert_eq!(
        err,
        DomainError::invalid(
            "status",
            "Unknown status LOST; use CONFIRMED, SHIPPED, DELIVERED or CANCELLED"
        )
    );
}
