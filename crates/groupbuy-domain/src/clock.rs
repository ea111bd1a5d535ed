//! The clock port: time enters the domain as an argument, never from `now()` inside a rule.

use time::OffsetDateTime;

/// Source of the current time, injected so tests control it.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait Clock: Send + Sync {
    /// The current instant in UTC, truncated to microseconds (what both databases keep).
    fn now(&self) -> OffsetDateTime;
}

/// Truncates an instant to whole microseconds, the precision PostgreSQL keeps.
pub fn truncate_micros(t: OffsetDateTime) -> OffsetDateTime {
    let micros = t.microsecond();
    t.replace_microsecond(micros).unwrap_or(t)
}
