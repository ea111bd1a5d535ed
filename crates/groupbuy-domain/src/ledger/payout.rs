//! Payouts: a platform admin records money sent to a shop, out of its merchant balance.
//! The draft is parsed here (so a handler never re-checks it); the store posts it with the
//! one conditional statement that never takes the balance below zero, whatever runs beside.

use super::events;
use crate::error::DomainError;
use crate::money::{Currency, Money};
use crate::platform::{Audience, DomainEvent};
use crate::wallet::{Account, LedgerEntry, LedgerKind, Posting};
use rust_decimal::Decimal;
use time::OffsetDateTime;
use uuid::Uuid;

/// The longest payout reference (the bank's or the payment provider's).
pub const MAX_REFERENCE_CHARS: usize = 200;

/// A payout as requested, valid by construction: a positive amount and a reference of
/// 1-200 characters (trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutDraft {
    amount: Money,
    reference: String,
}

impl PayoutDraft {
    /// Parses the request's fields; the currency defaults to TZS.
    ///
    /// # Errors
    /// `Validation` on `amount` (not positive, too many decimals, past the bound),
    /// `currency` (unsupported) or `reference` (blank or too long).
    pub fn parse(
        amount: Decimal,
        currency: Option<&str>,
        reference: &str,
    ) -> Result<Self, DomainError> {
        let currency = currency.map_or(Ok(Currency::TZS), Currency::parse)?;
        let amount = Money::positive(amount, currency, "amount")?;
        let reference = reference.trim();
        if reference.is_empty() || reference.chars().count() > MAX_REFERENCE_CHARS {
            return Err(DomainError::invalid(
                "reference",
                format!("reference must be between 1 and {MAX_REFERENCE_CHARS} characters"),
            ));
        }
        Ok(Self {
            amount,
            reference: reference.to_owned(),
        })
    }

    /// What is paid out.
    pub fn amount(&self) -> Money {
        self.amount
    }

    /// The admin's reference.
    pub fn reference(&self) -> &str {
        &self.reference
    }

    /// The one posting of the payout: the amount out of the shop's merchant balance.
    pub fn posting(&self, shop_id: Uuid) -> Posting {
        Posting {
            account: Account::merchant(shop_id),
            kind: LedgerKind::Payout,
            amount: self.amount.negated(),
            reference: self.reference.clone(),
        }
    }
}

/// A recorded payout: its ledger line (whose id is the payout's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
    /// The shop paid.
    pub shop_id: Uuid,
    /// The merchant balance's `PAYOUT` line, as posted (`balance_after` is what is left).
    pub entry: LedgerEntry,
}

impl Payout {
    /// `payout.recorded`, told to the shop's owner.
    pub fn event(&self, to: &Audience, now: OffsetDateTime) -> DomainEvent {
        events::payout_recorded(self, to, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn parses_a_payout_and_posts_it_out_of_the_merchant_balance() {
        let d = PayoutDraft::parse(Decimal::from_str("120.50").expect("d"), None, "  bank 42 ")
            .expect("valid");
        assert_eq!(d.amount(), Money::from_minor(12_050, Currency::TZS));
        assert_eq!(d.reference(), "bank 42");
        let shop = Uuid::new_v4();
        let p = d.posting(shop);
        assert_eq!(p.account, Account::merchant(shop));
        assert_eq!(p.kind, LedgerKind::Payout);
        assert_eq!(p.amount.minor(), -12_050);
    }

    #[test]
    fn refuses_bad_fields_naming_them() {
        let field = |r: Result<PayoutDraft, DomainError>| match r {
            Err(DomainError::Validation { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        let one = Decimal::ONE;
        assert_eq!(
            field(PayoutDraft::parse(Decimal::ZERO, None, "r")),
            "amount"
        );
        assert_eq!(
            field(PayoutDraft::parse(
                Decimal::from_str("0.001").expect("d"),
                None,
                "r"
            )),
            "amount"
        );
        assert_eq!(field(PayoutDraft::parse(one, None, "   ")), "reference");
        assert_eq!(
            field(PayoutDraft::parse(one, None, &"x".repeat(201))),
            "reference"
        );
        assert!(PayoutDraft::parse(one, None, &"é".repeat(200)).is_ok());
        assert!(PayoutDraft::parse(one, Some("XXX"), "r").is_err());
    }
}
