//! The wallet's rules on both backends: credits, bounds, currencies, concurrency.

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
