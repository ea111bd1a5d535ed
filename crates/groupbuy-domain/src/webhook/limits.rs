//! How much of the delivery machinery one endpoint or one owner may take, so that one
//! tenant's backlog never delays another's deliveries.

/// Endpoints one owner may register: a user's personal endpoints, or an organisation's.
pub const MAX_ENDPOINTS_PER_OWNER: i64 = 20;

/// Test deliveries (`POST .../test`) one endpoint may have queued and not yet settled.
pub const MAX_QUEUED_TESTS_PER_ENDPOINT: i64 = 10;

/// Deliveries of one endpoint being sent at once, across every instance (leased ones).
pub const MAX_IN_FLIGHT_PER_ENDPOINT: i64 = 8;

/// Deliveries of one endpoint taken by one claim: the rest of the claim goes to others.
pub const MAX_CLAIMED_PER_ENDPOINT: i64 = 4;
