//! The JSON shapes of checkout sessions and orders.

use crate::envelope::rfc3339;
use groupbuy_domain::group_purchase::{CheckoutSession, Order};
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

/// An order.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderView {
    /// Order id.
    pub order_id: Uuid,
    /// The group instance that completed and produced the order.
    pub group_instance_id: Uuid,
    /// Group code.
    pub group_code: String,
    /// The product the group sold.
    pub product_id: Uuid,
    /// Seats the participant held when the group completed.
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
    /// Always CONFIRMED: an order exists only once its group completed.
    #[schema(value_type = crate::openapi::enums::OrderStatus)]
    pub status: String,
    /// When the group completed and the order was created (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// A page of orders (documented as `PageView_OrderView`).
#[derive(Debug, Serialize)]
pub struct OrderPage {
    /// Orders, newest first.
    pub items: Vec<OrderView>,
    /// Next page cursor.
    pub next_cursor: Option<String>,
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

impl From<Order> for OrderView {
    fn from(o: Order) -> Self {
        Self {
            order_id: o.id,
            group_instance_id: o.group_instance_id,
            group_code: o.group_code,
            product_id: o.product_id,
            quantity: o.quantity,
            unit_price: o.unit_price.to_decimal(),
            total_amount: o.total_amount.to_decimal(),
            currency: o.unit_price.currency().code().to_owned(),
            status: o.status,
            created_at: rfc3339(o.created_at),
        }
    }
}

crate::payload!(CheckoutSessionView, OrderView);
