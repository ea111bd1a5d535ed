//! The one ledger: accounts ([`Account`]: buyers' wallets, shops' merchant balances, the
//! platform's revenue), their balances and their append-only entries. Every movement is
//! decided here ([`post_to`]) and written by the store's `wallet` module, the only writer of
//! balances and entries.

mod account;
mod ports;

pub use account::{Account, AccountKind};

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
        /// A completed order's money settled into its shop's merchant balance (`order:<id>`).
        OrderSettled,
        /// The platform's commission on a settled order (`order:<id>`): out of the merchant
        /// balance, into the platform's revenue.
        Commission,
        /// A cancelled order's money taken back from its shop's merchant balance for the
        /// buyer's refund (`order-cancel:<id>`).
        OrderCancelled,
        /// A cancelled order's commission given back by the platform's revenue to the
        /// merchant balance (`order-cancel:<id>`).
        CommissionReversed,
        /// Money paid out of a merchant balance to the shop (the admin's reference).
        Payout,
    }
}

impl LedgerKind {
    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }

    /// Whether lines of this kind are written to accounts of `account`'s kind: a wallet's
    /// are CREDIT, PURCHASE and REFUND; a merchant balance's the settlements,
    /// cancellations, payouts and both sides of the commission, which the platform's
    /// revenue shares.
    pub fn is_on(self, account: AccountKind) -> bool {
        match self {
            Self::Credit | Self::Purchase | Self::Refund => account == AccountKind::Wallet,
            Self::OrderSettled | Self::OrderCancelled | Self::Payout => {
                account == AccountKind::Merchant
            }
            Self::Commission | Self::CommissionReversed => account != AccountKind::Wallet,
        }
    }

    /// The kinds whose lines are written to accounts of `account`'s kind, in declaration
    /// order (the lists the API documents for a wallet and for a shop's statement).
    pub fn on(account: AccountKind) -> impl Iterator<Item = Self> {
        use strum::IntoEnumIterator;
        Self::iter().filter(move |k| k.is_on(account))
    }
}

/// One movement the domain decided, before the store posts it: which account, why, how
/// much (signed) and the reference that ties it to its cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    /// The account that moves.
    pub account: Account,
    /// Why it moves.
    pub kind: LedgerKind,
    /// Signed amount (debits negative).
    pub amount: Money,
    /// The cause (`order:<id>`, `order-cancel:<id>`, an admin's reference).
    pub reference: String,
}

/// One immutable ledger entry; `amount` is signed (debits negative).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// Entry id, also the payment transaction id of purchases.
    pub id: Uuid,
    /// The account it moved: a wallet, a merchant balance or the platform's revenue.
    pub account: Account,
    /// Why the money moved: an admin credit, a purchase, a refund, a settlement...
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

impl LedgerEntry {
    /// The entry of `posting` with its id and time, its balance still to be known (the
    /// posting function sets it to what the move left).
    pub fn of(posting: Posting, id: Uuid, now: OffsetDateTime) -> Self {
        Self {
            id,
            account: posting.account,
            kind: posting.kind,
            amount: posting.amount,
            balance_after: posting.amount,
            reference: posting.reference,
            created_at: now,
        }
    }
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
        return debit(balance, delta.negated());
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

/// [`post`] into `account`: a wallet refuses a balance below zero as seed 001's
/// `insufficient-balance` (400); a merchant or platform account as
/// [`crate::ledger::LedgerRefusal::InsufficientBalance`] (409), which is what a payout
/// beyond the balance, or a cancellation whose money was paid out, is told.
pub fn post_to(
    account: &Account,
    balance: Money,
    delta: Money,
) -> Result<Money, crate::DomainError> {
    if account.kind() != AccountKind::Wallet && balance.minor().saturating_add(delta.minor()) < 0 {
        return Err(crate::ledger::LedgerRefusal::InsufficientBalance {
            balance,
            required: delta.negated(),
        }
        .into());
    }
    post(balance, delta)
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
        use strum::IntoEnumIterator;
        for k in LedgerKind::iter() {
            assert_eq!(LedgerKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(LedgerKind::OrderSettled.as_str(), "ORDER_SETTLED");
        let wallet: Vec<LedgerKind> = LedgerKind::on(AccountKind::Wallet).collect();
        assert_eq!(
            wallet,
            [LedgerKind::Credit, LedgerKind::Purchase, LedgerKind::Refund]
        );
        assert_eq!(LedgerKind::on(AccountKind::Merchant).count(), 5);
        assert_eq!(LedgerKind::on(AccountKind::Platform).count(), 2);
    }

    #[test]
    fn a_merchant_account_short_of_a_debit_is_a_typed_conflict() {
        let tzs = |m| Money::from_minor(m, Currency::TZS);
        let shop = Account::merchant(Uuid::nil());
        let err = post_to(&shop, tzs(500), tzs(-501)).expect_err("refused");
        match err {
            crate::DomainError::Conflict(r) => {
                assert_eq!(r.kind(), "insufficient-shop-balance");
                assert_eq!(
                    r.message(),
                    "Insufficient shop balance. Balance: 5.00 TZS, required: 5.01 TZS"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(post_to(&shop, tzs(500), tzs(-500)), Ok(tzs(0)));
        let wallet = Account::wallet("u");
        let err = post_to(&wallet, tzs(0), tzs(-1)).expect_err("refused");
        assert!(
            matches!(err, crate::DomainError::Rule(ref r) if r.kind() == "insufficient-balance")
        );
    }
}
