//! Cursor pagination shared by every list: the cursor is the `seq` of the last row.

use crate::error::StoreError;
use groupbuy_domain::{DomainError, Page};

/// A page cursor: the `seq` of the last row of the previous page (empty means none).
pub(crate) fn parse_cursor(cursor: Option<String>) -> Result<Option<i64>, DomainError> {
    cursor
        .filter(|c| !c.is_empty())
        .map(|c| {
            c.parse::<i64>()
                .map_err(|_| groupbuy_domain::page::invalid_cursor())
        })
        .transpose()
}

/// Turns `limit + 1` loaded rows into a page and its next cursor.
pub(crate) fn into_page<R, T>(
    mut rows: Vec<R>,
    limit: i64,
    seq: impl Fn(&R) -> i64,
    convert: impl Fn(R) -> Result<T, StoreError>,
) -> Result<Page<T>, StoreError> {
    let limit = usize::try_from(limit).unwrap_or(0);
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_cursor = if more {
        rows.last().map(|r| seq(r).to_string())
    } else {
        None
    };
    let items = rows.into_iter().map(convert).collect::<Result<_, _>>()?;
    Ok(Page { items, next_cursor })
}
