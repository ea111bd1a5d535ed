//! The invariants checked in the database after every join run, groupbuy's and the
//! references' alike: a broken one is a correctness bug and fails the benchmark.

use crate::db::Db;
use crate::error::{BenchError, Result};

/// What the load generator saw.
#[derive(Debug, Clone, Copy)]
pub struct Expected {
    /// Joins answered 2xx (or committed, for a reference).
    pub ok_joins: u64,
    /// Seats taken outside the timed run (each fixture group's opener).
    pub openers: u64,
}

/// What the database holds, once the invariants held.
#[derive(Debug, Clone, Copy)]
pub struct Verified {
    /// Seats occupied over all groups.
    pub seats: i64,
    /// Groups that completed (each with its orders).
    pub completed: i64,
    /// Orders written.
    pub orders: i64,
}

/// Checks, in one pass:
/// - per group, seats_occupied == the sum of its ACTIVE participants' quantities;
/// - PURCHASE debits in the ledger == sum of seats x unit price, and credited + refunded
///   - balances == those debits (no money created or lost);
/// - every ACTIVE participant of a COMPLETED group has exactly one order, and no other
///   group has any;
/// - seats taken == 2xx joins + openers, and one purchase record per seat bought.
pub fn verify(db: &mut Db, expected: Expected) -> Result<Verified> {
    let mut broken = Vec::new();
    let mismatched = db.scalar(
        "SELECT count(*) FROM group_instances g WHERE g.seats_occupied <> \
         (SELECT coalesce(sum(p.quantity), 0) FROM group_participants p \
          WHERE p.group_id = g.id AND p.status = 'ACTIVE')",
    )?;
    if mismatched != 0 {
        broken.push(format!(
            "{mismatched} group(s) with seats_occupied != sum of ACTIVE quantities"
        ));
    }
    let seats = db.scalar("SELECT coalesce(sum(seats_occupied), 0) FROM group_instances")?;
    let owed = db.scalar(
        "SELECT coalesce(sum(CAST(seats_occupied AS BIGINT) * unit_price_minor), 0) \
         FROM group_instances",
    )?;
    let debits = db.scalar(
        "SELECT coalesce(sum(-amount_minor), 0) FROM wallet_ledger WHERE kind = 'PURCHASE'",
    )?;
    if debits != owed {
        broken.push(format!(
            "PURCHASE debits {debits} != seats x price {owed} (minor units)"
        ));
    }
    let credited = db.scalar(
        "SELECT coalesce(sum(amount_minor), 0) FROM wallet_ledger WHERE kind IN ('CREDIT', 'REFUND')",
    )?;
    let balances = db.scalar("SELECT coalesce(sum(balance_minor), 0) FROM wallets")?;
    if credited - balances != debits {
        broken.push(format!(
            "credited {credited} - balances {balances} != debits {debits} (minor units)"
        ));
    }
    let missing_orders = db.scalar(
        "SELECT count(*) FROM group_participants p JOIN group_instances g ON g.id = p.group_id \
         WHERE g.status = 'COMPLETED' AND p.status = 'ACTIVE' \
         AND (SELECT count(*) FROM orders o WHERE o.participant_id = p.id) <> 1",
    )?;
    if missing_orders != 0 {
        broken.push(format!(
            "{missing_orders} participant(s) of completed groups without exactly one order"
        ));
    }
    let stray_orders = db.scalar(
        "SELECT count(*) FROM orders o JOIN group_instances g ON g.id = o.group_id \
         WHERE g.status <> 'COMPLETED'",
    )?;
    if stray_orders != 0 {
        broken.push(format!(
            "{stray_orders} order(s) of groups that did not complete"
        ));
    }
    let taken = expected.ok_joins + expected.openers;
    if seats != taken as i64 {
        broken.push(format!(
            "seats taken {seats} != 2xx joins {} + openers {}",
            expected.ok_joins, expected.openers
        ));
    }
    let records = db.scalar("SELECT count(*) FROM purchase_records")?;
    if records != taken as i64 {
        broken.push(format!(
            "{records} purchase records for {taken} seats bought"
        ));
    }
    if !broken.is_empty() {
        return Err(BenchError::Invariant(broken.join("; ")));
    }
    Ok(Verified {
        seats,
        completed: db.scalar("SELECT count(*) FROM group_instances WHERE status = 'COMPLETED'")?,
        orders: db.scalar("SELECT count(*) FROM orders")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;
    use diesel::{Connection, SqliteConnection};

    /// The columns the checks read, with one group of 2 seats bought by two clients.
    fn consistent() -> SqliteConnection {
        let mut c = SqliteConnection::establish(":memory:").unwrap();
        c.batch_execute(
            "CREATE TABLE group_instances (id TEXT, seats_occupied INTEGER, unit_price_minor BIGINT, status TEXT);
             CREATE TABLE group_participants (id TEXT, group_id TEXT, quantity INTEGER, status TEXT);
             CREATE TABLE wallet_ledger (kind TEXT, amount_minor BIGINT);
             CREATE TABLE wallets (balance_minor BIGINT);
             CREATE TABLE orders (group_id TEXT, participant_id TEXT);
             CREATE TABLE purchase_records (id TEXT);
             INSERT INTO group_instances VALUES ('g', 2, 100, 'OPEN');
             INSERT INTO group_participants VALUES ('p1', 'g', 1, 'ACTIVE'), ('p2', 'g', 1, 'ACTIVE');
             INSERT INTO wallet_ledger VALUES ('CREDIT', 1000), ('CREDIT', 1000), ('PURCHASE', -100), ('PURCHASE', -100);
             INSERT INTO wallets VALUES (900), (900);
             INSERT INTO purchase_records VALUES ('r1'), ('r2');",
        )
        .unwrap();
        c
    }

    const ONE_JOIN: Expected = Expected {
        ok_joins: 1,
        openers: 1,
    };

    fn broken(sql: &str, expected: Expected) -> String {
        let mut c = consistent();
        c.batch_execute(sql).unwrap();
        match verify(&mut Db::Sqlite(c), expected) {
            Err(BenchError::Invariant(m)) => m,
            other => panic!("expected a broken invariant, got {other:?}"),
        }
    }

    #[test]
    fn consistent_data_passes() {
        let v = verify(&mut Db::Sqlite(consistent()), ONE_JOIN).unwrap();
        assert_eq!((v.seats, v.completed, v.orders), (2, 0, 0));
    }

    #[test]
    fn each_violation_is_named() {
        assert!(
            broken("UPDATE group_instances SET seats_occupied = 3", ONE_JOIN)
                .contains("seats_occupied != sum of ACTIVE quantities")
        );
        assert!(broken(
            "INSERT INTO wallet_ledger VALUES ('PURCHASE', -100)",
            ONE_JOIN
        )
        .contains("PURCHASE debits 300 != seats x price 200"));
        assert!(broken(
            "UPDATE wallets SET balance_minor = 1000 WHERE rowid = 1",
            ONE_JOIN
        )
        .contains("credited 2000 - balances 1900 != debits 200"));
        assert!(
            broken("UPDATE group_instances SET status = 'COMPLETED'", ONE_JOIN)
                .contains("2 participant(s) of completed groups without exactly one order")
        );
        assert!(broken("INSERT INTO orders VALUES ('g', 'p1')", ONE_JOIN)
            .contains("1 order(s) of groups that did not complete"));
        let more = Expected {
            ok_joins: 2,
            openers: 1,
        };
        assert!(broken("", more).contains("seats taken 2 != 2xx joins 2 + openers 1"));
        assert!(
            broken("DELETE FROM purchase_records WHERE id = 'r2'", ONE_JOIN)
                .contains("1 purchase records for 2 seats bought")
        );
    }
}
