//! What each background job has waiting, for operators: how many items are due and how long
//! the oldest has been. A job that keeps up shows a few items, none older than its
//! interval; one that falls behind (or fails every pass) shows both growing.

use crate::error::DomainError;
use time::{Duration, OffsetDateTime};

/// The work queue of one background job, as the store can count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobQueue {
    /// OPEN groups past their expiry, to fail and refund.
    GroupExpiry,
    /// Pre-order sessions past their payment window, to expire.
    PreorderExpiry,
    /// OPEN procurement group buys past their deadline below target, to expire.
    ProcurementExpiry,
    /// Durable procurement jobs queued, or running with a lapsed lease (a crashed claimer).
    ProcurementJobs,
    /// Idempotency records older than `idempotency_retention` and elapsed rate-limit
    /// windows, to purge.
    Housekeeping {
        /// How long idempotency records are kept: one is due that long after it was made.
        idempotency_retention: Duration,
    },
    /// Outbox events not yet fanned out and deliveries due now (not leased).
    WebhookDelivery,
}

/// A queue at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Backlog {
    /// Items due now.
    pub items: i64,
    /// When the oldest of them fell due (`None`: nothing is due).
    pub oldest_due: Option<OffsetDateTime>,
}

impl Backlog {
    /// How long the oldest item has been due at `now` (zero when nothing is).
    pub fn oldest_age(&self, now: OffsetDateTime) -> Duration {
        self.oldest_due
            .map_or(Duration::ZERO, |due| (now - due).max(Duration::ZERO))
    }

    /// Both queues' items together, the older of their oldest.
    #[must_use]
    pub fn and(self, other: Backlog) -> Backlog {
        let oldest_due = match (self.oldest_due, other.oldest_due) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Backlog {
            items: self.items + other.items,
            oldest_due,
        }
    }
}

/// Counts the background jobs' queues (one cheap indexed query per table of a queue).
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait BacklogStore: Send + Sync {
    /// The items of `queue` due at `now`.
    ///
    /// # Errors
    /// Storage failures.
    fn backlog(&self, queue: JobQueue, now: OffsetDateTime) -> Result<Backlog, DomainError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_oldest_age_is_from_the_oldest_due_time_and_never_negative() {
        let now = datetime!(2026-01-01 12:00 UTC);
        let due = Backlog {
            items: 2,
            oldest_due: Some(now - Duration::seconds(90)),
        };
        assert_eq!(due.oldest_age(now), Duration::seconds(90));
        assert_eq!(Backlog::default().oldest_age(now), Duration::ZERO);
        let ahead = Backlog {
            items: 1,
            oldest_due: Some(now + Duration::SECOND),
        };
        assert_eq!(ahead.oldest_age(now), Duration::ZERO);
    }

    #[test]
    fn two_queues_add_their_items_and_keep_the_older_oldest() {
        let t = datetime!(2026-01-01 12:00 UTC);
        let a = Backlog {
            items: 2,
            oldest_due: Some(t),
        };
        let b = Backlog {
            items: 3,
            oldest_due: Some(t - Duration::MINUTE),
        };
        assert_eq!(
            a.and(b),
            Backlog {
                items: 5,
                oldest_due: Some(t - Duration::MINUTE)
            }
        );
        assert_eq!(a.and(Backlog::default()), a);
        assert_eq!(Backlog::default().and(b), b);
    }
}
