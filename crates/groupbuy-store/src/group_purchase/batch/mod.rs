//! Payments that join groups, committed together.
//!
//! A hot group serializes its joins on its row lock: one transaction per join can never
//! go faster than one commit (and one lock hand-over) at a time. Here payments queue in
//! this process in one of [`LANES`] lines, chosen by their group (so a group's payments
//! always share a line, and payments of different groups that arrive together share a
//! batch); one thread per line at a time (the leader, itself a payer) takes everything
//! queued, up to [`MAX_BATCH`], and applies it in ONE transaction, set-based
//! (`together.rs`: one statement locks and reads every group, wallet and participation
//! of the batch, groups first in id order, then wallets in user order; the domain
//! decides each payment; one statement writes); a refused one (the group filled, the
//! wallet is short) gets its own exact refusal and writes nothing. Then it answers every
//! payer and hands the lead to the next one waiting. A batch starts as soon as the
//! previous one of its line commits: under no load a payment is a batch of one, never
//! delayed by a timer. Other lines and other instances batch their own payers; the
//! database serializes batches that share a group, and the lock order keeps them from
//! deadlocking each other.
//!
//! PostgreSQL only: SQLite's writer (`db/writer.rs`) already runs every write of the
//! process on one thread and commits consecutive ones together, payments included.

mod routes;
mod sql;
mod together;

use super::checkout;
use crate::db::{Database, DbConnection};
use groupbuy_domain::group_purchase::CheckoutSession;
use groupbuy_domain::platform::{Answer, ChangeContext, StoredResponse};
use groupbuy_domain::{DomainError, Principal};
use parking_lot::Mutex;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use uuid::Uuid;

/// Most payments in one transaction: PostgreSQL keeps up to 64 subtransaction ids per
/// backend in shared memory, beyond which every snapshot gets slower.
pub(crate) const MAX_BATCH: usize = 48;

/// Lines of payments per process: how many batches may be in flight at once (each holds
/// a pooled connection until it commits). A group always pays in the same line.
pub(crate) const LANES: u128 = 2;

/// The line `group_id` pays in.
fn lane_of(group_id: Uuid) -> u128 {
    group_id.as_u128() % LANES
}

/// The lines of payments, one per lane with payments in flight.
#[derive(Default)]
pub(crate) struct JoinBatches {
    lines: Mutex<HashMap<u128, Line>>,
    /// The most payments one transaction has carried so far (tests read it).
    largest: AtomicUsize,
    /// The most groups one transaction has carried payments into so far (tests read it).
    widest: AtomicUsize,
    /// Batches whose payers had to pay alone (their transaction failed).
    fell_back: AtomicUsize,
    /// How many payments each batch carried, for `/metrics`.
    pub(crate) sizes: crate::join_batch_sizes::BatchSizes,
    /// The group each session created here joins (PostgreSQL).
    pub(crate) routes: routes::Routes,
}

/// One lane's queue; `leading` while some payer is applying a batch of it.
#[derive(Default)]
struct Line {
    leading: bool,
    waiting: VecDeque<Payment>,
}

/// A payment waiting for its batch, with the way to wake its payer.
struct Payment {
    /// The group the session joins.
    group_id: Uuid,
    buyer: Principal,
    session_id: Uuid,
    ctx: ChangeContext,
    /// The payer's idempotent answer, stored by whichever transaction pays it.
    answer: Answer<CheckoutSession>,
    wake: SyncSender<Wake>,
}

/// What a waiting payer is woken with.
enum Wake {
    /// Its turn to apply the next batch.
    Lead,
    /// Its payment's outcome (its idempotent answer, if stored, handed over already).
    Done(Box<Outcome>),
}

/// How one payment of a batch ended.
// Short-lived, one per payment and mostly `Paid`: boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
enum Outcome {
    /// Paid, with the answer stored on the payer's key, handed over once the batch commits.
    Paid(CheckoutSession, Option<StoredResponse>),
    Refused(DomainError),
    /// Not decided in the batch (a deadlock victim, the batch's transaction failed, or its
    /// group is gone):
    /// the payer runs it alone, which is safe since paying a paid session is a no-op.
    Alone,
}

impl JoinBatches {
    /// Pays `session_id` (which joins `group_id`) in the next batch of that group.
    pub(crate) fn pay(
        &self,
        db: &Database,
        group_id: Uuid,
        buyer: &Principal,
        session_id: Uuid,
        ctx: &ChangeContext,
        answer: Answer<CheckoutSession>,
    ) -> Result<CheckoutSession, DomainError> {
        let (wake, woken) = sync_channel(2);
        let lane = lane_of(group_id);
        let payment = Payment {
            group_id,
            buyer: buyer.clone(),
            session_id,
            ctx: ctx.clone(),
            answer: answer.clone(),
            wake,
        };
        let leads = {
            let mut lines = self.lines.lock();
            let line = lines.entry(lane).or_default();
            line.waiting.push_back(payment);
            !std::mem::replace(&mut line.leading, true)
        };
        if leads {
            self.lead(db, lane);
        }
        self.await_outcome(db, lane, &woken, (buyer, session_id, ctx), answer)
    }

    fn await_outcome(
        &self,
        db: &Database,
        lane: u128,
        woken: &Receiver<Wake>,
        (buyer, session_id, ctx): (&Principal, Uuid, &ChangeContext),
        answer: Answer<CheckoutSession>,
    ) -> Result<CheckoutSession, DomainError> {
        loop {
            match woken.recv() {
                Ok(Wake::Lead) => self.lead(db, lane),
                Ok(Wake::Done(outcome)) => {
                    return match *outcome {
                        Outcome::Paid(session, _) => Ok(session),
                        Outcome::Refused(e) => Err(e),
                        Outcome::Alone => db.write_retrying_answered(answer, |conn| {
                            checkout::pay(conn, buyer, session_id, ctx, db.default_commission())
                        }),
                    };
                }
                // The leader died with this payment (a panic): nothing of it committed
                // that the payer could not see by asking again.
                Err(_) => {
                    return Err(DomainError::Unavailable(
                        "The payment could not be processed; retry".into(),
                    ))
                }
            }
        }
    }

    /// Applies one batch of `lane`'s queue, answers its payers, and passes the lead on
    /// (also when unwinding from a panic, so the queue never stalls).
    fn lead(&self, db: &Database, lane: u128) {
        let _handover = Handover {
            batches: self,
            lane,
        };
        let batch: Vec<Payment> = {
            let mut lines = self.lines.lock();
            let Some(line) = lines.get_mut(&lane) else {
                return;
            };
            let n = line.waiting.len().min(MAX_BATCH);
            line.waiting.drain(..n).collect()
        };
        if !batch.is_empty() {
            self.largest.fetch_max(batch.len(), Ordering::Relaxed);
            let groups: std::collections::HashSet<Uuid> =
                batch.iter().map(|p| p.group_id).collect();
            self.widest.fetch_max(groups.len(), Ordering::Relaxed);
            self.sizes.observe(batch.len());
            if !apply(db, batch) {
                self.fell_back.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// The most payments one transaction has carried so far.
    #[cfg(test)]
    pub(crate) fn largest(&self) -> usize {
        self.largest.load(Ordering::Relaxed)
    }

    /// The most groups one transaction has carried payments into so far.
    #[cfg(test)]
    pub(crate) fn widest(&self) -> usize {
        self.widest.load(Ordering::Relaxed)
    }

    /// How many batches failed as a whole so far (each payer then paid alone).
    #[cfg(test)]
    pub(crate) fn fell_back(&self) -> usize {
        self.fell_back.load(Ordering::Relaxed)
    }

    /// Applies `payers` (buyer, session, the group it joins) as ONE batch on this thread,
    /// as their leader would: tests count what a batch sends and what it decides.
    #[cfg(test)]
    pub(crate) fn apply_as_leader(
        &self,
        db: &Database,
        payers: &[(Principal, Uuid, Uuid)],
        ctx: &ChangeContext,
    ) -> Vec<Result<CheckoutSession, DomainError>> {
        let (batch, woken): (Vec<Payment>, Vec<Receiver<Wake>>) = payers
            .iter()
            .map(|(buyer, session_id, group_id)| {
                let (wake, woken) = sync_channel(2);
                let payment = Payment {
                    group_id: *group_id,
                    buyer: buyer.clone(),
                    session_id: *session_id,
                    ctx: ctx.clone(),
                    answer: Answer::none(),
                    wake,
                };
                (payment, woken)
            })
            .unzip();
        apply(db, batch);
        woken
            .iter()
            .map(|w| match w.try_recv() {
                Ok(Wake::Done(outcome)) => match *outcome {
                    Outcome::Paid(session, _) => Ok(session),
                    Outcome::Refused(e) => Err(e),
                    Outcome::Alone => Err(DomainError::Internal(ALONE.into())),
                },
                _ => Err(DomainError::Internal("no outcome".into())),
            })
            .collect()
    }
}

/// What [`JoinBatches::apply_as_leader`] answers for a payment the batch left to pay alone.
#[cfg(test)]
pub(crate) const ALONE: &str = "left to pay alone";

/// Passes the lead to the first payer still waiting, or ends the line.
struct Handover<'a> {
    batches: &'a JoinBatches,
    lane: u128,
}

impl Drop for Handover<'_> {
    fn drop(&mut self) {
        let mut lines = self.batches.lines.lock();
        let Some(line) = lines.get_mut(&self.lane) else {
            return;
        };
        while let Some(next) = line.waiting.front() {
            if next.wake.try_send(Wake::Lead).is_ok() {
                return;
            }
            // Its payer is gone (cannot happen short of a panic): drop it, try the next.
            line.waiting.pop_front();
        }
        lines.remove(&self.lane);
    }
}

/// Runs the batch in one transaction, set-based (a batch of one too: two round trips
/// between BEGIN and COMMIT), and wakes every payer with its outcome. False when the
/// batch failed as a whole and its payers pay alone.
fn apply(db: &Database, batch: Vec<Payment>) -> bool {
    let outcomes = db.write_manual(|conn| match conn {
        DbConnection::Pg(_) => {
            together::pay_together(conn, &batch, db.default_commission()).map(Some)
        }
        // Never sent here (SQLite pays through its writer); were one, its payers pay alone.
        DbConnection::Sqlite(_) => Ok(None),
    });
    let together = matches!(outcomes, Ok(Some(_)));
    let outcomes = match outcomes {
        Ok(Some(outcomes)) => outcomes,
        Ok(None) => batch.iter().map(|_| Outcome::Alone).collect(),
        Err(e) => {
            tracing::warn!(error = %e, payments = batch.len(), "payment batch failed; each pays alone");
            batch.iter().map(|_| Outcome::Alone).collect()
        }
    };
    for (payment, mut outcome) in batch.into_iter().zip(outcomes) {
        // Committed: the answers stored with the payments are now theirs.
        if let Outcome::Paid(_, stored) = &mut outcome {
            if let Some(response) = stored.take() {
                payment.answer.committed(response);
            }
        }
        // A payer that is gone (cannot happen short of a panic) needs no answer.
        let _ = payment.wake.try_send(Wake::Done(Box::new(outcome)));
    }
    together
}
