//! Direct database access: creating the per-run PostgreSQL databases and reading the
//! invariants. The harness never writes groupbuy's tables itself.

use crate::error::{setup, Result};
use diesel::dsl::sql;
use diesel::pg::PgConnection;
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};

/// A connection to a run's database, whichever backend.
pub enum Db {
    /// PostgreSQL, opened from a `postgres://` or `postgresql://` URL.
    Pg(PgConnection),
    /// SQLite (a file path).
    Sqlite(SqliteConnection),
}

impl Db {
    /// Opens `url` as groupbuy does: `postgres://...` or a SQLite path.
    pub fn open(url: &str) -> Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Pg(PgConnection::establish(url)?))
        } else {
            Ok(Self::Sqlite(SqliteConnection::establish(url)?))
        }
    }

    /// The value of a query returning one integer (`SELECT count(*) ...`), read as BIGINT
    /// on both backends.
    pub fn scalar(&mut self, query: &str) -> Result<i64> {
        let expr = sql::<BigInt>(&format!("CAST(({query}) AS BIGINT)"));
        Ok(match self {
            Self::Pg(c) => diesel::select(expr).get_result(c)?,
            Self::Sqlite(c) => diesel::select(expr).get_result(c)?,
        })
    }
}

/// The PostgreSQL server the runs create their databases on.
pub struct PgAdmin {
    url: String,
    conn: PgConnection,
}

impl PgAdmin {
    /// Connects with the admin URL (any database of the server; it only creates and drops).
    pub fn connect(url: &str) -> Result<Self> {
        Ok(Self {
            url: url.to_owned(),
            conn: PgConnection::establish(url)?,
        })
    }

    /// `PostgreSQL 15.20`.
    pub fn version(&mut self) -> Result<String> {
        let v: String = diesel::select(sql::<Text>("current_setting('server_version')"))
            .get_result(&mut self.conn)?;
        Ok(format!("PostgreSQL {v}"))
    }

    /// An empty database `name` (dropped first if a previous run left it); its URL.
    pub fn fresh(&mut self, name: &str) -> Result<String> {
        self.drop_database(name)?;
        diesel::sql_query(format!("CREATE DATABASE \"{}\"", checked(name)?))
            .execute(&mut self.conn)?;
        Ok(with_database(&self.url, name))
    }

    /// Drops `name`, closing whatever connections a stopped server left behind.
    pub fn drop_database(&mut self, name: &str) -> Result<()> {
        diesel::sql_query(format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            checked(name)?
        ))
        .execute(&mut self.conn)?;
        Ok(())
    }
}

/// Database names are built by the harness; refusing anything else keeps the DDL safe.
fn checked(name: &str) -> Result<&str> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(name)
    } else {
        Err(setup(format!(
            "database name {name:?}: use lowercase letters, digits and _"
        )))
    }
}

/// `url` with its database (path) replaced by `name`, query parameters kept.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_is_swapped_in_the_url() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "gb_bench_1"),
            "postgres://postgres@127.0.0.1:5432/gb_bench_1"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "x"),
            "postgres://h:5432/x"
        );
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert!(checked("gb_bench_hot_pg_16").is_ok());
        assert!(checked("x\"; DROP").is_err());
    }
}
