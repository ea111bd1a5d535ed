//! Request and response bodies of `/webhooks` (snake_case, like seed 002's payloads).

use crate::envelope::timestamp;
use groupbuy_domain::webhook::{Delivery, DeliveryAttempt, WebhookEndpoint};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

/// `POST /webhooks/endpoints`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEndpointRequest {
    /// Where deliveries are POSTed (http or https; no loopback/private address).
    #[schema(example = "https://hooks.example.com/groupbuy", max_length = 2048)]
    pub url: String,
    /// Event types to receive, or `["*"]` for all (see `GET /webhooks/event-types`).
    #[schema(example = json!(["group.created", "group.completed", "group.failed"]), min_items = 1)]
    pub events: Vec<String>,
    /// A note for yourself.
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// Register the endpoint for this vendor: yours (a token with role `vendor` whose `sub`
    /// is the id); it receives the procurement events addressed to the vendor
    /// (`rfq.invited`, its lines of `allocation.created`, its payable in
    /// `settlement.completed`). Another vendor's id is 404. A vendor's token registers for
    /// itself without it too, when it carries no `org_id`.
    #[schema(example = "vendor_mills", max_length = 200)]
    pub vendor_id: Option<String>,
    /// Register the endpoint for this organisation: the token's `org_id` (the default when
    /// the token carries one). Another organisation's id is 404.
    #[schema(example = "org_acme", max_length = 200)]
    pub org_id: Option<String>,
}

/// `PATCH /webhooks/endpoints/{id}`: absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEndpointRequest {
    /// New URL.
    pub url: Option<String>,
    /// New event filter.
    pub events: Option<Vec<String>>,
    /// New note (null clears it).
    #[serde(default, deserialize_with = "crate::platform::extract::nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// Disable (true) or re-enable (false).
    pub disabled: Option<bool>,
}

/// An endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointView {
    /// `we_...`.
    pub id: String,
    /// Target URL.
    pub url: String,
    /// Event types received (`["*"]`: all).
    pub events: Vec<String>,
    /// The owner's free-text note, at most 500 characters; null when none.
    pub description: Option<String>,
    /// No deliveries while true.
    pub disabled: bool,
    /// Why (by its owner, or the receiver answered 410).
    pub disabled_reason: Option<String>,
    /// When it was created.
    #[serde(with = "timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

impl From<WebhookEndpoint> for EndpointView {
    fn from(e: WebhookEndpoint) -> Self {
        Self {
            events: e.events.names(),
            id: e.id,
            url: e.url,
            description: e.description,
            disabled: e.disabled,
            disabled_reason: e.disabled_reason,
            created_at: e.created_at,
        }
    }
}

/// An endpoint with its signing secret: shown on creation and rotation only.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointWithSecretView {
    /// The endpoint.
    #[serde(flatten)]
    pub endpoint: EndpointView,
    /// `whsec_` + base64 of 32 random bytes: verify `webhook-signature` with it.
    pub secret: String,
}

/// One attempt of a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptView {
    /// 1-based, counted across retries and replays.
    pub attempt: i32,
    /// The receiver's status, if it answered.
    pub status_code: Option<i32>,
    /// What went wrong (timeout, connection refused, ...).
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: i64,
    /// When it started.
    #[serde(with = "timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

impl From<DeliveryAttempt> for AttemptView {
    fn from(a: DeliveryAttempt) -> Self {
        Self {
            attempt: a.attempt,
            status_code: a.status_code,
            error: a.error,
            duration_ms: a.duration_ms,
            at: a.at,
        }
    }
}

/// One event's delivery to one endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    /// `dlv_...`.
    pub id: String,
    /// The event (also the `webhook-id` header).
    pub event_id: String,
    /// Its type.
    #[schema(value_type = crate::openapi::enums::EventType)]
    pub event_type: String,
    /// PENDING, SUCCEEDED, FAILED (another attempt is scheduled) or EXHAUSTED.
    #[schema(value_type = crate::openapi::enums::DeliveryState)]
    pub state: String,
    /// Every attempt, oldest first.
    pub attempts: Vec<AttemptView>,
    /// When the next attempt is due.
    #[serde(with = "timestamp::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_attempt_at: Option<OffsetDateTime>,
}

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> Self {
        Self {
            id: d.id,
            event_id: d.event_id,
            event_type: d.event_type.as_str().to_owned(),
            state: d.state.as_str().to_owned(),
            attempts: d.attempts.into_iter().map(Into::into).collect(),
            next_attempt_at: d.next_attempt_at,
        }
    }
}

/// `GET /webhooks/endpoints/{id}/deliveries` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    /// Cursor from the previous page.
    #[param(pattern = "^[0-9]{0,18}$")]
    #[serde(default, deserialize_with = "crate::platform::extract::cursor")]
    pub cursor: Option<String>,
    /// Page size, 1-100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// Only deliveries in this state: PENDING, SUCCEEDED, FAILED, EXHAUSTED.
    #[param(value_type = Option<crate::openapi::enums::DeliveryState>)]
    pub state: Option<String>,
}

/// `POST /webhooks/endpoints/{id}/replay`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayRequest {
    /// Re-enqueue failed and exhausted deliveries created since (RFC 3339).
    #[schema(example = "2026-11-23T00:00:00Z", format = DateTime)]
    pub since: String,
}

/// How many deliveries a replay re-enqueued.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplayView {
    /// Deliveries now PENDING again.
    pub requeued: u64,
}

/// One entry of the event catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventTypeView {
    /// The wire name (`group.completed`).
    #[serde(rename = "type")]
    #[schema(value_type = crate::openapi::enums::EventType)]
    pub event_type: String,
    /// What it means.
    pub description: String,
    /// JSON schema of its `data`.
    #[schema(value_type = Object)]
    pub data_schema: serde_json::Value,
}

crate::payload!(
    EndpointView,
    EndpointWithSecretView,
    DeliveryView,
    ReplayView,
    EventTypeView
);
