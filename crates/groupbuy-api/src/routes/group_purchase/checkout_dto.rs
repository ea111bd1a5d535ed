//! The JSON shape of checkout sessions.

use crate::envelope::rfc3339;
use groupbuy_domain::group_purchase::CheckoutSession;
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A checkout session.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutSessionView {
    /// Session id.
    pub session_id: Uuid,
    /// Always GROUP_PURCHASE, the only kind of session there is.
    #[schema(value_type = crate::openapi::enums::SessionType)]
    pub session_type: String,
    /// PENDING_PAYMENT or COMPLETED.
    #[schema(value_type = crate::openapi::enums::CheckoutStatus)]
    pub status: String,
    /// The product whose seats are being bought.
    pub product_id: Uuid,
    /// Seats this session pays for (at least 1).
    pub quantity: i32,
    /// Price per seat.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub unit_price: Decimal,
    /// Amount to pay.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub total_amount: Decimal,
    /// ISO 4217 code of both amounts: the product's currency.
    #[schema(value_type = crate::openapi::enums::Currency)]
    pub currency: String,
    /// Group joined or created.
    pub group_instance_id: Option<Uuid>,
    /// Its code, once paid.
    pub group_code: Option<String>,
    /// Wallet transaction, once paid.
    pub transaction_id: Option<Uuid>,
    /// When the session was created (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When it was paid (RFC 3339, UTC); null while PENDING_PAYMENT.
    #[schema(format = DateTime)]
    pub completed_at: Option<String>,
}

impl From<CheckoutSession> for CheckoutSessionView {
    fn from(s: CheckoutSession) -> Self {
        Self {
            session_id: s.id,
            session_type: "GROUP_PURCHASE".into(),
            status: s.status.as_str().to_owned(),
            product_id: s.product_id,
            quantity: s.quantity,
            unit_price: s.unit_price.to_decimal(),
            total_amount: s.total_amount.to_decimal(),
            currency: s.unit_price.currency().code().to_owned(),
            group_instance_id: s.group_instance_id,
            group_code: s.group_code,
            transaction_id: s.transaction_id,
            created_at: rfc3339(s.created_at),
            completed_at: s.completed_at.map(rfc3339),
        }
    }
}

/// Any checkout session: a group purchase's (`sessionType: GROUP_PURCHASE`) or a campaign
/// pre-order's (`sessionType: CAMPAIGN_PREORDER`); `sessionType` tells them apart.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum AnySessionView {
    /// A group purchase's session.
    GroupPurchase(CheckoutSessionView),
    /// A campaign pre-order's payment session.
    CampaignPreorder(crate::routes::campaign::preorder_dto::PreorderSessionView),
}

crate::payload!(CheckoutSessionView, AnySessionView);
