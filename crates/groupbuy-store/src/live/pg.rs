//! PostgreSQL: one dedicated connection per instance LISTENs on [`super::CHANNEL`],
//! polled on its own thread; a lost connection is opened again and announced as
//! [`LiveChange::Everything`] (notices sent meanwhile are lost).

use super::{LiveChange, OnChange, CHANNEL};
use crate::error::StoreError;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::Connection;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often the listening connection is polled: the most a notice waits here.
const POLL: Duration = Duration::from_millis(20);
/// How often the connection is checked with a query (a dead peer sends no error).
const PROBE_EVERY: u32 = 500;
/// How long to wait before opening a lost connection again.
const RECONNECT: Duration = Duration::from_secs(1);

/// Opens the listening connection (so a bad URL fails at start) and polls it on a thread
/// until `stop` is set.
pub(super) fn spawn(
    url: String,
    on_change: OnChange,
    stop: Arc<AtomicBool>,
) -> Result<(), StoreError> {
    let conn = open(&url)?;
    std::thread::Builder::new()
        .name("groupbuy-live".into())
        .spawn(move || run(&url, conn, &on_change, &stop))
        .map_err(|e| StoreError::Connect(e.to_string()))?;
    Ok(())
}

fn open(url: &str) -> Result<PgConnection, StoreError> {
    let mut conn = PgConnection::establish(url).map_err(|e| StoreError::Connect(e.to_string()))?;
    conn.batch_execute(&format!("LISTEN {CHANNEL}"))?;
    Ok(conn)
}

fn run(url: &str, mut conn: PgConnection, on_change: &OnChange, stop: &AtomicBool) {
    let mut polls = 0u32;
    while !stop.load(Ordering::Relaxed) {
        polls = polls.wrapping_add(1);
        let mut lost = polls.is_multiple_of(PROBE_EVERY) && conn.batch_execute("SELECT 1").is_err();
        let notices = conn
            .notifications_iter()
            .take(if lost { 0 } else { usize::MAX });
        for notice in notices {
            match notice {
                Ok(n) => match LiveChange::parse(&n.payload) {
                    Some(change) => on_change(change),
                    None => tracing::warn!(payload = %n.payload, "unknown live notice"),
                },
                Err(e) => {
                    tracing::warn!(error = %e, "live listener lost its connection");
                    lost = true;
                    break;
                }
            }
        }
        if lost {
            conn = loop {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                std::thread::sleep(RECONNECT);
                match open(url) {
                    Ok(c) => break c,
                    Err(e) => tracing::warn!(error = %e, "live listener cannot reconnect"),
                }
            };
            on_change(LiveChange::Everything);
        }
        std::thread::sleep(POLL);
    }
}
