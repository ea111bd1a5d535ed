//! Immutable audit entries of campaign and interest changes.

use super::group_buy::GroupBuyStatus;
use time::OffsetDateTime;
use uuid::Uuid;

/// Who did a change, in which request, when: passed to every use case that writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeContext {
    /// `user:<sub>` or `visitor:<uuid>`.
    pub actor: String,
    /// The request id (X-Request-Id).
    pub request_id: String,
    /// The instant of the change.
    pub now: OffsetDateTime,
}

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
