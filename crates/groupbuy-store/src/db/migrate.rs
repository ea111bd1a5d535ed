//! Migrations, embedded per backend and applied by one instance at a time: instances
//! starting together on one database take turns instead of racing to create the same
//! tables (PostgreSQL crashed with a unique violation in `pg_type`).

use super::{write_transaction, DbConnection};
use crate::error::StoreError;
use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use groupbuy_domain::platform::Answer;

const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// Applies pending migrations under the migration lock; returns their names.
pub(super) fn apply(conn: &mut DbConnection) -> Result<Vec<String>, StoreError> {
    migration_lock(conn, "SELECT pg_advisory_lock($1)")?;
    let applied = migrate_holding_lock(conn);
    // Released on every outcome: the connection goes back to the pool afterwards.
    let released = migration_lock(conn, "SELECT pg_advisory_unlock($1)");
    let applied = applied?;
    released?;
    Ok(applied)
}

/// Reverts every applied migration, newest first; returns how many.
pub(super) fn revert_all(conn: &mut DbConnection) -> Result<usize, StoreError> {
    let reverted = match conn {
        DbConnection::Pg(c) => c.revert_all_migrations(PG_MIGRATIONS).map(|m| m.len()),
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS).map(|m| m.len()),
    };
    reverted.map_err(|e| StoreError::Migration(e.to_string()))
}

/// The session-level advisory lock key instances migrate under (`groupbu` in ASCII).
const MIGRATION_LOCK_KEY: i64 = 0x0067_726f_7570_6275;

fn migrate_holding_lock(conn: &mut DbConnection) -> Result<Vec<String>, StoreError> {
    let failed = |e: Box<dyn std::error::Error + Send + Sync>| StoreError::Migration(e.to_string());
    let applied = match conn {
        DbConnection::Pg(c) => c
            .run_pending_migrations(PG_MIGRATIONS)
            .map(names)
            .map_err(failed)?,
        // SQLite has no advisory lock: the write lock of one IMMEDIATE transaction around
        // every migration (each runs in a savepoint inside it) makes the others wait on
        // busy_timeout and then find nothing pending.
        DbConnection::Sqlite(c) => c.immediate_transaction(|c| {
            c.run_pending_migrations(SQLITE_MIGRATIONS)
                .map(names)
                .map_err(failed)
        })?,
    };
    // Data the schema change cannot move by itself: hashes are computed in Rust.
    let adopted = write_transaction(conn, &Answer::none(), crate::campaign::adopt_legacy_audit)?;
    if adopted > 0 {
        tracing::info!(
            entries = adopted,
            "legacy campaign audit sealed onto the shared trail"
        );
    }
    Ok(applied)
}

/// Takes or releases (per `sql`) the PostgreSQL session lock instances migrate under:
/// instances starting together on one database take turns, and the later ones find
/// nothing pending, instead of racing to create the same tables and types (a
/// unique-violation crash in `pg_type`).
fn migration_lock(conn: &mut DbConnection, sql: &str) -> Result<(), StoreError> {
    let DbConnection::Pg(c) = conn else {
        return Ok(());
    };
    diesel::sql_query(sql)
        .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK_KEY)
        .execute(c)
        .map(drop)
        .map_err(|e| StoreError::Migration(format!("migration lock: {e}")))
}

fn names(migrations: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    migrations.iter().map(|m| m.to_string()).collect()
}
