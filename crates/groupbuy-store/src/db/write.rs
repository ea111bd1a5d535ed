//! The write entry points of [`Database`]: SQLite's go to the writer thread (one job each,
//! group-committed), PostgreSQL's run on a pooled connection; both store an idempotent
//! request's answer in the same transaction.

use super::{is_transient, manual_transaction, write_transaction, Database, DbConnection};
use crate::error::StoreError;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::DomainError;

impl Database {
    /// Runs `f` in one write transaction (IMMEDIATE on SQLite), rolled back on any error.
    pub(crate) fn write<T: Send>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send,
    ) -> Result<T, DomainError> {
        self.write_answered(Answer::none(), f)
    }

    /// Like [`Database::write`], storing `answer` (the idempotent request's answer for
    /// `f`'s result) on its key before COMMIT (see [`crate::platform::answer`]).
    pub(crate) fn write_answered<T: Send>(
        &self,
        answer: Answer<T>,
        f: impl FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send,
    ) -> Result<T, DomainError> {
        self.write_once(&answer, f).map_err(DomainError::from)
    }

    /// Like [`Database::write`], retried (up to 3 more times) when PostgreSQL aborts the
    /// transaction as a deadlock victim or serialization failure, or SQLite stays busy:
    /// use cases that lock a wallet and a group in different orders (payment vs. expiry
    /// refunds) may meet at the instant a group expires, and the loser simply runs again.
    pub(crate) fn write_retrying<T: Send>(
        &self,
        f: impl Fn(&mut DbConnection) -> Result<T, StoreError> + Sync,
    ) -> Result<T, DomainError> {
        self.write_retrying_answered(Answer::none(), f)
    }

    /// [`Database::write_retrying`] storing `answer` like [`Database::write_answered`]
    /// (each attempt stores it again: a rolled-back attempt stored nothing).
    pub(crate) fn write_retrying_answered<T: Send>(
        &self,
        answer: Answer<T>,
        f: impl Fn(&mut DbConnection) -> Result<T, StoreError> + Sync,
    ) -> Result<T, DomainError> {
        let mut attempt = 0;
        loop {
            match self.write_once(&answer, &f) {
                Err(StoreError::Query(e)) if attempt < 3 && is_transient(&e) => {
                    attempt += 1;
                    tracing::warn!(error = %e, attempt, "transient transaction failure; retrying");
                }
                other => return other.map_err(DomainError::from),
            }
        }
    }

    /// Runs `f` as one write transaction with its own BEGIN and COMMIT by hand, so `f`
    /// may divide it with SAVEPOINTs: on SQLite a job of the writer (inside the group
    /// commit's transaction, in its own savepoint); on PostgreSQL [`manual_transaction`]
    /// on a pooled connection. `f` records each request's answer itself.
    pub(crate) fn write_manual<T: Send>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        match &self.writer {
            Some(writer) => writer.run(f),
            None => manual_transaction(&mut *self.checkout()?, f),
        }
    }

    /// One write transaction of `f` storing `answer`, on the writer (SQLite) or a pooled
    /// connection (PostgreSQL).
    fn write_once<T: Send>(
        &self,
        answer: &Answer<T>,
        f: impl FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        let Some(writer) = &self.writer else {
            return write_transaction(&mut *self.checkout()?, answer, f);
        };
        let (value, stored) = writer.run(|conn| {
            let value = f(conn)?;
            let stored = crate::platform::answer::record(conn, answer, &value)?;
            Ok((value, stored))
        })?;
        if let Some(response) = stored {
            answer.committed(response);
        }
        Ok(value)
    }

    /// SQLite: the writer's jobs per COMMIT so far.
    pub(crate) fn writer_commit_sizes(&self) -> Option<crate::JoinBatchSizes> {
        self.writer.as_ref().map(|w| w.commit_sizes.snapshot())
    }

    /// SQLite: the most write jobs one COMMIT of the writer has carried so far.
    #[cfg(test)]
    pub(crate) fn largest_commit(&self) -> Option<usize> {
        self.writer.as_ref().map(|w| w.largest_commit())
    }

    /// SQLite: write jobs queued for the writer and not yet started.
    #[cfg(test)]
    pub(crate) fn writer_waiting(&self) -> usize {
        self.writer.as_ref().map_or(0, |w| w.waiting())
    }

    /// SQLite: runs `f` on the writer's thread between jobs (tests watch what it sends).
    #[cfg(test)]
    pub(crate) fn on_writer_thread<R: Send>(&self, f: impl FnOnce() -> R + Send) -> Option<R> {
        self.writer.as_ref().map(|w| w.on_thread(f))
    }
}
