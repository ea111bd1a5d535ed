//! The JSON shapes of seed 001, built from the read models.

use crate::envelope::rfc3339;
use groupbuy_domain::group_purchase::{
    GroupDetail, ParticipantDetail, PurchaseRecord, TransferRecord,
};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A participant preview in group lists.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantPreview {
    /// User id.
    pub user_id: String,
    /// Display name from the token's `name` claim, or the user id when it has none.
    pub user_name: String,
    /// Profile picture URL.
    pub user_profile_picture: Option<String>,
    /// Seats held.
    pub quantity: i32,
    /// quantity / seatsOccupied x 100.
    #[schema(value_type = f64, example = 50.00)]
    pub contribution_percentage: Decimal,
}

/// A group in lists (available groups, my groups).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupSummary {
    /// Group id.
    pub group_instance_id: Uuid,
    /// Code such as GP-A3X7K9.
    pub group_code: String,
    /// Group name.
    pub group_name: String,
    /// Product name.
    pub product_name: String,
    /// Product image.
    pub product_image: Option<String>,
    /// Shop name.
    pub shop_name: String,
    /// Locked group price per seat.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub group_price: Decimal,
    /// Percentage saved vs the regular price.
    #[schema(value_type = f64, example = 46.67)]
    pub savings_percentage: Decimal,
    /// ISO 4217 code of the price: the product's currency.
    #[schema(value_type = crate::openapi::enums::Currency)]
    pub currency: String,
    /// Seats in total.
    pub total_seats: i32,
    /// Seats filled.
    pub seats_occupied: i32,
    /// Seats left.
    pub seats_remaining: i32,
    /// Unique ACTIVE participants.
    pub total_participants: usize,
    /// seatsOccupied / totalSeats x 100.
    #[schema(value_type = f64, example = 40.00)]
    pub progress_percentage: Decimal,
    /// OPEN, COMPLETED, FAILED or DELETED.
    #[schema(value_type = crate::openapi::enums::GroupStatus)]
    pub status: String,
    /// When the group stops taking seats (RFC 3339, UTC); FAILED if not full by then.
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// Whether it is past expiry (computed now).
    pub is_expired: bool,
    /// Whether the caller holds seats in it.
    pub is_user_member: bool,
    /// ACTIVE participants.
    pub participants: Vec<ParticipantPreview>,
}

/// One purchase.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PurchaseView {
    /// Checkout session.
    pub checkout_session_id: Uuid,
    /// Seats bought in this purchase, not the running total.
    pub quantity: i32,
    /// Amount paid.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub amount_paid: Decimal,
    /// When the purchase was paid (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub purchased_at: String,
    /// Wallet transaction id.
    pub transaction_id: Uuid,
}

/// One transfer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransferView {
    /// Source group.
    pub from_group_id: Uuid,
    /// Source code.
    pub from_group_code: Option<String>,
    /// Target group.
    pub to_group_id: Uuid,
    /// Target code.
    pub to_group_code: Option<String>,
    /// Seats moved.
    pub quantity: i32,
    /// When the seats moved (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub transferred_at: String,
    /// `Transferred 2 seats from group GP-A3X7K9`.
    pub reason: String,
}

/// A participant in the group detail; histories only for their owner.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantView {
    /// Participant id.
    pub participant_id: Uuid,
    /// User id.
    pub user_id: String,
    /// Display name from the token's `name` claim, or the user id when it has none.
    pub user_name: String,
    /// Profile picture.
    pub user_profile_picture: Option<String>,
    /// Seats held.
    pub quantity: i32,
    /// Money held for the seats.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub total_paid: Decimal,
    /// ACTIVE, TRANSFERRED_OUT or REFUNDED.
    #[schema(value_type = crate::openapi::enums::ParticipantStatus)]
    pub status: String,
    /// When the user first joined this group (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub joined_at: String,
    /// quantity / seatsOccupied x 100.
    #[schema(value_type = f64)]
    pub contribution_percentage: Decimal,
    /// Purchases made.
    pub purchase_count: i32,
    /// Whether seats moved by transfer.
    pub has_transferred: bool,
    /// Purchases (owner only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purchase_history: Option<Vec<PurchaseView>>,
    /// Transfers (owner only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer_history: Option<Vec<TransferView>>,
}

/// A group in full.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupView {
    /// Group id.
    pub group_instance_id: Uuid,
    /// Human-readable code: `GP-` and six upper-case letters or digits.
    pub group_code: String,
    /// `{groupCode}-{productName}` until the initiator renames it.
    pub group_name: String,
    /// The product whose seats the group sells.
    pub product_id: Uuid,
    /// Product name.
    pub product_name: String,
    /// Product image.
    pub product_image: Option<String>,
    /// The shop selling the product.
    pub shop_id: Uuid,
    /// Shop name.
    pub shop_name: String,
    /// Shop logo.
    pub shop_logo: Option<String>,
    /// Regular price.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub regular_price: Decimal,
    /// Locked group price.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub group_price: Decimal,
    /// regularPrice - groupPrice.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub savings_amount: Decimal,
    /// savingsAmount / regularPrice x 100.
    #[schema(value_type = f64)]
    pub savings_percentage: Decimal,
    /// ISO 4217 code of every price: the product's currency.
    #[schema(value_type = crate::openapi::enums::Currency)]
    pub currency: String,
    /// Seats in total.
    pub total_seats: i32,
    /// Seats filled.
    pub seats_occupied: i32,
    /// Seats left.
    pub seats_remaining: i32,
    /// Unique ACTIVE participants.
    pub total_participants: usize,
    /// seatsOccupied / totalSeats x 100, two decimals.
    #[schema(value_type = f64)]
    pub progress_percentage: Decimal,
    /// OPEN, COMPLETED, FAILED or DELETED.
    #[schema(value_type = crate::openapi::enums::GroupStatus)]
    pub status: String,
    /// Past expiry now.
    pub is_expired: bool,
    /// All seats filled.
    pub is_full: bool,
    /// User id of whoever opened the group; only they may rename it.
    pub initiator_id: String,
    /// Initiator's username.
    pub initiator_name: String,
    /// Lifetime in hours.
    #[schema(value_type = f64)]
    pub duration_hours: Decimal,
    /// When the first payment opened it (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// createdAt plus the product's time limit (durationHours); no joins from then on.
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// When the last seat was taken; null unless COMPLETED.
    #[schema(format = DateTime)]
    pub completed_at: Option<String>,
    /// Last change.
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Per-customer cap.
    pub max_per_customer: Option<i32>,
    /// Caller holds seats.
    pub is_user_member: bool,
    /// Caller's participant id.
    pub my_participant_id: Option<Uuid>,
    /// Caller's seats.
    pub my_quantity: Option<i32>,
    /// Every participant.
    pub participants: Vec<ParticipantView>,
}

/// A participation with its histories (my participations, transfer result).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParticipationView {
    /// Participant id.
    pub participant_id: Uuid,
    /// The group instance this participation is in.
    pub group_instance_id: Uuid,
    /// User id.
    pub user_id: String,
    /// Display name from the token's `name` claim, or the user id when it has none.
    pub user_name: String,
    /// Profile picture.
    pub user_profile_picture: Option<String>,
    /// Seats the user holds in the group now (0 once all were transferred out).
    pub quantity: i32,
    /// Money held for the seats.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub total_paid: Decimal,
    /// ACTIVE, TRANSFERRED_OUT or REFUNDED.
    #[schema(value_type = crate::openapi::enums::ParticipantStatus)]
    pub status: String,
    /// When the user first joined this group (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub joined_at: String,
    /// Purchases made.
    pub purchase_count: i32,
    /// Moved by transfer.
    pub has_transferred: bool,
    /// First checkout session.
    pub checkout_session_id: Option<Uuid>,
    /// The user's paid purchases in this group, oldest first.
    pub purchase_history: Vec<PurchaseView>,
    /// The user's transfers of seats into or out of this group, oldest first.
    pub transfer_history: Vec<TransferView>,
}

/// The rename result.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RenamedGroupView {
    /// Group id.
    pub group_instance_id: Uuid,
    /// Human-readable code: `GP-` and six upper-case letters or digits.
    pub group_code: String,
    /// New name.
    pub group_name: String,
    /// Product name.
    pub product_name: String,
    /// Product image.
    pub product_image: Option<String>,
    /// Regular price.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub regular_price: Decimal,
    /// Group price.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub group_price: Decimal,
    /// Seats in total.
    pub total_seats: i32,
    /// Seats taken by ACTIVE participants.
    pub seats_occupied: i32,
    /// Seats still free.
    pub seats_remaining: i32,
    /// Unique ACTIVE participants.
    pub total_participants: usize,
    /// Always OPEN: only an OPEN, unexpired group can be renamed.
    #[schema(value_type = crate::openapi::enums::GroupStatus)]
    pub status: String,
    /// When the first payment opened it (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// createdAt plus the product's time limit (durationHours); no joins from then on.
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// When the rename happened (RFC 3339, UTC): the group's last change.
    #[schema(format = DateTime)]
    pub updated_at: String,
}

fn purchase(p: &PurchaseRecord) -> PurchaseView {
    PurchaseView {
        checkout_session_id: p.checkout_session_id,
        quantity: p.quantity,
        amount_paid: p.amount_paid.to_decimal(),
        purchased_at: rfc3339(p.purchased_at),
        transaction_id: p.transaction_id,
    }
}

fn transfer(t: &TransferRecord) -> TransferView {
    TransferView {
        from_group_id: t.from_group_id,
        from_group_code: Some(t.from_group_code.clone()),
        to_group_id: t.to_group_id,
        to_group_code: Some(t.to_group_code.clone()),
        quantity: t.quantity,
        transferred_at: rfc3339(t.transferred_at),
        reason: t.reason.clone(),
    }
}

impl GroupSummary {
    /// The list shape of a group for `viewer` at `now`.
    pub fn of(d: &GroupDetail, viewer: Option<&str>, now: time::OffsetDateTime) -> Self {
        let g = &d.group;
        Self {
            group_instance_id: g.id,
            group_code: g.code.as_str().to_owned(),
            group_name: g.name.clone(),
            product_name: d.product_name.clone(),
            product_image: d.product_image.clone(),
            shop_name: d.shop_name.clone(),
            group_price: g.unit_price.to_decimal(),
            savings_percentage: d.savings_percentage(),
            currency: g.unit_price.currency().code().to_owned(),
            total_seats: g.total_seats,
            seats_occupied: g.seats_occupied,
            seats_remaining: g.seats_remaining(),
            total_participants: d.total_participants(),
            progress_percentage: d.progress_percentage(),
            status: g.status.as_str().to_owned(),
            expires_at: rfc3339(g.expires_at),
            is_expired: g.is_expired(now),
            is_user_member: viewer.is_some_and(|v| d.member(v).is_some()),
            participants: d
                .active()
                .map(|p| ParticipantPreview {
                    user_id: p.participant.user_id.clone(),
                    user_name: p.participant.user_name.clone(),
                    user_profile_picture: p.participant.user_picture.clone(),
                    quantity: p.participant.quantity,
                    contribution_percentage: d.contribution_percentage(p.participant.quantity),
                })
                .collect(),
        }
    }
}

impl GroupView {
    /// The detail shape of a group for `viewer` at `now`; histories only for the viewer's own.
    pub fn of(d: &GroupDetail, viewer: &str, now: time::OffsetDateTime) -> Self {
        let g = &d.group;
        let me = d.member(viewer);
        Self {
            group_instance_id: g.id,
            group_code: g.code.as_str().to_owned(),
            group_name: g.name.clone(),
            product_id: g.product_id,
            product_name: d.product_name.clone(),
            product_image: d.product_image.clone(),
            shop_id: g.shop_id,
            shop_name: d.shop_name.clone(),
            shop_logo: d.shop_logo.clone(),
            regular_price: g.regular_price.to_decimal(),
            group_price: g.unit_price.to_decimal(),
            savings_amount: d.savings_amount(),
            savings_percentage: d.savings_percentage(),
            currency: g.unit_price.currency().code().to_owned(),
            total_seats: g.total_seats,
            seats_occupied: g.seats_occupied,
            seats_remaining: g.seats_remaining(),
            total_participants: d.total_participants(),
            progress_percentage: d.progress_percentage(),
            status: g.status.as_str().to_owned(),
            is_expired: g.is_expired(now),
            is_full: g.is_full(),
            initiator_id: g.initiator_id.clone(),
            initiator_name: g.initiator_name.clone(),
            duration_hours: g.duration_hours,
            created_at: rfc3339(g.created_at),
            expires_at: rfc3339(g.expires_at),
            completed_at: g.completed_at.map(rfc3339),
            updated_at: rfc3339(g.updated_at),
            max_per_customer: g.max_per_customer,
            is_user_member: me.is_some(),
            my_participant_id: me.map(|p| p.participant.id),
            my_quantity: me.map(|p| p.participant.quantity),
            participants: d
                .participants
                .iter()
                .map(|p| {
                    let own = p.participant.user_id == viewer;
                    ParticipantView {
                        participant_id: p.participant.id,
                        user_id: p.participant.user_id.clone(),
                        user_name: p.participant.user_name.clone(),
                        user_profile_picture: p.participant.user_picture.clone(),
                        quantity: p.participant.quantity,
                        total_paid: p.participant.total_paid.to_decimal(),
                        status: p.participant.status.as_str().to_owned(),
                        joined_at: rfc3339(p.participant.joined_at),
                        contribution_percentage: d.contribution_percentage(p.participant.quantity),
                        purchase_count: p.participant.purchase_count,
                        has_transferred: p.participant.has_transferred,
                        purchase_history: own.then(|| p.purchases.iter().map(purchase).collect()),
                        transfer_history: own.then(|| p.transfers.iter().map(transfer).collect()),
                    }
                })
                .collect(),
        }
    }
}

impl From<&ParticipantDetail> for ParticipationView {
    fn from(p: &ParticipantDetail) -> Self {
        let x = &p.participant;
        Self {
            participant_id: x.id,
            group_instance_id: x.group_id,
            user_id: x.user_id.clone(),
            user_name: x.user_name.clone(),
            user_profile_picture: x.user_picture.clone(),
            quantity: x.quantity,
            total_paid: x.total_paid.to_decimal(),
            status: x.status.as_str().to_owned(),
            joined_at: rfc3339(x.joined_at),
            purchase_count: x.purchase_count,
            has_transferred: x.has_transferred,
            checkout_session_id: x.checkout_session_id,
            purchase_history: p.purchases.iter().map(purchase).collect(),
            transfer_history: p.transfers.iter().map(transfer).collect(),
        }
    }
}

impl From<&GroupDetail> for RenamedGroupView {
    fn from(d: &GroupDetail) -> Self {
        let g = &d.group;
        Self {
            group_instance_id: g.id,
            group_code: g.code.as_str().to_owned(),
            group_name: g.name.clone(),
            product_name: d.product_name.clone(),
            product_image: d.product_image.clone(),
            regular_price: g.regular_price.to_decimal(),
            group_price: g.unit_price.to_decimal(),
            total_seats: g.total_seats,
            seats_occupied: g.seats_occupied,
            seats_remaining: g.seats_remaining(),
            total_participants: d.total_participants(),
            status: g.status.as_str().to_owned(),
            created_at: rfc3339(g.created_at),
            expires_at: rfc3339(g.expires_at),
            updated_at: rfc3339(g.updated_at),
        }
    }
}

crate::payload!(GroupSummary, GroupView, ParticipationView, RenamedGroupView);
