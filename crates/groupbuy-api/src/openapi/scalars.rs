//! The document's scalar schemas: money as a named number schema whose limits and
//! decimal places come from the domain's currencies, and the organisation ids requests
//! name. These are documentation types: the DTO fields stay numbers and strings on the
//! wire and name these with `#[schema(value_type = ...)]`.

use groupbuy_domain::money::Currency as DomainCurrency;
use serde_json::{json, Value};
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// How money is written: the rule generators carry into documentation.
const MONEY_RULE: &str = "An exact amount of money in the currency named next to it, as a JSON \
number with at most that currency's decimal places (x-decimal-places; TZS has 2, so 80000.00). \
Amounts are stored exactly as integer minor units: an amount with more decimals than its \
currency allows (such as 0.1+0.2-0.1 = 0.20000000000000004) is refused with 422, never rounded. \
Clients should compute in minor units or decimals, not binary floating point.";

/// The currencies' decimal places, as the `x-decimal-places` extension shows them.
fn decimal_places() -> Value {
    Value::Object(
        DomainCurrency::supported()
            .map(|c| (c.code().to_owned(), json!(c.scale())))
            .collect(),
    )
}

/// A money schema: `positive` ones are what requests send as prices and credits.
fn money(positive: bool) -> RefOr<Schema> {
    let mut builder = ObjectBuilder::new()
        .schema_type(Type::Number)
        .description(Some(if positive {
            format!("{MONEY_RULE} Must be greater than 0.")
        } else {
            format!("{MONEY_RULE} Signed where it is a ledger movement (debits negative).")
        }))
        .examples([json!(80000.00)])
        // One extension only: utoipa keeps extensions in a HashMap, and the committed
        // document must come out the same on every run.
        .extensions(Some(
            ExtensionsBuilder::new()
                .add("x-decimal-places", decimal_places())
                .build(),
        ));
    if positive {
        // What every currency's parser refuses: less than one minor unit of the finest
        // currency, more than MAX_MINOR units of the coarsest (x-decimal-places says the
        // rest, per currency).
        let scales = || DomainCurrency::supported().map(|c| c.scale());
        let finest = scales().max().unwrap_or(0);
        let coarsest = scales().min().unwrap_or(0);
        let smallest = 10f64.powi(-i32::try_from(finest).unwrap_or(0));
        let largest = groupbuy_domain::money::Money::MAX_MINOR as f64
            / 10f64.powi(i32::try_from(coarsest).unwrap_or(0));
        // Every amount is a whole number of the finest currency's minor units
        // (openapi/money_rules.rs states each currency's own step next to its code).
        builder = builder
            .minimum(Some(smallest))
            .maximum(Some(largest))
            .multiple_of(Some(smallest));
    }
    builder.into()
}

/// An exact amount of money (responses).
#[derive(Debug)]
pub struct Money;

impl PartialSchema for Money {
    fn schema() -> RefOr<Schema> {
        money(false)
    }
}

impl ToSchema for Money {}

/// An exact, positive amount of money (request prices and credits).
#[derive(Debug)]
pub struct PositiveMoney;

impl PartialSchema for PositiveMoney {
    fn schema() -> RefOr<Schema> {
        money(true)
    }
}

impl ToSchema for PositiveMoney {}

/// An organisation id a request names (`rules.eligible_orgs`): not blank, at most 200
/// bytes (so at most 200 characters).
#[derive(Debug)]
pub struct OrgIdText;

impl PartialSchema for OrgIdText {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(200))
            .pattern(Some(r"\S"))
            .into()
    }
}

impl ToSchema for OrgIdText {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_names_each_currencys_decimal_places() {
        let schema = serde_json::to_value(PositiveMoney::schema()).expect("json");
        assert_eq!(schema["x-decimal-places"]["TZS"], 2);
        assert_eq!(schema["x-decimal-places"]["UGX"], 0);
        assert_eq!(schema["x-decimal-places"]["KWD"], 3);
        assert_eq!(schema["minimum"], 0.001);
        assert_eq!(schema["maximum"], 1e15);
    }
}
