//! Rate-limit decisions: quotas, fixed windows and what a count means (allowed?
//! remaining? reset?). Pure: the counting happens in a store, the headers in the API.

use crate::error::DomainError;
use time::{Duration, OffsetDateTime};

/// At most `limit` requests per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateQuota {
    /// Requests allowed per window (at least 1).
    pub limit: u32,
    /// The window (at least one second).
    pub window: Duration,
}

/// The outcome of counting one request against a quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDecision {
    /// Requests allowed per window.
    pub limit: u32,
    /// Requests left after this one (0 when refused).
    pub remaining: u32,
    /// When the quota is whole again (the window's end for fixed windows).
    pub reset_at: OffsetDateTime,
    /// Whether this request may proceed.
    pub allowed: bool,
}

/// One fixed window: `[start, end)`, aligned to multiples of its length since the Unix
/// epoch, so a window of one day is one UTC day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The first instant of the window.
    pub start: OffsetDateTime,
    /// The first instant after it.
    pub end: OffsetDateTime,
}

/// One UTC day, the window of daily quotas.
pub const DAY: Duration = Duration::days(1);

impl RateQuota {
    /// A quota of `limit` per `window`; `None` when either is zero.
    pub fn new(limit: u32, window: Duration) -> Option<Self> {
        (limit > 0 && window >= Duration::SECOND).then_some(Self { limit, window })
    }

    /// Parses `LIMIT/WINDOW` (`600/60s`, `5/1m`, `100/h`, `10000/1d`); `off`, `none` or
    /// `0` mean no limit (`Ok(None)`).
    ///
    /// # Errors
    /// `Validation` naming `field` when the text is neither.
    pub fn parse(field: &str, text: &str) -> Result<Option<Self>, DomainError> {
        let text = text.trim();
        if ["off", "none", "0", "disabled"]
            .iter()
            .any(|o| text.eq_ignore_ascii_case(o))
        {
            return Ok(None);
        }
        let bad = || {
            DomainError::invalid(
                field,
                format!(
                    "{field} must be LIMIT/WINDOW such as 600/60s, 5/1m or 10000/1d, or off; got {text:?}"
                ),
            )
        };
        let (limit, window) = text.split_once('/').ok_or_else(bad)?;
        let limit: u32 = limit.trim().parse().map_err(|_| bad())?;
        let window = window.trim();
        let unit_at = window.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let (count, unit) = window.split_at(unit_at);
        let count: i64 = if count.is_empty() {
            1
        } else {
            count.parse().map_err(|_| bad())?
        };
        let unit = match unit {
            "s" => Duration::SECOND,
            "m" => Duration::MINUTE,
            "h" => Duration::HOUR,
            "d" => DAY,
            _ => return Err(bad()),
        };
        let window = unit.checked_mul(i32::try_from(count).map_err(|_| bad())?);
        match window.and_then(|w| Self::new(limit, w)) {
            Some(q) => Ok(Some(q)),
            None if limit == 0 => Ok(None),
            None => Err(bad()),
        }
    }

    /// The window length in whole seconds (at least 1).
    pub fn window_seconds(&self) -> i64 {
        self.window.whole_seconds().max(1)
    }

    /// The fixed window that `now` falls in.
    pub fn window_at(&self, now: OffsetDateTime) -> Window {
        let len = self.window_seconds();
        let start = now.unix_timestamp().div_euclid(len) * len;
        let start = OffsetDateTime::UNIX_EPOCH + Duration::seconds(start);
        Window {
            start,
            end: start + Duration::seconds(len),
        }
    }

    /// What it means that `hits` requests (this one included) were counted in `window`:
    /// the request is allowed while `hits <= limit`.
    pub fn decide(&self, hits: i64, window: Window) -> RateDecision {
        let limit = i64::from(self.limit);
        RateDecision {
            limit: self.limit,
            remaining: u32::try_from((limit - hits).clamp(0, limit)).unwrap_or(0),
            reset_at: window.end,
            allowed: hits <= limit,
        }
    }
}

impl RateDecision {
    /// Whole seconds until `reset_at` (rounded up, at least 0).
    pub fn reset_in(&self, now: OffsetDateTime) -> i64 {
        ceil_seconds(self.reset_at - now)
    }

    /// Seconds a refused caller should wait (`Retry-After`): at least 1.
    pub fn retry_after(&self, now: OffsetDateTime) -> i64 {
        self.reset_in(now).max(1)
    }

    /// The decision that governs a request checked against several quotas: a refusal
    /// (the one that lasts longest, since every refusing quota must recover) or else the
    /// one with the fewest requests left.
    pub fn binding(decisions: &[Self]) -> Option<Self> {
        let refused = decisions
            .iter()
            .filter(|d| !d.allowed)
            .max_by_key(|d| d.reset_at);
        refused
            .or_else(|| {
                decisions
                    .iter()
                    .min_by_key(|d| (d.remaining, std::cmp::Reverse(d.reset_at)))
            })
            .copied()
    }
}

/// A duration in whole seconds, rounded up; negative durations are 0.
pub fn ceil_seconds(d: Duration) -> i64 {
    if d <= Duration::ZERO {
        return 0;
    }
    let whole = d.whole_seconds();
    if d > Duration::seconds(whole) {
        whole + 1
    } else {
        whole
    }
}

/// Counters of requests per key and fixed window, shared by every instance.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait RateLimitStore: Send + Sync {
    /// Counts one request of `key` in the window of `quota` that holds `now` and decides.
    ///
    /// # Errors
    /// `Unavailable`/`Internal` on storage failure.
    fn hit(
        &self,
        key: &str,
        quota: RateQuota,
        now: OffsetDateTime,
    ) -> Result<RateDecision, DomainError>;

    /// Deletes the counters of windows that ended before `now`; returns how many.
    ///
    /// # Errors
    /// Storage failures.
    fn purge_windows(&self, now: OffsetDateTime) -> Result<usize, DomainError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn q(limit: u32, secs: i64) -> RateQuota {
        RateQuota::new(limit, Duration::seconds(secs)).expect("quota")
    }

    #[test]
    fn parses_limits_windows_and_off() {
        let p = |t| RateQuota::parse("X", t);
        assert_eq!(p("600/60s").expect("ok"), Some(q(600, 60)));
        assert_eq!(p(" 5 / 1m ").expect("ok"), Some(q(5, 60)));
        assert_eq!(p("100/h").expect("ok"), Some(q(100, 3600)));
        assert_eq!(p("10000/1d").expect("ok"), Some(q(10000, 86_400)));
        for off in ["off", "OFF", "none", "0", "0/60s"] {
            assert_eq!(p(off).expect("off"), None, "{off}");
        }
        for bad in [
            "", "600", "600/", "600/60", "x/60s", "600/60y", "-1/60s", "5/0s",
        ] {
            let err = p(bad).expect_err(bad);
            assert!(err.to_string().contains('X'), "{bad}: {err}");
        }
    }

    #[test]
    fn windows_are_aligned_so_a_day_is_a_utc_day() {
        let now = datetime!(2026-11-23 17:45:12 UTC);
        let day = RateQuota::new(10, DAY).expect("quota").window_at(now);
        assert_eq!(day.start, datetime!(2026-11-23 00:00 UTC));
        assert_eq!(day.end, datetime!(2026-11-24 00:00 UTC));
        let minute = q(5, 60).window_at(now);
        assert_eq!(minute.start, datetime!(2026-11-23 17:45 UTC));
        assert_eq!(minute.end, datetime!(2026-11-23 17:46 UTC));
    }

    #[test]
    fn the_limit_th_request_is_the_last_allowed() {
        let quota = q(3, 60);
        let w = quota.window_at(datetime!(2026-11-23 12:00:30 UTC));
        let d: Vec<_> = (1..=4).map(|hits| quota.decide(hits, w)).collect();
        assert_eq!(
            d.iter()
                .map(|d| (d.allowed, d.remaining))
                .collect::<Vec<_>>(),
            vec![(true, 2), (true, 1), (true, 0), (false, 0)]
        );
        assert!(d.iter().all(|d| d.reset_at == w.end && d.limit == 3));
        assert_eq!(d[3].retry_after(datetime!(2026-11-23 12:00:30 UTC)), 30);
    }

    #[test]
    fn retry_after_rounds_up_and_is_at_least_one_second() {
        let now = datetime!(2026-11-23 12:00:00 UTC);
        let d = |reset_at| RateDecision {
            limit: 1,
            remaining: 0,
            reset_at,
            allowed: false,
        };
        assert_eq!(d(now + Duration::milliseconds(1500)).retry_after(now), 2);
        assert_eq!(d(now).retry_after(now), 1);
        assert_eq!(d(now - Duration::SECOND).reset_in(now), 0);
    }

    #[test]
    fn the_binding_decision_is_a_refusal_or_the_tightest() {
        let now = datetime!(2026-11-23 12:00:00 UTC);
        let d = |remaining, secs, allowed| RateDecision {
            limit: 10,
            remaining,
            reset_at: now + Duration::seconds(secs),
            allowed,
        };
        assert_eq!(RateDecision::binding(&[]), None);
        let burst = d(8, 60, true);
        let daily = d(3, 86_400, true);
        assert_eq!(RateDecision::binding(&[burst, daily]), Some(daily));
        let refused = d(0, 5, false);
        assert_eq!(RateDecision::binding(&[daily, refused]), Some(refused));
        let refused_long = d(0, 500, false);
        assert_eq!(
            RateDecision::binding(&[refused, refused_long]),
            Some(refused_long)
        );
    }
}
