//! The one error type of the domain crate.

use thiserror::Error;

/// Result of a domain operation.
pub type DomainResult<T> = Result<T, DomainError>;

/// Every way a domain operation can be refused; the API maps each kind to HTTP once.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// The object does not exist or is not visible to the caller.
    #[error("{0}")]
    NotFound(String),
    /// A field failed validation (422 unless a spec says otherwise).
    #[error("{message}")]
    Validation {
        /// The request field at fault.
        field: String,
        /// Why it is invalid.
        message: String,
    },
    /// A business rule refused the request (seed 001 answers these with 400); the refusal
    /// names its problem kind, so clients match on the type URI rather than on prose.
    #[error("{0}")]
    Rule(Refusal),
    /// The object's state does not allow the request (409); like a rule refusal it names
    /// its problem kind.
    #[error("{0}")]
    Conflict(Refusal),
    /// The caller lacks a permission (403), with its problem kind.
    #[error("{0}")]
    Forbidden(Refusal),
    /// An `If-Match` precondition failed (412): the text names the current ETag.
    #[error("{0}")]
    PreconditionFailed(String),
    /// A dependency (the database) is temporarily unavailable (503).
    #[error("{0}")]
    Unavailable(String),
    /// A bug or an unexpected storage failure; its text is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

/// A business-rule refusal: its problem kind (the slug of its RFC 9457 `type` URI, such as
/// `group-full`) and the spec's exact text.
#[derive(Debug, Clone, Eq)]
pub struct Refusal {
    kind: &'static str,
    message: String,
}

impl Refusal {
    /// A refusal of `kind` saying `message`.
    pub fn new(kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The problem kind (`group-full`).
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// The text shown to clients.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Equal when they say the same thing: every text is produced by exactly one refusal
/// variant, so the kind follows from the message.
impl PartialEq for Refusal {
    fn eq(&self, other: &Self) -> bool {
        self.message == other.message
    }
}

impl PartialEq<str> for Refusal {
    fn eq(&self, other: &str) -> bool {
        self.message == other
    }
}

impl PartialEq<&str> for Refusal {
    fn eq(&self, other: &&str) -> bool {
        self.message == *other
    }
}

impl std::ops::Deref for Refusal {
    type Target = str;

    fn deref(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl DomainError {
    /// A validation error on `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
        }
    }
}
