//! The JSON shapes of campaign pre-orders: the terms a campaign is created with, a
//! pledger's payment session, and the counts its owner reads.

use crate::envelope::rfc3339;
use groupbuy_domain::campaign::{Preorder, PreorderCounts, PreorderTerms};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Pre-order terms: with them, a signed-in visitor's interest is a pledge, and closing the
/// campaign opens one payment session per pledge.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreorderTermsBody {
    /// Hours a pledger has to pay once the campaign closes (1 to 720).
    #[schema(example = 48, minimum = 1, maximum = 720)]
    pub payment_window_hours: i64,
}

impl From<PreorderTerms> for PreorderTermsBody {
    fn from(t: PreorderTerms) -> Self {
        Self {
            payment_window_hours: t.payment_window_hours(),
        }
    }
}

/// A pre-order's payment session (`sessionType: CAMPAIGN_PREORDER`), paid with
/// `POST /api/v1/checkout-sessions/{sessionId}/process-payment`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreorderSessionView {
    /// Session id.
    pub session_id: Uuid,
    /// Always CAMPAIGN_PREORDER.
    #[schema(value_type = crate::openapi::enums::PreorderSessionType)]
    pub session_type: String,
    /// PENDING_PAYMENT, PAID or EXPIRED.
    #[schema(value_type = crate::openapi::enums::PreorderStatus)]
    pub status: String,
    /// The campaign (group-buy) that closed into it.
    pub group_buy_id: Uuid,
    /// Units pledged.
    pub quantity: i64,
    /// The campaign's unit price when it closed.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub unit_price: Decimal,
    /// What the payment debits: unit price x quantity.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub total_amount: Decimal,
    /// ISO 4217 code of both amounts.
    #[schema(value_type = crate::openapi::enums::Currency)]
    pub currency: String,
    /// When it was opened (the campaign's close; RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When it expires unpaid (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// When it was paid or expired; null while PENDING_PAYMENT.
    #[schema(format = DateTime)]
    pub settled_at: Option<String>,
    /// The order it became, once PAID.
    pub order_id: Option<Uuid>,
    /// The wallet's debit, once PAID.
    pub transaction_id: Option<Uuid>,
}

impl From<Preorder> for PreorderSessionView {
    fn from(p: Preorder) -> Self {
        Self {
            session_id: p.id,
            session_type: "CAMPAIGN_PREORDER".into(),
            status: p.status.as_str().to_owned(),
            group_buy_id: p.group_buy_id,
            quantity: p.quantity,
            unit_price: p.unit_price.to_decimal(),
            total_amount: p.total_amount.to_decimal(),
            currency: p.unit_price.currency().code().to_owned(),
            created_at: rfc3339(p.created_at),
            expires_at: rfc3339(p.expires_at),
            settled_at: p.settled_at.map(rfc3339),
            order_id: p.order_id,
            transaction_id: p.transaction_id,
        }
    }
}

crate::payload!(PreorderSessionView);

/// How a campaign's pre-order sessions stand.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreorderCountsView {
    /// Sessions opened at close: one per signed-in pledge.
    pub pledged: i64,
    /// Still payable.
    pub pending: i64,
    /// Paid: orders of the handle.
    pub paid: i64,
    /// Let expire unpaid.
    pub expired: i64,
}

impl From<PreorderCounts> for PreorderCountsView {
    fn from(c: PreorderCounts) -> Self {
        Self {
            pledged: c.pledged,
            pending: c.pending,
            paid: c.paid,
            expired: c.expired,
        }
    }
}

crate::payload!(PreorderCountsView);
