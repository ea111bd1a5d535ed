//! Hand-written PostgreSQL statements that Diesel's prepared-statement cache keeps.
//!
//! `diesel::sql_query` marks every statement unsafe to cache, so PostgreSQL parses and plans
//! it on each execution: for the join batch's two statements (seven CTEs) planning cost more
//! than running them (docs/PERFORMANCE.md). A [`CachedSql`] says the same text with the same
//! binds each time, so Diesel prepares it once per connection (keyed by its text and bind
//! types) and PostgreSQL can settle on a generic plan after a few executions. With the cache
//! off (`GROUPBUY_PG_STATEMENT_CACHE=off`, PgBouncer's transaction mode) Diesel prepares it
//! unnamed each time, as before.
//!
//! The text keeps PostgreSQL's `$n` placeholders; each occurrence is bound again from
//! parameter `n` (Diesel numbers binds in order), so one text reads as it runs.

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::result::QueryResult;
use diesel::sql_types::{Array, BigInt, Bool, Integer, Nullable, Text, Timestamp, Untyped};
use diesel::RunQueryDsl;
use time::PrimitiveDateTime;

/// One bound value, typed as PostgreSQL receives it.
#[derive(Debug, Clone)]
pub enum Param {
    /// `text[]`.
    Texts(Vec<String>),
    /// `text[]` with NULLs.
    OptionalTexts(Vec<Option<String>>),
    /// `integer[]`.
    Ints(Vec<i32>),
    /// `bigint[]`.
    BigInts(Vec<i64>),
    /// `boolean[]`.
    Bools(Vec<bool>),
    /// `timestamp[]`.
    Times(Vec<PrimitiveDateTime>),
}

impl Param {
    fn push<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        match self {
            Self::Texts(v) => out.push_bind_param::<Array<Text>, _>(v),
            Self::OptionalTexts(v) => out.push_bind_param::<Array<Nullable<Text>>, _>(v),
            Self::Ints(v) => out.push_bind_param::<Array<Integer>, _>(v),
            Self::BigInts(v) => out.push_bind_param::<Array<BigInt>, _>(v),
            Self::Bools(v) => out.push_bind_param::<Array<Bool>, _>(v),
            Self::Times(v) => out.push_bind_param::<Array<Timestamp>, _>(v),
        }
    }
}

/// A constant statement text and its parameters (`params[n - 1]` is `$n`), run like
/// `sql_query` (rows read `QueryableByName`) but prepared once per connection.
#[derive(Debug)]
pub struct CachedSql {
    sql: &'static str,
    params: Vec<Param>,
}

impl CachedSql {
    /// `sql` with `params`.
    pub fn new(sql: &'static str, params: Vec<Param>) -> Self {
        Self { sql, params }
    }
}

impl QueryFragment<Pg> for CachedSql {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let mut rest = self.sql;
        while let Some(at) = rest.find('$') {
            out.push_sql(&rest[..at]);
            let after = &rest[at + 1..];
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            let param = after[..digits]
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| self.params.get(i));
            match param {
                Some(param) => param.push(&mut out)?,
                None if digits == 0 => out.push_sql("$"),
                None => {
                    return Err(diesel::result::Error::QueryBuilderError(
                        format!("no parameter ${} for a cached statement", &after[..digits]).into(),
                    ))
                }
            }
            rest = &after[digits..];
        }
        out.push_sql(rest);
        Ok(())
    }
}

impl QueryId for CachedSql {
    type QueryId = ();
    // Keyed by its text instead: every CachedSql is one type.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for CachedSql {
    type SqlType = Untyped;
}

impl<Conn> RunQueryDsl<Conn> for CachedSql {}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::query_builder::QueryBuilder;

    fn sql_of(q: &CachedSql) -> String {
        let mut builder = diesel::pg::PgQueryBuilder::default();
        QueryFragment::<Pg>::to_sql(q, &mut builder, &Pg).expect("renders");
        builder.finish()
    }

    #[test]
    fn each_occurrence_of_a_placeholder_is_bound_again_in_order() {
        let q = CachedSql::new(
            "SELECT $2, $1 WHERE x = $2 AND y = '$'",
            vec![Param::Ints(vec![1]), Param::Texts(vec!["a".into()])],
        );
        assert_eq!(sql_of(&q), "SELECT $1, $2 WHERE x = $3 AND y = '$'");
    }

    #[test]
    fn a_placeholder_without_its_parameter_is_an_error_not_a_statement() {
        let q = CachedSql::new("SELECT $3", vec![Param::Ints(vec![1])]);
        let mut builder = diesel::pg::PgQueryBuilder::default();
        assert!(QueryFragment::<Pg>::to_sql(&q, &mut builder, &Pg).is_err());
    }

    #[derive(diesel::QueryableByName)]
    struct Number {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }

    #[test]
    fn postgres_prepares_it_once_per_connection_and_runs_it_with_each_calls_values() {
        let Some(t) = crate::testing::TestDatabase::postgres() else {
            return;
        };
        t.db.query(|conn| {
            let crate::db::DbConnection::Pg(pg) = conn else {
                panic!("a PostgreSQL test database");
            };
            for n in 1..=3 {
                let row: Number = CachedSql::new(
                    "SELECT ($1::int[])[1]::bigint + ($1::int[])[1] AS n",
                    vec![Param::Ints(vec![n])],
                )
                .get_result(pg)?;
                assert_eq!(row.n, 2 * i64::from(n));
            }
            let prepared: Number = diesel::sql_query(
                "SELECT count(*) AS n FROM pg_prepared_statements \
                 WHERE statement = 'SELECT ($1::int[])[1]::bigint + ($2::int[])[1] AS n'",
            )
            .get_result(pg)?;
            assert_eq!(prepared.n, 1, "one prepared statement for three runs");
            Ok(())
        })
        .expect("ran");
    }

    #[test]
    fn it_is_safe_to_cache() {
        let q = CachedSql::new("SELECT $1", vec![Param::Ints(vec![1])]);
        assert!(QueryFragment::<Pg>::is_safe_to_cache_prepared(&q, &Pg).expect("answers"));
    }
}
