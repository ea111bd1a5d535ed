//! The answer of an idempotent request, committed in the same transaction as its effect.
//!
//! A request holding an Idempotency-Key arms [`AnswerOnCommit`] on the thread that runs
//! its use case. The first write transaction whose result the armed renderer accepts
//! stores the rendered answer on the key, conditionally (`state = IN_FLIGHT`), before
//! COMMIT: a crash after COMMIT leaves a key that replays, never one that runs again, and
//! an attempt that finds the key already answered rolls its own effect back.

use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::idempotency_keys as ik;
use diesel::prelude::*;
use groupbuy_domain::platform::StoredResponse;
use std::any::Any;
use std::cell::RefCell;

/// Turns a use case's result into the answer to store, or `None` for a result of another
/// use case (an earlier transaction of the same request).
pub type Renderer = Box<dyn Fn(&dyn Any) -> Option<StoredResponse> + Send>;

struct Armed {
    caller: String,
    key: String,
    render: Renderer,
    /// Set inside the transaction, kept only once it has committed.
    pending: Option<StoredResponse>,
    committed: Option<StoredResponse>,
}

thread_local! {
    static ARMED: RefCell<Option<Armed>> = const { RefCell::new(None) };
}

/// Arms the current thread for one request; disarms when dropped.
#[must_use = "the answer is stored only while the guard lives"]
pub struct AnswerOnCommit(());

impl AnswerOnCommit {
    /// Stores `render`'s answer on `(caller, key)` in the transaction that produces it.
    pub fn arm(caller: String, key: String, render: Renderer) -> Self {
        ARMED.with(|a| {
            *a.borrow_mut() = Some(Armed {
                caller,
                key,
                render,
                pending: None,
                committed: None,
            });
        });
        Self(())
    }

    /// The answer that committed with the effect, if one did.
    pub fn committed(&self) -> Option<StoredResponse> {
        ARMED.with(|a| a.borrow().as_ref().and_then(|a| a.committed.clone()))
    }
}

impl Drop for AnswerOnCommit {
    fn drop(&mut self) {
        ARMED.with(|a| a.borrow_mut().take());
    }
}

/// Inside a write transaction, after its use case succeeded: stores the armed answer.
pub(crate) fn record<T: 'static>(conn: &mut DbConnection, value: &T) -> Result<(), StoreError> {
    let Some(mut armed) = ARMED.with(|a| a.borrow_mut().take()) else {
        return Ok(());
    };
    let outcome = record_armed(conn, &mut armed, value);
    ARMED.with(|a| *a.borrow_mut() = Some(armed));
    outcome
}

/// The armed answer of a request whose transaction runs on another thread (a batch):
/// taken off this thread, carried with the request and put back with [`Detached::attach`].
pub(crate) struct Detached(Option<Armed>);

impl Detached {
    /// Takes the current thread's armed answer (if any) along.
    pub(crate) fn take() -> Self {
        Self(ARMED.with(|a| a.borrow_mut().take()))
    }

    /// Stores this request's answer inside the running transaction (see [`record`]).
    pub(crate) fn record<T: 'static>(
        &mut self,
        conn: &mut DbConnection,
        value: &T,
    ) -> Result<(), StoreError> {
        match &mut self.0 {
            Some(armed) => record_armed(conn, armed, value),
            None => Ok(()),
        }
    }

    /// The transaction this answer was recorded in committed (`true`) or rolled back.
    pub(crate) fn settle(&mut self, committed: bool) {
        if let Some(armed) = &mut self.0 {
            let pending = armed.pending.take();
            if committed && pending.is_some() {
                armed.committed = pending;
            }
        }
    }

    /// Puts the answer back on the current thread (the request's own).
    pub(crate) fn attach(self) {
        if let Some(armed) = self.0 {
            ARMED.with(|a| *a.borrow_mut() = Some(armed));
        }
    }
}

fn record_armed<T: 'static>(
    conn: &mut DbConnection,
    armed: &mut Armed,
    value: &T,
) -> Result<(), StoreError> {
    if armed.committed.is_some() {
        return Ok(());
    }
    let Some(response) = (armed.render)(value as &dyn Any) else {
        return Ok(());
    };
    let stored = diesel::update(
        ik::table
            .find((&armed.caller, &armed.key))
            .filter(ik::state.eq(crate::platform::IN_FLIGHT)),
    )
    .set((
        ik::state.eq(crate::platform::DONE),
        ik::response_status.eq(i32::from(response.status)),
        ik::response_body.eq(&response.body),
        ik::content_type.eq(&response.content_type),
        ik::response_headers.eq(response.headers_json()),
    ))
    .execute(conn)?;
    if stored == 0 {
        // A second attempt (its lease taken over after the first looked dead) answered
        // first: this effect must not happen twice.
        return Err(groupbuy_domain::platform::answered_elsewhere().into());
    }
    armed.pending = Some(response);
    Ok(())
}

/// After COMMIT: the pending answer is now the request's answer.
pub(crate) fn committed() {
    ARMED.with(|a| {
        if let Some(armed) = a.borrow_mut().as_mut() {
            if let Some(p) = armed.pending.take() {
                armed.committed = Some(p);
            }
        }
    });
}

/// After ROLLBACK: nothing was stored.
pub(crate) fn rolled_back() {
    ARMED.with(|a| {
        if let Some(armed) = a.borrow_mut().as_mut() {
            armed.pending = None;
        }
    });
}
