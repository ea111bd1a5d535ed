//! The JSON shapes of the merchant ledger: a shop's balance and statement lines, a payout,
//! the commission rate, and the platform admin's request bodies.

use crate::envelope::rfc3339;
use groupbuy_domain::ledger::{Payout, ShopBalance, ShopCommission};
use groupbuy_domain::wallet::LedgerEntry;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A shop's commission rate: the one its next completed orders are charged, and where it
/// comes from.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommissionView {
    /// The shop.
    pub shop_id: Uuid,
    /// The rate charged now, in basis points (1/100 of a percent): the shop's own, else
    /// the platform's default.
    #[schema(minimum = 0, maximum = 10000)]
    pub commission_bps: u16,
    /// The shop's own rate, set by a platform admin; null when it takes the default.
    #[schema(minimum = 0, maximum = 10000)]
    pub own_commission_bps: Option<u16>,
    /// The platform's default (`GROUPBUY_COMMISSION_BPS`).
    #[schema(minimum = 0, maximum = 10000)]
    pub default_commission_bps: u16,
}

impl From<ShopCommission> for CommissionView {
    fn from(c: ShopCommission) -> Self {
        Self {
            shop_id: c.shop_id,
            commission_bps: c.effective().bps(),
            own_commission_bps: c.own.map(|r| r.bps()),
            default_commission_bps: c.default.bps(),
        }
    }
}

/// What a shop holds in one currency.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyBalanceView {
    /// What may be paid out now, never negative: completed orders less commission,
    /// cancellations and payouts.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub available: Decimal,
    /// ISO 4217 code.
    #[schema(value_type = crate::openapi::enums::Currency)]
    pub currency: String,
    /// Its last movement (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// A shop's merchant balance.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShopBalanceView {
    /// The shop.
    pub shop_id: Uuid,
    /// One per currency the shop has sold in; empty before its first completed order.
    pub balances: Vec<CurrencyBalanceView>,
    /// The commission its next completed orders are charged.
    pub commission: CommissionView,
}

impl From<ShopBalance> for ShopBalanceView {
    fn from(b: ShopBalance) -> Self {
        Self {
            shop_id: b.commission.shop_id,
            balances: b.balances.into_iter().map(Into::into).collect(),
            commission: b.commission.into(),
        }
    }
}

impl From<groupbuy_domain::ledger::MerchantBalance> for CurrencyBalanceView {
    fn from(m: groupbuy_domain::ledger::MerchantBalance) -> Self {
        Self {
            available: m.available.to_decimal(),
            currency: m.available.currency().code().to_owned(),
            updated_at: rfc3339(m.updated_at),
        }
    }
}

/// One line of a shop's statement.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatementLineView {
    /// The line's id (a payout's id for a PAYOUT).
    pub line_id: Uuid,
    /// Why the balance moved.
    #[schema(value_type = crate::openapi::enums::StatementLineKind)]
    pub kind: String,
    /// Signed amount (out of the balance negative).
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub amount: Decimal,
    /// The balance right after.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub balance_after: Decimal,
    /// ISO 4217 code of the amount and balance.
    #[schema(value_type = crate::openapi::enums::Currency)]
    pub currency: String,
    /// `order:<orderId>` (settlement, commission), `order-cancel:<orderId>` (a
    /// cancellation and its commission back), or the payout's reference.
    pub reference: String,
    /// When the money moved (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<LedgerEntry> for StatementLineView {
    fn from(e: LedgerEntry) -> Self {
        Self {
            line_id: e.id,
            kind: e.kind.as_str().to_owned(),
            amount: e.amount.to_decimal(),
            balance_after: e.balance_after.to_decimal(),
            currency: e.amount.currency().code().to_owned(),
            reference: e.reference,
            created_at: rfc3339(e.created_at),
        }
    }
}

/// A recorded payout.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PayoutView {
    /// The payout's id (its statement line's).
    pub payout_id: Uuid,
    /// The shop paid.
    pub shop_id: Uuid,
    /// What was paid out (positive).
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub amount: Decimal,
    /// ISO 4217 code.
    #[schema(value_type = crate::openapi::enums::Currency)]
    pub currency: String,
    /// The admin's reference (the bank's or the payment provider's).
    pub reference: String,
    /// The shop's balance left.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub balance_after: Decimal,
    /// When it was recorded (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<Payout> for PayoutView {
    fn from(p: Payout) -> Self {
        let e = p.entry;
        Self {
            payout_id: e.id,
            shop_id: p.shop_id,
            amount: e.amount.negated().to_decimal(),
            currency: e.amount.currency().code().to_owned(),
            reference: e.reference,
            balance_after: e.balance_after.to_decimal(),
            created_at: rfc3339(e.created_at),
        }
    }
}

/// Body of `POST /api/v1/platform-admin/shops/{shopId}/payouts`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PayoutRequest {
    /// Amount paid out (> 0, at most the shop's balance).
    #[schema(value_type = crate::openapi::scalars::PositiveMoney)]
    #[serde(deserialize_with = "crate::platform::extract::json_number")]
    pub amount: Decimal,
    /// The bank's or payment provider's reference, 1-200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub reference: String,
    /// Currency (default TZS).
    #[schema(value_type = Option<crate::openapi::enums::Currency>, example = "TZS")]
    pub currency: Option<String>,
}

/// Body of `PUT /api/v1/platform-admin/shops/{shopId}/commission`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CommissionRequest {
    /// The shop's own rate in basis points (0-10000), or null to take the platform's
    /// default again. Required (null is a value).
    #[schema(minimum = 0, maximum = 10000, required = true)]
    #[serde(deserialize_with = "nullable")]
    pub commission_bps: Option<i64>,
}

/// A field that must be present and may be null (serde makes a missing `Option` None
/// unless it is read by a function of its own, as here).
fn nullable<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Option::<i64>::deserialize(d)
}

crate::payload!(
    ShopBalanceView,
    StatementLineView,
    PayoutView,
    CommissionView
);
