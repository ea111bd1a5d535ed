//! Conversions between stored column values and domain values.

use crate::error::StoreError;
use groupbuy_domain::{Currency, Money};
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};
use uuid::Uuid;

/// A UTC instant as stored (`TIMESTAMP` without zone).
pub(crate) fn to_db_time(t: OffsetDateTime) -> PrimitiveDateTime {
    let utc = t.to_offset(UtcOffset::UTC);
    PrimitiveDateTime::new(utc.date(), utc.time())
}

/// A stored timestamp back as a UTC instant.
pub(crate) fn from_db_time(t: PrimitiveDateTime) -> OffsetDateTime {
    t.assume_utc()
}

/// A stored UUID.
pub(crate) fn parse_uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(format!("uuid {s}: {e}")))
}

/// A stored currency code.
pub(crate) fn parse_currency(code: &str) -> Result<Currency, StoreError> {
    Currency::parse(code).map_err(|e| StoreError::Corrupt(format!("currency {code}: {e}")))
}

/// Stored minor units in a stored currency.
pub(crate) fn money(minor: i64, currency: &str) -> Result<Money, StoreError> {
    Ok(Money::from_minor(minor, parse_currency(currency)?))
}
