//! Immutable audit entries of campaign and interest changes.

use super::group_buy::GroupBuyStatus;
use crate::names::closed_set;
use time::OffsetDateTime;
use uuid::Uuid;

pub use crate::platform::ChangeContext;

closed_set! {
    /// What a campaign's audit entry records: creation, the owner's lifecycle verbs
    /// ([`super::Action`]) and interest changes; its list and wire names are derived.
    pub enum AuditAction {
        /// The campaign was created (a draft).
        #[strum(serialize = "create")]
        Create,
        /// A draft's terms were edited.
        #[strum(serialize = "edit")]
        Edit,
        /// Published (or republished after a pause).
        #[strum(serialize = "publish")]
        Publish,
        /// Paused.
        #[strum(serialize = "pause")]
        Pause,
        /// Closed with its thresholds met.
        #[strum(serialize = "close")]
        Close,
        /// A visitor registered interest for the first time.
        #[strum(serialize = "interest.register")]
        InterestRegister,
        /// A visitor changed their interest.
        #[strum(serialize = "interest.update")]
        InterestUpdate,
        /// A visitor withdrew their interest.
        #[strum(serialize = "interest.remove")]
        InterestRemove,
    }
}

impl From<super::Action> for AuditAction {
    fn from(action: super::Action) -> Self {
        match action {
            super::Action::Publish => Self::Publish,
            super::Action::Pause => Self::Pause,
            super::Action::Close => Self::Close,
        }
    }
}

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
