//! Idempotency-Key records: one per (caller, key), replayed on retries.

use crate::error::{DomainError, Refusal};
use std::sync::{Arc, OnceLock};
use time::{Duration, OffsetDateTime};

/// How an idempotent request's answer is rendered from its use case's result.
type Render<T> = dyn Fn(&T) -> StoredResponse + Send + Sync;

/// The answer a request holding an Idempotency-Key stores on its key in the SAME
/// transaction as its effect (a crash between COMMIT and the response then leaves a key
/// that replays, never one that runs again). Passed explicitly by the handler to the use
/// case, which hands it to the store's write transaction; [`Answer::none`] for a request
/// without a key (and in tests). Clones share one answer: a payment batched on another
/// thread records its payer's answer there.
pub struct Answer<T> {
    keyed: Option<Arc<Keyed<T>>>,
}

struct Keyed<T> {
    caller: String,
    key: String,
    render: Box<Render<T>>,
    /// Set by the store once the transaction that stored the answer has committed.
    committed: OnceLock<StoredResponse>,
}

impl<T> Answer<T> {
    /// No key: nothing is stored with the effect.
    pub fn none() -> Self {
        Self { keyed: None }
    }

    /// The answer `render` gives the result, to store on `caller`'s `key`.
    pub fn on_key(
        caller: impl Into<String>,
        key: impl Into<String>,
        render: impl Fn(&T) -> StoredResponse + Send + Sync + 'static,
    ) -> Self {
        Self {
            keyed: Some(Arc::new(Keyed {
                caller: caller.into(),
                key: key.into(),
                render: Box::new(render),
                committed: OnceLock::new(),
            })),
        }
    }

    /// Whether the request holds a key (its answer is to be stored with the effect).
    pub fn is_keyed(&self) -> bool {
        self.keyed.is_some()
    }

    /// The `(caller, key)` the answer is stored on and the answer to store for `value`;
    /// `None` without a key.
    pub fn render(&self, value: &T) -> Option<(&str, &str, StoredResponse)> {
        self.keyed
            .as_deref()
            .map(|k| (k.caller.as_str(), k.key.as_str(), (k.render)(value)))
    }

    /// Called by the store after COMMIT: `response` is now the answer on the key.
    pub fn committed(&self, response: StoredResponse) {
        if let Some(k) = &self.keyed {
            // A second commit cannot happen: the key is stored conditionally on being in
            // flight, so a later attempt to store it again is refused.
            let _ = k.committed.set(response);
        }
    }

    /// The answer that committed with the effect, if one did.
    pub fn stored(&self) -> Option<StoredResponse> {
        self.keyed.as_ref().and_then(|k| k.committed.get().cloned())
    }
}

impl<T> Clone for Answer<T> {
    fn clone(&self) -> Self {
        Self {
            keyed: self.keyed.clone(),
        }
    }
}

impl<T> Default for Answer<T> {
    fn default() -> Self {
        Self::none()
    }
}

impl<T> std::fmt::Debug for Answer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.keyed {
            Some(k) => write!(f, "Answer({}, {})", k.caller, k.key),
            None => f.write_str("Answer(none)"),
        }
    }
}

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
