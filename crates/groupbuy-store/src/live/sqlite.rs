//! SQLite: TEMP triggers on the single writer connection call `groupbuy_live_notify`, a
//! function of this process that notes the topic; when the writer is released the noted
//! topics are announced to every listener registered in this process for the same file.

use super::{LiveChange, OnChange};
use crate::db::DbConnection;
use diesel::connection::SimpleConnection;
use diesel::sqlite::SqliteConnection;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

diesel::define_sql_function! {
    /// Notes a changed topic (the writer's TEMP triggers call it).
    fn groupbuy_live_notify(topic: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Integer;
}

/// The triggers: a group's row or participants, a campaign's row.
const TRIGGERS: &str = "
CREATE TEMP TRIGGER IF NOT EXISTS live_group_ins AFTER INSERT ON main.group_instances
  BEGIN SELECT groupbuy_live_notify('g:' || NEW.code); END;
CREATE TEMP TRIGGER IF NOT EXISTS live_group_upd AFTER UPDATE ON main.group_instances
  BEGIN SELECT groupbuy_live_notify('g:' || NEW.code); END;
CREATE TEMP TRIGGER IF NOT EXISTS live_group_del AFTER DELETE ON main.group_instances
  BEGIN SELECT groupbuy_live_notify('g:' || OLD.code); END;
CREATE TEMP TRIGGER IF NOT EXISTS live_seat_ins AFTER INSERT ON main.group_participants
  BEGIN SELECT groupbuy_live_notify((SELECT 'g:' || code FROM main.group_instances WHERE id = NEW.group_id)); END;
CREATE TEMP TRIGGER IF NOT EXISTS live_seat_upd AFTER UPDATE ON main.group_participants
  BEGIN SELECT groupbuy_live_notify((SELECT 'g:' || code FROM main.group_instances WHERE id = NEW.group_id)); END;
CREATE TEMP TRIGGER IF NOT EXISTS live_seat_del AFTER DELETE ON main.group_participants
  BEGIN SELECT groupbuy_live_notify((SELECT 'g:' || code FROM main.group_instances WHERE id = OLD.group_id)); END;
CREATE TEMP TRIGGER IF NOT EXISTS live_campaign_ins AFTER INSERT ON main.group_buys
  BEGIN SELECT groupbuy_live_notify('c:' || NEW.handle || '/' || NEW.slug); END;
CREATE TEMP TRIGGER IF NOT EXISTS live_campaign_upd AFTER UPDATE ON main.group_buys
  BEGIN SELECT groupbuy_live_notify('c:' || NEW.handle || '/' || NEW.slug); END;
CREATE TEMP TRIGGER IF NOT EXISTS live_campaign_del AFTER DELETE ON main.group_buys
  BEGIN SELECT groupbuy_live_notify('c:' || OLD.handle || '/' || OLD.slug); END;
";

type Listeners = HashMap<String, Vec<(u64, OnChange)>>;

/// This process's listeners, by database file.
fn listeners() -> &'static Mutex<(u64, Listeners)> {
    static LISTENERS: OnceLock<Mutex<(u64, Listeners)>> = OnceLock::new();
    LISTENERS.get_or_init(Mutex::default)
}

/// The key of a SQLite URL: its file's canonical path (so two spellings of one file meet).
pub(crate) fn key(url: &str) -> String {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    std::fs::canonicalize(path).map_or_else(|_| path.to_owned(), |p| p.display().to_string())
}

/// A listener's place in the registry; dropping it removes the listener.
#[derive(Debug)]
pub struct Registration {
    key: String,
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut guard = listeners().lock();
        if let Some(list) = guard.1.get_mut(&self.key) {
            list.retain(|(id, _)| *id != self.id);
            if list.is_empty() {
                guard.1.remove(&self.key);
            }
        }
    }
}

/// Registers `on_change` for the file of `url`.
pub(super) fn register(url: &str, on_change: OnChange) -> Registration {
    let key = key(url);
    let mut guard = listeners().lock();
    guard.0 += 1;
    let id = guard.0;
    guard
        .1
        .entry(key.clone())
        .or_default()
        .push((id, on_change));
    Registration { key, id }
}

/// The writer's side: the topics its transactions touched since it was last released.
#[derive(Debug, Default)]
pub(crate) struct Noted {
    key: String,
    topics: Arc<Mutex<Vec<String>>>,
    installed: Mutex<bool>,
}

impl Noted {
    /// For the database file of `url`.
    pub(crate) fn new(url: &str) -> Self {
        Self {
            key: key(url),
            ..Self::default()
        }
    }

    /// Gives the writer `conn` the function and (once the tables exist, i.e. after the
    /// migrations) its TEMP triggers; a failure leaves the writer working, unannounced.
    pub(crate) fn install(&self, conn: &mut DbConnection) {
        let mut installed = self.installed.lock();
        if *installed {
            return;
        }
        let DbConnection::Sqlite(c) = conn else {
            return;
        };
        let topics = std::panic::AssertUnwindSafe(self.topics.clone());
        let registered = groupbuy_live_notify_utils::register_nondeterministic_impl(
            c,
            move |topic: Option<String>| {
                topics.lock().extend(topic);
                0
            },
        );
        if registered.is_ok() && tables_exist(c) {
            match c.batch_execute(TRIGGERS) {
                Ok(()) => *installed = true,
                Err(e) => tracing::warn!(error = %e, "live triggers not installed"),
            }
        }
    }

    /// Announces (and forgets) the noted topics to this file's listeners.
    pub(crate) fn announce(&self) {
        let mut topics = std::mem::take(&mut *self.topics.lock());
        if topics.is_empty() {
            return;
        }
        topics.sort_unstable();
        topics.dedup();
        let targets: Vec<OnChange> = listeners()
            .lock()
            .1
            .get(&self.key)
            .map(|l| l.iter().map(|(_, f)| f.clone()).collect())
            .unwrap_or_default();
        for change in topics.iter().filter_map(|t| LiveChange::parse(t)) {
            for target in &targets {
                target(change.clone());
            }
        }
    }
}

/// Whether the migrated tables the triggers watch exist yet.
fn tables_exist(c: &mut SqliteConnection) -> bool {
    c.batch_execute("SELECT 1 FROM group_instances, group_participants, group_buys LIMIT 0")
        .is_ok()
}
