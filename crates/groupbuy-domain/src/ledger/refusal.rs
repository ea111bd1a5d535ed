//! Every refusal of the merchant ledger: its `Display` is the one place its text is
//! written, its kind names its RFC 9457 problem type, and its status is chosen here.

use crate::error::{DomainError, Refusal};
use crate::money::Money;
use thiserror::Error;

/// Why a payout, or the reversal a cancellation needs, was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LedgerRefusal {
    /// A merchant (or platform) account would go below zero: a payout of more than the
    /// shop's balance, or a cancellation whose settled money was paid out already (409).
    #[error("Insufficient shop balance. Balance: {balance} {currency}, required: {required} {currency}", currency = balance.currency())]
    InsufficientBalance {
        /// What the account holds now.
        balance: Money,
        /// What the movement needs.
        required: Money,
    },
    /// A payout without an `Idempotency-Key` header (400): recording money sent out of the
    /// platform twice on a retry cannot be undone, so the key is required.
    #[error("An Idempotency-Key header is required to record a payout")]
    IdempotencyKeyRequired,
}

impl LedgerRefusal {
    /// The slug of the refusal's problem type (`https://groupbuy.dev/problems/<kind>`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InsufficientBalance { .. } => "insufficient-shop-balance",
            Self::IdempotencyKeyRequired => "idempotency-key-required",
        }
    }
}

/// The one conversion into the crate's error.
impl From<LedgerRefusal> for DomainError {
    fn from(r: LedgerRefusal) -> Self {
        let refusal = Refusal::new(r.kind(), r.to_string());
        match r {
            LedgerRefusal::InsufficientBalance { .. } => DomainError::Conflict(refusal),
            LedgerRefusal::IdempotencyKeyRequired => DomainError::Rule(refusal),
        }
    }
}
