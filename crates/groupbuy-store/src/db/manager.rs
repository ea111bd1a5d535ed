//! How the pool opens a connection: PostgreSQL with or without Diesel's statement cache,
//! SQLite with its pragmas.

use super::{Backend, DbConnection};
use crate::error::StoreError;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;

/// The SQLite file path of a URL such as `sqlite://groupbuy.db` or `groupbuy.db`.
fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// Opens connections for r2d2, setting SQLite's pragmas on each.
#[derive(Debug)]
pub(crate) struct Manager {
    /// What to connect to.
    pub(super) url: String,
    /// Which backend `url` names.
    pub(super) backend: Backend,
    /// PostgreSQL: keep Diesel's prepared-statement cache (off behind a transaction-mode
    /// pooler, where a named statement prepared on one server connection is unknown to
    /// the next).
    pub(super) statement_cache: bool,
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = StoreError;

    fn connect(&self) -> Result<DbConnection, StoreError> {
        match self.backend {
            Backend::Postgres => {
                let mut conn = PgConnection::establish(&self.url)
                    .map_err(|e| StoreError::Connect(e.to_string()))?;
                if !self.statement_cache {
                    // Unnamed statements: Diesel then sends parse, bind and execute in
                    // one message batch, which a transaction-mode pooler keeps together.
                    conn.set_prepared_statement_cache_size(diesel::connection::CacheSize::Disabled);
                }
                Ok(DbConnection::Pg(conn))
            }
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(sqlite_path(&self.url))
                    .map_err(|e| StoreError::Connect(e.to_string()))?;
                // WAL lets readers run beside the one writer; busy_timeout makes writers
                // queue instead of failing; foreign keys are off by default in SQLite.
                // busy_timeout first: switching a new file to WAL needs a lock that another
                // pooled connection (or a running migration) may hold for a moment.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                )?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    /// PostgreSQL: `SELECT 1`, so a connection the server dropped (a restart, a
    /// terminated backend) is replaced before a request uses it. SQLite: nothing to ask (a
    /// connection to a local file does not go stale), so no statement.
    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), StoreError> {
        match conn {
            DbConnection::Pg(_) => conn.batch_execute("SELECT 1").map_err(StoreError::from),
            DbConnection::Sqlite(_) => Ok(()),
        }
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}
