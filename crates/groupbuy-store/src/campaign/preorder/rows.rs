//! The `campaign_preorders` row and its conversion to and from the domain.

use crate::campaign::schema::campaign_preorders;
use crate::convert::{from_db_time, money, parse_uuid, to_db_time};
use crate::error::StoreError;
use diesel::prelude::*;
use groupbuy_domain::campaign::{Preorder, PreorderStatus};
use time::PrimitiveDateTime;

/// A `campaign_preorders` row, in column order (also what `RETURNING all_columns` gives).
#[derive(Queryable, Selectable)]
#[diesel(table_name = campaign_preorders)]
pub(super) struct PreorderRow {
    #[allow(dead_code)] // selected for `RETURNING all_columns`; sessions are read by id
    pub seq: i64,
    pub id: String,
    pub group_buy_id: String,
    pub user_id: String,
    pub quantity: i64,
    pub currency: String,
    pub unit_price_minor: i64,
    pub total_minor: i64,
    pub status: String,
    pub created_at: PrimitiveDateTime,
    pub expires_at: PrimitiveDateTime,
    pub settled_at: Option<PrimitiveDateTime>,
    pub order_id: Option<String>,
    pub transaction_id: Option<String>,
}

impl PreorderRow {
    /// The session as the domain knows it.
    pub fn into_domain(self) -> Result<Preorder, StoreError> {
        let status = self
            .status
            .parse::<PreorderStatus>()
            .map_err(|_| StoreError::Corrupt(format!("pre-order status {}", self.status)))?;
        Ok(Preorder {
            id: parse_uuid(&self.id)?,
            group_buy_id: parse_uuid(&self.group_buy_id)?,
            user_id: self.user_id,
            quantity: self.quantity,
            unit_price: money(self.unit_price_minor, &self.currency)?,
            total_amount: money(self.total_minor, &self.currency)?,
            status,
            created_at: from_db_time(self.created_at),
            expires_at: from_db_time(self.expires_at),
            settled_at: self.settled_at.map(from_db_time),
            order_id: self.order_id.as_deref().map(parse_uuid).transpose()?,
            transaction_id: self.transaction_id.as_deref().map(parse_uuid).transpose()?,
        })
    }
}

/// A new `campaign_preorders` row.
#[derive(Insertable)]
#[diesel(table_name = campaign_preorders)]
pub(super) struct NewPreorder<'a> {
    id: String,
    group_buy_id: String,
    user_id: &'a str,
    quantity: i64,
    currency: &'a str,
    unit_price_minor: i64,
    total_minor: i64,
    status: &'a str,
    created_at: PrimitiveDateTime,
    expires_at: PrimitiveDateTime,
}

impl<'a> NewPreorder<'a> {
    /// The row of a session the close opened.
    pub fn of(p: &'a Preorder) -> Self {
        Self {
            id: p.id.to_string(),
            group_buy_id: p.group_buy_id.to_string(),
            user_id: &p.user_id,
            quantity: p.quantity,
            currency: p.unit_price.currency().code(),
            unit_price_minor: p.unit_price.minor(),
            total_minor: p.total_amount.minor(),
            status: p.status.as_str(),
            created_at: to_db_time(p.created_at),
            expires_at: to_db_time(p.expires_at),
        }
    }
}
