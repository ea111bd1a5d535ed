//! Every refusal of the campaign context: its `Display` is the one place its text is
//! written, and its kind names its RFC 9457 problem type.

use super::group_buy::{Action, GroupBuyStatus};
use super::handle::{Handle, Slug};
use crate::error::{DomainError, Refusal};
use crate::platform::rfc3339;
use thiserror::Error;
use time::OffsetDateTime;

/// Why a campaign change was refused (each answers 409).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CampaignRefusal {
    /// Interest is only taken while PUBLISHED.
    #[error("Cannot register interest: the group-buy is {0}")]
    NotAcceptingInterest(GroupBuyStatus),
    /// Interest is only taken before `closesAt`.
    #[error("Cannot register interest: the group-buy's closesAt has passed")]
    InterestAfterClose,
    /// A CLOSED group-buy's interests are final.
    #[error("Cannot change interest: the group-buy is CLOSED")]
    InterestFrozen,
    /// The interest would pass `maxQuantity`.
    #[error(
        "Cannot register interest: total quantity would exceed maxQuantity ({quantity} + {delta} > {max})"
    )]
    MaxQuantityExceeded {
        /// Units registered so far.
        quantity: i64,
        /// Units this change adds.
        delta: i64,
        /// The cap.
        max: i64,
    },
    /// A concurrent interest took the last units between the read and the conditional write.
    #[error("Cannot register interest: total quantity would exceed maxQuantity")]
    MaxQuantityTaken,
    /// Two first registrations of one visitor raced (the UNIQUE key caught it).
    #[error("The interest changed concurrently; retry")]
    InterestRace,
    /// The action is not allowed from the current status.
    #[error("Cannot {} a {status} group-buy; allowed from {status}: {}", action.as_str(), allowed_list(allowed))]
    InvalidTransition {
        /// The action asked for.
        action: Action,
        /// The current status.
        status: GroupBuyStatus,
        /// What the current status allows.
        allowed: &'static [Action],
    },
    /// Publishing after `closesAt`.
    #[error("Cannot publish: closesAt has passed; close the group-buy instead")]
    PublishAfterClose,
    /// Closing while thresholds are unmet (`participants 12/50`, `quantity 30/100`).
    #[error("Cannot close: thresholds not met: {}", .0.join(", "))]
    ThresholdsNotMet(Vec<String>),
    /// Another group-buy's status change won the race.
    #[error("The group-buy changed concurrently; it is no longer {0}. Retry")]
    ChangedConcurrently(GroupBuyStatus),
    /// The handle belongs to someone.
    #[error("Handle {0} is already taken")]
    HandleTaken(Handle),
    /// A pre-order's payment window has passed (expired, or past its deadline and not yet
    /// swept): nothing is charged.
    #[error("Cannot pay: the pre-order's payment window closed at {}", rfc3339(*.0))]
    PreorderExpired(OffsetDateTime),
    /// A pre-order is paid once; a retry with the same Idempotency-Key gets the first answer.
    #[error("The pre-order is already paid")]
    PreorderPaid,
    /// Only a DRAFT's terms can be edited.
    #[error("Cannot edit a {0} group-buy: only a DRAFT can be edited")]
    NotADraft(GroupBuyStatus),
    /// The slug is used by another group-buy of the handle.
    #[error("Slug {slug} is already used by another group-buy of {handle}")]
    SlugTaken {
        /// The slug.
        slug: Slug,
        /// Its handle.
        handle: Handle,
    },
}

fn allowed_list(allowed: &[Action]) -> String {
    if allowed.is_empty() {
        return "none".to_owned();
    }
    allowed
        .iter()
        .map(Action::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

impl CampaignRefusal {
    /// The slug of the refusal's problem type (`https://groupbuy.dev/problems/<kind>`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotAcceptingInterest(_) => "not-accepting-interest",
            Self::InterestAfterClose | Self::PublishAfterClose => "closes-at-passed",
            Self::InterestFrozen => "group-buy-closed",
            Self::MaxQuantityExceeded { .. } | Self::MaxQuantityTaken => "max-quantity-exceeded",
            Self::InterestRace | Self::ChangedConcurrently(_) => "concurrent-change",
            Self::InvalidTransition { .. } => "invalid-transition",
            Self::ThresholdsNotMet(_) => "thresholds-not-met",
            Self::HandleTaken(_) => "handle-taken",
            Self::SlugTaken { .. } => "slug-taken",
            Self::PreorderExpired(_) => "preorder-expired",
            Self::PreorderPaid => "preorder-paid",
            Self::NotADraft(_) => "not-a-draft",
        }
    }
}

/// The one conversion into the crate's error: every campaign refusal is a 409.
impl From<CampaignRefusal> for DomainError {
    fn from(r: CampaignRefusal) -> Self {
        DomainError::Conflict(Refusal::new(r.kind(), r.to_string()))
    }
}

/// A handle that does not exist (or cannot: its text is not a handle): 404.
pub fn handle_not_found() -> DomainError {
    DomainError::NotFound("Handle not found".into())
}

/// A group-buy that does not exist or is not visible to the caller: 404.
pub fn group_buy_not_found() -> DomainError {
    DomainError::NotFound("Group-buy not found".into())
}

/// The 404 for withdrawing an interest this visitor never registered.
pub fn interest_not_found() -> DomainError {
    DomainError::NotFound("No interest registered for this visitor".into())
}
