//! The events group purchases emit and their payloads (`data`, snake_case, money as JSON
//! numbers with the currency's decimals, times RFC 3339 UTC).

use super::instance::GroupInstance;
use crate::money::Money;
use crate::order::Order;
use crate::platform::{rfc3339, Audience, DomainEvent, EventType};
use rust_decimal::Decimal;
use serde::Serialize;
use uuid::Uuid;

/// The subject of every event about a group: `group:<id>`.
pub fn group_subject(group_id: Uuid) -> String {
    format!("group:{group_id}")
}

/// Money paid back to one participant of a failed or deleted group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// The participation refunded.
    pub participant_id: Uuid,
    /// Who gets the money.
    pub user_id: String,
    /// How much: everything the participation held.
    pub amount: Money,
}

/// `data` of `group.created`.
#[derive(Debug, Serialize)]
struct Created<'a> {
    group_id: Uuid,
    code: &'a str,
    name: &'a str,
    product_id: Uuid,
    total_seats: i32,
    seats_occupied: i32,
    unit_price: Decimal,
    currency: &'a str,
    expires_at: String,
}

#[derive(Debug, Serialize)]
struct OrderLine<'a> {
    order_id: Uuid,
    user_id: &'a str,
    quantity: i32,
    total: Decimal,
}

/// `data` of `group.completed`.
#[derive(Debug, Serialize)]
struct Completed<'a> {
    group_id: Uuid,
    code: &'a str,
    product_id: Uuid,
    currency: &'a str,
    completed_at: String,
    orders: Vec<OrderLine<'a>>,
}

#[derive(Debug, Serialize)]
struct RefundLine<'a> {
    user_id: &'a str,
    amount: Decimal,
}

/// `data` of `group.failed` and `group.deleted`.
#[derive(Debug, Serialize)]
struct Closed<'a> {
    group_id: Uuid,
    code: &'a str,
    product_id: Uuid,
    currency: &'a str,
    status: &'a str,
    closed_at: String,
    refunds: Vec<RefundLine<'a>>,
}

/// `data` of `seats.transferred`.
#[derive(Debug, Serialize)]
struct Transferred<'a> {
    source_group_id: Uuid,
    target_group_id: Uuid,
    user_id: &'a str,
    quantity: i32,
    amount: Decimal,
    currency: &'a str,
}

fn event<T: Serialize>(t: EventType, g: &GroupInstance, to: &Audience, data: &T) -> DomainEvent {
    DomainEvent::new(t, group_subject(g.id), to.clone(), data)
}

/// `group.created` for a group as just opened.
pub(crate) fn created(g: &GroupInstance, to: &Audience) -> DomainEvent {
    let data = Created {
        group_id: g.id,
        code: g.code.as_str(),
        name: &g.name,
        product_id: g.product_id,
        total_seats: g.total_seats,
        seats_occupied: g.seats_occupied,
        unit_price: g.unit_price.to_decimal(),
        currency: g.unit_price.currency().code(),
        expires_at: rfc3339(g.expires_at),
    };
    event(EventType::GroupCreated, g, to, &data)
}

/// `group.completed` with its orders.
pub(crate) fn completed(g: &GroupInstance, orders: &[Order], to: &Audience) -> DomainEvent {
    let data = Completed {
        group_id: g.id,
        code: g.code.as_str(),
        product_id: g.product_id,
        currency: g.unit_price.currency().code(),
        completed_at: rfc3339(g.completed_at.unwrap_or(g.updated_at)),
        orders: orders
            .iter()
            .map(|o| OrderLine {
                order_id: o.id,
                user_id: &o.user_id,
                quantity: o.quantity,
                total: o.total_amount.to_decimal(),
            })
            .collect(),
    };
    event(EventType::GroupCompleted, g, to, &data)
}

/// `group.failed` or `group.deleted` (by `g.status`) with the refunds it owes.
pub(crate) fn closed(
    t: EventType,
    g: &GroupInstance,
    refunds: &[Refund],
    to: &Audience,
) -> DomainEvent {
    let data = Closed {
        group_id: g.id,
        code: g.code.as_str(),
        product_id: g.product_id,
        currency: g.unit_price.currency().code(),
        status: g.status.as_str(),
        closed_at: rfc3339(g.updated_at),
        refunds: refunds
            .iter()
            .map(|r| RefundLine {
                user_id: &r.user_id,
                amount: r.amount.to_decimal(),
            })
            .collect(),
    };
    event(t, g, to, &data)
}

/// `seats.transferred`, about the source group.
pub(crate) fn transferred(
    source: &GroupInstance,
    target: &GroupInstance,
    user_id: &str,
    quantity: i32,
    amount: Money,
    to: &Audience,
) -> DomainEvent {
    let data = Transferred {
        source_group_id: source.id,
        target_group_id: target.id,
        user_id,
        quantity,
        amount: amount.to_decimal(),
        currency: amount.currency().code(),
    };
    event(EventType::SeatsTransferred, source, to, &data)
}
