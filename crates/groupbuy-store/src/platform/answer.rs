//! The answer of an idempotent request, committed in the same transaction as its effect.
//!
//! The handler passes the request's [`Answer`] to its use case, which hands it to the
//! write transaction of its effect ([`crate::db::Database::write_answered`], or a
//! payment batch's transaction for a batched payment). Just before COMMIT, [`record`]
//! stores the rendered answer on the key, conditionally (`state = IN_FLIGHT`): a crash
//! after COMMIT leaves a key that replays, never one that runs again, and an attempt that
//! finds the key already answered rolls its own effect back. After COMMIT the transaction
//! hands the stored answer over with [`Answer::committed`].

use crate::db::cacheable::cacheable;
use crate::db::{on_backend, DbConnection};
use crate::error::StoreError;
use crate::schema::idempotency_keys as ik;
use diesel::prelude::*;
use groupbuy_domain::platform::{Answer, StoredResponse};

/// Inside a write transaction, after its use case produced `value`: stores `answer`'s
/// rendering of it on the key; returns what to hand over after COMMIT (`None` without a
/// key).
///
/// # Errors
/// `answered_elsewhere` when another attempt (one that took this request's lease over)
/// answered the key first: this effect must not happen twice, so the transaction rolls
/// back.
pub(crate) fn record<T>(
    conn: &mut DbConnection,
    answer: &Answer<T>,
    value: &T,
) -> Result<Option<StoredResponse>, StoreError> {
    let Some((caller, key, response)) = answer.render(value) else {
        return Ok(None);
    };
    if store_on_key(conn, caller, key, &response)? == 0 {
        return Err(groupbuy_domain::platform::answered_elsewhere().into());
    }
    Ok(Some(response))
}

/// Stores `response` on `(caller, key)` if the key is still in flight; the rows changed
/// (0 when another attempt answered it first).
pub(crate) fn store_on_key(
    conn: &mut DbConnection,
    caller: &str,
    key: &str,
    response: &StoredResponse,
) -> Result<usize, StoreError> {
    // RETURNING, read as rows: Diesel keeps a statement it loads prepared, not one it only
    // executes (`db/cacheable.rs`).
    let changed: Vec<String> = on_backend!(conn, |c| cacheable!(diesel::update(
        ik::table
            .find((caller, key))
            .filter(ik::state.eq(crate::platform::IN_FLIGHT)),
    )
    .set((
        ik::state.eq(crate::platform::DONE),
        ik::response_status.eq(i32::from(response.status)),
        ik::response_body.eq(&response.body),
        ik::content_type.eq(&response.content_type),
        ik::response_headers.eq(response.headers_json()),
    ))
    .returning(ik::idem_key))
    .load(c))?;
    Ok(changed.len())
}
