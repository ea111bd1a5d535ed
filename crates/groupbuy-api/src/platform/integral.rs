//! Integral numbers spelled with a fraction or an exponent (`40.0`, `4e1`) where the
//! documented schema says `integer`. JSON Schema counts them as integers (a number is an
//! integer when its value is whole), so a client following the document may send them; serde
//! reads an `i64` only from an integer token. They are rewritten to plain integers once, at
//! the edge, before the body is checked and typed, so every integer field of every body
//! accepts them alike; `40.5` stays what it was and is refused naming its field.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::{Number, Value};
use std::str::FromStr;

/// Rewrites, in place, each whole number sent where `schema` (`$ref`s resolved in `root`)
/// says `integer` to its integer spelling. Whether anything changed.
pub fn normalise(value: &mut Value, schema: &Value, root: &Value) -> bool {
    walk(value, schema, root, 0)
}

fn walk(value: &mut Value, schema: &Value, root: &Value, depth: usize) -> bool {
    // Schemas are the document's own; the bound only guards a cycle.
    if depth > 64 {
        return false;
    }
    if let Some(target) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| root.pointer(r.strip_prefix('#')?))
    {
        return walk(value, target, root, depth + 1);
    }
    let mut changed = false;
    for key in ["allOf", "oneOf", "anyOf"] {
        for branch in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            changed |= walk(value, branch, root, depth + 1);
        }
    }
    match value {
        Value::Number(n) if says_integer(schema) => {
            if let Some(whole) = whole(n) {
                *n = whole;
                changed = true;
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    changed |= walk(item, item_schema, root, depth + 1);
                }
            }
        }
        Value::Object(object) => {
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (key, member) in object.iter_mut() {
                    if let Some(s) = properties.get(key) {
                        changed |= walk(member, s, root, depth + 1);
                    }
                }
            }
        }
        _ => {}
    }
    changed
}

fn says_integer(schema: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == "integer",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "integer"),
        _ => false,
    }
}

/// The integer spelling of `n` when it is whole but not spelled as an integer, and fits
/// an `i64` or `u64` (anything wider is left for serde to refuse as before).
fn whole(n: &Number) -> Option<Number> {
    if n.is_i64() || n.is_u64() {
        return None;
    }
    let text = n.to_string();
    let exact = Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()?;
    if !exact.fract().is_zero() {
        return None;
    }
    exact
        .to_i64()
        .map(Number::from)
        .or_else(|| exact.to_u64().map(Number::from))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn whole_numbers_become_integers_where_the_schema_says_integer() {
        let root = json!({"components": {"schemas": {"Line": {"type": "object",
            "properties": {"qty": {"type": "integer"}, "price": {"type": "number"}}}}}});
        let schema = json!({"type": "object", "properties": {
            "n": {"type": ["integer", "null"]},
            "m": {"oneOf": [{"type": "null"}, {"type": "integer"}]},
            "lines": {"type": "array", "items": {"$ref": "#/components/schemas/Line"}}}});
        let mut body: Value = serde_json::from_str(
            r#"{"n": 40.0, "m": 4e1, "lines": [{"qty": 2.0, "price": 2.0}, {"qty": 2.5}], "x": 1.0}"#,
        )
        .expect("json");
        assert!(normalise(&mut body, &schema, &root));
        let spelled = |v: &Value| v.to_string();
        assert_eq!(spelled(&body["n"]), "40");
        assert_eq!(spelled(&body["m"]), "40");
        assert_eq!(spelled(&body["lines"][0]["qty"]), "2");
        // Not an integer field, not whole, not documented: as sent.
        assert_eq!(spelled(&body["lines"][0]["price"]), "2.0");
        assert_eq!(spelled(&body["lines"][1]["qty"]), "2.5");
        assert_eq!(spelled(&body["x"]), "1.0");
        let mut plain = json!({"n": 40});
        assert!(!normalise(&mut plain, &schema, &root));
    }

    #[test]
    fn numbers_wider_than_64_bits_are_left_alone() {
        let n: Number = serde_json::from_str("1e30").expect("json");
        assert!(whole(&n).is_none());
        let n: Number = serde_json::from_str("-3.0").expect("json");
        assert_eq!(whole(&n).map(|n| n.to_string()), Some("-3".to_owned()));
    }
}
