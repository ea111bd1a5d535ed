//! Immutable audit entries of campaign and interest changes.

use super::group_buy::GroupBuyStatus;
use time::OffsetDateTime;
use uuid::Uuid;

pub use crate::platform::ChangeContext;

/// Every audit action: the lifecycle verbs plus creation and interest changes.
pub const AUDIT_ACTIONS: [&str; 7] = [
    "create",
    "publish",
    "pause",
    "close",
    "interest.register",
    "interest.update",
    "interest.remove",
];

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// The shared audit entry's id without its `aud_` prefix.
    pub id: Uuid,
    /// The group-buy.
    pub group_buy_id: Uuid,
    /// Who made the change (`user:<sub>`, `visitor:<uuid>` or `system:<job>`).
    pub actor: String,
    /// What (`create`, `publish`, `pause`, `close`, `interest.register`, `interest.update`,
    /// `interest.remove`).
    pub action: String,
    /// Status before (None on creation).
    pub before_status: Option<GroupBuyStatus>,
    /// Status after.
    pub after_status: GroupBuyStatus,
    /// Request id.
    pub request_id: String,
    /// When the change happened (UTC, microsecond precision).
    pub created_at: OffsetDateTime,
}
