//! How much of the delivery machinery one endpoint or one owner may take, so that one
//! tenant's backlog never delays another's deliveries.

use crate::error::{DomainError, Refusal};

/// Endpoints one owner may register: a user's personal endpoints, or an organisation's.
pub const MAX_ENDPOINTS_PER_OWNER: i64 = 20;

/// Test deliveries (`POST .../test`) one endpoint may have queued and not yet settled.
pub const MAX_QUEUED_TESTS_PER_ENDPOINT: i64 = 10;

/// Deliveries of one endpoint being sent at once, across every instance (leased ones).
pub const MAX_IN_FLIGHT_PER_ENDPOINT: i64 = 8;

/// Deliveries of one endpoint taken by one claim: the rest of the claim goes to others.
pub const MAX_CLAIMED_PER_ENDPOINT: i64 = 4;

/// The refusal of an endpoint beyond [`MAX_ENDPOINTS_PER_OWNER`] (409).
pub fn too_many_endpoints() -> DomainError {
    DomainError::Conflict(Refusal::new(
        "webhook-endpoint-limit",
        format!(
            "At most {MAX_ENDPOINTS_PER_OWNER} webhook endpoints per user or organisation; \
             delete one first"
        ),
    ))
}

/// The refusal of a test beyond [`MAX_QUEUED_TESTS_PER_ENDPOINT`] (409).
pub fn too_many_queued_tests() -> DomainError {
    DomainError::Conflict(Refusal::new(
        "webhook-tests-queued",
        format!(
            "At most {MAX_QUEUED_TESTS_PER_ENDPOINT} test deliveries may wait at one endpoint; \
             wait until they are delivered or exhausted"
        ),
    ))
}

/// The refusal of a test to a disabled endpoint (409).
pub fn endpoint_disabled() -> DomainError {
    DomainError::Conflict(Refusal::new(
        "webhook-endpoint-disabled",
        "The webhook endpoint is disabled; re-enable it (PATCH {\"disabled\": false}) to test it",
    ))
}
