//! Wallets: each user's balance and its append-only ledger.

mod ports;

#[cfg(feature = "mock")]
pub use ports::MockWalletStore;
pub use ports::WalletStore;

use crate::money::Money;
use crate::names::closed_set;
use time::OffsetDateTime;
use uuid::Uuid;

/// A user's wallet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wallet {
    /// The owner's user id (a token's `sub`); one wallet per user.
    pub user_id: String,
    /// Current balance (never negative).
    pub balance: Money,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

closed_set! {
    /// Why money moved; its list and names are derived (`strum`).
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    pub enum LedgerKind {
        /// A platform-admin credit: the only way money enters.
        Credit,
        /// A group purchase paid from the wallet.
        Purchase,
        /// A refund of a failed or deleted group, or of a cancelled order (`order-cancel:<id>`).
        Refund,
    }
}

impl LedgerKind {
    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

/// One immutable ledger entry; `amount` is signed (debits negative).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// Entry id, also the payment transaction id of purchases.
    pub id: Uuid,
    /// Wallet owner.
    pub user_id: String,
    /// Why the money moved: an admin credit, a purchase or a refund.
    pub kind: LedgerKind,
    /// Signed amount.
    pub amount: Money,
    /// Balance right after this entry.
    pub balance_after: Money,
    /// Caller's or system reference (credit reference, checkout session, group code).
    pub reference: String,
    /// When the money moved (UTC, from the injected clock).
    pub created_at: OffsetDateTime,
}

/// Debits `amount` from `balance`, refusing to go negative.
pub fn debit(balance: Money, amount: Money) -> Result<Money, crate::DomainError> {
    let after = balance.minus(amount)?;
    if after.minor() < 0 {
        return Err(crate::DomainError::Rule(crate::Refusal::new(
            "insufficient-balance",
            format!("Insufficient wallet balance. Balance: {balance}, required: {amount}"),
        )));
    }
    Ok(after)
}

/// Moves a signed `delta` into `balance`: refuses (Rule) a balance below zero and
/// (Validation on `amount`, 422) a balance past [`Money::MAX_MINOR`].
pub fn post(balance: Money, delta: Money) -> Result<Money, crate::DomainError> {
    if delta.minor() < 0 {
        return debit(
            balance,
            Money::from_minor(delta.minor().saturating_neg(), delta.currency()),
        );
    }
    let after = balance.plus(delta)?;
    if !after.is_within_bounds() {
        return Err(crate::DomainError::invalid(
            "amount",
            format!(
                "The wallet balance would pass its maximum of {}",
                Money::max(balance.currency())
            ),
        ));
    }
    Ok(after)
}

/// The 503 for a wallet whose balance kept changing under three conditional updates in a
/// row: the client retries (a rare, hot wallet), nothing was written.
pub fn wallet_busy() -> crate::DomainError {
    crate::DomainError::Unavailable("The wallet is busy; retry shortly".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn debit_never_goes_negative(balance in 0i64..1_000_000, amount in 1i64..2_000_000) {
            let b = Money::from_minor(balance, Currency::TZS);
            let a = Money::from_minor(amount, Currency::TZS);
            match debit(b, a) {
                Ok(after) => { prop_assert!(after.minor() >= 0); prop_assert_eq!(after.minor() + amount, balance); }
                Err(_) => prop_assert!(amount > balance),
            }
        }
    }

    proptest! {
        #[test]
        fn balances_stay_within_zero_and_the_bound(
            balance in 0i64..=Money::MAX_MINOR,
            delta in -2 * Money::MAX_MINOR..2 * Money::MAX_MINOR,
        ) {
            let b = Money::from_minor(balance, Currency::TZS);
            let d = Money::from_minor(delta, Currency::TZS);
            match post(b, d) {
                Ok(after) => {
                    prop_assert!(after.minor() >= 0 && after.minor() <= Money::MAX_MINOR);
                    prop_assert_eq!(after.minor(), balance + delta);
                }
                Err(_) => prop_assert!(balance + delta < 0 || balance + delta > Money::MAX_MINOR),
            }
        }
    }

    #[test]
    fn a_credit_past_the_bound_is_a_validation_error() {
        let full = Money::max(Currency::TZS);
        let err = post(full, Money::from_minor(1, Currency::TZS)).expect_err("refused");
        assert!(
            matches!(err, crate::DomainError::Validation { ref field, .. } if field == "amount")
        );
        assert_eq!(
            post(Money::zero(Currency::TZS), full).expect("exactly the bound"),
            full
        );
    }

    #[test]
    fn ledger_kinds_round_trip() {
        for k in [LedgerKind::Credit, LedgerKind::Purchase, LedgerKind::Refund] {
            assert_eq!(LedgerKind::parse(k.as_str()), Some(k));
        }
    }
}
