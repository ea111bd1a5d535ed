//! A new group buy as a client sent it, and its validation: 422 naming each field in the
//! order the request lists them, then 409 for rules that contradict the quantities.

use super::group_buy::Item;
use super::party::UnitCode;
use super::rules::{Rules, MAX_UNITS};
use crate::error::DomainError;
use crate::money::Currency;
use time::OffsetDateTime;

/// The most items a group buy pools.
pub const MAX_ITEMS: usize = 100;
/// The currency when the request names none.
pub const DEFAULT_CURRENCY: &str = "USD";

/// The fields of `POST /groupbuy`, as received.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupBuyFields {
    /// Title as sent; parsing trims it and requires 1 to 200 characters.
    pub title: String,
    /// Description as sent; a blank one counts as absent, at most 10000 characters.
    pub description: Option<String>,
    /// What one unit contains, as sent: 1 to [`MAX_ITEMS`], each SKU once.
    pub items: Vec<Item>,
    /// Target, in units.
    pub target_quantity: i64,
    /// The smallest commitment.
    pub min_commitment: i64,
    /// When commitments close.
    pub deadline: OffsetDateTime,
    /// ISO 4217 code (default USD).
    pub currency: Option<String>,
    /// The `rules` object as sent (absent or `null` = every default).
    pub rules: serde_json::Value,
}

/// A validated new group buy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupBuyDraft {
    /// Trimmed title, 1-200 characters.
    pub title: String,
    /// Description, at most 10000 characters; `None` when absent or blank.
    pub description: Option<String>,
    /// 1-100 items, unique SKUs, trimmed texts.
    pub items: Vec<Item>,
    /// Target (1 to [`MAX_UNITS`]).
    pub target_quantity: i64,
    /// Smallest commitment (1 to [`MAX_UNITS`]).
    pub min_commitment: i64,
    /// In the future at creation.
    pub deadline: OffsetDateTime,
    /// Currency of price ceilings and settlement; [`DEFAULT_CURRENCY`] when none was named.
    pub currency: Currency,
    /// Consistent rules.
    pub rules: Rules,
}

/// Trims `value` and requires 1..=`max` characters, naming `field`.
pub(super) fn text(field: &str, value: &str, max: usize) -> Result<String, DomainError> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("{field} must be between 1 and {max} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

pub(super) fn units(field: &str, value: i64) -> Result<i64, DomainError> {
    if !(1..=MAX_UNITS).contains(&value) {
        return Err(DomainError::invalid(
            field,
            format!("{field} must be an integer from 1 to {MAX_UNITS}"),
        ));
    }
    Ok(value)
}

fn items(raw: Vec<Item>) -> Result<Vec<Item>, DomainError> {
    if raw.is_empty() || raw.len() > MAX_ITEMS {
        return Err(DomainError::invalid(
            "items",
            format!("items must hold between 1 and {MAX_ITEMS} items"),
        ));
    }
    let mut parsed: Vec<Item> = Vec::with_capacity(raw.len());
    for (i, item) in raw.into_iter().enumerate() {
        let sku = text(&format!("items[{i}].sku"), &item.sku, 64)?;
        if parsed.iter().any(|p| p.sku == sku) {
            return Err(DomainError::invalid(
                format!("items[{i}].sku"),
                format!("items[{i}].sku {sku} is listed twice; each sku must be unique"),
            ));
        }
        let name = text(&format!("items[{i}].name"), &item.name, 200)?;
        let unit = text(&format!("items[{i}].unit"), &item.unit, 32)?;
        let quantity_per_unit = item
            .quantity_per_unit
            .map(|q| units(&format!("items[{i}].quantity_per_unit"), q))
            .transpose()?;
        let unit_code = item
            .unit_code
            .map(|c| {
                UnitCode::parse(&format!("items[{i}].unit_code"), &c).map(|c| c.as_str().to_owned())
            })
            .transpose()?;
        parsed.push(Item {
            sku,
            name,
            unit,
            quantity_per_unit,
            unit_code,
        });
    }
    Ok(parsed)
}

impl GroupBuyDraft {
    /// Validates a new group buy at `now`: each field (422 naming it), then the rules
    /// against the quantities (409 naming the contradiction). Overlap with the
    /// organisation's other pools needs storage: see `GroupBuyDraft::create`.
    ///
    /// # Errors
    /// `Validation` naming the first bad field; `Conflict` for contradictory rules.
    pub fn parse(f: GroupBuyFields, now: OffsetDateTime) -> Result<Self, DomainError> {
        let title = text("title", &f.title, 200)?;
        let description = f.description.filter(|d| !d.trim().is_empty());
        if description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 10_000)
        {
            return Err(DomainError::invalid(
                "description",
                "description must be at most 10000 characters",
            ));
        }
        let items = items(f.items)?;
        let target_quantity = units("target_quantity", f.target_quantity)?;
        let min_commitment = units("min_commitment", f.min_commitment)?;
        if f.deadline <= now {
            return Err(DomainError::invalid(
                "deadline",
                "deadline must be in the future",
            ));
        }
        let currency = Currency::parse(f.currency.as_deref().unwrap_or(DEFAULT_CURRENCY))?;
        let rules = Rules::from_json(&f.rules)?;
        rules.check_consistency(target_quantity, min_commitment)?;
        Ok(Self {
            title,
            description,
            items,
            target_quantity,
            min_commitment,
            deadline: f.deadline,
            currency,
            rules,
        })
    }
}
