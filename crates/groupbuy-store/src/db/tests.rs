//! Transactions, retries and migrations on both backends.

use super::{is_transient, Database};
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
