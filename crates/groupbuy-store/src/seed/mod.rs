//! Fills a database with realistic group-purchase data for benchmarks (`groupbuy seed`):
//! shops, products, groups (mostly OPEN, some COMPLETED and FAILED, some OPEN past expiry)
//! and participants with everything a real join writes (checkout session, wallet debit in
//! the ledger, purchase record; orders for completed groups, refunds for failed ones; the
//! outbox events, already dispatched), so every invariant holds on the seeded data.
//!
//! Set-based: a handful of `INSERT ... SELECT` statements over a numbers table, in one
//! transaction, instead of a million round trips. The SQL only differs per backend in a few
//! expressions (random UUIDs, timestamps, JSON), which `Dialect` supplies. Every value
//! formatted into the SQL is an integer this module computed: nothing comes from outside.

use crate::convert::to_db_time;
use crate::db::{Backend, Database, DbConnection};
use crate::error::StoreError;
use crate::schema::group_instances as gi;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use groupbuy_domain::DomainError;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// What to seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedPlan {
    /// Groups in total.
    pub groups: u64,
    /// Participants in total, spread evenly over the groups (at least one per group).
    pub participants: u64,
    /// OPEN groups already past expiry (the sweep's work).
    pub expired: u64,
}

/// What a seed run made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedReport {
    /// Shops created.
    pub shops: u64,
    /// Products created.
    pub products: u64,
    /// OPEN groups, expired ones included.
    pub open: u64,
    /// OPEN groups past expiry.
    pub expired: u64,
    /// COMPLETED groups (with their orders).
    pub completed: u64,
    /// FAILED groups (refunded).
    pub failed: u64,
    /// Participants (each with a checkout session and a purchase record).
    pub participants: u64,
    /// Distinct buyers (each with a wallet).
    pub users: u64,
    /// Wallet ledger entries.
    pub ledger_entries: u64,
    /// Orders of the completed groups.
    pub orders: u64,
    /// Outbox events (dispatched).
    pub events: u64,
    /// Wall-clock time of the whole seed, migrations excluded.
    pub elapsed: Duration,
}

mod sql;

use sql::{statements, Dialect, Shape};

/// Seeds an empty database (migrated; no group yet) per `plan`, the present being `now`,
/// in one transaction; then refreshes the planner's statistics.
///
/// # Errors
/// `Validation` for an impossible plan or a database that already holds groups; a storage
/// failure otherwise (the transaction rolls back: nothing is left half-seeded).
pub fn seed(
    db: &Database,
    plan: &SeedPlan,
    now: OffsetDateTime,
) -> Result<SeedReport, DomainError> {
    let shape = Shape::of(plan)?;
    let started = Instant::now();
    let now_secs = to_db_time(now).assume_utc().unix_timestamp();
    let dialect = match db.backend() {
        Backend::Postgres => Dialect::Pg,
        Backend::Sqlite => Dialect::Sqlite,
    };
    let expired = plan.expired;
    let report = db.write(move |conn| {
        let existing: i64 = gi::table.count().get_result(conn)?;
        if existing > 0 {
            return Err(DomainError::invalid(
                "seed",
                format!("the database already holds {existing} groups; seed an empty one"),
            )
            .into());
        }
        let mut unchecked = false;
        if dialect == Dialect::Pg {
            // Bulk work: big sorts for the ledger's running sums, no WAL flush to wait for.
            conn.batch_execute("SET LOCAL work_mem = '256MB'")?;
            conn.batch_execute("SET LOCAL synchronous_commit = off")?;
            // Nobody watches a seeded group yet: no live notice per row (migration 000017).
            conn.batch_execute("SET LOCAL groupbuy.live_off = 'on'")?;
            // Row-by-row foreign-key triggers are most of a bulk load's time (about 4 million
            // lookups); a superuser may skip them and check every key afterwards with one
            // anti-join per foreign key instead.
            if is_superuser(conn)? {
                conn.batch_execute("SET LOCAL session_replication_role = replica")?;
                unchecked = true;
            }
        }
        for sql in statements(dialect, &shape, now_secs) {
            conn.batch_execute(&sql)?;
        }
        if unchecked {
            conn.batch_execute("SET LOCAL session_replication_role = origin")?;
            check_foreign_keys(conn)?;
        }
        counts(conn, expired)
    })?;
    // Statistics, hint bits and visibility maps as a live database's autovacuum would have
    // left them (a fresh bulk load has none, and its first reads would pay for them).
    db.execute_batch(match dialect {
        Dialect::Pg => "VACUUM ANALYZE",
        // VACUUM would rewrite the whole file; statistics are what the planner needs.
        Dialect::Sqlite => "ANALYZE",
    })?;
    Ok(SeedReport {
        elapsed: started.elapsed(),
        ..report
    })
}

/// Whether the connection's role is a superuser (who may switch triggers off).
fn is_superuser(conn: &mut DbConnection) -> Result<bool, StoreError> {
    #[derive(QueryableByName)]
    struct Flag {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        flag: bool,
    }
    let row: Flag =
        diesel::sql_query("SELECT rolsuper AS flag FROM pg_roles WHERE rolname = current_user")
            .get_result(conn)?;
    Ok(row.flag)
}

/// Every foreign key of the seeded tables: (table, column, parent table).
const FOREIGN_KEYS: [(&str, &str, &str); 9] = [
    ("products", "shop_id", "shops"),
    ("group_instances", "product_id", "products"),
    ("group_instances", "shop_id", "shops"),
    ("group_participants", "group_id", "group_instances"),
    ("checkout_sessions", "product_id", "products"),
    ("purchase_records", "participant_id", "group_participants"),
    (
        "purchase_records",
        "checkout_session_id",
        "checkout_sessions",
    ),
    ("orders", "group_id", "group_instances"),
    ("orders", "participant_id", "group_participants"),
];

/// Checks every foreign key set-based (one anti-join each); a seeded row pointing at
/// nothing fails the seed, which then rolls back.
fn check_foreign_keys(conn: &mut DbConnection) -> Result<(), StoreError> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    for (table, column, parent) in FOREIGN_KEYS {
        let row: Count = diesel::sql_query(format!(
            "SELECT COUNT(*) AS n FROM {table} c WHERE NOT EXISTS \
             (SELECT 1 FROM {parent} p WHERE p.id = c.{column})"
        ))
        .get_result(conn)?;
        if row.n > 0 {
            return Err(StoreError::Corrupt(format!(
                "seed: {} {table}.{column} without their {parent} row",
                row.n
            )));
        }
    }
    Ok(())
}

/// What the database now holds.
fn counts(conn: &mut DbConnection, expired: u64) -> Result<SeedReport, StoreError> {
    use crate::platform::schema::events;
    use crate::schema::{group_participants, orders, products, shops, wallet_ledger, wallets};
    fn n(v: i64) -> u64 {
        u64::try_from(v).unwrap_or(0)
    }
    let by_status = |conn: &mut DbConnection, status: &str| -> Result<u64, StoreError> {
        Ok(n(gi::table
            .filter(gi::status.eq(status))
            .count()
            .get_result(conn)?))
    };
    Ok(SeedReport {
        shops: n(shops::table.count().get_result(conn)?),
        products: n(products::table.count().get_result(conn)?),
        open: by_status(conn, "OPEN")?,
        expired,
        completed: by_status(conn, "COMPLETED")?,
        failed: by_status(conn, "FAILED")?,
        participants: n(group_participants::table.count().get_result(conn)?),
        users: n(wallets::table
            .filter(wallets::account_kind.eq("WALLET"))
            .count()
            .get_result(conn)?),
        ledger_entries: n(wallet_ledger::table.count().get_result(conn)?),
        orders: n(orders::table.count().get_result(conn)?),
        events: n(events::table.count().get_result(conn)?),
        elapsed: Duration::ZERO,
    })
}

#[cfg(test)]
mod tests;
