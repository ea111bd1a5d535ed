//! The JSON shapes of orders: the one view the buyer and the merchant read, and the
//! merchant's request bodies.

use crate::envelope::rfc3339;
use groupbuy_domain::order::{Order, OrderOrigin};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// An order.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderView {
    /// Order id.
    pub order_id: Uuid,
    /// GROUP (a completed group: the group fields and `shopId` are set) or
    /// CAMPAIGN_PREORDER (a paid pre-order: `groupBuyId`, `handle` and `preorderId` are set).
    #[schema(value_type = crate::openapi::enums::OrderSource)]
    pub source: String,
    /// The group instance that completed and produced the order; null for a pre-order.
    pub group_instance_id: Option<Uuid>,
    /// Group code; null for a pre-order.
    pub group_code: Option<String>,
    /// The product the group sold; null for a pre-order.
    pub product_id: Option<Uuid>,
    /// The campaign (group-buy) a pre-order was pledged in; null for a group's order.
    pub group_buy_id: Option<Uuid>,
    /// The handle that sells a pre-order; null for a group's order.
    pub handle: Option<String>,
    /// The pre-order's payment session; null for a group's order.
    pub preorder_id: Option<Uuid>,
    /// Seats the participant held when the group completed, or the units pledged.
    pub quantity: i32,
    /// Price per unit.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub unit_price: Decimal,
    /// The money held for those seats: what was paid, adjusted by any transfers.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub total_amount: Decimal,
    /// ISO 4217 code of both amounts: the product's currency.
    #[schema(value_type = crate::openapi::enums::Currency)]
    pub currency: String,
    /// CONFIRMED when its group completed; then SHIPPED and DELIVERED, or CANCELLED
    /// (refunded) by the shop's merchant.
    #[schema(value_type = crate::openapi::enums::OrderStatus)]
    pub status: String,
    /// When the group completed and the order was created (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// The shop that ships it; null for a pre-order (its handle ships it).
    pub shop_id: Option<Uuid>,
    /// The buyer.
    pub user_id: String,
    /// Who carries it; null until SHIPPED.
    pub carrier: Option<String>,
    /// The carrier's tracking number; null until SHIPPED.
    pub tracking_number: Option<String>,
    /// When it was shipped (RFC 3339, UTC); null until then.
    #[schema(format = DateTime)]
    pub shipped_at: Option<String>,
    /// When it was delivered (RFC 3339, UTC); null until then.
    #[schema(format = DateTime)]
    pub delivered_at: Option<String>,
    /// When it was cancelled (RFC 3339, UTC); null unless CANCELLED.
    #[schema(format = DateTime)]
    pub cancelled_at: Option<String>,
    /// The merchant's reason for cancelling; null unless CANCELLED.
    pub cancel_reason: Option<String>,
}

impl From<Order> for OrderView {
    fn from(o: Order) -> Self {
        Self {
            order_id: o.id,
            source: o.origin.source().as_str().to_owned(),
            group_instance_id: o.origin.group_instance_id(),
            group_code: o.origin.group_code().map(str::to_owned),
            product_id: o.origin.product_id(),
            group_buy_id: o.origin.group_buy_id(),
            handle: o.origin.handle().map(|h| h.as_str().to_owned()),
            preorder_id: match &o.origin {
                OrderOrigin::Preorder { preorder_id, .. } => Some(*preorder_id),
                OrderOrigin::Group { .. } => None,
            },
            quantity: o.quantity,
            unit_price: o.unit_price.to_decimal(),
            total_amount: o.total_amount.to_decimal(),
            currency: o.unit_price.currency().code().to_owned(),
            status: o.status.as_str().to_owned(),
            created_at: rfc3339(o.created_at),
            shop_id: o.origin.shop_id(),
            user_id: o.user_id,
            carrier: o.carrier,
            tracking_number: o.tracking_number,
            shipped_at: o.shipped_at.map(rfc3339),
            delivered_at: o.delivered_at.map(rfc3339),
            cancelled_at: o.cancelled_at.map(rfc3339),
            cancel_reason: o.cancel_reason,
        }
    }
}

/// Parameters of a shop's order list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShopOrdersQuery {
    /// Only this status (CONFIRMED, SHIPPED, DELIVERED, CANCELLED); all when absent.
    #[param(value_type = Option<crate::openapi::enums::OrderStatus>)]
    pub status: Option<String>,
    /// Cursor from the previous page.
    #[param(pattern = "^[0-9]{0,18}$")]
    #[serde(default, deserialize_with = "crate::platform::extract::cursor")]
    pub cursor: Option<String>,
    /// Page size, 1-100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// Body of `POST /api/v1/orders/{orderId}/ship`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShipRequest {
    /// Who carries the parcel, 1-100 characters (trimmed).
    #[schema(
        example = "DHL Express",
        min_length = 1,
        max_length = 100,
        pattern = r"\S"
    )]
    pub carrier: String,
    /// The carrier's tracking number, 1-100 characters (trimmed).
    #[schema(
        example = "1Z999AA10123456784",
        min_length = 1,
        max_length = 100,
        pattern = r"\S"
    )]
    pub tracking_number: String,
}

/// Body of `POST /api/v1/orders/{orderId}/cancel`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelRequest {
    /// Why the order is cancelled, 1-500 characters (trimmed); the buyer sees it.
    #[schema(
        example = "Out of stock",
        min_length = 1,
        max_length = 500,
        pattern = r"\S"
    )]
    pub reason: String,
}

crate::payload!(OrderView);
