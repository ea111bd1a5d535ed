//! The accounts of the one ledger: a buyer's wallet, a shop's merchant balance and the
//! platform's revenue. An account is named by its kind AND its owner, never by a string
//! alone: a user whose token says `sub = "<a shop's id>"` owns the wallet of that name, which
//! is not the shop's merchant account (the kind tells them apart in every key, every query
//! and every ledger line).

use crate::names::closed_set;
use uuid::Uuid;

closed_set! {
    /// What an account is; its list and names are derived (`strum`). The declaration order
    /// is the order a transaction locks accounts in (wallets, then merchant balances, then
    /// platform revenue), so two transactions that touch several never deadlock on them.
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    pub enum AccountKind {
        /// A user's wallet (owner: the token's `sub`): one currency, fixed by its first credit.
        Wallet,
        /// A shop's merchant balance (owner: the shop id) or a campaign handle's (owner:
        /// `handle:<handle>`), one per currency it has sold in: what its orders settled,
        /// less commission, cancellations and payouts.
        Merchant,
        /// The platform's revenue (owner: `platform`), one per currency: the commission
        /// taken on settled orders, less what cancellations gave back.
        Platform,
    }
}

/// The owner name of the platform's revenue account.
const PLATFORM: &str = "platform";

/// One account of the ledger: its kind and its owner (a user id, a shop id or `platform`).
/// Built only through the constructors, so a shop's account can never be named by a user id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Account {
    kind: AccountKind,
    owner: String,
}

impl Account {
    /// The wallet of the user whose token's `sub` is `user_id`.
    pub fn wallet(user_id: impl Into<String>) -> Self {
        Self {
            kind: AccountKind::Wallet,
            owner: user_id.into(),
        }
    }

    /// The merchant balance of a shop.
    pub fn merchant(shop_id: Uuid) -> Self {
        Self {
            kind: AccountKind::Merchant,
            owner: shop_id.to_string(),
        }
    }

    /// The merchant balance of a campaign handle (its owner's takings from paid
    /// pre-orders). Its owner name, `handle:<handle>`, can never be a shop id (a UUID).
    pub fn handle_merchant(handle: &crate::campaign::Handle) -> Self {
        Self {
            kind: AccountKind::Merchant,
            owner: format!("handle:{handle}"),
        }
    }

    /// The platform's revenue account.
    pub fn platform() -> Self {
        Self {
            kind: AccountKind::Platform,
            owner: PLATFORM.to_owned(),
        }
    }

    /// An account as stored (kind and owner columns); `None` for an unknown kind.
    pub fn stored(kind: &str, owner: impl Into<String>) -> Option<Self> {
        let kind: AccountKind = kind.parse().ok()?;
        Some(Self {
            kind,
            owner: owner.into(),
        })
    }

    /// What the account is.
    pub fn kind(&self) -> AccountKind {
        self.kind
    }

    /// Whose it is: a user id, a shop id, or `platform`.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Whether it holds one currency only (a wallet), rather than one balance per currency.
    pub fn single_currency(&self) -> bool {
        self.kind == AccountKind::Wallet
    }

    /// The order in which a transaction locks accounts: by kind (see [`AccountKind`]),
    /// then owner.
    pub fn lock_order(&self) -> (usize, &str) {
        let rank = match self.kind {
            AccountKind::Wallet => 0,
            AccountKind::Merchant => 1,
            AccountKind::Platform => 2,
        };
        (rank, &self.owner)
    }
}

impl std::fmt::Display for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.kind, self.owner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_named_like_a_shop_owns_a_wallet_not_the_shop() {
        let shop = Uuid::new_v4();
        let forged = Account::wallet(shop.to_string());
        assert_ne!(forged, Account::merchant(shop));
        assert_eq!(forged.owner(), Account::merchant(shop).owner());
        let platform_user = Account::wallet("platform");
        assert_ne!(platform_user, Account::platform());
    }

    #[test]
    fn stored_accounts_round_trip_and_lock_in_kind_order() {
        for a in [
            Account::wallet("u1"),
            Account::merchant(Uuid::nil()),
            Account::platform(),
        ] {
            assert_eq!(Account::stored(a.kind().as_str(), a.owner()), Some(a));
        }
        assert_eq!(Account::stored("SHOP", "x"), None);
        let mut locks = [
            Account::platform(),
            Account::merchant(Uuid::nil()),
            Account::wallet("zz"),
        ];
        locks.sort_by(|a, b| a.lock_order().cmp(&b.lock_order()));
        assert_eq!(locks[0].kind(), AccountKind::Wallet);
        assert_eq!(locks[2].kind(), AccountKind::Platform);
    }
}
