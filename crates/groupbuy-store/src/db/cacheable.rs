//! Prepared once per connection: statements Diesel would prepare afresh on every run.
//!
//! Diesel never caches an UPDATE's prepared statement (nor an upsert's `DO UPDATE`): a
//! changeset's SQL may vary with its values (an `Option` field is skipped when `None`), so
//! it will not key its cache by them. The UPDATEs wrapped in [`Cacheable`] spell every
//! column out, so their text is fixed per call site: they are keyed by a type of that call
//! site's own ([`cacheable!`]) and prepared once per connection. On
//! SQLite's writer each of a payment's UPDATEs was parsed and planned afresh, the TEMP
//! triggers of the live pages compiled in: a fifth of a join's instructions
//! (docs/PERFORMANCE.md, "SQLite: statements prepared once"). Run on the backend's own
//! connection ([`crate::db::on_backend!`]), a statement keyed by a type is found in the
//! cache without its SQL being written at all ("SQLite: no SQL text on the hot path").

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::result::QueryResult;
use diesel::RunQueryDsl;
use std::marker::PhantomData;

/// `Q`, marked safe to keep prepared and keyed in the statement cache by `Site`, a type
/// of its call site's own ([`cacheable!`]): only for a statement whose SQL text does not
/// vary with its values (no changeset with `Option` fields skipped, no `IN` list of a
/// varying length) nor with a generic parameter of the function it is built in. Keyed by
/// a type, a prepared statement is found again without its SQL text being written (the
/// key Diesel gives a statement it can name by type alone); loaded (`get_result`, `load`:
/// an UPDATE with RETURNING), it is kept prepared; executed (`execute`), Diesel's
/// connection prepares it afresh regardless (measured with its instrumentation), so the
/// UPDATEs on the hot path return a column.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cacheable<Q, Site>(Q, PhantomData<Site>);

impl<Q, Site> Cacheable<Q, Site> {
    /// Wraps `query`; use [`cacheable!`], which gives each call site its own `Site`.
    pub(crate) fn new(query: Q) -> Self {
        Self(query, PhantomData)
    }
}

/// `$query` as a [`Cacheable`] keyed by a type declared here, so no two call sites share
/// a key (a shared key would run one site's prepared statement for the other's).
macro_rules! cacheable {
    ($query:expr) => {{
        /// This call site's key in a connection's statement cache.
        struct Site;
        $crate::db::cacheable::Cacheable::<_, Site>::new($query)
    }};
}
pub(crate) use cacheable;

impl<Q, Site: 'static> QueryId for Cacheable<Q, Site> {
    type QueryId = Site;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<Q: Query, Site> Query for Cacheable<Q, Site> {
    type SqlType = Q::SqlType;
}

impl<Q, Site, DB> QueryFragment<DB> for Cacheable<Q, Site>
where
    DB: Backend,
    Q: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &DB) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q, Site, Conn> RunQueryDsl<Conn> for Cacheable<Q, Site> {}

#[cfg(test)]
mod tests {
    use diesel::dsl::sql;
    use diesel::sql_types::Integer;
    use diesel::{Connection, RunQueryDsl, SqliteConnection};

    /// Two call sites never share a prepared statement: each runs its own text, however
    /// often both run on one connection (a shared key would answer the second with the
    /// first's statement).
    #[test]
    fn each_call_site_keeps_its_own_prepared_statement() {
        let mut conn = SqliteConnection::establish(":memory:").expect("in-memory SQLite");
        for _ in 0..3 {
            let one: i32 = cacheable!(diesel::select(sql::<Integer>("1")))
                .get_result(&mut conn)
                .expect("first site");
            let two: i32 = cacheable!(diesel::select(sql::<Integer>("2")))
                .get_result(&mut conn)
                .expect("second site");
            assert_eq!((one, two), (1, 2));
        }
    }
}
