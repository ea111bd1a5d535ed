//! Checkout sessions: what the shopper pays.

use super::refusal::GroupPurchaseRefusal;
use crate::error::DomainError;
use crate::money::Money;
use crate::names::closed_set;
use time::OffsetDateTime;
use uuid::Uuid;

closed_set! {
    /// Lifecycle of a checkout session; its list and names are derived (`strum`).
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    pub enum CheckoutStatus {
        /// Created, not paid.
        PendingPayment,
        /// Paid; the group was created or joined.
        Completed,
    }
}

impl CheckoutStatus {
    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

/// A validated request to buy group seats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutRequest {
    /// Product.
    pub product_id: Uuid,
    /// Seats.
    pub quantity: i32,
    /// Group to join; none opens a new group.
    pub group_instance_id: Option<Uuid>,
}

impl CheckoutRequest {
    /// Validates the session type and the quantity.
    pub fn parse(
        session_type: &str,
        product_id: Uuid,
        quantity: i64,
        group_instance_id: Option<Uuid>,
    ) -> Result<Self, DomainError> {
        if session_type != "GROUP_PURCHASE" {
            return Err(
                GroupPurchaseRefusal::UnsupportedSessionType(session_type.to_owned()).into(),
            );
        }
        let quantity = i32::try_from(quantity)
            .ok()
            .filter(|q| *q >= 1)
            .ok_or_else(|| DomainError::invalid("quantity", "quantity must be at least 1"))?;
        Ok(Self {
            product_id,
            quantity,
            group_instance_id,
        })
    }
}

/// A checkout session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutSession {
    /// Id.
    pub id: Uuid,
    /// Buyer.
    pub user_id: String,
    /// Product.
    pub product_id: Uuid,
    /// Seats.
    pub quantity: i32,
    /// Price per seat agreed at creation.
    pub unit_price: Money,
    /// quantity x unit price.
    pub total_amount: Money,
    /// Lifecycle.
    pub status: CheckoutStatus,
    /// Group joined (requested or, after payment, created).
    pub group_instance_id: Option<Uuid>,
    /// Whether the buyer asked to join an existing group.
    pub joins_existing: bool,
    /// Code of the resulting group.
    pub group_code: Option<String>,
    /// Wallet transaction id, once paid.
    pub transaction_id: Option<Uuid>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Paid.
    pub completed_at: Option<OffsetDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_group_purchase_sessions_with_positive_quantity() {
        let p = Uuid::nil();
        assert!(CheckoutRequest::parse("GROUP_PURCHASE", p, 1, None).is_ok());
        assert!(matches!(
            CheckoutRequest::parse("REGULAR", p, 1, None),
            Err(DomainError::Rule(_))
        ));
        assert!(matches!(
            CheckoutRequest::parse("GROUP_PURCHASE", p, 0, None),
            Err(DomainError::Validation { .. })
        ));
        assert!(
            CheckoutRequest::parse("GROUP_PURCHASE", p, i64::from(i32::MAX) + 1, None).is_err()
        );
    }
}
