//! The storage port of the merchant ledger: a shop's balance and statement for its owner
//! or a platform admin, and the platform admin's payouts and commission rates.

use super::commission::CommissionRate;
use super::payout::{Payout, PayoutDraft};
use super::{ShopBalance, ShopCommission};
use crate::error::DomainError;
use crate::page::Page;
use crate::platform::{Answer, ChangeContext};
use crate::principal::Principal;
use crate::wallet::LedgerEntry;
use uuid::Uuid;

/// Storage of merchant balances, their statements, payouts and commission rates.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait LedgerStore: Send + Sync {
    /// The shop's merchant balances (one per currency it settled in) and its commission
    /// rate, for the shop's owner or a platform admin.
    ///
    /// # Errors
    /// `NotFound` (`Shop not found with ID: ...`) when missing or not the caller's.
    fn balance(&self, caller: &Principal, shop_id: Uuid) -> Result<ShopBalance, DomainError>;

    /// The shop's statement: its merchant balance's ledger lines (orders settled,
    /// commission, cancellations, payouts), newest first.
    ///
    /// # Errors
    /// `NotFound` as [`Self::balance`]; `Validation` for a bad cursor.
    fn statement(
        &self,
        caller: &Principal,
        shop_id: Uuid,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<LedgerEntry>, DomainError>;

    /// A campaign handle's merchant balances (what its paid pre-orders settled, less
    /// commission and cancellations), for the handle's owner or a platform admin.
    ///
    /// # Errors
    /// `NotFound` (the handle's) when missing or not the caller's.
    fn handle_balance(
        &self,
        caller: &Principal,
        handle: &crate::campaign::Handle,
    ) -> Result<Vec<super::MerchantBalance>, DomainError>;

    /// A campaign handle's statement: its merchant balance's ledger lines, newest first.
    ///
    /// # Errors
    /// `NotFound` as [`Self::handle_balance`]; `Validation` for a bad cursor.
    fn handle_statement(
        &self,
        caller: &Principal,
        handle: &crate::campaign::Handle,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<LedgerEntry>, DomainError>;

    /// Records a payout out of the shop's merchant balance (the caller is a platform
    /// admin), with `payout.recorded` and an audit entry, never past the balance: of
    /// concurrent payouts only those the balance covers are recorded.
    ///
    /// # Errors
    /// `NotFound` for a missing shop; `Conflict`
    /// ([`super::LedgerRefusal::InsufficientBalance`]) for more than the balance.
    fn record_payout(
        &self,
        shop_id: Uuid,
        draft: PayoutDraft,
        ctx: &ChangeContext,
        answer: Answer<Payout>,
    ) -> Result<Payout, DomainError>;

    /// Sets (or, with `None`, clears) the shop's own commission rate (the caller is a
    /// platform admin), audited; groups completing afterwards take it.
    ///
    /// # Errors
    /// `NotFound` for a missing shop.
    fn set_commission(
        &self,
        shop_id: Uuid,
        rate: Option<CommissionRate>,
        ctx: &ChangeContext,
    ) -> Result<ShopCommission, DomainError>;
}
