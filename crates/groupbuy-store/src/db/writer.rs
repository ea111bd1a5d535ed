//! SQLite's one writer: a thread that owns the write connection and runs every write
//! transaction of this process, one after another, committing consecutive ones together.
//!
//! SQLite takes one writer at a time. Handing a locked connection from one request's
//! thread to the next left the writer idle while each next thread was woken and waited
//! for a core (2 cores, dozens of runnable threads), and paid a BEGIN and a COMMIT (the
//! WAL frames of every page touched) per request. Here the write jobs queue for one
//! thread that runs them back to back: each job in its own SAVEPOINT inside a transaction
//! that stays open while more jobs are queued (at most [`MOST_PER_COMMIT`]), committed
//! when the queue runs dry. A job whose statements fail is rolled back to its savepoint
//! alone; a job that succeeded is answered only once its transaction has committed, so a
//! caller never sees a write that a crash could still lose, and a failed COMMIT fails
//! every job it carried (none of them happened).
//!
//! The thread is a one-thread rayon pool: `install` runs a closure that borrows from the
//! caller's stack on that thread and blocks the caller until it returns, so write jobs
//! need not be `'static`.

use super::checkpointer::Checkpointer;
use super::pool_stats::PoolCounters;
use super::DbConnection;
use crate::error::StoreError;
use crate::live::sqlite::Noted;
use diesel::connection::SimpleConnection;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use parking_lot::{Condvar, Mutex};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Most jobs one COMMIT carries: bounds how long the first of them waits for its answer
/// under sustained load, and how long the write lock is held without a commit.
pub(crate) const MOST_PER_COMMIT: usize = 64;

/// The writer thread, its connection and its queue.
pub(crate) struct Writer {
    thread: rayon_core::ThreadPool,
    /// Only ever locked on the writer thread (a `Mutex` to be shareable): the connection
    /// and the transaction open on it.
    state: Mutex<State>,
    /// Jobs submitted and not yet started: while any is, the open transaction waits for it.
    not_started: AtomicUsize,
    /// Jobs submitted and not yet finished: a job that finds any waited in line.
    in_line: AtomicUsize,
    checkout_timeout: Duration,
    counters: Arc<PoolCounters>,
    /// The topics the writer's transactions touched, announced after each COMMIT.
    noted: Arc<Noted>,
    /// The most jobs one COMMIT has carried so far (tests read it).
    largest: AtomicUsize,
    /// How many jobs each COMMIT carried, for `/metrics`.
    pub(crate) commit_sizes: crate::join_batch_sizes::BatchSizes,
    /// Checkpoints the WAL beside the writer, so no COMMIT waits for one
    /// (`db/checkpointer.rs`); `None` leaves them to SQLite's automatic ones.
    _checkpointer: Option<Checkpointer>,
}

struct State {
    conn: DbConnection,
    open: Option<Open>,
}

/// The transaction open on the writer: how many jobs it carries and their shared outcome.
struct Open {
    jobs: usize,
    commit: Arc<Commit>,
}

/// One transaction's outcome, awaited by every job it carries.
#[derive(Default)]
struct Commit {
    outcome: Mutex<Option<Result<(), (DatabaseErrorKind, String)>>>,
    decided: Condvar,
}

impl Commit {
    fn decide(&self, outcome: Result<(), (DatabaseErrorKind, String)>) {
        *self.outcome.lock() = Some(outcome);
        self.decided.notify_all();
    }

    /// Blocks until the transaction committed (Ok) or failed as a whole.
    fn wait(&self) -> Result<(), StoreError> {
        let mut outcome = self.outcome.lock();
        loop {
            match &*outcome {
                Some(Ok(())) => return Ok(()),
                Some(Err((kind, message))) => {
                    return Err(StoreError::Query(DieselError::DatabaseError(
                        *kind,
                        Box::new(message.clone()),
                    )))
                }
                None => self.decided.wait(&mut outcome),
            }
        }
    }
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("not_started", &self.not_started)
            .finish_non_exhaustive()
    }
}

impl Writer {
    /// Starts the writer thread for `conn`, and the checkpoints of its WAL on
    /// `checkpoint_conn` (another connection to the same file) every `checkpoint_every`.
    ///
    /// # Errors
    /// `Connect` when the thread cannot be started.
    pub(crate) fn start(
        mut conn: DbConnection,
        checkpoint_conn: DbConnection,
        checkpoint_every: Duration,
        checkout_timeout: Duration,
        counters: Arc<PoolCounters>,
        noted: Arc<Noted>,
    ) -> Result<Self, StoreError> {
        let thread = rayon_core::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "sqlite-writer".into())
            .build()
            .map_err(|e| StoreError::Connect(format!("cannot start the SQLite writer: {e}")))?;
        let checkpointer = Checkpointer::start(checkpoint_conn, checkpoint_every);
        if checkpointer.is_some() {
            conn.batch_execute("PRAGMA wal_autocheckpoint = 0")?;
        }
        Ok(Self {
            thread,
            state: Mutex::new(State { conn, open: None }),
            not_started: AtomicUsize::new(0),
            in_line: AtomicUsize::new(0),
            checkout_timeout,
            counters,
            noted,
            largest: AtomicUsize::new(0),
            commit_sizes: crate::join_batch_sizes::BatchSizes::default(),
            _checkpointer: checkpointer,
        })
    }

    /// Runs `f` as one write job and returns its result once the transaction carrying it
    /// has committed. A job that waited in line longer than the checkout timeout is not
    /// run (`Pool`, like an exhausted pool). A panic in `f` rolls back its own writes and
    /// resumes in the caller.
    pub(crate) fn run<T: Send>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        let deadline = Instant::now() + self.checkout_timeout;
        self.not_started.fetch_add(1, Ordering::SeqCst);
        if self.in_line.fetch_add(1, Ordering::SeqCst) > 0 {
            self.counters.writer_waited();
        }
        let (ran, commit) = self.thread.install(|| self.job(deadline, f));
        self.in_line.fetch_sub(1, Ordering::SeqCst);
        let value = match ran {
            Ok(value) => value,
            Err(Ran::Failed(e)) => return Err(e),
            Err(Ran::Panicked(payload)) => resume_unwind(payload),
        };
        match commit {
            Some(commit) => commit.wait().map(|()| value),
            None => Ok(value),
        }
    }

    /// On the writer thread: runs one job in its savepoint, then commits if no other job
    /// is waiting. Returns the job's result and the commit to wait for.
    fn job<T>(
        &self,
        deadline: Instant,
        f: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>,
    ) -> (Result<T, Ran>, Option<Arc<Commit>>) {
        let mut state = self.state.lock();
        self.not_started.fetch_sub(1, Ordering::SeqCst);
        let ran = if Instant::now() > deadline {
            self.counters.writer_timed_out();
            Err(Ran::Failed(StoreError::Pool(
                "timed out waiting for the writer".into(),
            )))
        } else {
            self.attempt(&mut state, f)
        };
        let commit = state.open.as_ref().map(|open| open.commit.clone());
        let more = self.not_started.load(Ordering::SeqCst) > 0;
        if !more
            || state
                .open
                .as_ref()
                .is_some_and(|o| o.jobs >= MOST_PER_COMMIT)
        {
            self.commit(&mut state);
        }
        // A failed job's writes are undone whatever the commit does: no need to wait.
        let wait = if ran.is_ok() { commit } else { None };
        (ran, wait)
    }

    /// Runs `f` in the open transaction, in a savepoint of its own unless it is the
    /// transaction's first job (begun here): a first job that fails takes the whole
    /// transaction, which holds nothing else, with it.
    fn attempt<T>(
        &self,
        state: &mut State,
        f: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>,
    ) -> Result<T, Ran> {
        let first = state.open.is_none();
        if first {
            self.noted.install(&mut state.conn);
            state.conn.batch_execute("BEGIN IMMEDIATE")?;
            state.open = Some(Open {
                jobs: 0,
                commit: Arc::default(),
            });
        } else if let Err(e) = state.conn.batch_execute("SAVEPOINT job") {
            self.abort(state, described(&e));
            return Err(e.into());
        }
        let ran = catch_unwind(AssertUnwindSafe(|| f(&mut state.conn)));
        let undo = match (&ran, first) {
            (Ok(Ok(_)), true) => Ok(()),
            (Ok(Ok(_)), false) => state.conn.batch_execute("RELEASE SAVEPOINT job"),
            (_, true) => {
                self.abort(state, (DatabaseErrorKind::Unknown, "rolled back".into()));
                Ok(())
            }
            (_, false) => state
                .conn
                .batch_execute("ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job"),
        };
        if let Err(e) = undo {
            // The savepoint is gone (SQLite rolled the whole transaction back after an
            // I/O or full-disk error): nothing of this transaction survives.
            self.abort(state, described(&e));
            if let Ok(Ok(_)) = ran {
                return Err(e.into());
            }
        }
        match ran {
            Ok(Ok(value)) => {
                if let Some(open) = &mut state.open {
                    open.jobs += 1;
                }
                Ok(value)
            }
            Ok(Err(e)) => Err(Ran::Failed(e)),
            Err(payload) => Err(Ran::Panicked(payload)),
        }
    }

    /// Commits the open transaction (if any) and answers the jobs it carries; announces
    /// the topics they touched.
    fn commit(&self, state: &mut State) {
        let Some(open) = state.open.take() else {
            return;
        };
        self.largest.fetch_max(open.jobs, Ordering::Relaxed);
        if open.jobs > 0 {
            self.commit_sizes.observe(open.jobs);
        }
        let outcome = state.conn.batch_execute("COMMIT").map_err(|e| {
            if let Err(r) = state.conn.batch_execute("ROLLBACK") {
                tracing::debug!(error = %r, "rollback after a failed commit");
            }
            described(&e)
        });
        if let Err((_, message)) = &outcome {
            tracing::error!(error = %message, jobs = open.jobs, "SQLite commit failed");
        }
        self.noted.announce();
        open.commit.decide(outcome);
    }

    /// Rolls the open transaction back: every job it carried fails with `failure`.
    fn abort(&self, state: &mut State, failure: (DatabaseErrorKind, String)) {
        if let Err(r) = state.conn.batch_execute("ROLLBACK") {
            tracing::debug!(error = %r, "rollback of a broken transaction");
        }
        if let Some(open) = state.open.take() {
            open.commit.decide(Err(failure));
        }
        self.noted.announce();
    }

    /// The most jobs one COMMIT has carried so far.
    #[cfg(test)]
    pub(crate) fn largest_commit(&self) -> usize {
        self.largest.load(Ordering::Relaxed)
    }

    /// Jobs submitted and not yet started.
    #[cfg(test)]
    pub(crate) fn waiting(&self) -> usize {
        self.not_started.load(Ordering::SeqCst)
    }

    /// Runs `f` on the writer thread between jobs (tests watch what that thread sends).
    #[cfg(test)]
    pub(crate) fn on_thread<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        self.thread.install(f)
    }
}

/// How a job ended other than with its value.
enum Ran {
    Failed(StoreError),
    Panicked(Box<dyn std::any::Any + Send + 'static>),
}

impl From<DieselError> for Ran {
    fn from(e: DieselError) -> Self {
        Self::Failed(StoreError::Query(e))
    }
}

/// A diesel error as the kind and text every job of a failed commit is answered with.
fn described(e: &DieselError) -> (DatabaseErrorKind, String) {
    match e {
        DieselError::DatabaseError(kind, info) => (*kind, info.message().to_owned()),
        other => (DatabaseErrorKind::Unknown, other.to_string()),
    }
}
