//! Idempotency-Key records: one per (caller, key), replayed on retries.

use crate::error::{DomainError, Refusal};
use time::{Duration, OffsetDateTime};

/// The refusal of an attempt whose key another attempt (one that took over its lease)
/// answered first: its own effect is rolled back, and a retry receives that answer.
pub fn answered_elsewhere() -> DomainError {
    DomainError::Conflict(Refusal::new(
        "idempotency-answered-elsewhere",
        "A request with this Idempotency-Key was already answered; retry to receive that answer",
    ))
}

/// A response stored for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// Body bytes as sent.
    pub body: String,
    /// Content type.
    pub content_type: String,
    /// The headers a replay must repeat (`Location`, `ETag`), in order.
    pub headers: Vec<(String, String)>,
}

impl StoredResponse {
    /// The same answer, also carrying header `name: value`.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The headers as stored (a JSON array of `[name, value]` pairs).
    pub fn headers_json(&self) -> String {
        serde_json::to_string(&self.headers).unwrap_or_else(|_| "[]".into())
    }

    /// Headers from their stored form; anything unreadable is no headers.
    pub fn headers_from_json(stored: Option<&str>) -> Vec<(String, String)> {
        stored
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default()
    }
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
