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
    /// A business rule refused the request (seed 001 answers these with 400).
    #[error("{0}")]
    Rule(String),
    /// The object's state does not allow the request (409).
    #[error("{0}")]
    Conflict(String),
    /// The caller lacks a permission (403).
    #[error("{0}")]
    Forbidden(String),
    /// A dependency (the database) is temporarily unavailable (503).
    #[error("{0}")]
    Unavailable(String),
    /// A bug or an unexpected storage failure; its text is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
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
