//! An order's lifecycle: CONFIRMED -> SHIPPED -> DELIVERED, and CONFIRMED -> CANCELLED.
//! [`Order::apply`] takes the order as read, the merchant's command and `now`, and returns
//! everything the change moves (the order after it, the buyer's refund, the units back to
//! stock, the event) or a typed refusal; the store writes it conditionally on the status
//! it was decided from. Money movements of a later merchant ledger belong in
//! [`OrderChange`] beside the refund, decided here and written by the same transaction.

use super::events;
use super::refusal::OrderRefusal;
use super::text::{CancelReason, Shipment};
use super::Order;
use crate::error::DomainError;
use crate::money::Money;
use crate::names::{closed_set, listed};
use crate::platform::{Audience, DomainEvent, EventType};
use crate::wallet::Posting;
use time::OffsetDateTime;
use uuid::Uuid;

closed_set! {
    /// Where an order is; its list and names are derived (`strum`).
    #[derive(serde::Serialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    pub enum OrderStatus {
        /// Created when its group completed; paid, waiting to be shipped.
        Confirmed,
        /// Handed to a carrier, with a tracking number.
        Shipped,
        /// Received by the buyer.
        Delivered,
        /// Cancelled before shipment: the buyer was refunded, the units went back to stock.
        Cancelled,
    }
}

impl OrderStatus {
    /// Parses a status filter; `Validation` on field `status` otherwise.
    ///
    /// # Errors
    /// A name that is not an order status.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        s.parse().map_err(|_| {
            DomainError::invalid(
                "status",
                format!("Unknown status {s}; use {}", listed::<Self>(" or ")),
            )
        })
    }
}

closed_set! {
    /// What a merchant does to an order; the names are the routes' last segments.
    #[strum(serialize_all = "lowercase")]
    pub enum OrderAction {
        /// CONFIRMED -> SHIPPED.
        Ship,
        /// SHIPPED -> DELIVERED.
        Deliver,
        /// CONFIRMED -> CANCELLED.
        Cancel,
    }
}

impl OrderAction {
    /// The one status the action is allowed from: the whole transition table, with
    /// [`Self::target`].
    pub fn allowed_from(&self) -> OrderStatus {
        match self {
            Self::Ship | Self::Cancel => OrderStatus::Confirmed,
            Self::Deliver => OrderStatus::Shipped,
        }
    }

    /// The status the action leads to.
    pub fn target(&self) -> OrderStatus {
        match self {
            Self::Ship => OrderStatus::Shipped,
            Self::Deliver => OrderStatus::Delivered,
            Self::Cancel => OrderStatus::Cancelled,
        }
    }

    /// The event the action emits.
    pub fn event_type(&self) -> EventType {
        match self {
            Self::Ship => EventType::OrderShipped,
            Self::Deliver => EventType::OrderDelivered,
            Self::Cancel => EventType::OrderCancelled,
        }
    }
}

/// A merchant's command, its fields parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderCommand {
    /// Hand the order to a carrier.
    Ship(Shipment),
    /// Record that the buyer received it.
    Deliver,
    /// Cancel it before shipment, saying why.
    Cancel(CancelReason),
}

impl OrderCommand {
    /// Which action the command is.
    pub fn action(&self) -> OrderAction {
        match self {
            Self::Ship(_) => OrderAction::Ship,
            Self::Deliver => OrderAction::Deliver,
            Self::Cancel(_) => OrderAction::Cancel,
        }
    }
}

/// Money going back to the buyer's wallet when an order is cancelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRefund {
    /// The buyer.
    pub user_id: String,
    /// Everything the order holds.
    pub amount: Money,
    /// The ledger reference, `order-cancel:<order id>`: one per order.
    pub reference: String,
}

/// Units going back to a product's stock when an order is cancelled (its group's
/// completion took them out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Restock {
    /// The product.
    pub product_id: Uuid,
    /// The order's units.
    pub quantity: i64,
}

/// What a transition decided: written by the store in one transaction, conditionally on
/// `before`, so it happens at most once.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderChange {
    /// The status it was decided from.
    pub before: OrderStatus,
    /// The order after it.
    pub order: Order,
    /// The buyer's refund (cancellation only).
    pub refund: Option<OrderRefund>,
    /// The postings that undo the order's settlement (cancellation only), in the order
    /// they are written.
    pub reversal: Vec<Posting>,
    /// Units back to stock (cancellation of a group's order only).
    pub restock: Option<Restock>,
    /// `order.shipped`, `order.delivered` or `order.cancelled`, to the shop's owner.
    pub events: Vec<DomainEvent>,
}

impl Order {
    /// Applies a merchant's command at `now`; `audience` (the shop's owner) hears of it.
    ///
    /// # Errors
    /// [`OrderRefusal`] for any transition but the four of the lifecycle.
    pub fn apply(
        &self,
        command: OrderCommand,
        audience: &Audience,
        now: OffsetDateTime,
    ) -> Result<OrderChange, OrderRefusal> {
        let action = command.action();
        if self.status != action.allowed_from() {
            return Err(OrderRefusal::of(action, self.status));
        }
        let mut next = Self {
            status: action.target(),
            ..self.clone()
        };
        let (mut refund, mut restock, mut reversal) = (None, None, Vec::new());
        match command {
            OrderCommand::Ship(shipment) => {
                next.carrier = Some(shipment.carrier().to_owned());
                next.tracking_number = Some(shipment.tracking_number().to_owned());
                next.shipped_at = Some(now);
            }
            OrderCommand::Deliver => next.delivered_at = Some(now),
            OrderCommand::Cancel(reason) => {
                next.cancel_reason = Some(reason.as_str().to_owned());
                next.cancelled_at = Some(now);
                refund = Some(OrderRefund {
                    user_id: self.user_id.clone(),
                    amount: self.total_amount,
                    reference: crate::ledger::cancelled_reference(self),
                });
                reversal = crate::ledger::reverse(self);
                restock = self.origin.product_id().map(|product_id| Restock {
                    product_id,
                    quantity: i64::from(self.quantity),
                });
            }
        }
        let event = events::changed(action, self.status, &next, refund.as_ref(), audience, now);
        Ok(OrderChange {
            before: self.status,
            order: next,
            refund,
            reversal,
            restock,
            events: vec![event],
        })
    }
}
