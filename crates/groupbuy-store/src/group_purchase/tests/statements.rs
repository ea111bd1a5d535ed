//! A payment sends a fixed number of statements: deciding it in the domain added none to
//! the hot path (claim, debit, seats, participation, purchase record, session, and only a
//! filling payment reads the members and writes the completion).

use super::{ctx, fund, product, t0, user};
use crate::db::{Database, DbConnection};
use crate::group_purchase::checkout;
use diesel::connection::{Connection, InstrumentationEvent};
use groupbuy_domain::group_purchase::{CheckoutRequest, GroupPurchaseStore};
use groupbuy_domain::ledger::CommissionRate;
use groupbuy_domain::platform::Answer;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use uuid::Uuid;

/// Pays `who`'s new session for one seat (of `group`, or a new group) and counts the
/// statements of its transaction; returns the group paid into.
fn pay_counted(db: &Database, who: &str, p: Uuid, group: Option<Uuid>) -> (Uuid, usize) {
    let buyer = user(who);
    let session = db
        .create_checkout(
            &buyer,
            CheckoutRequest {
                product_id: p,
                quantity: 1,
                group_instance_id: group,
            },
            &ctx(t0()),
            Answer::none(),
        )
        .expect("session");
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&sent);
    let paid = db
        .write(|conn: &mut DbConnection| {
            conn.set_instrumentation(move |e: InstrumentationEvent<'_>| {
                if matches!(e, InstrumentationEvent::StartQuery { .. }) {
                    counter.fetch_add(1, Ordering::SeqCst);
                }
            });
            let paid = checkout::pay(conn, &buyer, session.id, &ctx(t0()), CommissionRate::ZERO);
            conn.set_instrumentation(|_: InstrumentationEvent<'_>| {});
            paid
        })
        .expect("paid");
    (
        paid.group_instance_id.expect("group"),
        sent.load(Ordering::SeqCst),
    )
}

fn a_payment_sends_a_fixed_number_of_statements(db: &Database) {
    let p = product(db, 3, None);
    for who in ["a", "b", "c"] {
        fund(db, who, 1_000_000);
    }
    let (g, opened) = pay_counted(db, "a", p, None);
    let (_, joined) = pay_counted(db, "b", p, Some(g));
    let (_, filled) = pay_counted(db, "c", p, Some(g));
    // Measured before the domain decided payments (ee66586) and after: the same. The
    // settlement of a completion (no commission: one account) adds moving the merchant
    // balance (one upsert) and its lines (one statement on PostgreSQL, one per line on
    // SQLite).
    let settle = match db.backend() {
        crate::Backend::Postgres => 2,
        crate::Backend::Sqlite => 1 + 3,
    };
    assert_eq!(opened, 13, "open a group");
    assert_eq!(joined, 8, "join");
    assert_eq!(filled, 17 + settle, "join and complete (3 orders)");
}

crate::on_both_backends!(a_payment_sends_a_fixed_number_of_statements);

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The checkout's INSERT is one text whatever fields the session leaves empty, so
/// PostgreSQL parses it once per connection, not once per session.
#[test]
fn the_checkout_insert_is_prepared_once_per_connection_on_postgres() {
    use diesel::RunQueryDsl;
    let Some(t) = crate::testing::TestDatabase::postgres() else {
        return;
    };
    let db = &t.db;
    let p = product(db, 10, None);
    db.query(|conn| {
        for who in ["asha", "bora", "carl"] {
            let request = CheckoutRequest {
                product_id: p,
                quantity: 1,
                group_instance_id: None,
            };
            let session = checkout::prepare(conn, &user(who), request, t0())?;
            checkout::insert(conn, session)?;
        }
        let DbConnection::Pg(pg) = conn else {
            panic!("a PostgreSQL test database");
        };
        let prepared: Count = diesel::sql_query(
            "SELECT count(*) AS n FROM pg_prepared_statements \
             WHERE statement LIKE 'INSERT INTO \"checkout_sessions\"%'",
        )
        .get_result(pg)?;
        assert_eq!(prepared.n, 1, "one prepared INSERT for three sessions");
        Ok(())
    })
    .expect("ran");
}
