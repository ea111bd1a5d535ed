//! Products sold at a regular and a group price, with stock and group-buying settings.

use super::shop::clean_url;
use crate::error::{DomainError, Refusal};
use crate::money::{Currency, Money};
use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// How long a group instance of a product lives: decimal hours, kept exactly as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupTimeLimit(Decimal);

impl GroupTimeLimit {
    /// Parses decimal hours; must last at least one second.
    pub fn parse(hours: Decimal) -> Result<Self, DomainError> {
        let limit = Self(hours.normalize());
        if hours <= Decimal::ZERO || limit.seconds() < 1 {
            return Err(DomainError::invalid(
                "groupTimeLimitHours",
                "groupTimeLimitHours must be greater than 0 (at least one second)",
            ));
        }
        if hours > Decimal::from(24 * 365) {
            return Err(DomainError::invalid(
                "groupTimeLimitHours",
                "groupTimeLimitHours must be at most 8760 (one year)",
            ));
        }
        Ok(limit)
    }

    /// The hours as given.
    pub fn hours(&self) -> Decimal {
        self.0
    }

    /// The duration in whole seconds (rounded down).
    pub fn seconds(&self) -> i64 {
        use rust_decimal::prelude::ToPrimitive;
        (self.0 * Decimal::from(3600)).trunc().to_i64().unwrap_or(0)
    }

    /// The duration.
    pub fn duration(&self) -> Duration {
        Duration::seconds(self.seconds())
    }
}

/// A product of a shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// Product id.
    pub id: Uuid,
    /// Owning shop.
    pub shop_id: Uuid,
    /// Display name, trimmed, 1 to 200 characters.
    pub name: String,
    /// Image URL.
    pub image: Option<String>,
    /// Price bought alone.
    pub regular_price: Money,
    /// Price per unit in a group.
    pub group_price: Money,
    /// Units in the warehouse, including those held by open groups.
    pub stock_quantity: i64,
    /// Units held by open groups (not yet sold, not available).
    pub reserved_quantity: i64,
    /// Whether groups may be opened for it.
    pub group_buying_enabled: bool,
    /// Seats of each group instance.
    pub group_max_size: i32,
    /// Lifetime of each group instance.
    pub group_time_limit: GroupTimeLimit,
    /// Most seats one customer may hold in one group.
    pub max_per_customer: Option<i32>,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// Last change time.
    pub updated_at: OffsetDateTime,
}

impl Product {
    /// Units that can still be sold or held.
    pub fn available_quantity(&self) -> i64 {
        self.stock_quantity - self.reserved_quantity
    }

    /// The currency of both prices.
    pub fn currency(&self) -> Currency {
        self.group_price.currency()
    }
}

/// A validated new product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductDraft {
    /// Trimmed name.
    pub name: String,
    /// Image URL.
    pub image: Option<String>,
    /// Regular price.
    pub regular_price: Money,
    /// Group price (< regular price).
    pub group_price: Money,
    /// Units on hand to start with (0 or more); a new product has none reserved.
    pub stock_quantity: i64,
    /// Group buying switch.
    pub group_buying_enabled: bool,
    /// Seats per group.
    pub group_max_size: i32,
    /// Group lifetime.
    pub group_time_limit: GroupTimeLimit,
    /// Per-customer cap.
    pub max_per_customer: Option<i32>,
}

/// The raw fields of a new product, as a client sent them.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductFields {
    /// Name as sent; parsing trims it and requires 1 to 200 characters.
    pub name: String,
    /// Image URL.
    pub image: Option<String>,
    /// Regular price.
    pub regular_price: Decimal,
    /// Group price.
    pub group_price: Decimal,
    /// ISO currency code, default TZS.
    pub currency: Option<String>,
    /// Units on hand as sent; must be 0 or more.
    pub stock_quantity: i64,
    /// Group buying switch.
    pub group_buying_enabled: bool,
    /// Seats per group.
    pub group_max_size: i32,
    /// Group lifetime in hours.
    pub group_time_limit_hours: Decimal,
    /// Per-customer cap.
    pub max_per_customer: Option<i32>,
}

impl ProductDraft {
    /// Validates every field of a new product.
    pub fn parse(f: ProductFields) -> Result<Self, DomainError> {
        let currency = match f.currency.as_deref() {
            Some(code) => Currency::parse(code)?,
            None => Currency::TZS,
        };
        let draft = Self {
            name: parse_name(&f.name)?,
            image: clean_url(f.image),
            regular_price: Money::positive(f.regular_price, currency, "regularPrice")?,
            group_price: Money::positive(f.group_price, currency, "groupPrice")?,
            stock_quantity: f.stock_quantity,
            group_buying_enabled: f.group_buying_enabled,
            group_max_size: f.group_max_size,
            group_time_limit: GroupTimeLimit::parse(f.group_time_limit_hours)?,
            max_per_customer: f.max_per_customer,
        };
        draft.check()?;
        Ok(draft)
    }

    fn check(&self) -> Result<(), DomainError> {
        check_rules(
            self.regular_price,
            self.group_price,
            self.stock_quantity,
            self.group_max_size,
            self.max_per_customer,
        )
    }

    /// The product this draft creates in `shop_id`.
    pub fn into_product(self, id: Uuid, shop_id: Uuid, now: OffsetDateTime) -> Product {
        Product {
            id,
            shop_id,
            name: self.name,
            image: self.image,
            regular_price: self.regular_price,
            group_price: self.group_price,
            stock_quantity: self.stock_quantity,
            reserved_quantity: 0,
            group_buying_enabled: self.group_buying_enabled,
            group_max_size: self.group_max_size,
            group_time_limit: self.group_time_limit,
            max_per_customer: self.max_per_customer,
            created_at: now,
            updated_at: now,
        }
    }
}

/// A partial update of a product; absent fields stay as they are.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProductPatch {
    /// New name.
    pub name: Option<String>,
    /// New image (Some(None) clears it).
    pub image: Option<Option<String>>,
    /// New regular price.
    pub regular_price: Option<Decimal>,
    /// New group price.
    pub group_price: Option<Decimal>,
    /// New stock.
    pub stock_quantity: Option<i64>,
    /// New switch.
    pub group_buying_enabled: Option<bool>,
    /// New seats per group (existing groups keep theirs).
    pub group_max_size: Option<i32>,
    /// New lifetime (existing groups keep theirs).
    pub group_time_limit_hours: Option<Decimal>,
    /// New cap (Some(None) removes it).
    pub max_per_customer: Option<Option<i32>>,
}

impl ProductPatch {
    /// Applies the patch, validating the product as a whole afterwards.
    pub fn apply(self, product: &Product, now: OffsetDateTime) -> Result<Product, DomainError> {
        let currency = product.currency();
        let mut p = product.clone();
        if let Some(name) = self.name {
            p.name = parse_name(&name)?;
        }
        if let Some(image) = self.image {
            p.image = clean_url(image);
        }
        if let Some(price) = self.regular_price {
            p.regular_price = Money::positive(price, currency, "regularPrice")?;
        }
        if let Some(price) = self.group_price {
            p.group_price = Money::positive(price, currency, "groupPrice")?;
        }
        if let Some(stock) = self.stock_quantity {
            if stock < p.reserved_quantity {
                return Err(stock_below_reserved(Some(p.reserved_quantity)));
            }
            p.stock_quantity = stock;
        }
        if let Some(enabled) = self.group_buying_enabled {
            p.group_buying_enabled = enabled;
        }
        if let Some(size) = self.group_max_size {
            p.group_max_size = size;
        }
        if let Some(hours) = self.group_time_limit_hours {
            p.group_time_limit = GroupTimeLimit::parse(hours)?;
        }
        if let Some(cap) = self.max_per_customer {
            p.max_per_customer = cap;
        }
        check_rules(
            p.regular_price,
            p.group_price,
            p.stock_quantity,
            p.group_max_size,
            p.max_per_customer,
        )?;
        p.updated_at = now;
        Ok(p)
    }
}

/// A stock below what open groups hold. The domain names the count it read; the store's
/// conditional update, which finds a group opened meanwhile, knows no count to name.
pub fn stock_below_reserved(reserved: Option<i64>) -> DomainError {
    let held = reserved.map_or_else(|| "units".to_owned(), |n| format!("{n} units"));
    DomainError::Conflict(Refusal::new(
        "stock-below-reserved",
        format!("stockQuantity cannot be below the {held} held by open groups"),
    ))
}

fn parse_name(name: &str) -> Result<String, DomainError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(DomainError::invalid(
            "productName",
            "productName must be between 1 and 200 characters",
        ));
    }
    Ok(name.to_owned())
}

fn check_rules(
    regular: Money,
    group: Money,
    stock: i64,
    group_max_size: i32,
    max_per_customer: Option<i32>,
) -> Result<(), DomainError> {
    if group.minor() >= regular.minor() {
        return Err(DomainError::invalid(
            "groupPrice",
            "groupPrice must be less than regularPrice",
        ));
    }
    if stock < 0 {
        return Err(DomainError::invalid(
            "stockQuantity",
            "stockQuantity must be 0 or more",
        ));
    }
    if group_max_size < 1 {
        return Err(DomainError::invalid(
            "groupMaxSize",
            "groupMaxSize must be at least 1",
        ));
    }
    if let Some(cap) = max_per_customer {
        if cap < 1 {
            return Err(DomainError::invalid(
                "maxPerCustomer",
                "maxPerCustomer must be at least 1",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn fields() -> ProductFields {
        ProductFields {
            name: " Headphones ".into(),
            image: None,
            regular_price: Decimal::from(150_000),
            group_price: Decimal::from(80_000),
            currency: None,
            stock_quantity: 100,
            group_buying_enabled: true,
            group_max_size: 10,
            group_time_limit_hours: Decimal::from(24),
            max_per_customer: Some(5),
        }
    }

    fn field_of(err: DomainError) -> String {
        match err {
            DomainError::Validation { field, .. } => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_product_defaults_to_tzs_and_trims_its_name() {
        let d = ProductDraft::parse(fields()).expect("valid");
        assert_eq!(d.name, "Headphones");
        assert_eq!(d.group_price.currency(), Currency::TZS);
    }

    #[test]
    fn group_price_must_be_below_regular_price() {
        let mut f = fields();
        f.group_price = f.regular_price;
        assert_eq!(
            field_of(ProductDraft::parse(f).expect_err("must be refused")),
            "groupPrice"
        );
    }

    #[test]
    fn each_rule_names_its_field() {
        let mut f = fields();
        f.group_max_size = 0;
        assert_eq!(
            field_of(ProductDraft::parse(f).expect_err("must be refused")),
            "groupMaxSize"
        );
        let mut f = fields();
        f.max_per_customer = Some(0);
        assert_eq!(
            field_of(ProductDraft::parse(f).expect_err("must be refused")),
            "maxPerCustomer"
        );
        let mut f = fields();
        f.stock_quantity = -1;
        assert_eq!(
            field_of(ProductDraft::parse(f).expect_err("must be refused")),
            "stockQuantity"
        );
        let mut f = fields();
        f.group_time_limit_hours = Decimal::ZERO;
        assert_eq!(
            field_of(ProductDraft::parse(f).expect_err("must be refused")),
            "groupTimeLimitHours"
        );
        let mut f = fields();
        f.regular_price = Decimal::from_str("1.001").expect("dec");
        assert_eq!(
            field_of(ProductDraft::parse(f).expect_err("must be refused")),
            "regularPrice"
        );
        let mut f = fields();
        f.name = "  ".into();
        assert_eq!(
            field_of(ProductDraft::parse(f).expect_err("must be refused")),
            "productName"
        );
    }

    #[test]
    fn a_minute_long_group_is_allowed() {
        let limit =
            GroupTimeLimit::parse(Decimal::from_str("0.0167").expect("dec")).expect("valid");
        assert_eq!(limit.seconds(), 60);
    }

    #[test]
    fn patch_cannot_take_stock_below_reserved_units() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let mut p = ProductDraft::parse(fields()).expect("valid").into_product(
            Uuid::nil(),
            Uuid::nil(),
            now,
        );
        p.reserved_quantity = 7;
        let patch = ProductPatch {
            stock_quantity: Some(6),
            ..Default::default()
        };
        assert!(matches!(
            patch.apply(&p, now),
            Err(DomainError::Conflict(_))
        ));
        let patch = ProductPatch {
            group_price: Some(Decimal::from(200_000)),
            ..Default::default()
        };
        assert_eq!(
            field_of(patch.apply(&p, now).expect_err("must be refused")),
            "groupPrice"
        );
    }
}
