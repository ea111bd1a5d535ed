//! Webhooks: endpoints that receive the domain events of their owner, and the rules of
//! delivering them (Standard Webhooks 1.0: retries on a schedule, 410 disables, order per
//! subject).

mod delivery;
mod endpoint;
mod limits;
mod outbox;
mod ports;
mod target;

pub use delivery::{
    AttemptOutcome, Delivery, DeliveryAttempt, DeliveryState, DueDelivery, RetrySchedule,
};
pub use endpoint::{
    registrant, EndpointDraft, EndpointPatch, EventFilter, WebhookEndpoint, SECRET_PREFIX,
};
pub use limits::{
    endpoint_disabled, too_many_endpoints, too_many_queued_tests, MAX_CLAIMED_PER_ENDPOINT,
    MAX_ENDPOINTS_PER_OWNER, MAX_IN_FLIGHT_PER_ENDPOINT, MAX_QUEUED_TESTS_PER_ENDPOINT,
};
pub use outbox::{EndpointBacklog, OutboxBacklog};
#[cfg(feature = "mock")]
pub use ports::MockWebhookStore;
pub use ports::WebhookStore;
pub use target::is_internal_ip;

use crate::DomainError;

/// The 404 for an endpoint that does not exist or is not the caller's.
pub fn endpoint_not_found(id: &str) -> DomainError {
    DomainError::NotFound(format!("Webhook endpoint not found with ID: {id}"))
}

/// The 404 for a delivery that does not exist or whose endpoint is not the caller's.
pub fn delivery_not_found(id: &str) -> DomainError {
    DomainError::NotFound(format!("Delivery not found with ID: {id}"))
}
