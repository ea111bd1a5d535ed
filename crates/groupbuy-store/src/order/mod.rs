//! Orders on both backends: the buyer's reads, a shop's or a campaign handle's list for its
//! merchant, and the merchant's transitions (ship, deliver, cancel). Group completions and
//! pre-order payments insert orders through [`insert_orders`]; nothing else writes the
//! `orders` table.

mod change;
mod reads;
mod rows;

#[cfg(test)]
pub(crate) mod tests;

pub(crate) use rows::insert_orders;

use crate::catalog::owned_shop;
use crate::db::Database;
use crate::platform::paging::parse_cursor;
use groupbuy_domain::campaign::Handle;
use groupbuy_domain::order::{Order, OrderCommand, OrderStatus, OrderStore};
use groupbuy_domain::platform::{Answer, ChangeContext};
use groupbuy_domain::{DomainError, Page, Principal};
use reads::Of;
use uuid::Uuid;

impl OrderStore for Database {
    fn my_orders(
        &self,
        user_id: &str,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<Order>, DomainError> {
        let before = parse_cursor(cursor)?;
        self.read(|conn| reads::page(conn, Of::Buyer(user_id), None, before, limit))
    }

    fn order(&self, user_id: &str, order_id: Uuid) -> Result<Order, DomainError> {
        self.read(|conn| reads::buyers(conn, user_id, order_id))
    }

    fn shop_orders(
        &self,
        caller: &Principal,
        shop_id: Uuid,
        status: Option<OrderStatus>,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<Order>, DomainError> {
        let before = parse_cursor(cursor)?;
        self.read(|conn| {
            owned_shop(conn, caller, shop_id)?;
            reads::page(conn, Of::Shop(shop_id), status, before, limit)
        })
    }

    fn handle_orders(
        &self,
        caller: &Principal,
        handle: &Handle,
        status: Option<OrderStatus>,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<Order>, DomainError> {
        let before = parse_cursor(cursor)?;
        self.read(|conn| {
            crate::campaign::managed_handle(conn, caller, handle)?;
            reads::page(conn, Of::Handle(handle.as_str()), status, before, limit)
        })
    }

    fn change(
        &self,
        caller: &Principal,
        order_id: Uuid,
        command: OrderCommand,
        ctx: &ChangeContext,
        answer: Answer<Order>,
    ) -> Result<Order, DomainError> {
        // Retried as a deadlock victim: a cancellation locks a wallet and a product, as
        // payments and expiry refunds do.
        self.write_retrying_answered(answer, |conn| {
            change::change(conn, caller, order_id, &command, ctx)
        })
    }
}
