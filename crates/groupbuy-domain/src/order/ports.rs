//! The storage port of orders: the buyer's reads, the merchant's list and the
//! merchant's transitions, each one transaction.

use super::lifecycle::{OrderCommand, OrderStatus};
use super::Order;
use crate::error::DomainError;
use crate::page::Page;
use crate::platform::{Answer, ChangeContext};
use crate::principal::Principal;
use uuid::Uuid;

/// Storage of orders.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait OrderStore: Send + Sync {
    /// The buyer's orders, newest first.
    ///
    /// # Errors
    /// `Validation` for a bad cursor.
    fn my_orders(
        &self,
        user_id: &str,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<Order>, DomainError>;

    /// One of the buyer's orders.
    ///
    /// # Errors
    /// `NotFound` (`Order not found`) when missing or another user's.
    fn order(&self, user_id: &str, order_id: Uuid) -> Result<Order, DomainError>;

    /// A shop's orders, newest first, optionally of one status, for its owner or a
    /// platform admin.
    ///
    /// # Errors
    /// `NotFound` (`Shop not found with ID: ...`) when the shop is missing or the caller
    /// may not see it; `Validation` for a bad cursor.
    fn shop_orders(
        &self,
        caller: &Principal,
        shop_id: Uuid,
        status: Option<OrderStatus>,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<Order>, DomainError>;

    /// A campaign handle's orders (its paid pre-orders), newest first, optionally of one
    /// status, for the handle's owner or a platform admin.
    ///
    /// # Errors
    /// `NotFound` (the handle's) when the handle is missing or the caller may not see it;
    /// `Validation` for a bad cursor.
    fn handle_orders(
        &self,
        caller: &Principal,
        handle: &crate::campaign::Handle,
        status: Option<OrderStatus>,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<Order>, DomainError>;

    /// Ships, delivers or cancels an order of a shop the caller owns (or any, for a
    /// platform admin), in one transaction with its event and, for a cancellation, the
    /// buyer's refund and the restocked units. Of concurrent changes of one order exactly
    /// one happens; the others are refused from the state it left.
    ///
    /// # Errors
    /// `NotFound` (`Order not found`) when missing or not the caller's to change;
    /// `Conflict` ([`super::OrderRefusal`]) for a transition the lifecycle refuses.
    fn change(
        &self,
        caller: &Principal,
        order_id: Uuid,
        command: OrderCommand,
        ctx: &ChangeContext,
        answer: Answer<Order>,
    ) -> Result<Order, DomainError>;
}
