//! Transactions, retries and migrations on both backends.

use super::{is_transient, Database, PoolSettings};
use crate::testing::TestDatabase;
use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error};

struct Info(&'static str);

impl DatabaseErrorInformation for Info {
    fn message(&self) -> &str {
        self.0
    }
    fn details(&self) -> Option<&str> {
        None
    }
    fn hint(&self) -> Option<&str> {
        None
    }
    fn table_name(&self) -> Option<&str> {
        None
    }
    fn column_name(&self) -> Option<&str> {
        None
    }
    fn constraint_name(&self) -> Option<&str> {
        None
    }
    fn statement_position(&self) -> Option<i32> {
        None
    }
}

#[test]
fn deadlocks_and_serialization_failures_are_retried_nothing_else() {
    let err = |kind, msg| Error::DatabaseError(kind, Box::new(Info(msg)));
    assert!(is_transient(&err(
        DatabaseErrorKind::Unknown,
        "deadlock detected"
    )));
    assert!(is_transient(&err(
        DatabaseErrorKind::SerializationFailure,
        "could not serialize"
    )));
    assert!(is_transient(&err(
        DatabaseErrorKind::Unknown,
        "database is locked"
    )));
    assert!(!is_transient(&err(
        DatabaseErrorKind::UniqueViolation,
        "duplicate key"
    )));
    assert!(!is_transient(&Error::NotFound));
}

/// Every migration has a working down: revert all, apply all again, and use the schema.
fn migrations_revert_and_reapply(db: &Database) {
    let folders = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../migrations/sqlite"
    ))
    .expect("migrations folder")
    .count();
    assert_eq!(db.revert_all().expect("down"), folders);
    assert_eq!(db.migrate().expect("up again").len(), folders);
    db.execute_batch("SELECT count(*) FROM shops")
        .expect("schema usable");
}

crate::on_both_backends!(migrations_revert_and_reapply);

/// Three instances starting together on an empty database all migrate it (PostgreSQL
/// crashed with a unique violation in `pg_type` when two created the same table at once).
fn instances_starting_together_all_migrate(empty: TestDatabase) {
    let start = std::sync::Barrier::new(3);
    let outcomes: Vec<_> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..3)
            .map(|_| {
                s.spawn(|| {
                    let db =
                        Database::connect(&empty.url, PoolSettings::default()).expect("connect");
                    start.wait();
                    db.migrate().map(|applied| applied.len())
                })
            })
            .collect();
        runs.into_iter()
            .map(|r| r.join().expect("thread"))
            .collect()
    });
    let applied: Vec<usize> = outcomes
        .into_iter()
        .map(|o| o.expect("every instance migrates"))
        .collect();
    let folders = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../migrations/sqlite"
    ))
    .expect("migrations folder")
    .count();
    assert_eq!(
        applied.iter().sum::<usize>(),
        folders,
        "each applied once: {applied:?}"
    );
    empty
        .db
        .execute_batch("SELECT count(*) FROM shops")
        .expect("schema usable");
}

#[test]
fn instances_starting_together_all_migrate_on_sqlite() {
    instances_starting_together_all_migrate(TestDatabase::sqlite_empty());
}

#[test]
fn instances_starting_together_all_migrate_on_postgres() {
    if let Some(empty) = TestDatabase::postgres_empty() {
        instances_starting_together_all_migrate(empty);
    }
}

/// A warmed pool holds every connection open and idle before any request asks for one.
fn a_warmed_pool_has_every_connection_open(t: TestDatabase) {
    let settings = PoolSettings {
        max_size: 4,
        ..PoolSettings::default()
    };
    let db = Database::connect(&t.url, settings).expect("connect");
    assert!(db.pool_snapshot().open < 4, "opened on demand by default");
    assert_eq!(db.warm().expect("warm"), 4);
    let after = db.pool_snapshot();
    assert_eq!((after.open, after.idle), (4, 4));
}

#[test]
fn a_warmed_pool_has_every_connection_open_on_sqlite() {
    a_warmed_pool_has_every_connection_open(TestDatabase::sqlite());
}

#[test]
fn a_warmed_pool_has_every_connection_open_on_postgres() {
    if let Some(t) = TestDatabase::postgres() {
        a_warmed_pool_has_every_connection_open(t);
    }
}
