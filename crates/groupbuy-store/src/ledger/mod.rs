//! The merchant ledger on both backends: a shop's balances and statement for its owner or
//! a platform admin, and the platform admin's payouts and commission rates. The balances
//! themselves live in the one ledger (`wallets` rows of kind MERCHANT and PLATFORM) and
//! move only through [`crate::wallet::post_postings`]: settlements when groups complete
//! (`group_purchase/seats.rs` `write_completion`), reversals when orders are cancelled
//! (`order/change.rs`) and payouts (here).

#[cfg(test)]
mod tests;

use crate::convert::{from_db_time, money};
use crate::db::{Database, DbConnection};
use crate::error::StoreError;
use crate::platform::paging::parse_cursor;
use crate::platform::{audit, outbox};
use crate::schema::{shops, wallets};
use crate::wallet::{lines_of, post_postings};
use diesel::prelude::*;
use groupbuy_domain::campaign::Handle;
use groupbuy_domain::catalog::{manages_shop, shop_not_found};
use groupbuy_domain::ledger::{
    shop_subject, CommissionRate, LedgerStore, MerchantBalance, Payout, PayoutDraft, ShopBalance,
    ShopCommission,
};
use groupbuy_domain::page::clamp_limit;
use groupbuy_domain::platform::{Answer, Audience, AuditDraft, ChangeContext};
use groupbuy_domain::wallet::{Account, LedgerEntry};
use groupbuy_domain::{DomainError, Page, Principal};
use time::PrimitiveDateTime;
use uuid::Uuid;

impl Database {
    /// The same database charging `rate` on the completed orders of shops without a rate
    /// of their own (`GROUPBUY_COMMISSION_BPS`; zero unless set).
    pub fn with_default_commission(mut self, rate: CommissionRate) -> Self {
        self.default_commission = rate;
        self
    }

    /// The platform's default rate ([`Self::with_default_commission`]).
    pub(crate) fn default_commission(&self) -> CommissionRate {
        self.default_commission
    }
}

/// A shop's owner and own commission rate, as stored.
struct ShopTerms {
    owner: String,
    own: Option<CommissionRate>,
}

/// The shop's owner and rate; with `lock`, its row is locked until COMMIT (PostgreSQL;
/// SQLite's IMMEDIATE transaction holds the only write lock), so the shop's audit chain
/// gets one appender at a time. The lock is `FOR NO KEY UPDATE`: it must not block the
/// foreign-key checks of payments inserting the shop's groups and orders, or a payout
/// waiting for the merchant balance closes a cycle with a cancellation waiting for the
/// product an opening payment holds (a deadlock CI saw). `NotFound` for a missing shop.
fn shop_terms(conn: &mut DbConnection, shop_id: Uuid, lock: bool) -> Result<ShopTerms, StoreError> {
    let query = shops::table
        .find(shop_id.to_string())
        .select((shops::owner_id, shops::commission_bps));
    let row: Option<(String, Option<i32>)> = match conn {
        DbConnection::Pg(c) if lock => query.for_no_key_update().first(c).optional()?,
        DbConnection::Pg(c) => query.first(c).optional()?,
        DbConnection::Sqlite(c) => query.first(c).optional()?,
    };
    let (owner, own) = row.ok_or_else(|| StoreError::from(shop_not_found(shop_id)))?;
    let own = own
        .map(|bps| CommissionRate::from_bps(i64::from(bps), "commission_bps"))
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("commission of shop {shop_id}: {e}")))?;
    Ok(ShopTerms { owner, own })
}

/// [`shop_terms`] for a reader: the shop's owner or a platform admin; anyone else is told
/// the shop does not exist.
fn readable_shop(
    conn: &mut DbConnection,
    caller: &Principal,
    shop_id: Uuid,
) -> Result<ShopTerms, StoreError> {
    let terms = shop_terms(conn, shop_id, false)?;
    if !manages_shop(caller, &terms.owner) {
        return Err(shop_not_found(shop_id).into());
    }
    Ok(terms)
}

/// Appends an entry to the shop's audit chain (its row locked by the caller).
fn audit_shop(
    conn: &mut DbConnection,
    shop_id: Uuid,
    action: &str,
    details: serde_json::Value,
    ctx: &ChangeContext,
) -> Result<(), StoreError> {
    audit::append(
        conn,
        AuditDraft {
            subject: shop_subject(shop_id),
            actor: ctx.actor.clone(),
            org_id: None,
            action: action.to_owned(),
            from_status: None,
            to_status: None,
            request_id: ctx.request_id.clone(),
            details,
            at: ctx.now,
        },
    )?;
    Ok(())
}

/// An account's balances, one per currency, by currency code.
fn balances_of(
    conn: &mut DbConnection,
    account: &Account,
) -> Result<Vec<MerchantBalance>, StoreError> {
    let rows: Vec<(String, i64, PrimitiveDateTime)> = wallets::table
        .filter(wallets::account_kind.eq(account.kind().as_str()))
        .filter(wallets::user_id.eq(account.owner()))
        .order(wallets::currency)
        .select((
            wallets::currency,
            wallets::balance_minor,
            wallets::updated_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(currency, balance, at)| {
            Ok(MerchantBalance {
                available: money(balance, &currency)?,
                updated_at: from_db_time(at),
            })
        })
        .collect()
}

impl LedgerStore for Database {
    fn handle_balance(
        &self,
        caller: &Principal,
        handle: &Handle,
    ) -> Result<Vec<MerchantBalance>, DomainError> {
        self.read(|conn| {
            crate::campaign::managed_handle(conn, caller, handle)?;
            balances_of(conn, &Account::handle_merchant(handle))
        })
    }

    fn handle_statement(
        &self,
        caller: &Principal,
        handle: &Handle,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<LedgerEntry>, DomainError> {
        let before = parse_cursor(cursor)?;
        let limit = clamp_limit(Some(limit));
        self.read(|conn| {
            crate::campaign::managed_handle(conn, caller, handle)?;
            lines_of(conn, &Account::handle_merchant(handle), before, limit)
        })
    }

    fn balance(&self, caller: &Principal, shop_id: Uuid) -> Result<ShopBalance, DomainError> {
        let default = self.default_commission();
        self.read(|conn| {
            let terms = readable_shop(conn, caller, shop_id)?;
            let balances = balances_of(conn, &Account::merchant(shop_id))?;
            Ok(ShopBalance {
                commission: ShopCommission {
                    shop_id,
                    own: terms.own,
                    default,
                },
                balances,
            })
        })
    }

    fn statement(
        &self,
        caller: &Principal,
        shop_id: Uuid,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<LedgerEntry>, DomainError> {
        let before = parse_cursor(cursor)?;
        let limit = clamp_limit(Some(limit));
        self.read(|conn| {
            readable_shop(conn, caller, shop_id)?;
            lines_of(conn, &Account::merchant(shop_id), before, limit)
        })
    }

    fn record_payout(
        &self,
        shop_id: Uuid,
        draft: PayoutDraft,
        ctx: &ChangeContext,
        answer: Answer<Payout>,
    ) -> Result<Payout, DomainError> {
        self.write_answered(answer, |conn| {
            let terms = shop_terms(conn, shop_id, true)?;
            // One conditional statement on the merchant balance: of concurrent payouts,
            // only those it covers pass; the rest are refused with the balance as it is.
            let mut posted = post_postings(conn, &[draft.posting(shop_id)], ctx.now)?;
            let entry = posted
                .pop()
                .ok_or_else(|| StoreError::Corrupt("a payout left no line".into()))?;
            let payout = Payout { shop_id, entry };
            let event = payout.event(&Audience::User(terms.owner), ctx.now);
            outbox::append(conn, &[event], &ctx.request_id, ctx.now)?;
            let details = serde_json::json!({
                "payout_id": payout.entry.id,
                "amount": draft.amount().to_decimal(),
                "currency": draft.amount().currency().code(),
                "reference": draft.reference(),
            });
            audit_shop(conn, shop_id, "payout.record", details, ctx)?;
            Ok(payout)
        })
    }

    fn set_commission(
        &self,
        shop_id: Uuid,
        rate: Option<CommissionRate>,
        ctx: &ChangeContext,
    ) -> Result<ShopCommission, DomainError> {
        let default = self.default_commission();
        self.write(|conn| {
            let before = shop_terms(conn, shop_id, true)?;
            diesel::update(shops::table.find(shop_id.to_string()))
                .set(shops::commission_bps.eq(rate.map(|r| i32::from(r.bps()))))
                .execute(conn)?;
            let details = serde_json::json!({
                "from_bps": before.own.map(|r| r.bps()),
                "to_bps": rate.map(|r| r.bps()),
            });
            audit_shop(conn, shop_id, "commission.set", details, ctx)?;
            Ok(ShopCommission {
                shop_id,
                own: rate,
                default,
            })
        })
    }
}
