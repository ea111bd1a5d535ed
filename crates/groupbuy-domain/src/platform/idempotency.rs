//! Idempotency-Key records: one per (caller, key), replayed on retries.

use crate::error::DomainError;
use time::{Duration, OffsetDateTime};

/// A response stored for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// Body bytes as sent.
    pub body: String,
    /// Content type.
    pub content_type: String,
}

/// What a new request with an Idempotency-Key may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyBegin {
    /// First use (or a crashed attempt's lease has run out): run the request.
    Proceed,
    /// Done before with the same fingerprint: replay this.
    Replay(StoredResponse),
    /// The key was used for a different request.
    Mismatch,
    /// The first request with this key is still running.
    InFlight,
}

/// Storage of idempotency records.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` for `caller` with a lease, or reports what to do instead.
    ///
    /// # Errors
    /// Storage failures.
    fn begin(
        &self,
        caller: &str,
        key: &str,
        fingerprint: &str,
        now: OffsetDateTime,
        lease: Duration,
    ) -> Result<IdempotencyBegin, DomainError>;

    /// Stores the final response of a claimed key.
    ///
    /// # Errors
    /// Storage failures.
    fn complete(
        &self,
        caller: &str,
        key: &str,
        response: StoredResponse,
        now: OffsetDateTime,
    ) -> Result<(), DomainError>;

    /// Releases a claimed key whose request failed without an answer worth replaying.
    ///
    /// # Errors
    /// Storage failures.
    fn release(&self, caller: &str, key: &str) -> Result<(), DomainError>;

    /// Deletes records created before `before`; returns how many.
    ///
    /// # Errors
    /// Storage failures.
    fn purge(&self, before: OffsetDateTime) -> Result<usize, DomainError>;
}
