//! Every refusal of the group-purchase context: its `Display` is seed 001's exact text
//! (written here and nowhere else) and its kind names its RFC 9457 problem type.

use super::instance::GroupStatus;
use crate::error::{DomainError, Refusal};
use crate::money::Money;
use crate::platform::rfc3339;
use thiserror::Error;
use time::OffsetDateTime;

/// Which side of a transfer a refusal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferSide {
    /// The source group (`from`).
    From,
    /// The target group (`to`).
    To,
}

impl std::fmt::Display for TransferSide {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::From => "from",
            Self::To => "to",
        })
    }
}

/// `2025-10-02T20:30:45Z`, as the expiry refusal prints it.
struct At(OffsetDateTime);

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&rfc3339(self.0))
    }
}

/// Why a group-purchase transition was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GroupPurchaseRefusal {
    /// The product does not sell at a group price.
    #[error("Group buying is not enabled for this product")]
    GroupBuyingDisabled,
    /// More seats than the group has.
    #[error("Quantity ({requested}) exceeds group max size ({max})")]
    ExceedsGroupSize {
        /// Seats asked for.
        requested: i32,
        /// Seats in the group.
        max: i32,
    },
    /// The per-customer cap would be passed.
    #[error("Maximum seats per customer is {cap}. You have: {held}, requested: {requested}")]
    CustomerCap {
        /// The cap.
        cap: i32,
        /// Seats already held.
        held: i32,
        /// Seats asked for.
        requested: i32,
    },
    /// Not enough unreserved stock for every seat of a new group.
    #[error("Insufficient stock to open a group. Available: {available}, required: {required}")]
    InsufficientStock {
        /// Units free.
        available: i64,
        /// Units a group holds.
        required: i64,
    },
    /// Another group took the stock between the check and the hold.
    #[error("Insufficient stock to open a group")]
    StockTaken,
    /// The group was deleted.
    #[error("Group has been deleted")]
    GroupDeleted,
    /// The group's time ran out.
    #[error("Group has expired at: {}", At(*expires_at))]
    GroupExpired {
        /// When it expired.
        expires_at: OffsetDateTime,
    },
    /// Every seat is taken.
    #[error("Group is full. Seats occupied: {occupied}/{total}")]
    GroupFull {
        /// Seats taken.
        occupied: i32,
        /// Seats in total.
        total: i32,
    },
    /// Fewer seats left than asked for.
    #[error("Not enough seats available. Requested: {requested}, Available: {available}")]
    NotEnoughSeats {
        /// Seats asked for.
        requested: i32,
        /// Seats left.
        available: i32,
    },
    /// The group is of another product than the checkout's.
    #[error("Group does not belong to this product")]
    WrongProduct,
    /// The group's locked price is not the session's.
    #[error("Group price differs from the checkout session")]
    SessionPriceDiffers,
    /// The product's group price changed after the session was opened.
    #[error("The group price changed to {0}; create a new checkout session")]
    GroupPriceChanged(Money),
    /// A transfer to the group it comes from.
    #[error("Source and target groups must be different")]
    SameGroup,
    /// The caller holds no ACTIVE seats in the source group (a 404).
    #[error("You are not a participant in the source group")]
    NotParticipant,
    /// More seats than the caller holds.
    #[error("Not enough seats to transfer. You have: {held}, requested: {requested}")]
    NotEnoughSeatsToTransfer {
        /// Seats held.
        held: i32,
        /// Seats asked for.
        requested: i32,
    },
    /// One side of a transfer is not OPEN.
    #[error("Cannot transfer {side} a group with status: {status}")]
    TransferNotOpen {
        /// Which side.
        side: TransferSide,
        /// Its status.
        status: GroupStatus,
    },
    /// The groups sell different products.
    #[error("Cannot transfer between groups with different products")]
    DifferentProducts,
    /// The groups belong to different shops.
    #[error("Cannot transfer between groups from different shops")]
    DifferentShops,
    /// The groups' locked prices differ.
    #[error("Cannot transfer. Price mismatch: {source_price} vs {target_price}")]
    PriceMismatch {
        /// Source price.
        source_price: Money,
        /// Target price.
        target_price: Money,
    },
    /// Someone else than the initiator renames.
    #[error("Only the group initiator can change the group name")]
    NotInitiator,
    /// Renaming a deleted group.
    #[error("Cannot rename deleted group")]
    RenameDeleted,
    /// Renaming a COMPLETED or FAILED group.
    #[error("Cannot rename group with status: {0}")]
    RenameClosed(GroupStatus),
    /// Renaming after expiry.
    #[error("Cannot rename expired group")]
    RenameExpired,
    /// A name outside 3-100 characters.
    #[error("Group name must be between 3 and 100 characters")]
    NameLength,
    /// Another OPEN group has the name.
    #[error("Group name already taken: {0}")]
    NameTaken(String),
    /// Deleting a COMPLETED group.
    #[error("Cannot delete group with status: {0}")]
    DeleteClosed(GroupStatus),
    /// Deleting twice.
    #[error("Group is already deleted")]
    AlreadyDeleted,
    /// An unknown status filter.
    #[error("Invalid status: {0}. Allowed: OPEN, COMPLETED, FAILED, DELETED")]
    InvalidStatus(String),
    /// A checkout of another kind than GROUP_PURCHASE.
    #[error("Unsupported sessionType: {0}. Supported: GROUP_PURCHASE")]
    UnsupportedSessionType(String),
    /// A payment method other than WALLET.
    #[error("Unsupported payment method: {0}. Only WALLET is accepted")]
    UnsupportedPaymentMethod(String),
    /// A transfer of no seats.
    #[error("Quantity must be at least 1")]
    QuantityTooSmall,
    /// The seat update found the group changed after the payment's checks (filled, expired
    /// or closed meanwhile): a retry is decided on the new state.
    #[error("Could not take the seats; retry")]
    SeatsTakenMeanwhile,
    /// The group closed or changed between reading and writing it.
    #[error("The group changed meanwhile; retry")]
    GroupChangedMeanwhile,
    /// A transfer's source group changed between its checks and its write.
    #[error("The source group changed; retry")]
    SourceGroupChanged,
    /// A transfer's target group changed between its checks and its write.
    #[error("The target group changed; retry")]
    TargetGroupChanged,
    /// A session of a batch of payments was paid by another instance meanwhile.
    #[error("A session of the batch was paid elsewhere; retry")]
    PaidElsewhere,
}

impl GroupPurchaseRefusal {
    /// The slug of the refusal's problem type (`https://groupbuy.dev/problems/<kind>`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::GroupBuyingDisabled => "group-buying-disabled",
            Self::ExceedsGroupSize { .. } => "exceeds-group-size",
            Self::CustomerCap { .. } => "customer-cap",
            Self::InsufficientStock { .. } | Self::StockTaken => "insufficient-stock",
            Self::GroupDeleted => "group-deleted",
            Self::GroupExpired { .. } => "group-expired",
            Self::GroupFull { .. } => "group-full",
            Self::NotEnoughSeats { .. } => "not-enough-seats",
            Self::WrongProduct => "wrong-product",
            Self::SessionPriceDiffers | Self::GroupPriceChanged(_) => "price-changed",
            Self::SameGroup => "same-group",
            Self::NotParticipant => "not-participant",
            Self::NotEnoughSeatsToTransfer { .. } => "not-enough-seats-to-transfer",
            Self::TransferNotOpen { .. } => "transfer-not-open",
            Self::DifferentProducts => "different-products",
            Self::DifferentShops => "different-shops",
            Self::PriceMismatch { .. } => "price-mismatch",
            Self::NotInitiator => "not-initiator",
            Self::RenameDeleted | Self::RenameClosed(_) | Self::RenameExpired => "rename-closed",
            Self::NameLength => "name-length",
            Self::NameTaken(_) => "name-taken",
            Self::DeleteClosed(_) | Self::AlreadyDeleted => "delete-closed",
            Self::InvalidStatus(_) => "invalid-status",
            Self::UnsupportedSessionType(_) => "unsupported-session-type",
            Self::UnsupportedPaymentMethod(_) => "unsupported-payment-method",
            Self::QuantityTooSmall => "quantity-too-small",
            Self::SeatsTakenMeanwhile
            | Self::GroupChangedMeanwhile
            | Self::SourceGroupChanged
            | Self::TargetGroupChanged
            | Self::PaidElsewhere => "changed-meanwhile",
        }
    }
}

/// The one conversion into the crate's error: seed 001 answers refusals with 400, except
/// "not a participant", which it answers with 404.
impl From<GroupPurchaseRefusal> for DomainError {
    fn from(r: GroupPurchaseRefusal) -> Self {
        match r {
            GroupPurchaseRefusal::NotParticipant => DomainError::NotFound(r.to_string()),
            // What the store finds changed under contention is a state conflict, retried.
            GroupPurchaseRefusal::SeatsTakenMeanwhile
            | GroupPurchaseRefusal::GroupChangedMeanwhile
            | GroupPurchaseRefusal::SourceGroupChanged
            | GroupPurchaseRefusal::TargetGroupChanged
            | GroupPurchaseRefusal::PaidElsewhere => {
                DomainError::Conflict(Refusal::new(r.kind(), r.to_string()))
            }
            other => DomainError::Rule(Refusal::new(other.kind(), other.to_string())),
        }
    }
}

/// Seed 001's 404 for a group id that does not exist.
pub fn group_not_found(id: impl std::fmt::Display) -> DomainError {
    DomainError::NotFound(format!("Group not found with ID: {id}"))
}

/// Seed 001's 404 for a group code that does not exist.
pub fn group_code_not_found(code: &str) -> DomainError {
    DomainError::NotFound(format!("Group not found with code: {code}"))
}

/// The 404 for a group the caller may not act on (rename, delete): indistinguishable
/// from a missing one.
pub fn group_not_visible() -> DomainError {
    DomainError::NotFound("Group not found".into())
}

/// Seed 001's 404 for a checkout session that does not exist or is not the caller's.
pub fn session_not_found(id: impl std::fmt::Display) -> DomainError {
    DomainError::NotFound(format!("Checkout session not found with ID: {id}"))
}
