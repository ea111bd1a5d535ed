//! The group instance, its participants and their histories.

use super::refusal::GroupPurchaseRefusal;
use crate::error::DomainError;
use crate::money::Money;
use crate::names::closed_set;
use rust_decimal::Decimal;
use time::OffsetDateTime;
use uuid::Uuid;

closed_set! {
    /// Lifecycle of a group instance; its list and names are derived (`strum`).
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    pub enum GroupStatus {
        /// Accepting participants.
        Open,
        /// All seats filled, orders created.
        Completed,
        /// Expired without filling, refunds issued.
        Failed,
        /// Soft deleted (emptied by transfers or by an admin).
        Deleted,
    }
}

impl GroupStatus {
    /// Parses a name; a clear 400 names the allowed values.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        s.parse()
            .map_err(|_| GroupPurchaseRefusal::InvalidStatus(s.to_owned()).into())
    }
}

closed_set! {
    /// Lifecycle of one user's participation in one group; its list and names are derived
    /// (`strum`).
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    pub enum ParticipantStatus {
        /// In the group.
        Active,
        /// Left via transfer.
        TransferredOut,
        /// Group failed or was deleted; money returned.
        Refunded,
    }
}

impl ParticipantStatus {
    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

/// A human-readable group code, `GP-` and six upper-case letters or digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroupCode(String);

impl GroupCode {
    const ALPHABET: &'static [u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// A code from six random bytes (the caller brings the randomness: the domain has none).
    pub fn from_entropy(bytes: [u8; 6]) -> Self {
        let tail: String = bytes
            .iter()
            .map(|b| Self::ALPHABET[usize::from(*b) % Self::ALPHABET.len()] as char)
            .collect();
        Self(format!("GP-{tail}"))
    }

    /// Wraps a stored code.
    pub fn from_stored(code: String) -> Self {
        Self(code)
    }

    /// The code text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One group of N seats for one product at a locked price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupInstance {
    /// Random UUID given when the group opens; never changes.
    pub id: Uuid,
    /// Code such as GP-A3X7K9.
    pub code: GroupCode,
    /// Name, `{code}-{productName}` until the initiator renames it.
    pub name: String,
    /// The product whose seats it sells; transfers only move seats between its groups.
    pub product_id: Uuid,
    /// Shop of the product.
    pub shop_id: Uuid,
    /// User who opened it.
    pub initiator_id: String,
    /// Initiator's display name.
    pub initiator_name: String,
    /// Locked group price per seat.
    pub unit_price: Money,
    /// Regular price when it opened (for savings).
    pub regular_price: Money,
    /// Seats in total.
    pub total_seats: i32,
    /// Seats taken by ACTIVE participants.
    pub seats_occupied: i32,
    /// OPEN until it fills (COMPLETED), expires unfilled (FAILED) or is emptied (DELETED).
    pub status: GroupStatus,
    /// Lifetime in hours when it opened.
    pub duration_hours: Decimal,
    /// Per-customer cap when it opened.
    pub max_per_customer: Option<i32>,
    /// When the initiator's checkout opened it (UTC, from the injected clock).
    pub created_at: OffsetDateTime,
    /// `created_at` plus the product's group time limit; no joins from then on.
    pub expires_at: OffsetDateTime,
    /// When the last seat was taken and it became COMPLETED; `None` until then.
    pub completed_at: Option<OffsetDateTime>,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

impl GroupInstance {
    /// Seats still free.
    pub fn seats_remaining(&self) -> i32 {
        (self.total_seats - self.seats_occupied).max(0)
    }

    /// Whether `now` is at or past the expiry of a group that has not completed.
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        matches!(self.status, GroupStatus::Open | GroupStatus::Failed) && now >= self.expires_at
    }

    /// Whether every seat is taken.
    pub fn is_full(&self) -> bool {
        self.seats_occupied >= self.total_seats
    }
}

/// One user's participation in one group (unique per group and user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    /// Random UUID given when the user first joins this group.
    pub id: Uuid,
    /// The group instance joined ([`GroupInstance::id`]).
    pub group_id: Uuid,
    /// The participating user's id (a token's `sub`).
    pub user_id: String,
    /// User's display name.
    pub user_name: String,
    /// User's picture.
    pub user_picture: Option<String>,
    /// Seats held.
    pub quantity: i32,
    /// Money held for those seats (paid, or moved in with transferred seats).
    pub total_paid: Money,
    /// ACTIVE while in the group; TRANSFERRED_OUT or REFUNDED once the seats have left.
    pub status: ParticipantStatus,
    /// First joined.
    pub joined_at: OffsetDateTime,
    /// Purchases made in this group.
    pub purchase_count: i32,
    /// Whether seats moved in or out by transfer.
    pub has_transferred: bool,
    /// Checkout session that first brought the user in.
    pub checkout_session_id: Option<Uuid>,
}

/// One paid purchase of seats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseRecord {
    /// The participation the seats were bought for ([`Participant::id`]).
    pub participant_id: Uuid,
    /// Checkout session paid.
    pub checkout_session_id: Uuid,
    /// Seats bought in this purchase, not the participant's running total.
    pub quantity: i32,
    /// Amount debited.
    pub amount_paid: Money,
    /// When the session was paid (UTC, from the injected clock).
    pub purchased_at: OffsetDateTime,
    /// Wallet transaction id.
    pub transaction_id: Uuid,
}

/// One transfer of seats between groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRecord {
    /// Random UUID given when the seats are moved.
    pub id: Uuid,
    /// User who moved.
    pub user_id: String,
    /// Source group.
    pub from_group_id: Uuid,
    /// Source code.
    pub from_group_code: String,
    /// Target group.
    pub to_group_id: Uuid,
    /// Target code.
    pub to_group_code: String,
    /// Participant in the source.
    pub from_participant_id: Uuid,
    /// Participant in the target.
    pub to_participant_id: Uuid,
    /// Seats moved.
    pub quantity: i32,
    /// Money moved with them.
    pub amount: Money,
    /// When the seats moved (UTC, from the injected clock).
    pub transferred_at: OffsetDateTime,
    /// `Transferred {n} seats from group {code}`.
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_spec_format() {
        let code = GroupCode::from_entropy([0, 1, 2, 250, 31, 77]);
        assert_eq!(code.as_str().len(), 9);
        assert!(code.as_str().starts_with("GP-"));
        assert!(code.as_str()[3..]
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
    }

    #[test]
    fn status_parse_names_allowed_values() {
        assert_eq!(GroupStatus::parse("OPEN"), Ok(GroupStatus::Open));
        let err = GroupStatus::parse("open").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid status: open. Allowed: OPEN, COMPLETED, FAILED, DELETED"
        );
        assert!(matches!(err, DomainError::Rule(r) if r.kind() == "invalid-status"));
    }
}
