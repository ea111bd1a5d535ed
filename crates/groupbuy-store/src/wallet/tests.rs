//! The wallet's rules on both backends: credits, bounds, currencies, concurrency.

use super::*;
use crate::Database;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::wallet::WalletStore;

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
        .write(|conn| {
            post_entry(
                conn,
                Account::wallet("u1"),
                LedgerKind::Purchase,
                tzs(-101),
                "p",
                now(),
            )
        })
        .expect_err("must be refused");
    assert!(matches!(err, DomainError::Rule(m) if m.starts_with("Insufficient wallet balance")));
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
    db.write(|conn| {
        post_entry(
            conn,
            Account::wallet("rich"),
            LedgerKind::Purchase,
            tzs(-1),
            "p",
            now(),
        )
    })
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

fn posting(account: Account, kind: LedgerKind, minor: i64) -> Posting {
    Posting {
        account,
        kind,
        amount: tzs(minor),
        reference: "r".into(),
    }
}

/// A merchant balance and the platform's revenue move in the same ledger, each line with
/// the balance it left; the wallet of a user named like the shop is another account, and
/// the wallet's own pages never show them.
fn merchant_and_platform_accounts_are_their_own(db: &Database) {
    let shop = Uuid::new_v4();
    let postings = [
        posting(Account::merchant(shop), LedgerKind::OrderSettled, 1000),
        posting(Account::merchant(shop), LedgerKind::Commission, -30),
        posting(Account::platform(), LedgerKind::Commission, 30),
    ];
    let posted = db
        .write(|conn| post_postings(conn, &postings, now()))
        .expect("posted");
    let after: Vec<i64> = posted.iter().map(|e| e.balance_after.minor()).collect();
    assert_eq!(after, [1000, 970, 30]);
    let forger = shop.to_string();
    assert_eq!(db.wallet(&forger, now()).expect("wallet").balance, tzs(0));
    assert!(db
        .transactions(&forger, None, 10)
        .expect("page")
        .items
        .is_empty());
    assert!(db
        .transactions("platform", None, 10)
        .expect("page")
        .items
        .is_empty());
    db.credit(&forger, tzs(5), "c", now(), Answer::none())
        .expect("a wallet of that name");
    let lines = db
        .read(|conn| lines_of(conn, &Account::merchant(shop), None, 10))
        .expect("lines");
    assert_eq!(lines.items.len(), 2);
    assert_eq!(lines.items[0].balance_after, tzs(970), "newest first");
}

/// A merchant account never goes below zero: the whole posting is refused with the
/// ledger's typed conflict, nothing of it written (the platform's line neither).
fn a_merchant_debit_past_the_balance_refuses_everything(db: &Database) {
    let shop = Uuid::new_v4();
    let settle = [posting(
        Account::merchant(shop),
        LedgerKind::OrderSettled,
        100,
    )];
    db.write(|conn| post_postings(conn, &settle, now()))
        .expect("settled");
    let reverse = [
        posting(Account::merchant(shop), LedgerKind::CommissionReversed, 10),
        posting(Account::platform(), LedgerKind::CommissionReversed, -10),
        posting(Account::merchant(shop), LedgerKind::OrderCancelled, -100),
    ];
    let err = db
        .write(|conn| post_postings(conn, &reverse, now()))
        .expect_err("the platform holds nothing");
    assert!(matches!(err, DomainError::Conflict(ref r) if r.kind() == "insufficient-shop-balance"));
    let payout = [posting(Account::merchant(shop), LedgerKind::Payout, -101)];
    let err = db
        .write(|conn| post_postings(conn, &payout, now()))
        .expect_err("more than the balance");
    assert!(matches!(err, DomainError::Conflict(ref r) if r.kind() == "insufficient-shop-balance"));
    let lines = db
        .read(|conn| lines_of(conn, &Account::merchant(shop), None, 10))
        .expect("lines");
    assert_eq!(lines.items.len(), 1, "only the settlement");
    assert_eq!(lines.items[0].balance_after, tzs(100));
}

/// A settlement (one statement that opens or moves the account) never passes the bound.
fn a_merchant_balance_stops_at_the_bound(db: &Database) {
    let shop = Account::merchant(Uuid::new_v4());
    let max = Money::max(Currency::TZS).minor();
    // Each a distinct order's (the ledger settles an order once).
    let settle = |minor| {
        [Posting {
            reference: format!("order:{}", Uuid::new_v4()),
            ..posting(shop.clone(), LedgerKind::OrderSettled, minor)
        }]
    };
    db.write(|conn| post_postings(conn, &settle(max - 1), now()))
        .expect("opened");
    db.write(|conn| post_postings(conn, &settle(1), now()))
        .expect("up to the bound");
    let err = db
        .write(|conn| post_postings(conn, &settle(1), now()))
        .expect_err("past the bound");
    assert!(matches!(err, DomainError::Validation { .. }), "{err:?}");
    let lines = db
        .read(|conn| lines_of(conn, &shop, None, 10))
        .expect("lines");
    assert_eq!(lines.items.len(), 2);
    assert_eq!(lines.items[0].balance_after.minor(), max);
}

crate::on_both_backends!(
    a_merchant_balance_stops_at_the_bound,
    merchant_and_platform_accounts_are_their_own,
    a_merchant_debit_past_the_balance_refuses_everything,
    credits_accumulate_and_ledger_is_newest_first,
    balance_never_goes_negative,
    balances_stop_at_the_bound,
    another_currency_is_refused,
    concurrent_credits_all_land,
    bad_cursor_is_a_validation_error,
);
