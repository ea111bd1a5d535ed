//! Rows of the webhook tables and their domain forms.

use super::schema::{webhook_attempts, webhook_deliveries, webhook_endpoints};
use crate::convert::{from_db_time, to_db_time};
use crate::error::StoreError;
use crate::platform::as_text::AsText;
use diesel::prelude::*;
use groupbuy_domain::platform::EventType;
use groupbuy_domain::webhook::{
    Delivery, DeliveryAttempt, DeliveryState, EventFilter, WebhookEndpoint,
};
use time::PrimitiveDateTime;

/// An endpoint row.
#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
pub(super) struct EndpointRow {
    pub seq: i64,
    pub id: String,
    pub created_by: String,
    pub org_id: Option<String>,
    pub url: String,
    pub event_types: String,
    pub description: Option<String>,
    pub disabled: bool,
    pub disabled_reason: Option<String>,
    pub created_at: PrimitiveDateTime,
}

impl EndpointRow {
    pub(super) fn into_domain(self) -> Result<WebhookEndpoint, StoreError> {
        let names: Vec<String> = serde_json::from_str(&self.event_types)
            .map_err(|e| StoreError::Corrupt(format!("event types: {e}")))?;
        Ok(WebhookEndpoint {
            id: self.id,
            created_by: self.created_by,
            org_id: self.org_id,
            url: self.url,
            events: EventFilter::parse(&names)?,
            description: self.description,
            disabled: self.disabled,
            disabled_reason: self.disabled_reason,
            created_at: from_db_time(self.created_at),
        })
    }
}

/// The stored form of an event filter.
pub(super) fn filter_text(f: &EventFilter) -> String {
    serde_json::Value::from(f.names()).to_string()
}

/// A new endpoint.
#[derive(Insertable)]
#[diesel(table_name = webhook_endpoints)]
pub(super) struct NewEndpoint<'a> {
    pub id: &'a str,
    pub created_by: &'a str,
    pub org_id: Option<&'a str>,
    pub url: &'a str,
    pub event_types: String,
    pub description: Option<&'a str>,
    pub secret: &'a str,
    pub disabled: bool,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

/// A delivery row.
#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub(super) struct DeliveryRow {
    pub seq: i64,
    pub id: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub event_type: AsText<EventType>,
    pub state: AsText<DeliveryState>,
    pub next_attempt_at: Option<PrimitiveDateTime>,
}

impl DeliveryRow {
    pub(super) fn into_domain(
        self,
        attempts: Vec<DeliveryAttempt>,
    ) -> Result<Delivery, StoreError> {
        Ok(Delivery {
            id: self.id,
            endpoint_id: self.endpoint_id,
            event_id: self.event_id,
            event_type: self.event_type.0,
            state: self.state.0,
            attempts,
            next_attempt_at: self.next_attempt_at.map(from_db_time),
        })
    }
}

/// A new delivery.
#[derive(Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub(super) struct NewDelivery<'a> {
    pub id: String,
    pub endpoint_id: &'a str,
    pub event_id: &'a str,
    pub event_type: AsText<EventType>,
    pub subject: &'a str,
    pub sequence: i64,
    pub state: AsText<DeliveryState>,
    pub attempt_count: i32,
    pub next_attempt_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

/// An attempt row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_attempts)]
pub(super) struct AttemptRow {
    pub delivery_id: String,
    pub attempt: i32,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub at: PrimitiveDateTime,
}

impl AttemptRow {
    pub(super) fn into_domain(self) -> DeliveryAttempt {
        DeliveryAttempt {
            attempt: self.attempt,
            status_code: self.status_code,
            error: self.error,
            duration_ms: self.duration_ms,
            at: from_db_time(self.at),
        }
    }

    pub(super) fn from_domain(delivery_id: &str, a: &DeliveryAttempt) -> Self {
        Self {
            delivery_id: delivery_id.to_owned(),
            attempt: a.attempt,
            status_code: a.status_code,
            error: a.error.clone(),
            duration_ms: a.duration_ms,
            at: to_db_time(a.at),
        }
    }
}
