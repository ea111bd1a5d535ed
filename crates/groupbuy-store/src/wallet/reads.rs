//! The wallet's own surface for its user: only WALLET accounts (a merchant or platform
//! account of the same owner name is never shown), and the admin's credit.

use super::{post_entry, LedgerRow};
use crate::convert::{from_db_time, money};
use crate::db::Database;
use crate::platform::paging::{into_page, parse_cursor};
use crate::schema::{wallet_ledger, wallets};
use diesel::prelude::*;
use groupbuy_domain::page::clamp_limit;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::wallet::{Account, AccountKind, LedgerEntry, LedgerKind, Wallet, WalletStore};
use groupbuy_domain::{Currency, DomainError, Money, Page};
use time::{OffsetDateTime, PrimitiveDateTime};

impl WalletStore for Database {
    fn wallet(&self, user_id: &str, now: OffsetDateTime) -> Result<Wallet, DomainError> {
        self.read(|conn| {
            let row: Option<(String, i64, PrimitiveDateTime)> = wallets::table
                .filter(wallets::account_kind.eq(AccountKind::Wallet.as_str()))
                .filter(wallets::user_id.eq(user_id))
                .select((
                    wallets::currency,
                    wallets::balance_minor,
                    wallets::updated_at,
                ))
                .first(conn)
                .optional()?;
            Ok(match row {
                Some((currency, balance, updated)) => Wallet {
                    user_id: user_id.to_owned(),
                    balance: money(balance, &currency)?,
                    updated_at: from_db_time(updated),
                },
                None => Wallet {
                    user_id: user_id.to_owned(),
                    balance: Money::zero(Currency::TZS),
                    updated_at: now,
                },
            })
        })
    }

    fn transactions(
        &self,
        user_id: &str,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<LedgerEntry>, DomainError> {
        let before = parse_cursor(cursor)?;
        let limit = clamp_limit(Some(limit));
        self.read(|conn| lines_of(conn, &Account::wallet(user_id), before, limit))
    }

    fn credit(
        &self,
        user_id: &str,
        amount: Money,
        reference: &str,
        now: OffsetDateTime,
        answer: Answer<LedgerEntry>,
    ) -> Result<LedgerEntry, DomainError> {
        if amount.minor() <= 0 {
            return Err(DomainError::invalid(
                "amount",
                "amount must be greater than 0",
            ));
        }
        self.write_answered(answer, |conn| {
            let wallet = Account::wallet(user_id);
            post_entry(conn, wallet, LedgerKind::Credit, amount, reference, now)
        })
    }
}

/// A page of `account`'s ledger lines, newest first, before the line `before` (a cursor's
/// `seq`): a wallet's transactions, a shop's statement.
pub(crate) fn lines_of(
    conn: &mut crate::db::DbConnection,
    account: &Account,
    before: Option<i64>,
    limit: i64,
) -> Result<Page<LedgerEntry>, crate::error::StoreError> {
    let mut query = wallet_ledger::table
        .filter(wallet_ledger::account_kind.eq(account.kind().as_str()))
        .filter(wallet_ledger::user_id.eq(account.owner()))
        .select(LedgerRow::as_select())
        .order(wallet_ledger::seq.desc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(seq) = before {
        query = query.filter(wallet_ledger::seq.lt(seq));
    }
    let rows: Vec<LedgerRow> = query.load(conn)?;
    into_page(rows, limit, |r| r.seq, LedgerRow::into_domain)
}
