//! The outbox as operators watch it: per endpoint, how many deliveries are still to be
//! made and since when. Endpoints belong to tenants and may be many, so only the ones
//! waiting longest are named; the rest are summed up together.

use crate::platform::Backlog;
use time::OffsetDateTime;

/// The undelivered (pending or retrying) deliveries of one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointBacklog {
    /// The endpoint's id (never its URL, which may carry credentials).
    pub endpoint_id: String,
    /// Deliveries still to be made.
    pub pending: i64,
    /// When the oldest of them was enqueued.
    pub oldest: OffsetDateTime,
}

/// Undelivered deliveries by endpoint: those of the endpoints whose oldest has waited
/// longest, by name, and everyone else's together.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutboxBacklog {
    /// The named endpoints, the longest-waiting first.
    pub endpoints: Vec<EndpointBacklog>,
    /// Every other endpoint's deliveries: how many, and when the oldest was enqueued.
    pub others: Backlog,
}
