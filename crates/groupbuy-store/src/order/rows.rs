//! The `orders` row: written once by a group's completion, then changed only by the
//! lifecycle's conditional updates ([`super::change`]).

use crate::convert::{from_db_time, money, parse_uuid, to_db_time};
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::platform::as_text::AsText;
use crate::schema::orders;
use diesel::prelude::*;
use groupbuy_domain::order::{Order, OrderStatus};
use time::PrimitiveDateTime;

/// An `orders` row as inserted.
#[derive(Insertable)]
#[diesel(table_name = orders)]
struct OrderColumns<'a> {
    id: String,
    group_id: String,
    group_code: &'a str,
    shop_id: String,
    user_id: &'a str,
    participant_id: String,
    product_id: String,
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
        Self {
            id: o.id.to_string(),
            group_id: o.group_instance_id.to_string(),
            group_code: &o.group_code,
            shop_id: o.shop_id.to_string(),
            user_id: &o.user_id,
            participant_id: o.participant_id.to_string(),
            product_id: o.product_id.to_string(),
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
    group_id: String,
    group_code: String,
    shop_id: String,
    user_id: String,
    participant_id: String,
    product_id: String,
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
}

impl OrderRow {
    pub fn into_domain(self) -> Result<Order, StoreError> {
        Ok(Order {
            id: parse_uuid(&self.id)?,
            group_instance_id: parse_uuid(&self.group_id)?,
            group_code: self.group_code,
            shop_id: parse_uuid(&self.shop_id)?,
            user_id: self.user_id,
            participant_id: parse_uuid(&self.participant_id)?,
            product_id: parse_uuid(&self.product_id)?,
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
