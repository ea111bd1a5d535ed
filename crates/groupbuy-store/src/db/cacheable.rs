//! Prepared once per connection: statements Diesel would prepare afresh on every run.
//!
//! Diesel never caches an UPDATE's prepared statement (nor an upsert's `DO UPDATE`): a
//! changeset's SQL may vary with its values (an `Option` field is skipped when `None`), so
//! it will not key its cache by them. The UPDATEs wrapped in [`Cacheable`] spell every
//! column out, so their text is fixed per call site: they are keyed by that text (with
//! their bind types) like any other statement and prepared once per connection. On
//! SQLite's writer each of a payment's UPDATEs was parsed and planned afresh, the TEMP
//! triggers of the live pages compiled in: a fifth of a join's instructions
//! (docs/PERFORMANCE.md, "SQLite: statements prepared once").

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::result::QueryResult;
use diesel::RunQueryDsl;

/// `Q`, marked safe to keep prepared: only for a statement whose SQL text does not vary
/// with its values (no changeset with `Option` fields skipped, no `IN` list of a
/// varying length). Loaded (`get_result`, `load`: an UPDATE with RETURNING), it is kept
/// prepared; executed (`execute`), Diesel's connection prepares it afresh regardless
/// (measured with its instrumentation), so the UPDATEs on the hot path return a column.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cacheable<Q>(pub(crate) Q);

impl<Q> QueryId for Cacheable<Q> {
    type QueryId = ();
    // Keyed by its text instead: the wrapped statement has no static id either.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Cacheable<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, DB> QueryFragment<DB> for Cacheable<Q>
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

impl<Q, Conn> RunQueryDsl<Conn> for Cacheable<Q> {}
