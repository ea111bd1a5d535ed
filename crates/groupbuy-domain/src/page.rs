//! Cursor pagination shared by every list.

use serde::Serialize;

/// One page of a list with the opaque cursor of the next page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    /// The items of this page, in the list's stable order.
    pub items: Vec<T>,
    /// Cursor to pass back for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// Largest page a caller may ask for.
pub const MAX_LIMIT: i64 = 100;
/// Page size when the caller does not ask.
pub const DEFAULT_LIMIT: i64 = 20;

/// Clamps a requested page size into `1..=MAX_LIMIT`.
pub fn clamp_limit(limit: Option<i64>) -> i64 {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

/// The 422 for a `cursor` that is not one this API gave out.
pub fn invalid_cursor() -> crate::DomainError {
    crate::DomainError::invalid("cursor", "cursor is not a valid page cursor")
}
