//! The one error type of the store crate.

use groupbuy_domain::group_purchase::GroupPurchaseRefusal;
use groupbuy_domain::order::OrderRefusal;
use groupbuy_domain::procurement::ProcurementRefusal;
use groupbuy_domain::DomainError;
use thiserror::Error;

/// Everything that can go wrong in storage.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    /// No connection could be had in time.
    #[error("connection pool: {0}")]
    Pool(String),
    /// Could not connect at all (bad URL, server down).
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    /// Migrations failed.
    #[error("migrations failed: {0}")]
    Migration(String),
    /// A stored value could not be read back into the domain.
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// A domain rule refused the use case; the transaction rolls back.
    #[error(transparent)]
    Domain(#[from] DomainError),
}

/// A group-purchase refusal rolls the transaction back like any domain error.
impl From<GroupPurchaseRefusal> for StoreError {
    fn from(r: GroupPurchaseRefusal) -> Self {
        Self::Domain(r.into())
    }
}

/// An order refusal rolls the transaction back like any domain error.
impl From<OrderRefusal> for StoreError {
    fn from(r: OrderRefusal) -> Self {
        Self::Domain(r.into())
    }
}

/// A procurement refusal rolls the transaction back like any domain error.
impl From<ProcurementRefusal> for StoreError {
    fn from(r: ProcurementRefusal) -> Self {
        Self::Domain(r.into())
    }
}

impl From<StoreError> for DomainError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Domain(e) => e,
            StoreError::Pool(_) | StoreError::Connect(_) => {
                tracing::warn!(error = %err, "database unavailable");
                groupbuy_domain::platform::database_busy()
            }
            other => {
                tracing::error!(error = %other, "storage failure");
                DomainError::Internal(other.to_string())
            }
        }
    }
}
