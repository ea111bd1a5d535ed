//! A request body checked as a whole before it is typed. Serde keeps the last of a key
//! sent twice inside free-form objects (`rules`) and stops at the first bad field; here a
//! duplicate key is refused at every nesting level, and every field that breaks the
//! operation's documented schema (required, type, enum, lengths, pattern, range, items,
//! date-time) is named in one 422, so the document is also what validation enforces.

use crate::error::FieldError;
use serde::de::{DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};

/// The body as a JSON value, refusing a key sent twice in any object: `Err` names the
/// duplicate (`rules.max_quantity`) or is serde's own message for malformed JSON.
///
/// # Errors
/// [`Parsed::Duplicate`] for a repeated key; [`Parsed::Malformed`] for invalid JSON.
pub fn unique_value(bytes: &[u8]) -> Result<Value, Parsed> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match (Unique {
        path: String::new(),
    })
    .deserialize(&mut de)
    {
        Ok(()) => serde_json::from_slice(bytes).map_err(|e| Parsed::Malformed(e.to_string())),
        Err(e) if e.is_data() => {
            let text = e.to_string();
            let field = text.split(" at line ").next().unwrap_or(&text).to_owned();
            Err(Parsed::Duplicate(field))
        }
        Err(e) => Err(Parsed::Malformed(e.to_string())),
    }
}

/// Why a body did not become a value.
#[derive(Debug)]
pub enum Parsed {
    /// A key repeated in one object: its path.
    Duplicate(String),
    /// Not JSON: serde's message.
    Malformed(String),
}

/// Walks any JSON value, refusing repeated keys; `path` is where it sits. (It builds
/// nothing: with `arbitrary_precision` a number arrives as a one-key map, so the value
/// itself is serde_json's to read.)
struct Unique {
    path: String,
}

fn child(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

impl<'de> DeserializeSeed<'de> for Unique {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Unique {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while seq
            .next_element_seed(Unique {
                path: format!("{}[{i}]", self.path),
            })?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = child(&self.path, &key);
            if !keys.insert(key) {
                return Err(A::Error::custom(path));
            }
            map.next_value_seed(Unique { path })?;
        }
        Ok(())
    }
}

/// Every way `value` breaks `schema` (a JSON Schema as utoipa writes it; `$ref`s resolve
/// in `root`, the OpenAPI document), each naming its field as serde paths do.
pub fn violations(value: &Value, schema: &Value, root: &Value) -> Vec<FieldError> {
    let mut out = Vec::new();
    check(value, schema, root, "", &mut out, 0);
    out
}

/// The documented name of a JSON type.
fn type_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn is_type(value: &Value, name: &str) -> bool {
    let actual = type_of(value);
    actual == name || (name == "number" && actual == "integer")
}

fn push(out: &mut Vec<FieldError>, path: &str, reason: String) {
    let field = if path.is_empty() { "body" } else { path };
    out.push(FieldError {
        field: field.to_owned(),
        reason: format!("{field}: {reason}"),
    });
}

/// Resolves a local `$ref` (`#/components/schemas/X`).
fn resolve<'a>(reference: &str, root: &'a Value) -> Option<&'a Value> {
    root.pointer(reference.strip_prefix('#')?)
}

fn check(
    value: &Value,
    schema: &Value,
    root: &Value,
    path: &str,
    out: &mut Vec<FieldError>,
    depth: usize,
) {
    // Schemas are the document's own, not the client's; the bound only guards a cycle.
    if depth > 64 {
        return;
    }
    if let Some(target) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| resolve(r, root))
    {
        return check(value, target, root, path, out, depth + 1);
    }
    for all in schema.get("allOf").and_then(Value::as_array).into_iter() {
        for s in all {
            check(value, s, root, path, out, depth + 1);
        }
    }
    let any = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(Value::as_array);
    if let Some(branches) = any {
        // The branch that fits best speaks for the value: one whose type it has (a
        // refusal of the value itself, such as "must be null", ranks last), then the one
        // with the fewest violations.
        let best = branches
            .iter()
            .map(|s| violations_at(value, s, root, path, depth + 1))
            .min_by_key(|errors| {
                let own = errors
                    .iter()
                    .any(|e| e.field == path || (path.is_empty() && e.field == "body"));
                (own, errors.len())
            });
        out.extend(best.unwrap_or_default());
    }
    if let Some(types) = schema.get("type") {
        let names: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !names.is_empty() && !names.iter().any(|t| is_type(value, t)) {
            return push(out, path, format!("must be {}", names.join(" or ")));
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        if !values.contains(value) {
            let listed: Vec<String> = values.iter().map(Value::to_string).collect();
            push(out, path, format!("must be one of {}", listed.join(", ")));
        }
    }
    match value {
        Value::String(s) => check_string(s, schema, path, out),
        Value::Number(n) => check_number(n.as_f64().unwrap_or(f64::NAN), schema, path, out),
        Value::Array(items) => {
            let len = items.len() as u64;
            if let Some(min) = schema.get("minItems").and_then(Value::as_u64) {
                if len < min {
                    push(out, path, format!("must hold at least {min} items"));
                }
            }
            if let Some(max) = schema.get("maxItems").and_then(Value::as_u64) {
                if len > max {
                    push(out, path, format!("must hold at most {max} items"));
                }
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(
                        item,
                        item_schema,
                        root,
                        &format!("{path}[{i}]"),
                        out,
                        depth + 1,
                    );
                }
            }
        }
        Value::Object(object) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            for name in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if !object.contains_key(name) {
                    let field = child(path, name);
                    push(out, &field, format!("missing field `{name}`"));
                }
            }
            for (key, member) in object {
                match properties.and_then(|p| p.get(key)) {
                    Some(s) => check(member, s, root, &child(path, key), out, depth + 1),
                    None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                        push(out, &child(path, key), format!("unknown field `{key}`"));
                    }
                    None => {}
                }
            }
        }
        _ => {}
    }
}

fn violations_at(
    value: &Value,
    schema: &Value,
    root: &Value,
    path: &str,
    depth: usize,
) -> Vec<FieldError> {
    let mut out = Vec::new();
    check(value, schema, root, path, &mut out, depth);
    out
}

fn check_string(s: &str, schema: &Value, path: &str, out: &mut Vec<FieldError>) {
    let chars = s.chars().count() as u64;
    if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
        if chars < min {
            push(out, path, format!("must be at least {min} characters"));
        }
    }
    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
        if chars > max {
            push(out, path, format!("must be at most {max} characters"));
        }
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        if !matches(pattern, s) {
            push(out, path, format!("must match {pattern}"));
        }
    }
    if schema.get("format").and_then(Value::as_str) == Some("date-time")
        && time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_err()
    {
        push(out, path, "must be an RFC 3339 date-time".to_owned());
    }
}

/// Whether `s` matches `pattern` (compiled once per pattern; the patterns are the
/// document's, a fixed set). A pattern Rust cannot compile matches everything.
fn matches(pattern: &str, s: &str) -> bool {
    type Cache = Mutex<HashMap<String, Option<regex::Regex>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    cache
        .entry(pattern.to_owned())
        .or_insert_with(|| regex::Regex::new(pattern).ok())
        .as_ref()
        .is_none_or(|r| r.is_match(s))
}

fn check_number(n: f64, schema: &Value, path: &str, out: &mut Vec<FieldError>) {
    let bound = |name: &str| schema.get(name).and_then(Value::as_f64);
    if let Some(min) = bound("minimum").filter(|min| n < *min) {
        push(out, path, format!("must be at least {min}"));
    }
    if let Some(max) = bound("maximum").filter(|max| n > *max) {
        push(out, path, format!("must be at most {max}"));
    }
    if let Some(min) = bound("exclusiveMinimum").filter(|min| n <= *min) {
        push(out, path, format!("must be greater than {min}"));
    }
    if let Some(max) = bound("exclusiveMaximum").filter(|max| n >= *max) {
        push(out, path, format!("must be less than {max}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_key_twice_is_refused_at_every_level() {
        assert!(unique_value(br#"{"a": {"b": 1, "c": [{"d": 1}]}}"#).is_ok());
        for (body, path) in [
            (&br#"{"a": 1, "a": 2}"#[..], "a"),
            (
                br#"{"rules": {"max_quantity": 1, "max_quantity": 9}}"#,
                "rules.max_quantity",
            ),
            (
                br#"{"items": [{"sku": "a"}, {"sku": "b", "sku": "c"}]}"#,
                "items[1].sku",
            ),
        ] {
            match unique_value(body) {
                Err(Parsed::Duplicate(p)) => assert_eq!(p, path),
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(unique_value(b"{oops"), Err(Parsed::Malformed(_))));
    }

    #[test]
    fn every_violation_is_named() {
        let root = json!({"components": {"schemas": {"Item": {
            "type": "object", "required": ["sku"],
            "properties": {"sku": {"type": "string", "minLength": 1}}}}}});
        let schema = json!({
            "type": "object", "required": ["title", "deadline"],
            "properties": {
                "title": {"type": "string"},
                "deadline": {"type": "string", "format": "date-time"},
                "n": {"type": "integer", "minimum": 1},
                "kind": {"oneOf": [{"type": "null"}, {"type": "string", "enum": ["a"]}]},
                "items": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Item"}}
            }
        });
        let body = json!({"deadline": "soon", "n": 0, "kind": "b", "items": [{"sku": ""}, {}]});
        let fields: Vec<String> = violations(&body, &schema, &root)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "title",
                "deadline",
                "items[0].sku",
                "items[1].sku",
                "kind",
                "n"
            ]
        );
        let good = json!({"title": "t", "deadline": "2030-01-01T00:00:00Z", "kind": null, "items": [{"sku": "a"}]});
        assert!(violations(&good, &schema, &root).is_empty());
    }
}
