//! Every refusal of an order transition: its `Display` is the one place its text is
//! written, its kind names its RFC 9457 problem type, and each answers 409.

use super::lifecycle::{OrderAction, OrderStatus};
use crate::error::{DomainError, Refusal};
use thiserror::Error;

/// Why an order transition was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OrderRefusal {
    /// Shipping an order that is not CONFIRMED (already shipped, delivered or cancelled).
    #[error("Cannot ship an order with status: {0}. Only a {from} order can be shipped", from = OrderAction::Ship.allowed_from())]
    NotShippable(OrderStatus),
    /// Delivering an order that is not SHIPPED.
    #[error("Cannot deliver an order with status: {0}. Only a {from} order can be delivered", from = OrderAction::Deliver.allowed_from())]
    NotDeliverable(OrderStatus),
    /// Cancelling an order that is not CONFIRMED (shipped orders are not cancelled).
    #[error("Cannot cancel an order with status: {0}. Only a {from} order can be cancelled", from = OrderAction::Cancel.allowed_from())]
    NotCancellable(OrderStatus),
    /// The conditional write found the order changed after it was read, and the new state
    /// still allowed the change (a backstop: statuses only move forward).
    #[error("The order changed meanwhile; retry")]
    ChangedMeanwhile,
}

impl OrderRefusal {
    /// The refusal of `action` on an order that is `status`.
    pub fn of(action: OrderAction, status: OrderStatus) -> Self {
        match action {
            OrderAction::Ship => Self::NotShippable(status),
            OrderAction::Deliver => Self::NotDeliverable(status),
            OrderAction::Cancel => Self::NotCancellable(status),
        }
    }

    /// The slug of the refusal's problem type (`https://groupbuy.dev/problems/<kind>`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotShippable(_) => "order-not-shippable",
            Self::NotDeliverable(_) => "order-not-deliverable",
            Self::NotCancellable(_) => "order-not-cancellable",
            Self::ChangedMeanwhile => "order-changed-meanwhile",
        }
    }
}

/// The one conversion into the crate's error: every order refusal is a state conflict (409).
impl From<OrderRefusal> for DomainError {
    fn from(r: OrderRefusal) -> Self {
        DomainError::Conflict(Refusal::new(r.kind(), r.to_string()))
    }
}

/// The 404 for an order that does not exist or that the caller may not see or change.
pub fn order_not_found() -> DomainError {
    DomainError::NotFound("Order not found".into())
}
