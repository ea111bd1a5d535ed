//! SQLite's WAL checkpoints, off the writer's thread.
//!
//! By default the connection that commits runs a checkpoint whenever the WAL passes 1,000
//! pages: it syncs the WAL, copies its pages into the database file and syncs that, all
//! inside the COMMIT of whichever job happened to cross the line. With one writer thread
//! that is the process's critical path: every queued write waited for two `fsync`s several
//! times a second under load (the hot join writes ~6 WAL pages, so a checkpoint every ~150
//! joins). The writer's connection therefore never checkpoints
//! (`PRAGMA wal_autocheckpoint = 0`); this thread, on a connection of its own, runs a
//! PASSIVE checkpoint every [`INTERVAL`]. PASSIVE takes no lock the writer needs (it copies
//! what no reader still needs and never waits), the same kind the automatic checkpoint
//! was, so durability is unchanged: with `synchronous = NORMAL` a commit is durable once
//! its WAL frames are synced, which the checkpoint does before it copies them. The WAL
//! starts over from its beginning at the first write after a checkpoint that copied all of
//! it (SQLite's own rule, whoever checkpoints), so it stays about one interval's writes long.

use super::DbConnection;
use diesel::prelude::*;
use diesel::sql_types::Integer;
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::time::Duration;

/// How often the WAL is checkpointed: about as often as the automatic checkpoint ran at
/// the hot join's write rate, each pass copying a few hundred pages.
pub(crate) const INTERVAL: Duration = Duration::from_millis(100);

/// The checkpointing thread; it stops when this is dropped (with the writer).
#[derive(Debug)]
pub(crate) struct Checkpointer {
    /// Dropped to stop the thread (it sees the channel disconnect).
    _stop: Sender<()>,
}

/// What `PRAGMA wal_checkpoint` answers: whether it could not finish, the WAL's frames and
/// how many of them are now in the database file.
#[derive(QueryableByName, Debug)]
struct Checkpoint {
    #[diesel(sql_type = Integer)]
    busy: i32,
    #[diesel(sql_type = Integer)]
    log: i32,
    #[diesel(sql_type = Integer)]
    checkpointed: i32,
}

impl Checkpointer {
    /// Starts checkpointing on `conn` (a SQLite connection to the writer's file) every
    /// `interval`. A thread that cannot start leaves the checkpoints to SQLite's
    /// automatic ones, which the caller then must not have turned off: `None`.
    pub(crate) fn start(mut conn: DbConnection, interval: Duration) -> Option<Self> {
        let (stop, stopped) = channel::<()>();
        let spawned = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || loop {
                match stopped.recv_timeout(interval) {
                    Err(RecvTimeoutError::Timeout) => pass(&mut conn),
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
                }
            });
        match spawned {
            Ok(_) => Some(Self { _stop: stop }),
            Err(e) => {
                tracing::warn!(error = %e, "no checkpoint thread; SQLite checkpoints on commit");
                None
            }
        }
    }
}

/// One PASSIVE checkpoint; a failure is logged and the next pass tries again.
fn pass(conn: &mut DbConnection) {
    let DbConnection::Sqlite(conn) = conn else {
        return;
    };
    match diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").get_result::<Checkpoint>(conn) {
        Ok(c) if c.busy != 0 || c.checkpointed < c.log => {
            tracing::trace!(
                log = c.log,
                checkpointed = c.checkpointed,
                "partial checkpoint"
            );
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "SQLite checkpoint failed"),
    }
}
