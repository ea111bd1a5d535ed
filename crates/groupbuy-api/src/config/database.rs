//! Where the database lives beyond `DATABASE_URL`: a streaming replica for reads that
//! tolerate a little lag, a direct URL of the primary for what needs a session of its own
//! when `DATABASE_URL` goes through a transaction-mode pooler, and the statement cache
//! such a pooler requires off (docs/SCALING.md, "Replicas and PgBouncer").

use groupbuy_store::Backend;
use std::time::Duration;

/// The default read-your-writes window: far above the replica lag measured on one
/// machine (well under a millisecond idle, a few under load; docs/SCALING.md), so a
/// caller never reads past its own write even when the replica falls behind for a while.
pub const DEFAULT_READ_AFTER_WRITE: Duration = Duration::from_millis(5000);

/// The database settings beside `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseSettings {
    /// `DATABASE_READ_URL`: a PostgreSQL streaming replica of the primary; public lists and
    /// pages, campaign listings and read-model misses are read there.
    pub read_url: Option<String>,
    /// `DATABASE_DIRECT_URL` (default `DATABASE_URL`): the primary without a pooler in
    /// between, for LISTEN (live pages, read-model invalidation) and the migration lock.
    pub direct_url: Option<String>,
    /// `GROUPBUY_PG_STATEMENT_CACHE` (`on` by default, `off`): Diesel's prepared-statement
    /// cache; `off` when `DATABASE_URL` (or the read URL) goes through PgBouncer in
    /// transaction pooling mode.
    pub statement_cache: bool,
    /// `GROUPBUY_READ_AFTER_WRITE_MS` (default 5000): how long after a caller's write its
    /// lag-tolerant reads stay on the primary (only with a replica).
    pub read_after_write: Duration,
    /// `GROUPBUY_DB_WARM_POOL` (`on` by default when read from the environment, `off`):
    /// open every pooled connection before the listener opens, so the first burst of
    /// requests after a start does not wait for connections opened on demand. Off in
    /// `Default` (tests and embedders open connections as they need them).
    pub warm_pool: bool,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            read_url: None,
            direct_url: None,
            statement_cache: true,
            read_after_write: DEFAULT_READ_AFTER_WRITE,
            warm_pool: false,
        }
    }
}

impl DatabaseSettings {
    /// Reads the variables through `var`; refuses a replica or direct URL that is not
    /// PostgreSQL, or either beside a SQLite primary (`primary` is `DATABASE_URL`).
    ///
    /// # Errors
    /// A message naming the variable and what to do.
    pub fn from_lookup(
        primary: &str,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        let pg_only = |name: &str| -> Result<Option<String>, String> {
            let Some(url) = var(name).map(|v| v.trim().to_owned()) else {
                return Ok(None);
            };
            if Backend::of(primary) != Backend::Postgres {
                return Err(format!(
                    "{name} is set but DATABASE_URL is not PostgreSQL: a replica and a direct \
                     URL exist only beside a PostgreSQL primary; unset {name}"
                ));
            }
            if Backend::of(&url) != Backend::Postgres {
                return Err(format!(
                    "{name} must be a postgres:// or postgresql:// URL of the primary's server"
                ));
            }
            Ok(Some(url))
        };
        let on_off = |name: &str| match var(name).as_deref().map(str::trim) {
            None | Some("on") => Ok(true),
            Some("off") => Ok(false),
            Some(other) => Err(format!("{name} must be on or off, got {other:?}")),
        };
        let statement_cache = on_off("GROUPBUY_PG_STATEMENT_CACHE")?;
        let window_ms = match var("GROUPBUY_READ_AFTER_WRITE_MS") {
            Some(v) => v.trim().parse::<u64>().map_err(|_| {
                format!("GROUPBUY_READ_AFTER_WRITE_MS must be a number of milliseconds, got {v:?}")
            })?,
            None => u64::try_from(DEFAULT_READ_AFTER_WRITE.as_millis()).unwrap_or(u64::MAX),
        };
        Ok(Self {
            read_url: pg_only("DATABASE_READ_URL")?,
            direct_url: pg_only("DATABASE_DIRECT_URL")?,
            statement_cache,
            read_after_write: Duration::from_millis(window_ms),
            warm_pool: on_off("GROUPBUY_DB_WARM_POOL")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(primary: &str, vars: &[(&str, &str)]) -> Result<DatabaseSettings, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        DatabaseSettings::from_lookup(primary, |name| vars.get(name).cloned())
    }

    const PG: &str = "postgres://postgres@127.0.0.1:5432/groupbuy";

    #[test]
    fn a_replica_is_refused_beside_sqlite_or_when_not_postgres() {
        let beside_sqlite = read("groupbuy.db", &[("DATABASE_READ_URL", PG)]).expect_err("sqlite");
        assert!(
            beside_sqlite.contains("DATABASE_READ_URL"),
            "{beside_sqlite}"
        );
        assert!(beside_sqlite.contains("not PostgreSQL"), "{beside_sqlite}");
        let not_pg = read(PG, &[("DATABASE_READ_URL", "replica.db")]).expect_err("not pg");
        assert!(not_pg.contains("postgres://"), "{not_pg}");
        let direct = read("groupbuy.db", &[("DATABASE_DIRECT_URL", PG)]).expect_err("direct");
        assert!(direct.contains("DATABASE_DIRECT_URL"), "{direct}");
    }

    #[test]
    fn replica_direct_url_cache_and_window_are_read() {
        // Read from the environment, the pool is warmed unless told otherwise.
        let defaults = DatabaseSettings {
            warm_pool: true,
            ..DatabaseSettings::default()
        };
        assert_eq!(read(PG, &[]), Ok(defaults));
        let replica = "postgresql://postgres@127.0.0.1:5433/groupbuy";
        let s = read(
            PG,
            &[
                ("DATABASE_READ_URL", replica),
                ("DATABASE_DIRECT_URL", PG),
                ("GROUPBUY_PG_STATEMENT_CACHE", "off"),
                ("GROUPBUY_READ_AFTER_WRITE_MS", "250"),
                ("GROUPBUY_DB_WARM_POOL", "off"),
            ],
        )
        .expect("valid");
        assert!(!s.warm_pool);
        assert_eq!(s.read_url.as_deref(), Some(replica));
        assert_eq!(s.direct_url.as_deref(), Some(PG));
        assert!(!s.statement_cache);
        assert_eq!(s.read_after_write, Duration::from_millis(250));
        let bad = read(PG, &[("GROUPBUY_PG_STATEMENT_CACHE", "maybe")]).expect_err("bad");
        assert!(bad.contains("on or off"), "{bad}");
        let bad = read(PG, &[("GROUPBUY_DB_WARM_POOL", "yes")]).expect_err("bad");
        assert!(
            bad.contains("GROUPBUY_DB_WARM_POOL must be on or off"),
            "{bad}"
        );
    }
}
