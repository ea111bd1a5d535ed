//! Transactions by hand and by Diesel, on either backend: the write transaction (with its
//! idempotent answer), the batch's manual one, the read snapshot, and the guard that rolls
//! back what did not commit.

use super::DbConnection;
use crate::error::StoreError;
use crate::platform::answer;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use groupbuy_domain::platform::Answer;

/// Whether a failed transaction may simply be run again.
pub(crate) fn is_transient(err: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match err {
        Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        Error::DatabaseError(_, info) => {
            let m = info.message();
            m.contains("deadlock detected") || m.contains("database is locked")
        }
        _ => false,
    }
}

/// A write transaction: PostgreSQL's default BEGIN, SQLite's BEGIN IMMEDIATE so the
/// write lock is taken up front (another process's writers queue on busy_timeout instead
/// of failing with SQLITE_BUSY when they upgrade a read lock).
///
/// `answer` (an idempotent request's, or none) is stored on its key in the same
/// transaction, just before COMMIT, and handed to it once COMMIT succeeded.
pub(crate) fn write_transaction<T>(
    conn: &mut DbConnection,
    answer: &Answer<T>,
    f: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let with_answer = |c: &mut DbConnection| {
        let value = f(c)?;
        let stored = answer::record(c, answer, &value)?;
        Ok((value, stored))
    };
    let (value, stored) = match conn {
        DbConnection::Pg(_) => conn.transaction(with_answer),
        DbConnection::Sqlite(_) => guarded(conn, "BEGIN IMMEDIATE", with_answer),
    }?;
    if let Some(response) = stored {
        answer.committed(response);
    }
    Ok(value)
}

/// A write transaction begun by hand (IMMEDIATE on SQLite), unknown to diesel's
/// transaction manager, so `f` may divide it with its own SAVEPOINTs; rolled back when
/// `f` or COMMIT fails. `f` records each request's answer itself ([`crate::platform::answer::record`]).
///
/// On PostgreSQL its statements run on generic plans (`plan_cache_mode` for this transaction
/// alone, set with BEGIN: no extra round trip): the join batch's two prepared statements
/// (`group_purchase/batch/sql.rs`) are key and array lookups whose plan does not depend on
/// the values, and PostgreSQL otherwise kept re-planning the locking read for every batch
/// (0.5 ms of planning against 0.15 ms of execution, measured in docs/PERFORMANCE.md).
pub(crate) fn manual_transaction<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let begin = match conn {
        DbConnection::Pg(_) => "BEGIN; SET LOCAL plan_cache_mode = force_generic_plan",
        DbConnection::Sqlite(_) => "BEGIN IMMEDIATE",
    };
    guarded(conn, begin, f)
}

/// A read-only snapshot: REPEATABLE READ on PostgreSQL; on SQLite (WAL) a deferred
/// transaction reads one snapshot from its first query to its end.
pub(super) fn read_snapshot<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let begin = match conn {
        DbConnection::Pg(_) => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        DbConnection::Sqlite(_) => "BEGIN DEFERRED",
    };
    guarded(conn, begin, f)
}

/// `begin`, `f`, COMMIT, by hand; rolled back if `f` or COMMIT fails (or panics).
fn guarded<T>(
    conn: &mut DbConnection,
    begin: &str,
    f: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    conn.batch_execute(begin)?;
    let mut guard = RollbackGuard { conn, done: false };
    let value = f(guard.conn)?;
    guard.conn.batch_execute("COMMIT")?;
    guard.done = true;
    Ok(value)
}

/// Rolls back an unfinished transaction (error or panic) so the pooled
/// connection is never handed out mid-transaction.
struct RollbackGuard<'a> {
    conn: &'a mut DbConnection,
    done: bool,
}

impl Drop for RollbackGuard<'_> {
    fn drop(&mut self) {
        if !self.done {
            if let Err(e) = self.conn.batch_execute("ROLLBACK") {
                tracing::error!(error = %e, "rollback failed");
            }
        }
    }
}
