//! Wallets and their append-only ledger. Every balance change goes through this file, in
//! one of two ways, each writing the balance and its ledger entry together:
//! - [`post_entry`]: one wallet, one conditional statement that can never take a balance
//!   below zero (a credit, a payment);
//! - [`post_entries`]: wallets the caller locked with [`lock_wallets`] and whose new
//!   balances the domain computed ([`wallet::post`]) in order: a batch of payments on
//!   PostgreSQL and the refund batches, a fixed number of statements per batch.

use crate::convert::{from_db_time, money, parse_uuid, to_db_time};
use crate::db::{insert_if_absent, insert_rows, placeholders, Database, DbConnection};
use crate::error::StoreError;
use crate::platform::paging::{into_page, parse_cursor};
use crate::schema::{wallet_ledger, wallets};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use groupbuy_domain::page::clamp_limit;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::wallet::{self, LedgerEntry, LedgerKind, Wallet, WalletStore};
use groupbuy_domain::{Currency, DomainError, Money, Page};
use std::collections::{BTreeMap, HashMap};
use time::{OffsetDateTime, PrimitiveDateTime};
use uuid::Uuid;

/// A wallet to open (balance zero).
#[derive(Insertable)]
#[diesel(table_name = wallets)]
struct NewWallet<'a> {
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

#[derive(Queryable, Selectable)]
#[diesel(table_name = wallet_ledger)]
struct LedgerRow {
    seq: i64,
    id: String,
    user_id: String,
    kind: String,
    amount_minor: i64,
    balance_after_minor: i64,
    currency: String,
    reference: String,
    created_at: PrimitiveDateTime,
}

impl LedgerRow {
    fn into_domain(self) -> Result<LedgerEntry, StoreError> {
        Ok(LedgerEntry {
            id: parse_uuid(&self.id)?,
            user_id: self.user_id,
            kind: LedgerKind::parse(&self.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("ledger kind {}", self.kind)))?,
            amount: money(self.amount_minor, &self.currency)?,
            balance_after: money(self.balance_after_minor, &self.currency)?,
            reference: self.reference,
            created_at: from_db_time(self.created_at),
        })
    }
}

/// Creates the user's wallet in `currency` if it does not exist yet (race-free on both backends).
fn ensure_wallet(
    conn: &mut DbConnection,
    user_id: &str,
    currency: Currency,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let row = NewWallet {
        user_id,
        currency: currency.code(),
        balance_minor: 0,
        updated_at: to_db_time(now),
    };
    insert_if_absent!(conn, wallets::table, &row)?;
    Ok(())
}

/// Appends ledger entries whose balance moves this transaction made, in ONE statement.
fn record_entries(conn: &mut DbConnection, entries: &[LedgerEntry]) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    let rows: Vec<NewLedgerRow<'_>> = entries
        .iter()
        .map(|e| NewLedgerRow {
            id: e.id.to_string(),
            user_id: &e.user_id,
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

/// Moves `delta` (signed) into the user's wallet and appends the ledger entry, inside the
/// caller's transaction. Refuses (Rule) when the balance would go negative and (Conflict)
/// when the wallet holds another currency.
pub(crate) fn post_entry(
    conn: &mut DbConnection,
    user_id: &str,
    kind: LedgerKind,
    delta: Money,
    reference: &str,
    now: OffsetDateTime,
) -> Result<LedgerEntry, StoreError> {
    post(
        conn,
        LedgerEntry {
            id: Uuid::new_v4(),
            user_id: user_id.to_owned(),
            kind,
            amount: delta,
            balance_after: delta,
            reference: reference.to_owned(),
            created_at: now,
        },
    )
}

/// [`post_entry`] of an entry the caller made (its id known beforehand, as a payment's
/// transaction id is): moves `entry.amount` and appends the entry with the balance the
/// move left (whatever `balance_after` it came with). Returns the entry as appended.
pub(crate) fn post(
    conn: &mut DbConnection,
    mut entry: LedgerEntry,
) -> Result<LedgerEntry, StoreError> {
    let (user_id, delta, now) = (entry.user_id.clone(), entry.amount, entry.created_at);
    let user_id = user_id.as_str();
    let currency = delta.currency();
    // Only money coming in may open a wallet; a debit of a missing wallet is refused below.
    if delta.minor() > 0 {
        ensure_wallet(conn, user_id, currency, now)?;
    }
    // One conditional statement: the balance never passes zero or the bound, whatever
    // runs beside it; the domain explains a refusal from the balance as it is now. (When
    // the balance moved in between so the change now fits, the statement runs again.)
    let mut attempts = 0;
    let balance = loop {
        let updated: Option<i64> = diesel::update(
            wallets::table
                .find(user_id)
                .filter(wallets::currency.eq(currency.code()))
                .filter((wallets::balance_minor + delta.minor()).ge(0))
                .filter((wallets::balance_minor + delta.minor()).le(Money::MAX_MINOR)),
        )
        .set((
            wallets::balance_minor.eq(wallets::balance_minor + delta.minor()),
            wallets::updated_at.eq(to_db_time(now)),
        ))
        .returning(wallets::balance_minor)
        .get_result(conn)
        .optional()?;
        if let Some(balance) = updated {
            break balance;
        }
        let (held_currency, balance): (String, i64) = wallets::table
            .find(user_id)
            .select((wallets::currency, wallets::balance_minor))
            .first(conn)
            .optional()?
            .unwrap_or_else(|| (currency.code().to_owned(), 0));
        if held_currency != currency.code() {
            return Err(currency_mismatch(&held_currency, currency).into());
        }
        wallet::post(Money::from_minor(balance, currency), delta)?;
        attempts += 1;
        if attempts == 3 {
            return Err(groupbuy_domain::wallet::wallet_busy().into());
        }
    };
    entry.balance_after = Money::from_minor(balance, currency);
    record_entries(conn, std::slice::from_ref(&entry))?;
    Ok(entry)
}

/// Rows per multi-row statement: far below both backends' bind-parameter limits.
const ROWS: usize = 1000;

/// Opens the wallets money is about to come into, in its currency, where missing (only
/// money coming in opens a wallet, as in [`post_entry`]).
pub(crate) fn open_wallets(
    conn: &mut DbConnection,
    users: &[(&str, Currency)],
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    for chunk in users.chunks(ROWS) {
        let rows: Vec<NewWallet<'_>> = chunk
            .iter()
            .map(|(user_id, currency)| NewWallet {
                user_id,
                currency: currency.code(),
                balance_minor: 0,
                updated_at: to_db_time(now),
            })
            .collect();
        insert_rows!(conn, wallets::table, &rows[..], if_absent)?;
    }
    Ok(())
}

/// The users' wallets (stored currency, balance), locked until COMMIT in user order
/// (`users` sorted), so two batches sharing wallets cannot deadlock on them. Missing
/// wallets are absent from the map.
pub(crate) fn lock_wallets(
    conn: &mut DbConnection,
    users: &[&str],
) -> Result<HashMap<String, (String, i64)>, StoreError> {
    let mut held = HashMap::with_capacity(users.len());
    for chunk in users.chunks(ROWS) {
        let query = wallets::table
            .filter(wallets::user_id.eq_any(chunk))
            .order(wallets::user_id)
            .select((wallets::user_id, wallets::currency, wallets::balance_minor));
        let rows: Vec<(String, String, i64)> = match conn {
            DbConnection::Pg(c) => query.for_update().load(c)?,
            // The IMMEDIATE transaction already holds SQLite's one write lock.
            DbConnection::Sqlite(c) => query.load(c)?,
        };
        held.extend(rows.into_iter().map(|(u, c, b)| (u, (c, b))));
    }
    Ok(held)
}

/// Writes `entries`, whose balances the domain computed in order against wallets the
/// caller locked ([`lock_wallets`]): each wallet is set to its last entry's balance (one
/// statement per thousand wallets) and every entry is appended (one multi-row insert per
/// thousand on PostgreSQL). Fails when a wallet is missing.
pub(crate) fn post_entries(
    conn: &mut DbConnection,
    entries: &[LedgerEntry],
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let mut finals: BTreeMap<&str, i64> = BTreeMap::new();
    for e in entries {
        finals.insert(&e.user_id, e.balance_after.minor());
    }
    let finals: Vec<(&str, i64)> = finals.into_iter().collect();
    for chunk in finals.chunks(ROWS) {
        set_balances(conn, chunk, to_db_time(now))?;
    }
    for chunk in entries.chunks(ROWS) {
        record_entries(conn, chunk)?;
    }
    Ok(())
}

/// Sets the (locked) wallets' balances in one statement: `UPDATE ... FROM (VALUES ...)`,
/// whose columns both backends name `column1`, `column2`.
fn set_balances(
    conn: &mut DbConnection,
    rows: &[(&str, i64)],
    now: PrimitiveDateTime,
) -> Result<(), StoreError> {
    let mut param = placeholders(conn);
    let at = param();
    let values: Vec<String> = rows
        .iter()
        .map(|_| format!("({}, {})", param(), param()))
        .collect();
    let keys: Vec<String> = rows.iter().map(|_| param()).collect();
    // The ids again as an IN list: without it PostgreSQL hash-joins the VALUES to a
    // sequential scan of every wallet (16 ms for 600 of 84,000 wallets, against ~2 ms
    // through the primary key).
    let sql = format!(
        "UPDATE wallets SET balance_minor = v.column2, updated_at = {at} \
         FROM (VALUES {}) AS v WHERE wallets.user_id = v.column1 AND wallets.user_id IN ({})",
        values.join(", "),
        keys.join(", ")
    );
    macro_rules! run {
        ($c:expr) => {{
            let mut q = diesel::sql_query(sql)
                .into_boxed()
                .bind::<Timestamp, _>(now);
            for (user, balance) in rows {
                q = q.bind::<Text, _>(*user).bind::<BigInt, _>(*balance);
            }
            for (user, _) in rows {
                q = q.bind::<Text, _>(*user);
            }
            q.execute($c)?
        }};
    }
    let updated = match conn {
        DbConnection::Pg(c) => run!(c),
        DbConnection::Sqlite(c) => run!(c),
    };
    if updated != rows.len() {
        return Err(StoreError::Corrupt(format!(
            "{} of {} locked wallets updated",
            updated,
            rows.len()
        )));
    }
    Ok(())
}

impl WalletStore for Database {
    fn wallet(&self, user_id: &str, now: OffsetDateTime) -> Result<Wallet, DomainError> {
        self.read(|conn| {
            let row: Option<(String, i64, PrimitiveDateTime)> = wallets::table
                .find(user_id)
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
        self.read(|conn| {
            let mut query = wallet_ledger::table
                .filter(wallet_ledger::user_id.eq(user_id))
                .select(LedgerRow::as_select())
                .order(wallet_ledger::seq.desc())
                .limit(limit + 1)
                .into_boxed();
            if let Some(seq) = before {
                query = query.filter(wallet_ledger::seq.lt(seq));
            }
            let rows: Vec<LedgerRow> = query.load(conn)?;
            into_page(rows, limit, |r| r.seq, LedgerRow::into_domain)
        })
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
            post_entry(conn, user_id, LedgerKind::Credit, amount, reference, now)
        })
    }
}

#[cfg(test)]
mod tests;
