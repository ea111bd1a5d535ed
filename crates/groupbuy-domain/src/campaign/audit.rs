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
    /// Id.
    pub id: Uuid,
    /// The group-buy.
    pub group_buy_id: Uuid,
    /// Who.
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
    /// When.
    pub created_at: OffsetDateTime,
}
