//! The `orders` row: written once by a group's completion or a pre-order's payment, then
//! changed only by the
//! lifecycle's conditional updates ([`super::change`]).

use crate::convert::{from_db_time, money, parse_uuid, to_db_time};
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::platform::as_text::AsText;
use crate::schema::orders;
use diesel::prelude::*;
use groupbuy_domain::campaign::Handle;
use groupbuy_domain::order::{Order, OrderOrigin, OrderStatus};
use time::PrimitiveDateTime;

/// An `orders` row as inserted.
#[derive(Insertable)]
#[diesel(table_name = orders)]
struct OrderColumns<'a> {
    id: String,
    group_id: Option<String>,
    group_code: Option<&'a str>,
    shop_id: Option<String>,
    user_id: &'a str,
    participant_id: Option<String>,
    product_id: Option<String>,
    group_buy_id: Option<String>,
    handle: Option<&'a str>,
    preorder_id: Option<String>,
    quantity: i32,
    currency: &'a str,
    unit_price_minor: i64,
    total_minor: i64,
    commission_minor: i64,
    status: AsText<OrderStatus>,
    carrier: Option<&'a str>,
    tracking_number: Option<&'a str>,
    created_at: PrimitiveDateTime,
    shipped_at: Option<PrimitiveDateTime>,
    delivered_at: Option<PrimitiveDateTime>,
    cancelled_at: Option<PrimitiveDateTime>,
    cancel_reason: Option<&'a str>,
}

impl<'a> OrderColumns<'a> {
    fn of(o: &'a Order) -> Self {
        let (mut group, mut preorder) = (None, None);
        match &o.origin {
            OrderOrigin::Group {
                group_instance_id,
                group_code,
                participant_id,
                product_id,
                shop_id,
            } => {
                group = Some((
                    group_instance_id,
                    group_code,
                    participant_id,
                    product_id,
                    shop_id,
                ))
            }
            OrderOrigin::Preorder {
                group_buy_id,
                handle,
                preorder_id,
            } => preorder = Some((group_buy_id, handle, preorder_id)),
        }
        Self {
            id: o.id.to_string(),
            group_id: group.map(|g| g.0.to_string()),
            group_code: group.map(|g| g.1.as_str()),
            shop_id: group.map(|g| g.4.to_string()),
            user_id: &o.user_id,
            participant_id: group.map(|g| g.2.to_string()),
            product_id: group.map(|g| g.3.to_string()),
            group_buy_id: preorder.map(|p| p.0.to_string()),
            handle: preorder.map(|p| p.1.as_str()),
            preorder_id: preorder.map(|p| p.2.to_string()),
            quantity: o.quantity,
            currency: o.unit_price.currency().code(),
            unit_price_minor: o.unit_price.minor(),
            total_minor: o.total_amount.minor(),
            commission_minor: o.commission.minor(),
            status: AsText(o.status),
            carrier: o.carrier.as_deref(),
            tracking_number: o.tracking_number.as_deref(),
            created_at: to_db_time(o.created_at),
            shipped_at: o.shipped_at.map(to_db_time),
            delivered_at: o.delivered_at.map(to_db_time),
            cancelled_at: o.cancelled_at.map(to_db_time),
            cancel_reason: o.cancel_reason.as_deref(),
        }
    }
}

/// The columns a transition changes (a `None` is written as NULL: it was NULL before).
#[derive(AsChangeset)]
#[diesel(table_name = orders, treat_none_as_null = true)]
struct Progress<'a> {
    status: AsText<OrderStatus>,
    carrier: Option<&'a str>,
    tracking_number: Option<&'a str>,
    shipped_at: Option<PrimitiveDateTime>,
    delivered_at: Option<PrimitiveDateTime>,
    cancelled_at: Option<PrimitiveDateTime>,
    cancel_reason: Option<&'a str>,
}

/// Inserts the orders a completion decided, inside its transaction.
pub(crate) fn insert_orders(conn: &mut DbConnection, orders: &[Order]) -> Result<(), StoreError> {
    for o in orders {
        diesel::insert_into(orders::table)
            .values(OrderColumns::of(o))
            .execute(conn)?;
    }
    Ok(())
}

/// Writes `after` over the order if it is still `before`, in one conditional statement:
/// of two transitions from one status only the first to commit changes a row (PostgreSQL
/// re-checks the condition on the newest row version after waiting for its lock).
/// Returns whether this one did.
pub(super) fn write_if_still(
    conn: &mut DbConnection,
    before: OrderStatus,
    after: &Order,
) -> Result<bool, StoreError> {
    let changed = diesel::update(
        orders::table
            .filter(orders::id.eq(after.id.to_string()))
            .filter(orders::status.eq(AsText(before))),
    )
    .set(Progress {
        status: AsText(after.status),
        carrier: after.carrier.as_deref(),
        tracking_number: after.tracking_number.as_deref(),
        shipped_at: after.shipped_at.map(to_db_time),
        delivered_at: after.delivered_at.map(to_db_time),
        cancelled_at: after.cancelled_at.map(to_db_time),
        cancel_reason: after.cancel_reason.as_deref(),
    })
    .execute(conn)?;
    Ok(changed == 1)
}

/// An `orders` row as read.
#[derive(Queryable, Selectable)]
#[diesel(table_name = orders)]
pub(super) struct OrderRow {
    pub seq: i64,
    id: String,
    group_id: Option<String>,
    group_code: Option<String>,
    shop_id: Option<String>,
    user_id: String,
    participant_id: Option<String>,
    product_id: Option<String>,
    quantity: i32,
    currency: String,
    unit_price_minor: i64,
    total_minor: i64,
    status: AsText<OrderStatus>,
    carrier: Option<String>,
    tracking_number: Option<String>,
    created_at: PrimitiveDateTime,
    shipped_at: Option<PrimitiveDateTime>,
    delivered_at: Option<PrimitiveDateTime>,
    cancelled_at: Option<PrimitiveDateTime>,
    cancel_reason: Option<String>,
    commission_minor: i64,
    group_buy_id: Option<String>,
    handle: Option<String>,
    preorder_id: Option<String>,
}

impl OrderRow {
    /// The origin its columns name: all of a group's, or all of a pre-order's (the
    /// table's CHECK keeps it so).
    fn origin(&self) -> Result<OrderOrigin, StoreError> {
        let group = (
            &self.group_id,
            &self.group_code,
            &self.participant_id,
            &self.product_id,
            &self.shop_id,
        );
        let preorder = (&self.group_buy_id, &self.handle, &self.preorder_id);
        match (group, preorder) {
            ((Some(g), Some(code), Some(p), Some(product), Some(shop)), _) => {
                Ok(OrderOrigin::Group {
                    group_instance_id: parse_uuid(g)?,
                    group_code: code.clone(),
                    participant_id: parse_uuid(p)?,
                    product_id: parse_uuid(product)?,
                    shop_id: parse_uuid(shop)?,
                })
            }
            (_, (Some(gb), Some(h), Some(pre))) => Ok(OrderOrigin::Preorder {
                group_buy_id: parse_uuid(gb)?,
                handle: Handle::parse(h).map_err(|_| StoreError::Corrupt(format!("handle {h}")))?,
                preorder_id: parse_uuid(pre)?,
            }),
            _ => Err(StoreError::Corrupt(format!(
                "order {} has no origin",
                self.id
            ))),
        }
    }

    pub fn into_domain(self) -> Result<Order, StoreError> {
        let origin = self.origin()?;
        Ok(Order {
            id: parse_uuid(&self.id)?,
            origin,
            user_id: self.user_id,
            quantity: self.quantity,
            unit_price: money(self.unit_price_minor, &self.currency)?,
            total_amount: money(self.total_minor, &self.currency)?,
            commission: money(self.commission_minor, &self.currency)?,
            status: self.status.0,
            carrier: self.carrier,
            tracking_number: self.tracking_number,
            created_at: from_db_time(self.created_at),
            shipped_at: self.shipped_at.map(from_db_time),
            delivered_at: self.delivered_at.map(from_db_time),
            cancelled_at: self.cancelled_at.map(from_db_time),
            cancel_reason: self.cancel_reason,
        })
    }
}
