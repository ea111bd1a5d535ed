//! Wallets moved set-based, for batches: the caller opens and locks the wallets, the
//! domain computes each new balance in order ([`groupbuy_domain::wallet::post`]), and
//! [`post_entries`] writes them with a fixed number of statements. Wallets only: merchant
//! and platform accounts move through [`super::post_postings`].

use super::{record_entries, NewAccount};
use crate::convert::to_db_time;
use crate::db::{insert_rows, placeholders, DbConnection};
use crate::error::StoreError;
use crate::schema::wallets;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use groupbuy_domain::wallet::{AccountKind, LedgerEntry};
use groupbuy_domain::Currency;
use std::collections::{BTreeMap, HashMap};
use time::{OffsetDateTime, PrimitiveDateTime};

/// Rows per multi-row statement: far below both backends' bind-parameter limits.
const ROWS: usize = 1000;

/// The stored name of the wallets' kind.
fn wallet_kind() -> &'static str {
    AccountKind::Wallet.as_str()
}

/// Opens the wallets money is about to come into, in its currency, where missing (only
/// money coming in opens a wallet, as in [`super::post_entry`]).
pub(crate) fn open_wallets(
    conn: &mut DbConnection,
    users: &[(&str, Currency)],
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    for chunk in users.chunks(ROWS) {
        let rows: Vec<NewAccount<'_>> = chunk
            .iter()
            .map(|(user_id, currency)| NewAccount {
                account_kind: wallet_kind(),
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
            .filter(wallets::account_kind.eq(wallet_kind()))
            .filter(wallets::user_id.eq_any(chunk))
            .order(wallets::user_id)
            .select((wallets::user_id, wallets::currency, wallets::balance_minor));
        let rows: Vec<(String, String, i64)> = match conn {
            DbConnection::Pg(c) => query.for_no_key_update().load(c)?,
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
/// thousand on PostgreSQL). Fails when a wallet is missing or an entry is not a wallet's.
pub(crate) fn post_entries(
    conn: &mut DbConnection,
    entries: &[LedgerEntry],
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let mut finals: BTreeMap<&str, i64> = BTreeMap::new();
    for e in entries {
        if e.account.kind() != AccountKind::Wallet {
            return Err(StoreError::Corrupt(format!(
                "{} posted as a locked wallet",
                e.account
            )));
        }
        finals.insert(e.account.owner(), e.balance_after.minor());
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
    // A constant of the closed set, not input: written into the statement (SQLite's `?`
    // binds by position in the text).
    let kind = wallet_kind();
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
         FROM (VALUES {}) AS v WHERE wallets.account_kind = '{kind}' \
         AND wallets.user_id = v.column1 AND wallets.user_id IN ({})",
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
