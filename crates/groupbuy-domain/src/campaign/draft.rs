//! A new group-buy's fields parsed into a draft, and a draft's edit: one validation for
//! both, so an edit can never make a draft that creation would refuse.

use super::group_buy::{GroupBuy, GroupBuyStatus, Thresholds};
use super::handle::{Handle, Slug};
use super::preorder::PreorderTerms;
use super::refusal::CampaignRefusal;
use crate::error::DomainError;
use crate::money::{Currency, Money};
use rust_decimal::Decimal;
use time::OffsetDateTime;
use uuid::Uuid;

/// The raw fields of a new group-buy, as a client sent them.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupBuyFields {
    /// Slug as sent; parsing requires 3 to 40 characters of a-z, 0-9 and -.
    pub slug: String,
    /// Title as sent; parsing trims it and requires 1 to 200 characters.
    pub title: String,
    /// Free text as sent; absent means empty, at most 10000 characters.
    pub description: Option<String>,
    /// Unit price in major units.
    pub unit_price: Decimal,
    /// Currency code (default TZS).
    pub currency: Option<String>,
    /// Minimum participants.
    pub min_participants: Option<i64>,
    /// Minimum quantity.
    pub min_quantity: Option<i64>,
    /// Cap on total quantity.
    pub max_quantity: Option<i64>,
    /// Close time.
    pub closes_at: OffsetDateTime,
    /// `preorder.paymentWindowHours`, when the campaign takes pre-orders.
    pub preorder_window_hours: Option<i64>,
}

/// A validated new group-buy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupBuyDraft {
    /// URL name, unique among its handle's group-buys (the store enforces that).
    pub slug: Slug,
    /// Trimmed title, 1-200 characters.
    pub title: String,
    /// Description, up to 10000 characters.
    pub description: String,
    /// Unit price (> 0).
    pub unit_price: Money,
    /// Close conditions: at least one of minimum participants and minimum quantity.
    pub thresholds: Thresholds,
    /// Cap (>= 1 and >= minQuantity).
    pub max_quantity: Option<i64>,
    /// Close time (in the future at creation).
    pub closes_at: OffsetDateTime,
    /// Pre-order terms, when the campaign takes pre-orders.
    pub preorder: Option<PreorderTerms>,
}

impl GroupBuyDraft {
    /// Parses the fields of a new group-buy at `now`.
    pub fn parse(f: GroupBuyFields, now: OffsetDateTime) -> Result<Self, DomainError> {
        let slug = Slug::parse(&f.slug)?;
        let title = f.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(DomainError::invalid(
                "title",
                "title must be between 1 and 200 characters",
            ));
        }
        let description = f.description.unwrap_or_default();
        if description.chars().count() > 10_000 {
            return Err(DomainError::invalid(
                "description",
                "description must be at most 10000 characters",
            ));
        }
        let currency = match f.currency {
            Some(c) => Currency::parse(&c)?,
            None => Currency::TZS,
        };
        let unit_price = Money::positive(f.unit_price, currency, "unitPrice")?;
        let thresholds = Thresholds::parse(f.min_participants, f.min_quantity)?;
        if let Some(max) = f.max_quantity {
            if max < 1 {
                return Err(DomainError::invalid(
                    "maxQuantity",
                    "maxQuantity must be at least 1",
                ));
            }
            if thresholds.min_quantity().is_some_and(|min| min > max) {
                return Err(DomainError::invalid(
                    "maxQuantity",
                    "maxQuantity must be at least thresholds.minQuantity",
                ));
            }
        }
        if f.closes_at <= now {
            return Err(DomainError::invalid(
                "closesAt",
                "closesAt must be in the future",
            ));
        }
        let preorder = f
            .preorder_window_hours
            .map(PreorderTerms::parse)
            .transpose()?;
        Ok(Self {
            slug,
            title: title.to_owned(),
            description,
            unit_price,
            thresholds,
            max_quantity: f.max_quantity,
            closes_at: f.closes_at,
            preorder,
        })
    }

    /// The DRAFT group-buy this creates under `handle`.
    pub fn into_group_buy(self, id: Uuid, handle: Handle, now: OffsetDateTime) -> GroupBuy {
        GroupBuy {
            id,
            handle,
            slug: self.slug,
            title: self.title,
            description: self.description,
            unit_price: self.unit_price,
            thresholds: self.thresholds,
            max_quantity: self.max_quantity,
            closes_at: self.closes_at,
            status: GroupBuyStatus::Draft,
            participants: 0,
            quantity: 0,
            created_at: now,
            published_at: None,
            paused_at: None,
            closed_at: None,
            updated_at: now,
            threshold_reached_at: None,
            preorder: self.preorder,
        }
    }
}

/// The changes to a DRAFT group-buy, as a client sent them: each `None` keeps the field;
/// `Some(None)` removes an optional one (a threshold, the quantity cap).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupBuyEdit {
    /// New title (trimmed, 1-200 characters).
    pub title: Option<String>,
    /// New description (up to 10000 characters).
    pub description: Option<String>,
    /// New unit price, in the new or the current currency.
    pub unit_price: Option<Decimal>,
    /// New currency code.
    pub currency: Option<String>,
    /// New minimum participants, or none.
    pub min_participants: Option<Option<i64>>,
    /// New minimum quantity, or none.
    pub min_quantity: Option<Option<i64>>,
    /// New quantity cap, or none.
    pub max_quantity: Option<Option<i64>>,
    /// New close time (in the future).
    pub closes_at: Option<OffsetDateTime>,
}

impl GroupBuy {
    /// This DRAFT with `edit` applied at `now`. The result is validated exactly as a new
    /// group-buy is (the same [`GroupBuyDraft::parse`]), so an edit can never make a draft
    /// that creation would refuse; a draft whose `closesAt` passed needs a new one. Only a
    /// DRAFT is edited: once published, visitors have seen its terms.
    ///
    /// # Errors
    /// `Conflict` (`not-a-draft`) beyond DRAFT; `Validation` as at creation.
    pub fn edit_draft(
        &self,
        edit: GroupBuyEdit,
        now: OffsetDateTime,
    ) -> Result<GroupBuy, DomainError> {
        if self.status != GroupBuyStatus::Draft {
            return Err(CampaignRefusal::NotADraft(self.status).into());
        }
        let price_currency = edit
            .currency
            .clone()
            .unwrap_or_else(|| self.unit_price.currency().code().to_owned());
        let fields = GroupBuyFields {
            slug: self.slug.to_string(),
            title: edit.title.unwrap_or_else(|| self.title.clone()),
            description: Some(edit.description.unwrap_or_else(|| self.description.clone())),
            unit_price: edit
                .unit_price
                .unwrap_or_else(|| self.unit_price.to_decimal()),
            currency: Some(price_currency),
            min_participants: edit
                .min_participants
                .unwrap_or(self.thresholds.min_participants()),
            min_quantity: edit.min_quantity.unwrap_or(self.thresholds.min_quantity()),
            max_quantity: edit.max_quantity.unwrap_or(self.max_quantity),
            closes_at: edit.closes_at.unwrap_or(self.closes_at),
            preorder_window_hours: self.preorder.map(|p| p.payment_window_hours()),
        };
        let d = GroupBuyDraft::parse(fields, now)?;
        Ok(GroupBuy {
            title: d.title,
            description: d.description,
            unit_price: d.unit_price,
            thresholds: d.thresholds,
            max_quantity: d.max_quantity,
            closes_at: d.closes_at,
            updated_at: now,
            ..self.clone()
        })
    }
}
