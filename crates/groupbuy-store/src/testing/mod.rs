//! Fresh, migrated databases for tests: a SQLite file in a temp dir, or a new
//! PostgreSQL database when `GROUPBUY_TEST_POSTGRES_URL` is set. Dropped with the value.

mod ledger;

pub use ledger::money_violations;

use crate::db::{Database, PoolSettings};
use crate::error::StoreError;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use std::path::PathBuf;

/// The variable naming the PostgreSQL server used by tests (a maintenance database URL).
pub const POSTGRES_ENV: &str = "GROUPBUY_TEST_POSTGRES_URL";

/// A migrated database that exists only for one test.
pub struct TestDatabase {
    /// The database.
    pub db: Database,
    /// Its URL, for starting an app against it.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    None,
    File(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// A new SQLite database file.
    ///
    /// # Panics
    /// When the file cannot be created or migrated (a broken test machine).
    #[allow(clippy::expect_used)]
    pub fn sqlite() -> Self {
        let t = Self::sqlite_empty();
        t.db.migrate().expect("migrate sqlite");
        t
    }

    /// A new SQLite database file with no schema (tests of migrating itself).
    ///
    /// # Panics
    /// When the file cannot be created.
    #[allow(clippy::expect_used)]
    pub fn sqlite_empty() -> Self {
        let dir = std::env::temp_dir().join(format!("groupbuy-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        let url = dir.join("test.db").to_string_lossy().into_owned();
        let db = Database::connect(&url, settings()).expect("open sqlite");
        Self {
            db,
            url,
            cleanup: Cleanup::File(dir),
        }
    }

    /// A new PostgreSQL database, or `None` when PostgreSQL tests are not configured.
    ///
    /// # Panics
    /// When the configured server cannot create or migrate a database.
    #[allow(clippy::expect_used)]
    pub fn postgres() -> Option<Self> {
        let t = Self::postgres_empty()?;
        t.db.migrate().expect("migrate postgres");
        Some(t)
    }

    /// A new PostgreSQL database with no schema (tests of migrating itself), or `None`
    /// when PostgreSQL tests are not configured.
    ///
    /// # Panics
    /// When the configured server cannot create a database.
    #[allow(clippy::expect_used)]
    pub fn postgres_empty() -> Option<Self> {
        let admin_url = std::env::var(POSTGRES_ENV).ok().filter(|u| !u.is_empty())?;
        let name = format!("gb_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin =
            PgConnection::establish(&admin_url).expect("connect to GROUPBUY_TEST_POSTGRES_URL");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create test database");
        let url = replace_database(&admin_url, &name);
        let db = Database::connect(&url, settings()).expect("open postgres");
        Some(Self {
            db,
            url,
            cleanup: Cleanup::Postgres { admin_url, name },
        })
    }

    /// Another handle on an existing test database (a second app instance); the
    /// original owner drops it.
    ///
    /// # Panics
    /// When the database cannot be opened.
    #[allow(clippy::expect_used)]
    pub fn attach(url: &str) -> Self {
        let db = Database::connect(url, settings()).expect("open database");
        Self {
            db,
            url: url.to_owned(),
            cleanup: Cleanup::None,
        }
    }

    /// Every event the outbox holds, as `(type, data)` in commit order, for tests that
    /// check what the app emitted against what it publishes (the event catalogue).
    ///
    /// # Errors
    /// When the events cannot be read (a test that broke its database on purpose).
    ///
    /// # Panics
    /// When a stored `data` is not JSON.
    #[allow(clippy::expect_used)]
    pub fn emitted_events(&self) -> Result<Vec<(String, serde_json::Value)>, StoreError> {
        use crate::platform::schema::events;
        let rows: Vec<(String, String)> = self.db.read(|c| {
            Ok(events::table
                .select((events::event_type, events::data))
                .order(events::seq)
                .load(c)?)
        })?;
        Ok(rows
            .into_iter()
            .map(|(t, data)| (t, serde_json::from_str(&data).expect("stored data is JSON")))
            .collect())
    }

    /// Both backends that are configured: SQLite always, PostgreSQL when enabled.
    pub fn all() -> Vec<(&'static str, Self)> {
        let mut all = vec![("sqlite", Self::sqlite())];
        if let Some(pg) = Self::postgres() {
            all.push(("postgres", pg));
        }
        all
    }
}

fn settings() -> PoolSettings {
    PoolSettings {
        max_size: 16,
        ..PoolSettings::default()
    }
}

/// `postgres://u@h:5432/db?x` with its database replaced by `name`.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::None => {}
            Cleanup::File(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                if let Ok(mut admin) = PgConnection::establish(admin_url) {
                    let _ = admin
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
        }
    }
}

/// Declares each listed `fn(&Database)` as a test on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod on_sqlite {
            $( #[test] fn $case() { let t = $crate::testing::TestDatabase::sqlite(); super::$case(&t.db); } )*
        }
        mod on_postgres {
            $( #[test] fn $case() {
                if let Some(t) = $crate::testing::TestDatabase::postgres() { super::$case(&t.db); }
            } )*
        }
    };
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            replace_database("postgres://h/db?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
        assert_eq!(replace_database("postgres://h", "x"), "postgres://h/x");
    }
}
