//! The storage port of webhooks.

use super::WebhookEndpoint;
use super::{
    Delivery, DeliveryAttempt, DeliveryState, DueDelivery, EndpointDraft, EndpointPatch,
    OutboxBacklog,
};
use crate::error::DomainError;
use crate::page::Page;
use crate::principal::Principal;
use time::{Duration, OffsetDateTime};

/// Storage of endpoints and deliveries, and the outbox side of delivering.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait WebhookStore: Send + Sync {
    /// Registers an endpoint with its `secret`.
    ///
    /// # Errors
    /// Storage failures.
    fn create_endpoint(
        &self,
        owner: &Principal,
        draft: EndpointDraft,
        secret: &str,
        now: OffsetDateTime,
    ) -> Result<WebhookEndpoint, DomainError>;

    /// The endpoints the caller may see, newest first.
    ///
    /// # Errors
    /// `Validation` for a malformed cursor.
    fn endpoints(
        &self,
        caller: &Principal,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<WebhookEndpoint>, DomainError>;

    /// One endpoint.
    ///
    /// # Errors
    /// `NotFound` when missing or not the caller's.
    fn endpoint(&self, caller: &Principal, id: &str) -> Result<WebhookEndpoint, DomainError>;

    /// Changes an endpoint.
    ///
    /// # Errors
    /// `NotFound` when missing or not the caller's.
    fn update_endpoint(
        &self,
        caller: &Principal,
        id: &str,
        patch: EndpointPatch,
        now: OffsetDateTime,
    ) -> Result<WebhookEndpoint, DomainError>;

    /// Deletes an endpoint and its deliveries; returns the endpoint as it was.
    ///
    /// # Errors
    /// `NotFound` when missing or not the caller's.
    fn delete_endpoint(&self, caller: &Principal, id: &str)
        -> Result<WebhookEndpoint, DomainError>;

    /// Replaces the secret; the old one keeps signing until `overlap_until`.
    ///
    /// # Errors
    /// `NotFound` when missing or not the caller's.
    fn rotate_secret(
        &self,
        caller: &Principal,
        id: &str,
        secret: &str,
        overlap_until: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<WebhookEndpoint, DomainError>;

    /// Enqueues a `webhook.test` event for this endpoint only.
    ///
    /// # Errors
    /// `NotFound` when missing or not the caller's.
    fn send_test(
        &self,
        caller: &Principal,
        id: &str,
        request_id: &str,
        now: OffsetDateTime,
    ) -> Result<Delivery, DomainError>;

    /// An endpoint's deliveries, newest first, optionally of one state.
    ///
    /// # Errors
    /// `NotFound` for another's endpoint; `Validation` for a malformed cursor.
    fn deliveries(
        &self,
        caller: &Principal,
        endpoint_id: &str,
        state: Option<DeliveryState>,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<Delivery>, DomainError>;

    /// Re-enqueues every FAILED or EXHAUSTED delivery of the endpoint created since
    /// `since`; returns how many.
    ///
    /// # Errors
    /// `NotFound` for another's endpoint.
    fn replay(
        &self,
        caller: &Principal,
        endpoint_id: &str,
        since: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<u64, DomainError>;

    /// Re-enqueues one delivery.
    ///
    /// # Errors
    /// `NotFound` for another's delivery.
    fn retry_delivery(
        &self,
        caller: &Principal,
        delivery_id: &str,
        now: OffsetDateTime,
    ) -> Result<Delivery, DomainError>;

    /// Fans undispatched outbox events out into deliveries; returns how many events.
    ///
    /// # Errors
    /// Storage failures.
    fn dispatch(&self, now: OffsetDateTime, limit: i64) -> Result<usize, DomainError>;

    /// Claims due deliveries (whose earlier events of the same subject at the same
    /// endpoint are settled) for `lease`.
    ///
    /// # Errors
    /// Storage failures.
    fn claim_due(
        &self,
        now: OffsetDateTime,
        limit: i64,
        lease: Duration,
    ) -> Result<Vec<DueDelivery>, DomainError>;

    /// Records an attempt and the delivery's next state; `disable` disables the endpoint
    /// with that reason.
    ///
    /// # Errors
    /// Storage failures.
    fn record_attempt(
        &self,
        due: &DueDelivery,
        attempt: DeliveryAttempt,
        state: DeliveryState,
        next_attempt_at: Option<OffsetDateTime>,
        disable: Option<String>,
    ) -> Result<(), DomainError>;

    /// Undelivered deliveries by endpoint: the `top` endpoints whose oldest undelivered
    /// delivery is oldest, and all the others together (a bounded answer however many
    /// endpoints are behind).
    ///
    /// # Errors
    /// Storage failures.
    fn outbox_backlog(&self, top: i64) -> Result<OutboxBacklog, DomainError>;
}
