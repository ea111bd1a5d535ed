//! The events of an order (`order.created` for a paid pre-order, then `order.shipped`,
//! `order.delivered`, `order.cancelled`), one payload for the four: snake_case, money as JSON numbers with
//! the currency's decimals, times RFC 3339 UTC.

use super::lifecycle::{OrderAction, OrderRefund, OrderStatus};
use super::Order;
use crate::platform::{rfc3339, Audience, DomainEvent, EventType};
use rust_decimal::Decimal;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// The subject of every event about an order: `order:<id>`.
pub fn order_subject(order_id: Uuid) -> String {
    format!("order:{order_id}")
}

/// `data` of the order events.
#[derive(Debug, Serialize)]
struct Changed<'a> {
    order_id: Uuid,
    shop_id: Option<Uuid>,
    user_id: &'a str,
    product_id: Option<Uuid>,
    group_id: Option<Uuid>,
    group_code: Option<&'a str>,
    group_buy_id: Option<Uuid>,
    handle: Option<&'a str>,
    quantity: i32,
    total: Decimal,
    currency: &'a str,
    status: OrderStatus,
    previous_status: Option<OrderStatus>,
    carrier: Option<&'a str>,
    tracking_number: Option<&'a str>,
    cancel_reason: Option<&'a str>,
    refund: Option<Decimal>,
    at: String,
}

/// The event of `action`, which took the order from `before` to `after` at `now`.
pub(super) fn changed(
    action: OrderAction,
    before: OrderStatus,
    after: &Order,
    refund: Option<&OrderRefund>,
    to: &Audience,
    now: OffsetDateTime,
) -> DomainEvent {
    said(action.event_type(), Some(before), after, refund, to, now)
}

/// `order.created`: a pre-order became `order` at `now` (a group's orders are named by
/// its `group.completed`).
pub fn created(order: &Order, to: &Audience, now: OffsetDateTime) -> DomainEvent {
    said(EventType::OrderCreated, None, order, None, to, now)
}

fn said(
    event_type: EventType,
    before: Option<OrderStatus>,
    after: &Order,
    refund: Option<&OrderRefund>,
    to: &Audience,
    now: OffsetDateTime,
) -> DomainEvent {
    let data = Changed {
        order_id: after.id,
        shop_id: after.origin.shop_id(),
        user_id: &after.user_id,
        product_id: after.origin.product_id(),
        group_id: after.origin.group_instance_id(),
        group_code: after.origin.group_code(),
        group_buy_id: after.origin.group_buy_id(),
        handle: after.origin.handle().map(|h| h.as_str()),
        quantity: after.quantity,
        total: after.total_amount.to_decimal(),
        currency: after.total_amount.currency().code(),
        status: after.status,
        previous_status: before,
        carrier: after.carrier.as_deref(),
        tracking_number: after.tracking_number.as_deref(),
        cancel_reason: after.cancel_reason.as_deref(),
        refund: refund.map(|r| r.amount.to_decimal()),
        at: rfc3339(now),
    };
    DomainEvent::new(event_type, order_subject(after.id), to.clone(), &data)
}
