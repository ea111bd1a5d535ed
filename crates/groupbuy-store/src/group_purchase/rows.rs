//! Rows of the group purchase tables and their conversions to the domain.

use crate::convert::{from_db_time, money, parse_uuid, to_db_time};
use crate::error::StoreError;
use crate::schema::{
    checkout_sessions, group_instances, group_participants, purchase_records, seat_transfers,
};
use diesel::prelude::*;
use groupbuy_domain::group_purchase::{
    CheckoutSession, CheckoutStatus, GroupCode, GroupInstance, GroupStatus, Participant,
    ParticipantStatus, PurchaseRecord, TransferRecord,
};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::str::FromStr;
use time::PrimitiveDateTime;
use uuid::Uuid;

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value}"))
}

/// A `group_instances` row.
// Deserialize: as `row_to_json` spells the row (a batch's reads, `batch/together.rs`).
#[derive(Queryable, Selectable, Insertable, Deserialize)]
#[diesel(table_name = group_instances)]
pub(crate) struct GroupRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub product_id: String,
    pub shop_id: String,
    pub initiator_id: String,
    pub initiator_name: String,
    pub currency: String,
    pub unit_price_minor: i64,
    pub regular_price_minor: i64,
    pub total_seats: i32,
    pub seats_occupied: i32,
    pub status: String,
    pub duration_hours: String,
    pub max_per_customer: Option<i32>,
    #[serde(deserialize_with = "super::json_rows::db_time")]
    pub created_at: PrimitiveDateTime,
    #[serde(deserialize_with = "super::json_rows::db_time")]
    pub expires_at: PrimitiveDateTime,
    #[serde(deserialize_with = "super::json_rows::db_time_opt")]
    pub completed_at: Option<PrimitiveDateTime>,
    #[serde(deserialize_with = "super::json_rows::db_time")]
    pub updated_at: PrimitiveDateTime,
}

impl GroupRow {
    pub fn from_domain(g: &GroupInstance) -> Self {
        Self {
            id: g.id.to_string(),
            code: g.code.as_str().to_owned(),
            name: g.name.clone(),
            product_id: g.product_id.to_string(),
            shop_id: g.shop_id.to_string(),
            initiator_id: g.initiator_id.clone(),
            initiator_name: g.initiator_name.clone(),
            currency: g.unit_price.currency().code().to_owned(),
            unit_price_minor: g.unit_price.minor(),
            regular_price_minor: g.regular_price.minor(),
            total_seats: g.total_seats,
            seats_occupied: g.seats_occupied,
            status: g.status.as_str().to_owned(),
            duration_hours: g.duration_hours.to_string(),
            max_per_customer: g.max_per_customer,
            created_at: to_db_time(g.created_at),
            expires_at: to_db_time(g.expires_at),
            completed_at: g.completed_at.map(to_db_time),
            updated_at: to_db_time(g.updated_at),
        }
    }

    pub fn into_domain(self) -> Result<GroupInstance, StoreError> {
        Ok(GroupInstance {
            id: parse_uuid(&self.id)?,
            code: GroupCode::from_stored(self.code),
            name: self.name,
            product_id: parse_uuid(&self.product_id)?,
            shop_id: parse_uuid(&self.shop_id)?,
            initiator_id: self.initiator_id,
            initiator_name: self.initiator_name,
            unit_price: money(self.unit_price_minor, &self.currency)?,
            regular_price: money(self.regular_price_minor, &self.currency)?,
            total_seats: self.total_seats,
            seats_occupied: self.seats_occupied,
            status: GroupStatus::parse(&self.status)
                .map_err(|_| corrupt("group status", &self.status))?,
            duration_hours: Decimal::from_str(&self.duration_hours)
                .map_err(|_| corrupt("hours", &self.duration_hours))?,
            max_per_customer: self.max_per_customer,
            created_at: from_db_time(self.created_at),
            expires_at: from_db_time(self.expires_at),
            completed_at: self.completed_at.map(from_db_time),
            updated_at: from_db_time(self.updated_at),
        })
    }
}

/// A `group_participants` row (the currency comes from its group).
// Deserialize: as `row_to_json` spells the row (a batch's reads, `batch/together.rs`).
#[derive(Queryable, Selectable, Insertable, Deserialize)]
#[diesel(table_name = group_participants)]
pub(crate) struct ParticipantRow {
    pub id: String,
    pub group_id: String,
    pub user_id: String,
    pub user_name: String,
    pub user_picture: Option<String>,
    pub quantity: i32,
    pub total_paid_minor: i64,
    pub status: String,
    #[serde(deserialize_with = "super::json_rows::db_time")]
    pub joined_at: PrimitiveDateTime,
    pub purchase_count: i32,
    pub has_transferred: bool,
    pub checkout_session_id: Option<String>,
    #[serde(deserialize_with = "super::json_rows::db_time")]
    pub updated_at: PrimitiveDateTime,
}

impl ParticipantRow {
    pub fn into_domain(self, currency: &str) -> Result<Participant, StoreError> {
        Ok(Participant {
            id: parse_uuid(&self.id)?,
            group_id: parse_uuid(&self.group_id)?,
            user_id: self.user_id,
            user_name: self.user_name,
            user_picture: self.user_picture,
            quantity: self.quantity,
            total_paid: money(self.total_paid_minor, currency)?,
            status: ParticipantStatus::parse(&self.status)
                .ok_or_else(|| corrupt("participant status", &self.status))?,
            joined_at: from_db_time(self.joined_at),
            purchase_count: self.purchase_count,
            has_transferred: self.has_transferred,
            checkout_session_id: self
                .checkout_session_id
                .as_deref()
                .map(parse_uuid)
                .transpose()?,
        })
    }
}

/// A `checkout_sessions` row.
// Deserialize: as `row_to_json` spells the row (a batch's reads, `batch/together.rs`).
// None inserted as NULL (every nullable column's default), not as DEFAULT: a statement
// whose text does not depend on which fields are empty, which Diesel's statement cache
// keeps (PostgreSQL parsed the checkout's INSERT anew for every session).
#[derive(Queryable, Selectable, Insertable, Deserialize)]
#[diesel(table_name = checkout_sessions, treat_none_as_default_value = false)]
pub(crate) struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub product_id: String,
    pub quantity: i32,
    pub currency: String,
    pub unit_price_minor: i64,
    pub total_minor: i64,
    pub status: String,
    pub group_instance_id: Option<String>,
    pub joins_existing: bool,
    pub group_code: Option<String>,
    pub transaction_id: Option<String>,
    #[serde(deserialize_with = "super::json_rows::db_time")]
    pub created_at: PrimitiveDateTime,
    #[serde(deserialize_with = "super::json_rows::db_time_opt")]
    pub completed_at: Option<PrimitiveDateTime>,
}

impl SessionRow {
    pub fn from_domain(s: &CheckoutSession) -> Self {
        Self {
            id: s.id.to_string(),
            user_id: s.user_id.clone(),
            product_id: s.product_id.to_string(),
            quantity: s.quantity,
            currency: s.unit_price.currency().code().to_owned(),
            unit_price_minor: s.unit_price.minor(),
            total_minor: s.total_amount.minor(),
            status: s.status.as_str().to_owned(),
            group_instance_id: s.group_instance_id.map(|g| g.to_string()),
            joins_existing: s.joins_existing,
            group_code: s.group_code.clone(),
            transaction_id: s.transaction_id.map(|t| t.to_string()),
            created_at: to_db_time(s.created_at),
            completed_at: s.completed_at.map(to_db_time),
        }
    }

    pub fn into_domain(self) -> Result<CheckoutSession, StoreError> {
        Ok(CheckoutSession {
            id: parse_uuid(&self.id)?,
            user_id: self.user_id,
            product_id: parse_uuid(&self.product_id)?,
            quantity: self.quantity,
            unit_price: money(self.unit_price_minor, &self.currency)?,
            total_amount: money(self.total_minor, &self.currency)?,
            status: CheckoutStatus::parse(&self.status)
                .ok_or_else(|| corrupt("session status", &self.status))?,
            group_instance_id: self
                .group_instance_id
                .as_deref()
                .map(parse_uuid)
                .transpose()?,
            joins_existing: self.joins_existing,
            group_code: self.group_code,
            transaction_id: self.transaction_id.as_deref().map(parse_uuid).transpose()?,
            created_at: from_db_time(self.created_at),
            completed_at: self.completed_at.map(from_db_time),
        })
    }
}

/// A `purchase_records` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = purchase_records)]
pub(crate) struct PurchaseRow {
    pub id: String,
    pub participant_id: String,
    pub checkout_session_id: String,
    pub quantity: i32,
    pub amount_minor: i64,
    pub currency: String,
    pub transaction_id: String,
    pub purchased_at: PrimitiveDateTime,
}

impl PurchaseRow {
    pub fn into_domain(self) -> Result<PurchaseRecord, StoreError> {
        Ok(PurchaseRecord {
            participant_id: parse_uuid(&self.participant_id)?,
            checkout_session_id: parse_uuid(&self.checkout_session_id)?,
            quantity: self.quantity,
            amount_paid: money(self.amount_minor, &self.currency)?,
            purchased_at: from_db_time(self.purchased_at),
            transaction_id: parse_uuid(&self.transaction_id)?,
        })
    }

    /// The row of a purchase record the domain decided, under its `id`.
    pub fn from_domain(id: Uuid, p: &PurchaseRecord) -> Self {
        Self {
            id: id.to_string(),
            participant_id: p.participant_id.to_string(),
            checkout_session_id: p.checkout_session_id.to_string(),
            quantity: p.quantity,
            amount_minor: p.amount_paid.minor(),
            currency: p.amount_paid.currency().code().to_owned(),
            transaction_id: p.transaction_id.to_string(),
            purchased_at: to_db_time(p.purchased_at),
        }
    }
}

/// A `seat_transfers` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = seat_transfers)]
pub(crate) struct TransferRow {
    pub id: String,
    pub user_id: String,
    pub from_group_id: String,
    pub to_group_id: String,
    pub from_participant_id: String,
    pub to_participant_id: String,
    pub quantity: i32,
    pub amount_minor: i64,
    pub currency: String,
    pub reason: String,
    pub transferred_at: PrimitiveDateTime,
}

impl TransferRow {
    pub fn into_domain(
        self,
        from_code: String,
        to_code: String,
    ) -> Result<TransferRecord, StoreError> {
        Ok(TransferRecord {
            id: parse_uuid(&self.id)?,
            user_id: self.user_id,
            from_group_id: parse_uuid(&self.from_group_id)?,
            from_group_code: from_code,
            to_group_id: parse_uuid(&self.to_group_id)?,
            to_group_code: to_code,
            from_participant_id: parse_uuid(&self.from_participant_id)?,
            to_participant_id: parse_uuid(&self.to_participant_id)?,
            quantity: self.quantity,
            amount: money(self.amount_minor, &self.currency)?,
            transferred_at: from_db_time(self.transferred_at),
            reason: self.reason,
        })
    }
}
