//! The merchant ledger: what a shop earns from its completed orders, the platform's
//! commission on them, cancellations that give both back, and payouts. Every balance lives
//! in the one ledger of [`crate::wallet`] (an [`crate::wallet::Account`] of kind MERCHANT or
//! PLATFORM beside the buyers' wallets), so money is conserved across all of them:
//! credits = wallet balances + money held by OPEN groups + merchant balances + platform
//! revenue + payouts.
//!
//! What moves is decided here, purely: [`CommissionRate::on`] (once per order, at its
//! group's completion), [`settle`] and [`reverse`] (an order's postings), [`PayoutDraft`].

mod commission;
mod events;
mod payout;
mod ports;
mod refusal;
mod settlement;

pub use commission::{CommissionRate, WHOLE_BPS};
pub use events::shop_subject;
pub use payout::{Payout, PayoutDraft, MAX_REFERENCE_CHARS};
pub use ports::LedgerStore;
#[cfg(feature = "mock")]
pub use ports::MockLedgerStore;
pub use refusal::LedgerRefusal;
pub use settlement::{cancelled_reference, reverse, settle, settled_reference};

use crate::money::Money;
use time::OffsetDateTime;
use uuid::Uuid;

/// A shop's commission rate: its own, when a platform admin set one, else the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShopCommission {
    /// The shop.
    pub shop_id: Uuid,
    /// The shop's own rate, `None` when it takes the platform's default.
    pub own: Option<CommissionRate>,
    /// The platform's default (`GROUPBUY_COMMISSION_BPS`).
    pub default: CommissionRate,
}

impl ShopCommission {
    /// The rate the shop's next completed orders are charged.
    pub fn effective(&self) -> CommissionRate {
        CommissionRate::effective(self.own, self.default)
    }
}

/// One of a shop's merchant balances (one per currency it has settled orders in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MerchantBalance {
    /// What the shop may be paid out now, never negative.
    pub available: Money,
    /// Its last movement.
    pub updated_at: OffsetDateTime,
}

/// A shop's balances and its commission rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopBalance {
    /// The shop's commission rate.
    pub commission: ShopCommission,
    /// Its balances by currency code (none before its first completed order).
    pub balances: Vec<MerchantBalance>,
}
