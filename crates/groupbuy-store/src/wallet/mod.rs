//! The one ledger's accounts (buyers' wallets, shops' merchant balances, the platform's
//! revenue) and their append-only entries. Every balance change goes through this module,
//! in one of two ways, each writing the balances and their ledger entries together:
//! - [`post_postings`] (and its one-entry forms [`post`], [`post_entry`]): any accounts,
//!   each moved by ONE conditional statement that can never take its balance below zero
//!   or past the bound, in [`Account::lock_order`] (wallets, merchant balances, then the
//!   platform's revenue), so two transactions touching several accounts never deadlock on
//!   them: payments, credits, refunds of cancelled orders, settlements, payouts;
//! - [`post_entries`] (`batch.rs`): wallets the caller locked with [`lock_wallets`] and
//!   whose new balances the domain computed ([`wallet::post`]) in order: a batch of payments
//!   on PostgreSQL and the refund batches, a fixed number of statements per batch.

mod batch;
mod reads;

pub(crate) use batch::{lock_wallets, open_wallets, post_entries};
pub(crate) use reads::lines_of;

use crate::convert::{from_db_time, money, parse_uuid, to_db_time};
use crate::db::cacheable::cacheable;
use crate::db::{insert_if_absent, insert_rows, on_backend, placeholders, DbConnection};
use crate::error::StoreError;
use crate::schema::{wallet_ledger, wallets};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use groupbuy_domain::wallet::{self, Account, LedgerEntry, LedgerKind, Posting};
use groupbuy_domain::{Currency, DomainError, Money};
use time::{OffsetDateTime, PrimitiveDateTime};
use uuid::Uuid;

/// An account to open (balance zero).
#[derive(Insertable)]
#[diesel(table_name = wallets)]
struct NewAccount<'a> {
    pub account_kind: &'a str,
    pub user_id: &'a str,
    pub currency: &'a str,
    pub balance_minor: i64,
    pub updated_at: PrimitiveDateTime,
}

/// A ledger entry to append.
#[derive(Insertable)]
#[diesel(table_name = wallet_ledger)]
struct NewLedgerRow<'a> {
    pub id: String,
    pub account_kind: &'a str,
    pub user_id: &'a str,
    pub kind: &'a str,
    pub amount_minor: i64,
    pub balance_after_minor: i64,
    pub currency: &'a str,
    pub reference: &'a str,
    pub created_at: PrimitiveDateTime,
}

/// The refusal of money in another currency than the wallet holds (a stored currency
/// that no longer parses is corrupt data, not a refusal).
pub(crate) fn currency_mismatch(held: &str, currency: Currency) -> DomainError {
    match Currency::parse(held) {
        Ok(held) => groupbuy_domain::money::currency_mismatch(held, currency),
        Err(_) => DomainError::Internal(format!("stored wallet currency {held}")),
    }
}

/// A stored ledger line, with its place (`seq`) for paging.
#[derive(Queryable, Selectable)]
#[diesel(table_name = wallet_ledger)]
pub(crate) struct LedgerRow {
    pub(crate) seq: i64,
    id: String,
    account_kind: String,
    user_id: String,
    kind: String,
    amount_minor: i64,
    balance_after_minor: i64,
    currency: String,
    reference: String,
    created_at: PrimitiveDateTime,
}

impl LedgerRow {
    /// The line as the domain's entry; `Corrupt` for an unknown account or entry kind.
    pub(crate) fn into_domain(self) -> Result<LedgerEntry, StoreError> {
        let account = Account::stored(&self.account_kind, self.user_id).ok_or_else(|| {
            StoreError::Corrupt(format!("ledger account kind {}", self.account_kind))
        })?;
        Ok(LedgerEntry {
            id: parse_uuid(&self.id)?,
            account,
            kind: LedgerKind::parse(&self.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("ledger kind {}", self.kind)))?,
            amount: money(self.amount_minor, &self.currency)?,
            balance_after: money(self.balance_after_minor, &self.currency)?,
            reference: self.reference,
            created_at: from_db_time(self.created_at),
        })
    }
}

/// Opens `account` in `currency` if it does not exist yet (race-free on both backends; a
/// wallet held in another currency stays as it is, and the move is refused after).
fn ensure_account(
    conn: &mut DbConnection,
    account: &Account,
    currency: Currency,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let row = NewAccount {
        account_kind: account.kind().as_str(),
        user_id: account.owner(),
        currency: currency.code(),
        balance_minor: 0,
        updated_at: to_db_time(now),
    };
    insert_if_absent!(conn, wallets::table, &row)?;
    Ok(())
}

/// Appends ledger entries whose balance moves this transaction made, in ONE statement
/// (in their order: an account's lines stay in the order they moved it).
fn record_entries(conn: &mut DbConnection, entries: &[LedgerEntry]) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    let rows: Vec<NewLedgerRow<'_>> = entries
        .iter()
        .map(|e| NewLedgerRow {
            id: e.id.to_string(),
            account_kind: e.account.kind().as_str(),
            user_id: e.account.owner(),
            kind: e.kind.as_str(),
            amount_minor: e.amount.minor(),
            balance_after_minor: e.balance_after.minor(),
            currency: e.amount.currency().code(),
            reference: &e.reference,
            created_at: to_db_time(e.created_at),
        })
        .collect();
    insert_rows!(conn, wallet_ledger::table, &rows[..])?;
    Ok(())
}

/// Moves `delta` (signed) into `account` and appends the ledger entry, inside the
/// caller's transaction. Refuses when the balance would go negative (a wallet: Rule; a
/// merchant or platform account: Conflict) and (Conflict) when a wallet holds another
/// currency.
pub(crate) fn post_entry(
    conn: &mut DbConnection,
    account: Account,
    kind: LedgerKind,
    delta: Money,
    reference: &str,
    now: OffsetDateTime,
) -> Result<LedgerEntry, StoreError> {
    let posting = Posting {
        account,
        kind,
        amount: delta,
        reference: reference.to_owned(),
    };
    post(conn, LedgerEntry::of(posting, Uuid::new_v4(), now))
}

/// [`post_entry`] of an entry the caller made (its id known beforehand, as a payment's
/// transaction id is): moves `entry.amount` and appends the entry with the balance the
/// move left (whatever `balance_after` it came with). Returns the entry as appended.
pub(crate) fn post(conn: &mut DbConnection, entry: LedgerEntry) -> Result<LedgerEntry, StoreError> {
    let mut posted = post_all(conn, vec![entry])?;
    posted
        .pop()
        .ok_or_else(|| StoreError::Corrupt("a posting left no entry".into()))
}

/// Posts what the domain decided (a settlement, a reversal with its refund, a payout):
/// each account moved once by the sum of its postings, in lock order, every line appended
/// with the balance it left. All or nothing: a refusal of any account fails the whole.
pub(crate) fn post_postings(
    conn: &mut DbConnection,
    postings: &[Posting],
    now: OffsetDateTime,
) -> Result<Vec<LedgerEntry>, StoreError> {
    let entries = postings
        .iter()
        .map(|p| LedgerEntry::of(p.clone(), Uuid::new_v4(), now))
        .collect();
    post_all(conn, entries)
}

/// The moves of one account in one currency, in their order.
struct Moves<'a> {
    account: &'a Account,
    currency: Currency,
    /// Indexes into the entries.
    lines: Vec<usize>,
}

/// Posts `entries` (their `balance_after` still to be known): groups them by account and
/// currency, moves each group with [`move_account`] in lock order, and appends them all, in
/// their order, with the balances they left.
fn post_all(
    conn: &mut DbConnection,
    mut entries: Vec<LedgerEntry>,
) -> Result<Vec<LedgerEntry>, StoreError> {
    let mut groups: Vec<Moves<'_>> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let currency = e.amount.currency();
        match groups
            .iter_mut()
            .find(|g| g.account == &e.account && g.currency == currency)
        {
            Some(g) => g.lines.push(i),
            None => groups.push(Moves {
                account: &e.account,
                currency,
                lines: vec![i],
            }),
        }
    }
    groups.sort_by(|a, b| {
        (a.account.lock_order(), a.currency.code())
            .cmp(&(b.account.lock_order(), b.currency.code()))
    });
    let mut balances: Vec<(usize, i64)> = Vec::with_capacity(entries.len());
    for g in &groups {
        let deltas: Vec<Money> = g.lines.iter().map(|&i| entries[i].amount).collect();
        let now = entries[g.lines[0]].created_at;
        let after = move_account(conn, g.account, g.currency, &deltas, now)?;
        // The balance before the moves, then each line's running balance.
        let net: i64 = deltas.iter().map(Money::minor).sum();
        let mut running = after - net;
        for &i in &g.lines {
            running += entries[i].amount.minor();
            balances.push((i, running));
        }
    }
    for (i, balance) in balances {
        let currency = entries[i].amount.currency();
        entries[i].balance_after = Money::from_minor(balance, currency);
    }
    record_entries(conn, &entries)?;
    Ok(entries)
}

/// Moves one account by `deltas` (in order) with ONE conditional statement: every
/// running balance stays within zero and the bound, whatever runs beside it; returns the
/// balance after. A refusal is explained by the domain ([`wallet::post_to`]) from the
/// balance as it is now; when that balance now allows the moves, the statement runs
/// again (at most three times: then the account is busy, 503).
fn move_account(
    conn: &mut DbConnection,
    account: &Account,
    currency: Currency,
    deltas: &[Money],
    now: OffsetDateTime,
) -> Result<i64, StoreError> {
    let (mut low, mut high, mut running) = (0i64, 0i64, 0i64);
    for d in deltas {
        running += d.minor();
        low = low.min(running);
        high = high.max(running);
    }
    // Money only coming in to a merchant or platform account (a settlement): opened and
    // moved by one statement.
    if low == 0 && !account.single_currency() && high <= Money::MAX_MINOR {
        if let Some(balance) = upsert(conn, account, currency, (running, high), now)? {
            return Ok(balance);
        }
    }
    // Only money coming in may open an account; a debit of a missing one is refused below.
    if high > 0 {
        ensure_account(conn, account, currency, now)?;
    }
    let kind = account.kind().as_str();
    for _ in 0..3 {
        let updated: Option<i64> = on_backend!(conn, |c| cacheable!(diesel::update(
            wallets::table
                .filter(wallets::account_kind.eq(kind))
                .filter(wallets::user_id.eq(account.owner()))
                .filter(wallets::currency.eq(currency.code()))
                .filter((wallets::balance_minor + low).ge(0))
                .filter((wallets::balance_minor + high).le(Money::MAX_MINOR)),
        )
        .set((
            wallets::balance_minor.eq(wallets::balance_minor + running),
            wallets::updated_at.eq(to_db_time(now)),
        ))
        .returning(wallets::balance_minor))
        .get_result(c))
        .optional()?;
        if let Some(balance) = updated {
            return Ok(balance);
        }
        // A wallet keeps one currency: read it whatever the currency, to say so.
        let mut held = wallets::table
            .filter(wallets::account_kind.eq(kind))
            .filter(wallets::user_id.eq(account.owner()))
            .select((wallets::currency, wallets::balance_minor))
            .into_boxed();
        if !account.single_currency() {
            held = held.filter(wallets::currency.eq(currency.code()));
        }
        let (held_currency, balance): (String, i64) = held
            .first(conn)
            .optional()?
            .unwrap_or_else(|| (currency.code().to_owned(), 0));
        if held_currency != currency.code() {
            return Err(currency_mismatch(&held_currency, currency).into());
        }
        let mut balance = Money::from_minor(balance, currency);
        for d in deltas {
            balance = wallet::post_to(account, balance, *d)?;
        }
    }
    Err(wallet::wallet_busy().into())
}

/// The balance an upsert left.
#[derive(QueryableByName)]
struct Moved {
    #[diesel(sql_type = BigInt)]
    balance_minor: i64,
}

/// Opens `account` with `net`, or adds `net` to it, in one statement, unless that takes it
/// past the bound on the way (`high`: the highest running sum): then `None`, and the
/// caller's ordinary path explains the refusal. For accounts keyed by (kind, owner,
/// currency) only: a wallet's other unique key would make the conflict an error.
fn upsert(
    conn: &mut DbConnection,
    account: &Account,
    currency: Currency,
    (net, high): (i64, i64),
    now: OffsetDateTime,
) -> Result<Option<i64>, StoreError> {
    let mut p = placeholders(conn);
    // SQLite's `?` binds by position in the text: the binds below follow it.
    let sql = format!(
        "INSERT INTO wallets (account_kind, user_id, currency, balance_minor, updated_at) \
         VALUES ({}, {}, {}, {}, {}) \
         ON CONFLICT (account_kind, user_id, currency) DO UPDATE \
         SET balance_minor = wallets.balance_minor + excluded.balance_minor, \
             updated_at = excluded.updated_at \
         WHERE wallets.balance_minor + {} <= {} \
         RETURNING balance_minor",
        p(),
        p(),
        p(),
        p(),
        p(),
        p(),
        p()
    );
    let moved: Option<Moved> = on_backend!(conn, |c| diesel::sql_query(&sql)
        .bind::<Text, _>(account.kind().as_str())
        .bind::<Text, _>(account.owner())
        .bind::<Text, _>(currency.code())
        .bind::<BigInt, _>(net)
        .bind::<Timestamp, _>(to_db_time(now))
        .bind::<BigInt, _>(high)
        .bind::<BigInt, _>(Money::MAX_MINOR)
        .get_result(c)
        .optional())?;
    Ok(moved.map(|m| m.balance_minor))
}

#[cfg(test)]
mod tests;
