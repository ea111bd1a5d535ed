//! Platform concerns every surface shares: idempotency records and health.

mod idempotency;

pub use idempotency::{IdempotencyBegin, IdempotencyStore, StoredResponse};
#[cfg(feature = "mock")]
pub use idempotency::MockIdempotencyStore;

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
