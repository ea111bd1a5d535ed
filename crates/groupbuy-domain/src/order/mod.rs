//! Orders: what a completed group leaves its shop's merchant to ship. One order per ACTIVE
//! participant is created CONFIRMED when the group completes; the merchant (or a platform
//! admin) then ships and delivers it, or cancels it before shipment, which refunds the
//! buyer and gives the units back to stock. Its money settles into the shop's merchant
//! balance when it is created, less the platform's commission ([`crate::ledger`]). Every transition is decided here
//! ([`Order::apply`]) and written by the store with a conditional statement, so of two
//! concurrent transitions of one order exactly one happens.

mod events;
mod lifecycle;
mod origin;
mod ports;
mod refusal;
mod text;

#[cfg(test)]
mod lifecycle_tests;

pub use events::{created as order_created, order_subject};
pub use lifecycle::{OrderAction, OrderChange, OrderCommand, OrderRefund, OrderStatus, Restock};
pub use origin::{OrderOrigin, OrderSource};
#[cfg(feature = "mock")]
pub use ports::MockOrderStore;
pub use ports::OrderStore;
pub use refusal::{order_not_found, OrderRefusal};
pub use text::{CancelReason, Shipment};

use crate::money::Money;
use time::OffsetDateTime;
use uuid::Uuid;

/// An order: the units one buyer gets from a completed group, and where they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// Its id; events about it have the subject `order:<id>`.
    pub id: Uuid,
    /// Where it came from: a completed group (its shop sells it) or a paid campaign
    /// pre-order (its handle sells it).
    pub origin: OrderOrigin,
    /// The buyer's user id: the wallet a cancellation refunds.
    pub user_id: String,
    /// Units ordered: the seats the buyer held when the group completed, or the units pledged.
    pub quantity: i32,
    /// The group price locked when the group opened.
    pub unit_price: Money,
    /// The money paid for the units: settled into the shop's merchant balance when the
    /// order was created, given back to the buyer on cancellation.
    pub total_amount: Money,
    /// The platform's commission on `total_amount`, computed once when the order was
    /// created ([`crate::ledger::CommissionRate::on`]); a cancellation gives back exactly this.
    pub commission: Money,
    /// Where it is in its lifecycle.
    pub status: OrderStatus,
    /// Who carries it, once SHIPPED.
    pub carrier: Option<String>,
    /// The carrier's tracking number, once SHIPPED.
    pub tracking_number: Option<String>,
    /// When it was created (its group completed).
    pub created_at: OffsetDateTime,
    /// When it was shipped.
    pub shipped_at: Option<OffsetDateTime>,
    /// When it was delivered.
    pub delivered_at: Option<OffsetDateTime>,
    /// When it was cancelled.
    pub cancelled_at: Option<OffsetDateTime>,
    /// Why it was cancelled, as the merchant said.
    pub cancel_reason: Option<String>,
}
