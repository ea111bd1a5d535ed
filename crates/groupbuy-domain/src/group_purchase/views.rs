//! Read models: a group with its product, shop and participants.

use super::instance::{
    GroupInstance, Participant, ParticipantStatus, PurchaseRecord, TransferRecord,
};
use crate::money::percentage;
use rust_decimal::Decimal;

/// A participant with its histories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantDetail {
    /// The participation.
    pub participant: Participant,
    /// Purchases, oldest first.
    pub purchases: Vec<PurchaseRecord>,
    /// Transfers in and out, oldest first.
    pub transfers: Vec<TransferRecord>,
}

/// A group with what its views show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupDetail {
    /// The group.
    pub group: GroupInstance,
    /// Product name.
    pub product_name: String,
    /// Product image.
    pub product_image: Option<String>,
    /// Shop name.
    pub shop_name: String,
    /// Shop logo.
    pub shop_logo: Option<String>,
    /// Every participant (any status), in join order.
    pub participants: Vec<ParticipantDetail>,
}

impl GroupDetail {
    /// Participants still in the group.
    pub fn active(&self) -> impl Iterator<Item = &ParticipantDetail> {
        self.participants
            .iter()
            .filter(|p| p.participant.status == ParticipantStatus::Active)
    }

    /// Unique ACTIVE participants.
    pub fn total_participants(&self) -> usize {
        self.active().count()
    }

    /// The ACTIVE participation of `user_id`, if any.
    pub fn member(&self, user_id: &str) -> Option<&ParticipantDetail> {
        self.active().find(|p| p.participant.user_id == user_id)
    }

    /// seatsOccupied / totalSeats x 100, two decimals.
    pub fn progress_percentage(&self) -> Decimal {
        percentage(
            Decimal::from(self.group.seats_occupied),
            Decimal::from(self.group.total_seats),
        )
    }

    /// A participant's quantity / seatsOccupied x 100, two decimals.
    pub fn contribution_percentage(&self, quantity: i32) -> Decimal {
        percentage(
            Decimal::from(quantity),
            Decimal::from(self.group.seats_occupied),
        )
    }

    /// regularPrice - groupPrice.
    pub fn savings_amount(&self) -> Decimal {
        self.group.regular_price.to_decimal() - self.group.unit_price.to_decimal()
    }

    /// savingsAmount / regularPrice x 100, two decimals.
    pub fn savings_percentage(&self) -> Decimal {
        percentage(self.savings_amount(), self.group.regular_price.to_decimal())
    }
}
