//! The platform admin's campaign rollup across handles.

use super::group_buy::{GroupBuy, GroupBuyStatus};
use super::handle::Handle;
use crate::page::Page;
use time::{Duration, OffsetDateTime};

/// Drafts older than this many hours count as stuck unless the caller says otherwise.
pub const DEFAULT_STUCK_DRAFT_HOURS: i64 = 72;

/// Filters and paging of the rollup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupQuery {
    /// Only this status in `items`.
    pub status: Option<GroupBuyStatus>,
    /// Only this handle (counts, lists and items).
    pub handle: Option<Handle>,
    /// Age after which a draft is stuck.
    pub stuck_draft_age: Duration,
    /// Page cursor of `items`.
    pub cursor: Option<String>,
    /// Page size of `items`.
    pub limit: i64,
}

/// The rollup.
#[derive(Debug, Clone, PartialEq)]
pub struct Rollup {
    /// How many group-buys are in each status (every status listed, zeros included).
    pub counts_by_status: Vec<(GroupBuyStatus, i64)>,
    /// Drafts created before `now - stuck_draft_age` (oldest first, at most 100).
    pub stuck_drafts: Vec<GroupBuy>,
    /// PUBLISHED or PAUSED group-buys whose `closes_at` has passed (at most 100).
    pub past_close_still_open: Vec<GroupBuy>,
    /// The filtered group-buys, newest first.
    pub items: Page<GroupBuy>,
    /// Pre-order sessions of the scoped campaigns (every handle, or the one asked for):
    /// pledged, pending, paid, expired.
    pub preorders: super::PreorderCounts,
}

/// Whether `g` counts as stuck in draft at `now`.
pub fn is_stuck_draft(g: &GroupBuy, age: Duration, now: OffsetDateTime) -> bool {
    g.status == GroupBuyStatus::Draft && g.created_at < now - age
}

/// Whether `g` is still open after its close time.
pub fn is_past_close_still_open(g: &GroupBuy, now: OffsetDateTime) -> bool {
    matches!(g.status, GroupBuyStatus::Published | GroupBuyStatus::Paused) && g.closes_at < now
}
