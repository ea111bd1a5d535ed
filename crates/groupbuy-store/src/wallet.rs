//! Wallets and their append-only ledger. Every balance change goes through
//! [`post_entry`], one conditional statement that can never take a balance below zero.

use crate::convert::{from_db_time, money, parse_uuid, to_db_time};
use crate::db::{insert_if_absent, insert_rows, Database, DbConnection};
use crate::error::StoreError;
use crate::paging::{into_page, parse_cursor};
use crate::schema::{wallet_ledger, wallets};
use diesel::prelude::*;
use groupbuy_domain::page::clamp_limit;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::wallet::{self, LedgerEntry, LedgerKind, Wallet, WalletStore};
use groupbuy_domain::{Currency, DomainError, Money, Page};
use time::{OffsetDateTime, PrimitiveDateTime};
use uuid::Uuid;

/// A wallet to open (balance zero).
#[derive(Insertable)]
#[diesel(table_name = wallets)]
pub(crate) struct NewWallet<'a> {
    pub user_id: &'a str,
    pub currency: &'a str,
    pub balance_minor: i64,
    pub updated_at: PrimitiveDateTime,
}

/// A ledger entry to append.
#[derive(Insertable)]
#[diesel(table_name = wallet_ledger)]
pub(crate) struct NewLedgerRow<'a> {
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
    let entry = move_balance(conn, user_id, kind, delta, reference, now)?;
    record_entries(conn, std::slice::from_ref(&entry))?;
    Ok(entry)
}

/// Appends ledger entries whose balance moves this transaction made, in ONE statement
/// (a batch of payments writes all its debits at once).
pub(crate) fn record_entries(
    conn: &mut DbConnection,
    entries: &[LedgerEntry],
) -> Result<(), StoreError> {
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

/// The balance half of [`post_entry`]: the wallet moves now; the entry it returns must be
/// appended with [`record_entries`] before this transaction commits.
pub(crate) fn move_balance(
    conn: &mut DbConnection,
    user_id: &str,
    kind: LedgerKind,
    delta: Money,
    reference: &str,
    now: OffsetDateTime,
) -> Result<LedgerEntry, StoreError> {
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
            return Err(
                DomainError::Unavailable("The wallet is busy; retry shortly".into()).into(),
            );
        }
    };
    let entry = LedgerEntry {
        id: Uuid::new_v4(),
        user_id: user_id.to_owned(),
        kind,
        amount: delta,
        balance_after: Money::from_minor(balance, currency),
        reference: reference.to_owned(),
        created_at: now,
    };
    Ok(entry)
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
mod tests {
    use super::*;

    fn now() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_760_000_000).expect("time")
    }

    fn tzs(minor: i64) -> Money {
        Money::from_minor(minor, Currency::TZS)
    }

    fn credits_accumulate_and_ledger_is_newest_first(db: &Database) {
        db.credit("u1", tzs(1000), "first", now(), Answer::none())
            .expect("credit");
        db.credit("u1", tzs(500), "second", now(), Answer::none())
            .expect("credit");
        assert_eq!(db.wallet("u1", now()).expect("wallet").balance, tzs(1500));
        let page = db.transactions("u1", None, 1).expect("page");
        assert_eq!(page.items[0].reference, "second");
        assert_eq!(page.items[0].balance_after, tzs(1500));
        let next = db.transactions("u1", page.next_cursor, 10).expect("page 2");
        assert_eq!(next.items.len(), 1);
        assert_eq!(next.items[0].reference, "first");
        assert_eq!(next.next_cursor, None);
        assert_eq!(db.wallet("nobody", now()).expect("wallet").balance, tzs(0));
    }

    fn balance_never_goes_negative(db: &Database) {
        db.credit("u1", tzs(100), "c", now(), Answer::none())
            .expect("credit");
        let err = db
            .write(|conn| post_entry(conn, "u1", LedgerKind::Purchase, tzs(-101), "p", now()))
            .expect_err("must be refused");
        assert!(
            matches!(err, DomainError::Rule(m) if m.starts_with("Insufficient wallet balance"))
        );
        assert_eq!(db.wallet("u1", now()).expect("wallet").balance, tzs(100));
        assert_eq!(
            db.transactions("u1", None, 10).expect("page").items.len(),
            1
        );
    }

    /// A balance can reach the bound exactly and never pass it: no overflow on either
    /// backend (PostgreSQL raised on BIGINT overflow, SQLite turned it into a float).
    fn balances_stop_at_the_bound(db: &Database) {
        let max = Money::max(Currency::TZS);
        db.credit("rich", max, "c", now(), Answer::none())
            .expect("up to the bound");
        let err = db
            .credit("rich", tzs(1), "c", now(), Answer::none())
            .expect_err("past the bound");
        assert!(matches!(err, DomainError::Validation { ref field, .. } if field == "amount"));
        assert_eq!(db.wallet("rich", now()).expect("wallet").balance, max);
        db.write(|conn| post_entry(conn, "rich", LedgerKind::Purchase, tzs(-1), "p", now()))
            .expect("debit");
        db.credit("rich", tzs(1), "c", now(), Answer::none())
            .expect("back to the bound");
        assert_eq!(db.wallet("rich", now()).expect("wallet").balance, max);
    }

    fn another_currency_is_refused(db: &Database) {
        db.credit("u1", tzs(100), "c", now(), Answer::none())
            .expect("credit");
        let usd = Currency::parse("USD").expect("usd");
        let err = db
            .credit("u1", Money::from_minor(1, usd), "c", now(), Answer::none())
            .expect_err("must be refused");
        assert!(matches!(err, DomainError::Conflict(_)));
    }

    fn concurrent_credits_all_land(db: &Database) {
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let db = db.clone();
                std::thread::spawn(move || {
                    db.credit("hot", tzs(10), "c", now(), Answer::none())
                        .expect("credit")
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        assert_eq!(db.wallet("hot", now()).expect("wallet").balance, tzs(160));
    }

    fn bad_cursor_is_a_validation_error(db: &Database) {
        assert!(matches!(
            db.transactions("u1", Some("zz".into()), 10),
            Err(DomainError::Validation { .. })
        ));
    }

    crate::on_both_backends!(
        credits_accumulate_and_ledger_is_newest_first,
        balance_never_goes_negative,
        balances_stop_at_the_bound,
        another_currency_is_refused,
        concurrent_credits_all_land,
        bad_cursor_is_a_validation_error,
    );
}
