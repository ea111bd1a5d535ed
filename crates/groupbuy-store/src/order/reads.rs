//! Reading orders: the buyer's, a shop's or a handle's (newest first, cursor-paginated on
//! `seq`), and one order with its merchant's owner for a transition.

use super::rows::OrderRow;
use crate::campaign::schema::campaign_handles;
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::platform::as_text::AsText;
use crate::platform::paging::into_page;
use crate::schema::{orders, shops};
use diesel::prelude::*;
use groupbuy_domain::order::{order_not_found, Order, OrderOrigin, OrderStatus};
use groupbuy_domain::page::clamp_limit;
use groupbuy_domain::Page;
use uuid::Uuid;

/// Whose orders a list holds.
#[derive(Debug, Clone, Copy)]
pub(super) enum Of<'a> {
    /// The buyer's.
    Buyer(&'a str),
    /// A shop's (the caller's right to see them checked already).
    Shop(Uuid),
    /// A campaign handle's pre-orders (the caller's right checked already).
    Handle(&'a str),
}

/// A page of orders, newest first, optionally of one status, after the cursor `before`:
/// one query, served by `orders_user_idx` or `orders_shop_idx` / `orders_shop_status_idx`.
pub(super) fn page(
    conn: &mut DbConnection,
    of: Of<'_>,
    status: Option<OrderStatus>,
    before: Option<i64>,
    limit: i64,
) -> Result<Page<Order>, StoreError> {
    let limit = clamp_limit(Some(limit));
    let mut query = orders::table
        .order(orders::seq.desc())
        .limit(limit + 1)
        .select(OrderRow::as_select())
        .into_boxed();
    query = match of {
        Of::Buyer(user_id) => query.filter(orders::user_id.eq(user_id)),
        Of::Shop(shop_id) => query.filter(orders::shop_id.eq(shop_id.to_string())),
        Of::Handle(handle) => query.filter(orders::handle.eq(handle)),
    };
    if let Some(s) = status {
        query = query.filter(orders::status.eq(AsText(s)));
    }
    if let Some(seq) = before {
        query = query.filter(orders::seq.lt(seq));
    }
    let rows: Vec<OrderRow> = query.load(conn)?;
    into_page(rows, limit, |r| r.seq, OrderRow::into_domain)
}

/// One of the buyer's orders; `Order not found` when missing or another user's.
pub(super) fn buyers(
    conn: &mut DbConnection,
    user_id: &str,
    id: Uuid,
) -> Result<Order, StoreError> {
    orders::table
        .filter(orders::id.eq(id.to_string()))
        .filter(orders::user_id.eq(user_id))
        .select(OrderRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::from(order_not_found()))?
        .into_domain()
}

/// An order with the user id of its merchant: its shop's owner, or its handle's for a
/// pre-order (who may change it, and hears of it).
pub(super) fn with_owner(
    conn: &mut DbConnection,
    id: Uuid,
) -> Result<Option<(Order, String)>, StoreError> {
    let row: Option<OrderRow> = orders::table
        .filter(orders::id.eq(id.to_string()))
        .select(OrderRow::as_select())
        .first(conn)
        .optional()?;
    let Some(order) = row.map(OrderRow::into_domain).transpose()? else {
        return Ok(None);
    };
    let owner: String = match &order.origin {
        OrderOrigin::Group { shop_id, .. } => shops::table
            .find(shop_id.to_string())
            .select(shops::owner_id)
            .first(conn)?,
        OrderOrigin::Preorder { handle, .. } => campaign_handles::table
            .find(handle.as_str())
            .select(campaign_handles::owner_id)
            .first(conn)?,
    };
    Ok(Some((order, owner)))
}
