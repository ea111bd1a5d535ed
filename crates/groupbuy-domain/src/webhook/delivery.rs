//! Delivering one event to one endpoint: attempts, the retry schedule, and what an
//! answer means (Standard Webhooks 1.0).

use crate::error::DomainError;
use crate::names::closed_set;
use crate::platform::EventType;
use time::{Duration, OffsetDateTime};

closed_set! {
    /// Where a delivery stands; its list and names are derived (`strum`).
    #[strum(serialize_all = "UPPERCASE")]
    pub enum DeliveryState {
        /// Not attempted yet (or re-enqueued).
        Pending,
        /// Delivered: the endpoint answered 2xx.
        Succeeded,
        /// The last attempt failed; another is scheduled.
        Failed,
        /// Every scheduled attempt failed (or the endpoint is gone).
        Exhausted,
    }
}

impl DeliveryState {
    /// The state with this name.
    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

/// The delays between attempts: value n is the delay before attempt n+1, counted from the
/// previous attempt (the first, usually 0, is the immediate attempt).
#[derive(Debug, Clone, PartialEq)]
pub struct RetrySchedule(Vec<Duration>);

impl RetrySchedule {
    /// Standard Webhooks' schedule: 0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h.
    pub fn standard() -> Self {
        Self(
            [0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
                .into_iter()
                .map(Duration::seconds)
                .collect(),
        )
    }

    /// Parses `0,5,300,...` (seconds, fractions allowed: tests use `0,0.2,0.2`).
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let invalid = || {
            DomainError::invalid(
                "GROUPBUY_WEBHOOK_RETRY_SCHEDULE",
                format!("must be comma-separated seconds such as 0,5,300; got {text:?}"),
            )
        };
        let delays = text
            .split(',')
            .map(|v| {
                v.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s >= 0.0 && *s <= 31_536_000.0)
                    .map(Duration::seconds_f64)
                    .ok_or_else(invalid)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self(delays))
    }

    /// How many attempts a delivery gets in all.
    pub fn attempts(&self) -> u32 {
        u32::try_from(self.0.len()).unwrap_or(u32::MAX)
    }

    /// The delay before attempt `made + 1` after `made` attempts, stretched by `jitter`
    /// (-1.0..=1.0, i.e. ±10 %); `None` when no attempt is left.
    pub fn delay_after(&self, made: u32, jitter: f64) -> Option<Duration> {
        let base = *self.0.get(usize::try_from(made).ok()?)?;
        Some(base * (1.0 + 0.1 * jitter.clamp(-1.0, 1.0)))
    }
}

/// What one attempt's answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// 2xx: delivered.
    Delivered,
    /// 410 Gone: the receiver asked us to stop; the endpoint is disabled.
    Gone,
    /// Anything else (non-2xx, timeout, connection error): retry, no sooner than
    /// `not_before` when the receiver said so (429/503 with Retry-After).
    Retry {
        /// The receiver's Retry-After, honoured on 429 and 503.
        not_before: Option<Duration>,
    },
}

impl AttemptOutcome {
    /// Classifies an answer (`None`: no HTTP answer at all).
    pub fn of(status: Option<u16>, retry_after: Option<Duration>) -> Self {
        match status {
            Some(s) if (200..300).contains(&s) => Self::Delivered,
            Some(410) => Self::Gone,
            Some(429 | 503) => Self::Retry {
                not_before: retry_after,
            },
            _ => Self::Retry { not_before: None },
        }
    }

    /// The delivery's state and next attempt after this outcome of attempt `made`
    /// (1-based), with `jitter` in -1.0..=1.0.
    pub fn next(
        self,
        made: u32,
        schedule: &RetrySchedule,
        jitter: f64,
        now: OffsetDateTime,
    ) -> (DeliveryState, Option<OffsetDateTime>) {
        match self {
            Self::Delivered => (DeliveryState::Succeeded, None),
            Self::Gone => (DeliveryState::Exhausted, None),
            Self::Retry { not_before } => match schedule.delay_after(made, jitter) {
                None => (DeliveryState::Exhausted, None),
                Some(delay) => {
                    // A receiver's Retry-After is honoured, up to a day.
                    let wait = not_before
                        .map(|n| n.min(Duration::DAY))
                        .map_or(delay, |n| n.max(delay));
                    (DeliveryState::Failed, Some(now + wait))
                }
            },
        }
    }
}

/// One attempt as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAttempt {
    /// 1-based.
    pub attempt: i32,
    /// The receiver's status, if it answered.
    pub status_code: Option<i32>,
    /// What went wrong, if anything.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: i64,
    /// When it started.
    pub at: OffsetDateTime,
}

/// One event's delivery to one endpoint, with its attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// `dlv_...`.
    pub id: String,
    /// The endpoint.
    pub endpoint_id: String,
    /// The event (`evt_...`, also the `webhook-id`).
    pub event_id: String,
    /// Its type.
    pub event_type: EventType,
    /// Where it stands.
    pub state: DeliveryState,
    /// Every attempt, oldest first.
    pub attempts: Vec<DeliveryAttempt>,
    /// When the next attempt is due (PENDING or FAILED).
    pub next_attempt_at: Option<OffsetDateTime>,
}

/// A delivery claimed by a worker: everything needed to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    /// Delivery id.
    pub id: String,
    /// Attempts made before this one.
    pub attempts_made: i32,
    /// Target URL.
    pub url: String,
    /// Current secret (`whsec_...`).
    pub secret: String,
    /// The previous secret while a rotation's overlap lasts.
    pub previous_secret: Option<String>,
    /// The `webhook-id`: the event id.
    pub event_id: String,
    /// The request id of the request that caused the event.
    pub request_id: String,
    /// The JSON body to send (the event envelope).
    pub body: String,
    /// The endpoint (to disable on 410).
    pub endpoint_id: String,
    /// The end of the lease this attempt was claimed under. Its result is recorded as the
    /// delivery's state only while the delivery still holds this lease: a retry or replay
    /// that requeued it meanwhile wins, so the redelivery it promised is not overwritten.
    pub leased_until: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_760_000_000).expect("time")
    }

    #[test]
    fn the_schedule_counts_from_the_previous_attempt_and_then_exhausts() {
        let s = RetrySchedule::parse("0, 5, 300").expect("schedule");
        assert_eq!(s.attempts(), 3);
        let retry = AttemptOutcome::of(Some(500), None);
        assert_eq!(
            retry.next(1, &s, 0.0, t0()),
            (DeliveryState::Failed, Some(t0() + Duration::seconds(5)))
        );
        assert_eq!(
            retry.next(2, &s, 0.0, t0()),
            (DeliveryState::Failed, Some(t0() + Duration::seconds(300)))
        );
        assert_eq!(
            retry.next(3, &s, 0.0, t0()),
            (DeliveryState::Exhausted, None)
        );
        // ±10 % jitter
        let (_, at) = retry.next(2, &s, 1.0, t0());
        assert_eq!(at, Some(t0() + Duration::seconds(330)));
        let (_, at) = retry.next(2, &s, -1.0, t0());
        assert_eq!(at, Some(t0() + Duration::seconds(270)));
        assert_eq!(RetrySchedule::standard().attempts(), 10);
        assert!(RetrySchedule::parse("0,0.2,0.25").is_ok());
        for bad in ["", "0,,5", "a", "-1", "NaN"] {
            assert!(RetrySchedule::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn answers_mean_what_standard_webhooks_says() {
        let s = RetrySchedule::parse("0,1,1").expect("schedule");
        for ok in [200, 201, 204, 299] {
            assert_eq!(
                AttemptOutcome::of(Some(ok), None).next(1, &s, 0.0, t0()),
                (DeliveryState::Succeeded, None)
            );
        }
        assert_eq!(
            AttemptOutcome::of(Some(410), None).next(1, &s, 0.0, t0()),
            (DeliveryState::Exhausted, None)
        );
        // 429/503 honour Retry-After; other statuses and no answer follow the schedule.
        let slow = AttemptOutcome::of(Some(503), Some(Duration::seconds(120)));
        assert_eq!(
            slow.next(1, &s, 0.0, t0()),
            (DeliveryState::Failed, Some(t0() + Duration::seconds(120)))
        );
        let ignored = AttemptOutcome::of(Some(500), Some(Duration::seconds(120)));
        assert_eq!(
            ignored.next(1, &s, 0.0, t0()),
            (DeliveryState::Failed, Some(t0() + Duration::seconds(1)))
        );
        assert_eq!(
            AttemptOutcome::of(None, None),
            AttemptOutcome::Retry { not_before: None }
        );
        assert_eq!(DeliveryState::parse("FAILED"), Some(DeliveryState::Failed));
    }
}
