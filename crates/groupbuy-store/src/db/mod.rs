//! Connections, the pool, migrations and transactions over either backend.

use crate::error::StoreError;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use groupbuy_domain::ledger::CommissionRate;
use groupbuy_domain::DomainError;
use std::sync::Arc;
use std::time::Duration;

pub(crate) mod cacheable;
pub(crate) mod cached_sql;
mod checkpointer;
mod manager;
mod pool_stats;
mod replica;
mod transaction;
mod write;
mod writer;
pub(crate) use manager::Manager;
pub use pool_stats::PoolSnapshot;
use pool_stats::{CountingHandler, PoolCounters};
pub use replica::{reading_on_primary, reads_on_primary};
use transaction::read_snapshot;
pub(crate) use transaction::{is_transient, manual_transaction, write_transaction};

/// One connection to whichever backend the URL named.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// PostgreSQL (production).
    Pg(PgConnection),
    /// SQLite (embedded default).
    Sqlite(SqliteConnection),
}

/// Runs the same Diesel code on the backend `conn` holds, `$c` bound to its connection:
/// for statements MultiConnection cannot build (upserts, `ON CONFLICT`) that are written
/// alike for both backends, so the code is written once and only compiled twice; and for
/// the hot path's statements: MultiConnection writes a statement's SQL text two or three
/// times on every run, prepared or not (a fifth of a warm SQLite join's instructions),
/// where the backend's own connection finds a statement with a static id
/// (most SELECTs; the UPDATEs through [`cacheable::cacheable!`]) by its type alone.
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Pg($c) => $body,
            $crate::db::DbConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use on_backend;

/// `INSERT ... ON CONFLICT DO NOTHING` on either backend (MultiConnection cannot express
/// it); evaluates to the number of rows inserted.
macro_rules! insert_if_absent {
    ($conn:expr, $table:expr, $row:expr) => {
        $crate::db::on_backend!($conn, |c| diesel::insert_into($table)
            .values($row)
            .on_conflict_do_nothing()
            .execute(c))
    };
}
pub(crate) use insert_if_absent;

/// Inserts `rows` (a slice), `ON CONFLICT DO NOTHING` when `if_absent` is given: ONE
/// multi-row statement on PostgreSQL; row by row on SQLite, which has no round trip to
/// save and where Diesel would wrap a multi-row insert in a transaction of its own (refused
/// inside ours). Evaluates to the number of rows inserted.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            $crate::db::DbConnection::Pg(c) => diesel::insert_into($table).values($rows).execute(c),
            $crate::db::DbConnection::Sqlite(c) => $rows.iter().try_fold(0, |n, row| {
                diesel::insert_into($table)
                    .values(row)
                    .execute(c)
                    .map(|k| n + k)
            }),
        }
    };
    ($conn:expr, $table:expr, $rows:expr, if_absent) => {
        match $conn {
            $crate::db::DbConnection::Pg(c) => diesel::insert_into($table)
                .values($rows)
                .on_conflict_do_nothing()
                .execute(c),
            $crate::db::DbConnection::Sqlite(c) => $rows.iter().try_fold(0, |n, row| {
                diesel::insert_into($table)
                    .values(row)
                    .on_conflict_do_nothing()
                    .execute(c)
                    .map(|k| n + k)
            }),
        }
    };
}
pub(crate) use insert_rows;

/// Numbered bind placeholders for hand-written SQL, one per call: `$1`, `$2`, ... on
/// PostgreSQL, `?` on SQLite.
pub(crate) fn placeholders(conn: &DbConnection) -> impl FnMut() -> String {
    let pg = matches!(conn, DbConnection::Pg(_));
    let mut n = 0;
    move || {
        n += 1;
        if pg {
            format!("${n}")
        } else {
            "?".to_owned()
        }
    }
}

/// Which database a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `postgres://` or `postgresql://`.
    Postgres,
    /// Anything else: a SQLite file path (`sqlite://` prefix optional).
    Sqlite,
}

impl Backend {
    /// Chooses the backend from the URL scheme (SQLite would accept any string).
    pub fn of(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }
}

/// Size and patience of the connection pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    /// Most connections kept open.
    pub max_size: u32,
    /// How long a request waits for a connection before answering 503.
    pub checkout_timeout: Duration,
    /// PostgreSQL: Diesel's prepared-statement cache (`GROUPBUY_PG_STATEMENT_CACHE`, on by
    /// default); off for connections through a transaction-mode pooler such as PgBouncer.
    pub statement_cache: bool,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_size: 8,
            checkout_timeout: Duration::from_secs(5),
            statement_cache: true,
        }
    }
}

/// The database: a pool of connections to one backend and, on SQLite, the one writer.
#[derive(Clone)]
pub struct Database {
    pool: r2d2::Pool<Manager>,
    backend: Backend,
    /// SQLite's one writer (`db/writer.rs`): every write transaction of this process is a
    /// job on its thread; readers use the pool beside it (WAL).
    writer: Option<Arc<writer::Writer>>,
    /// Checkouts, waits and timeouts, for operators (`pool_snapshot`).
    counters: Arc<PoolCounters>,
    /// This process's queues of payments per hot group.
    joins: Arc<crate::group_purchase::JoinBatches>,
    /// The commission of shops without their own rate (`GROUPBUY_COMMISSION_BPS`).
    pub(crate) default_commission: CommissionRate,
    /// The URL it was opened with.
    url: String,
    /// A direct connection to the primary, for what needs a session of its own (LISTEN,
    /// the migration lock): `url` unless a transaction-mode pooler stands in between.
    session_url: String,
    /// PostgreSQL: the streaming replica that serves lag-tolerant reads, when configured.
    replica: Option<Arc<replica::Replica>>,
    /// Whether connections keep Diesel's statement cache (the replica's too).
    statement_cache: bool,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("backend", &self.backend)
            .finish()
    }
}

impl Database {
    /// Connects to `url` (PostgreSQL for `postgres://`, else a SQLite file).
    ///
    /// # Errors
    /// `Connect` when the first connection cannot be opened.
    pub fn connect(url: &str, settings: PoolSettings) -> Result<Self, StoreError> {
        Self::connect_checkpointing(url, settings, checkpointer::INTERVAL)
    }

    /// [`Database::connect`], SQLite's WAL checkpointed every `checkpoint_every`.
    pub(crate) fn connect_checkpointing(
        url: &str,
        settings: PoolSettings,
        checkpoint_every: Duration,
    ) -> Result<Self, StoreError> {
        let backend = Backend::of(url);
        let manager = Manager {
            url: url.to_owned(),
            backend,
            statement_cache: settings.statement_cache,
        };
        let counters = Arc::new(PoolCounters::default());
        let writer = match backend {
            Backend::Sqlite => Some(Arc::new(writer::Writer::start(
                r2d2::ManageConnection::connect(&manager)?,
                r2d2::ManageConnection::connect(&manager)?,
                checkpoint_every,
                settings.checkout_timeout,
                counters.clone(),
                Arc::new(crate::live::sqlite::Noted::new(url)),
            )?)),
            Backend::Postgres => None,
        };
        let pool = r2d2::Pool::builder()
            .max_size(settings.max_size)
            .min_idle(Some(1))
            .connection_timeout(settings.checkout_timeout)
            .event_handler(Box::new(CountingHandler(counters.clone())))
            .build(manager)
            .map_err(|e| StoreError::Connect(e.to_string()))?;
        Ok(Self {
            pool,
            backend,
            writer,
            counters,
            joins: Arc::default(),
            default_commission: CommissionRate::ZERO,
            url: url.to_owned(),
            session_url: url.to_owned(),
            replica: None,
            statement_cache: settings.statement_cache,
        })
    }

    /// Sends the reads that tolerate a little lag to the PostgreSQL streaming replica at
    /// `read_url` (a pool of `max_size` connections; see `db/replica.rs`). A replica that is
    /// down now is not an error: reads go to the primary until it answers.
    ///
    /// # Errors
    /// `Connect` when this database or `read_url` is not PostgreSQL.
    pub fn with_replica(mut self, read_url: &str, max_size: u32) -> Result<Self, StoreError> {
        if self.backend != Backend::Postgres || Backend::of(read_url) != Backend::Postgres {
            return Err(StoreError::Connect(
                "a read replica needs PostgreSQL for both the primary and the replica".into(),
            ));
        }
        let manager = Manager {
            url: read_url.to_owned(),
            backend: Backend::Postgres,
            statement_cache: self.statement_cache,
        };
        let counters = Arc::new(PoolCounters::default());
        self.replica = Some(Arc::new(replica::Replica::open(
            manager, max_size, counters,
        )?));
        Ok(self)
    }

    /// Opens LISTEN and the migration lock on `url`, a direct connection to the primary,
    /// when the pool's URL goes through a transaction-mode pooler (which would hand each
    /// statement a different server session).
    pub fn with_session_url(mut self, url: &str) -> Self {
        url.clone_into(&mut self.session_url);
        self
    }

    /// The replica's pool now, when a replica is configured.
    pub fn replica_pool_snapshot(&self) -> Option<PoolSnapshot> {
        self.replica
            .as_ref()
            .map(|r| r.counters.snapshot(r.pool.max_size(), r.pool.state()))
    }

    /// Lag-tolerant reads that the replica could not answer and the primary did (0
    /// without a replica).
    pub fn replica_fallbacks(&self) -> u64 {
        self.replica.as_ref().map_or(0, |r| r.fallbacks())
    }

    /// The queues in which payments for the same group are batched.
    pub(crate) fn joins(&self) -> &crate::group_purchase::JoinBatches {
        &self.joins
    }

    /// The pool now: size, in use, idle, waits and timeouts since start.
    pub fn pool_snapshot(&self) -> PoolSnapshot {
        self.counters
            .snapshot(self.pool.max_size(), self.pool.state())
    }

    /// The URL this database was opened with.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// The direct URL of the primary, for a session of its own ([`Self::with_session_url`]).
    pub(crate) fn session_url(&self) -> &str {
        &self.session_url
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies pending migrations; returns their names.
    ///
    /// # Errors
    /// `Migration` when one fails.
    pub fn migrate(&self) -> Result<Vec<String>, StoreError> {
        if self.session_url == self.url {
            return migrate::apply(&mut *self.checkout()?);
        }
        // The migration lock is held by a session across several transactions.
        let direct = Manager {
            url: self.session_url.clone(),
            backend: self.backend,
            statement_cache: self.statement_cache,
        };
        migrate::apply(&mut r2d2::ManageConnection::connect(&direct)?)
    }

    /// Opens every connection of the pool now (held together, then returned), so the
    /// first requests after a start find them open; returns how many are open.
    ///
    /// # Errors
    /// `Pool` when a connection cannot be opened within the checkout timeout.
    pub fn warm(&self) -> Result<u32, StoreError> {
        let held = (0..self.pool.max_size())
            .map(|_| self.checkout())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(u32::try_from(held.len()).unwrap_or(u32::MAX))
    }

    fn checkout(&self) -> Result<r2d2::PooledConnection<Manager>, StoreError> {
        self.pool.get().map_err(|e| StoreError::Pool(e.to_string()))
    }

    /// Reverts every applied migration, newest first; returns how many (tests and tools).
    ///
    /// # Errors
    /// `Migration` when a down migration fails.
    pub fn revert_all(&self) -> Result<usize, StoreError> {
        migrate::revert_all(&mut *self.checkout()?)
    }

    /// Runs `f` (reads) in one read-only snapshot, so the several queries of a detail
    /// agree with each other while writers commit (a group never shows fewer seats than
    /// its participants hold).
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>,
    ) -> Result<T, DomainError> {
        let mut conn = self.checkout()?;
        read_snapshot(&mut conn, f).map_err(DomainError::from)
    }

    /// [`Database::read`] for a read that tolerates a little lag (public lists and pages):
    /// on the replica when one is configured and this thread is not reading its own
    /// writes ([`reads_on_primary`]), else (or when the replica cannot answer) on the
    /// primary.
    pub(crate) fn read_lagging<T>(
        &self,
        f: impl Fn(&mut DbConnection) -> Result<T, StoreError>,
    ) -> Result<T, DomainError> {
        if let Some(answer) = self.on_replica(|conn| read_snapshot(conn, &f)) {
            return answer.map_err(DomainError::from);
        }
        self.read(f)
    }

    /// [`Database::query`] for a read that tolerates a little lag, routed like
    /// [`Database::read_lagging`].
    pub(crate) fn query_lagging<T>(
        &self,
        f: impl Fn(&mut DbConnection) -> Result<T, StoreError>,
    ) -> Result<T, DomainError> {
        if let Some(answer) = self.on_replica(&f) {
            return answer.map_err(DomainError::from);
        }
        self.query(f)
    }

    /// `f` answered by the replica, or `None` when the primary must answer.
    fn on_replica<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>,
    ) -> Option<Result<T, StoreError>> {
        let replica = self.replica.as_ref()?;
        if reading_on_primary() {
            return None;
        }
        replica.run(f)
    }

    /// Runs `f` (one query) on a pooled connection, outside any transaction.
    pub(crate) fn query<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>,
    ) -> Result<T, DomainError> {
        let mut conn = self.checkout()?;
        f(&mut conn).map_err(DomainError::from)
    }

    /// Runs raw SQL (used by tests and tools).
    ///
    /// # Errors
    /// Query failures.
    pub fn execute_batch(&self, sql: &str) -> Result<(), StoreError> {
        let mut conn = self.checkout()?;
        conn.batch_execute(sql).map_err(StoreError::from)
    }
}

mod migrate;
#[cfg(test)]
mod replica_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod writer_tests;
