//! Platform concerns every surface shares: the change context, domain events, the
//! tamper-evident audit chain, idempotency records, rate limits and health.

pub mod audit;
mod context;
pub mod events;
mod idempotency;
pub mod rate_limit;

pub use audit::{
    audit_id, verify_chain, AuditDraft, AuditRecord, ChainVerdict, AUDIT_ID_PREFIX, GENESIS_HASH,
};
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
