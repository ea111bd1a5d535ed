//! Platform concerns every surface shares: idempotency records and health.

mod idempotency;

#[cfg(feature = "mock")]
pub use idempotency::MockIdempotencyStore;
pub use idempotency::{IdempotencyBegin, IdempotencyStore, StoredResponse};

use crate::error::DomainError;

/// Whether the database answers.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait HealthCheck: Send + Sync {
    /// Runs a trivial query.
    ///
    /// # Errors
    /// `Unavailable` when the database cannot be reached.
    fn ping(&self) -> Result<(), DomainError>;
}
