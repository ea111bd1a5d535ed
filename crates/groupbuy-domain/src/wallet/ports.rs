//! The storage port of wallets.

use super::{LedgerEntry, Wallet};
use crate::error::DomainError;
use crate::money::Money;
use crate::page::Page;
use crate::platform::Answer;
use time::OffsetDateTime;

/// Storage of wallets and their ledgers.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait WalletStore: Send + Sync {
    /// The user's wallet (an empty TZS wallet when nothing was ever credited).
    ///
    /// # Errors
    /// `Unavailable`/`Internal` on storage failure.
    fn wallet(&self, user_id: &str, now: OffsetDateTime) -> Result<Wallet, DomainError>;

    /// The user's ledger, newest first.
    ///
    /// # Errors
    /// `Validation` for a malformed cursor.
    fn transactions(
        &self,
        user_id: &str,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<LedgerEntry>, DomainError>;

    /// Credits `amount` to the user's wallet, appending a CREDIT entry.
    ///
    /// # Errors
    /// `Conflict` when the wallet holds another currency.
    fn credit(
        &self,
        user_id: &str,
        amount: Money,
        reference: &str,
        now: OffsetDateTime,
        answer: Answer<LedgerEntry>,
    ) -> Result<LedgerEntry, DomainError>;
}
