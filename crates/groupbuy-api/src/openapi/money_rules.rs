//! How many decimals, and how large, a request's amounts may be, stated per currency. An
//! amount's allowed scale depends on the currency sent next to it (0 decimals for JPY, 2 for
//! TZS, 3 for BHD; at most `Money::MAX_MINOR` minor units), which a number's own schema
//! cannot say: `PositiveMoney` states only what every currency allows (the finest step, the
//! largest amount of the coarsest currency). Each body that names its currency gets, per
//! group of currencies sharing a scale, an `if` (this currency, or none when the default is
//! one of them) / `then` (these steps and bounds) rule, exactly what
//! `groupbuy_domain::money::Money::from_decimal` enforces. Without it a generator
//! following the schema sends 0.001 TZS or 10^15 TZS, which the server refuses with 422.

use groupbuy_domain::money::{Currency, Money};
use serde_json::{json, Value};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{OpenApi, RefOr};

/// The request bodies that send amounts next to an optional `currency`, with the currency
/// an absent one means.
pub(super) const BODIES: &[(&str, Currency)] = &[
    ("CreditRequest", Currency::TZS),
    ("CreateProductRequest", Currency::TZS),
    ("CreateGroupBuyRequest", Currency::TZS),
    // Without `currency` an edit's price is in the campaign's own currency, which the schema
    // cannot know: it states TZS's scale (the default of every campaign created without one).
    ("EditGroupBuyRequest", Currency::TZS),
    ("PayoutRequest", Currency::TZS),
];

/// The positive-money schema every amount of these bodies refers to.
const POSITIVE_MONEY: &str = "#/components/schemas/PositiveMoney";

/// Adds the per-currency rules to [`BODIES`].
pub(super) fn add(api: &mut OpenApi) {
    let Some(components) = api.components.as_mut() else {
        return;
    };
    for (name, default) in BODIES {
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(*name) {
            let amounts: Vec<String> = object
                .properties
                .iter()
                .filter(|(_, s)| refers_to_positive_money(s))
                .map(|(k, _)| k.clone())
                .collect();
            // utoipa's object has no `allOf` of its own next to `properties`; its extensions
            // are written flattened, and one key keeps the committed document stable.
            object
                .extensions
                .get_or_insert_with(Default::default)
                .insert("allOf".to_owned(), rules(&amounts, *default));
        }
    }
}

/// Whether a property's schema is `PositiveMoney` (or it or null).
pub(super) fn refers_to_positive_money(schema: &RefOr<Schema>) -> bool {
    let json = serde_json::to_value(schema).unwrap_or_default();
    json.get("$ref").and_then(Value::as_str) == Some(POSITIVE_MONEY)
        || json
            .get("oneOf")
            .and_then(Value::as_array)
            .is_some_and(|bs| bs.iter().any(|b| b["$ref"] == POSITIVE_MONEY))
}

/// One `if`/`then` per scale: the currencies of that scale (and no currency, when the
/// default has it) make every amount a multiple of one minor unit, from one minor unit up
/// to `Money::MAX_MINOR` of them.
fn rules(amounts: &[String], default: Currency) -> Value {
    let mut scales: Vec<u32> = Currency::supported().map(|c| c.scale()).collect();
    scales.sort_unstable();
    scales.dedup();
    let rules: Vec<Value> = scales
        .into_iter()
        .map(|scale| {
            let mut codes: Vec<Value> = Currency::supported()
                .filter(|c| c.scale() == scale)
                .map(|c| json!(c.code()))
                .collect();
            let mut when = json!({"properties": {"currency": {}}});
            if default.scale() == scale {
                codes.push(Value::Null);
            } else {
                when["required"] = json!(["currency"]);
            }
            when["properties"]["currency"]["enum"] = Value::Array(codes);
            let step = minor_unit(scale);
            let largest = Money::MAX_MINOR / 10_i64.pow(scale);
            let amount = json!({"multipleOf": step, "minimum": step, "maximum": largest});
            let properties: serde_json::Map<String, Value> = amounts
                .iter()
                .map(|a| (a.clone(), amount.clone()))
                .collect();
            json!({"if": when, "then": {"properties": properties}})
        })
        .collect();
    Value::Array(rules)
}

/// One minor unit of a currency with `scale` decimals, as a JSON number (`1`, `0.01`).
fn minor_unit(scale: u32) -> Value {
    if scale == 0 {
        json!(1)
    } else {
        // `1e-2` as text reads back as exactly 0.01 (serde_json keeps the spelling).
        let text = format!("0.{}1", "0".repeat(scale as usize - 1));
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_scale_has_its_step_and_bounds() {
        let rules = rules(&["amount".to_owned()], Currency::TZS);
        let by_scale: Vec<(String, String, String, bool)> = rules
            .as_array()
            .expect("array")
            .iter()
            .map(|r| {
                let a = &r["then"]["properties"]["amount"];
                (
                    a["multipleOf"].to_string(),
                    a["minimum"].to_string(),
                    a["maximum"].to_string(),
                    r["if"]["properties"]["currency"]["enum"]
                        .as_array()
                        .expect("codes")
                        .contains(&Value::Null),
                )
            })
            .collect();
        let s = |x: &str| x.to_owned();
        assert_eq!(
            by_scale,
            [
                (s("1"), s("1"), s("1000000000000000"), false),
                (s("0.01"), s("0.01"), s("10000000000000"), true),
                (s("0.001"), s("0.001"), s("1000000000000"), false),
            ]
        );
        let jpy = &rules[0]["if"];
        assert_eq!(jpy["required"], json!(["currency"]));
        assert!(jpy["properties"]["currency"]["enum"]
            .as_array()
            .expect("codes")
            .contains(&json!("JPY")));
    }

    #[test]
    fn every_body_sending_money_next_to_a_currency_is_listed() {
        let api = super::super::document();
        let schemas = &api.components.as_ref().expect("components").schemas;
        for (name, schema) in schemas {
            let RefOr::T(Schema::Object(object)) = schema else {
                continue;
            };
            let sends_money = object.properties.values().any(refers_to_positive_money);
            if sends_money && object.properties.contains_key("currency") {
                assert!(
                    BODIES.iter().any(|(n, _)| n == name),
                    "{name} sends amounts next to a currency: list it in BODIES"
                );
            }
        }
    }
}
