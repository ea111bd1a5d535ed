//! Platform concerns every surface shares: the change context, domain events, the
//! tamper-evident audit chain, idempotency records, rate limits, health and the background
//! jobs' backlogs.

pub mod audit;
mod backlog;
mod context;
pub mod events;
mod idempotency;
pub mod rate_limit;

pub use audit::{
    audit_id, verify_chain, AuditDraft, AuditRecord, ChainVerdict, AUDIT_ID_PREFIX, GENESIS_HASH,
};
#[cfg(feature = "mock")]
pub use backlog::MockBacklogStore;
pub use backlog::{Backlog, BacklogStore, JobQueue};
pub use context::ChangeContext;
pub use events::{rfc3339, Audience, DomainEvent, EventType};
#[cfg(feature = "mock")]
pub use idempotency::MockIdempotencyStore;
pub use idempotency::{
    answered_elsewhere, Answer, IdempotencyBegin, IdempotencyStore, StoredResponse,
};
#[cfg(feature = "mock")]
pub use rate_limit::MockRateLimitStore;
pub use rate_limit::{RateDecision, RateLimitStore, RateQuota};

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

/// The 503 for a database that cannot be reached or whose pool is exhausted: the request
/// changed nothing and may be retried.
pub fn database_busy() -> crate::DomainError {
    crate::DomainError::Unavailable("The database is busy; retry shortly".into())
}

/// The 503 `/readyz` gives while the identity provider's signing keys have not loaded.
pub fn provider_keys_not_loaded() -> crate::DomainError {
    crate::DomainError::Unavailable("Identity provider keys not loaded yet".into())
}
