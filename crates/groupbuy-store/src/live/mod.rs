//! Live changes: the store announces which public progress changed, so every instance can
//! push it to the pages watching it (`/g/{code}/live`, `/c/{handle}/{slug}/live`).
//!
//! On PostgreSQL, triggers (migration 000017) run `pg_notify('groupbuy_live', topic)`
//! inside the very transaction that changes a group, its participants or a campaign's
//! counters, so the notice leaves only when that transaction commits, to every instance
//! LISTENing. On SQLite the single writer connection carries TEMP triggers calling a
//! function of this process (`live/sqlite.rs`), and the topics a transaction touched are announced
//! in this process when the writer is released; instances in one process on one file share
//! them (keyed by the file), other processes on that file do not see them.
//!
//! A notice may be spurious (a rolled-back SQLite transaction, an update that changed no
//! public field): a listener re-reads the progress and sends only what differs.

mod pg;
pub(crate) mod sqlite;

use crate::db::{Backend, Database};
use crate::error::StoreError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The channel the triggers notify on PostgreSQL.
pub const CHANNEL: &str = "groupbuy_live";

/// What changed, as a topic the listeners fan out on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LiveChange {
    /// The group purchase with this code (its row or one of its participants).
    Group(String),
    /// The campaign (group-buy) at `<handle>/<slug>`.
    Campaign(String),
    /// Notices may have been missed (the listening connection was lost): re-read every topic.
    Everything,
}

impl LiveChange {
    /// Parses a notice's payload (`g:<code>`, `c:<handle>/<slug>`, `*`); `None` for anything else.
    pub fn parse(payload: &str) -> Option<Self> {
        match payload.split_once(':') {
            Some(("g", id)) if !id.is_empty() => Some(Self::Group(id.to_owned())),
            Some(("c", id)) if !id.is_empty() => Some(Self::Campaign(id.to_owned())),
            _ if payload == "*" => Some(Self::Everything),
            _ => None,
        }
    }
}

/// Called with every change this instance hears of (from the listener's own thread).
pub type OnChange = Arc<dyn Fn(LiveChange) + Send + Sync>;

/// The port the API listens through, so it knows no SQL: one call per instance.
pub trait LiveChanges: Send + Sync {
    /// Starts hearing changes: `on_change` is called for each until the returned
    /// listener is dropped.
    ///
    /// # Errors
    /// `Connect` when the listening connection cannot be opened.
    fn listen(&self, on_change: OnChange) -> Result<LiveListener, StoreError>;
}

/// A running listener; dropping it stops it.
#[derive(Debug)]
pub struct LiveListener {
    stop: Arc<AtomicBool>,
    _registration: Option<sqlite::Registration>,
}

impl Drop for LiveListener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl LiveChanges for Database {
    fn listen(&self, on_change: OnChange) -> Result<LiveListener, StoreError> {
        let stop = Arc::new(AtomicBool::new(false));
        let registration = match self.backend() {
            Backend::Postgres => {
                // LISTEN needs a session of its own: never through a transaction-mode pooler.
                pg::spawn(self.session_url().to_owned(), on_change, stop.clone())?;
                None
            }
            Backend::Sqlite => Some(sqlite::register(self.url(), on_change)),
        };
        Ok(LiveListener {
            stop,
            _registration: registration,
        })
    }
}

#[cfg(test)]
mod tests;
