//! Every event an app emitted matches the event catalogue it publishes
//! (`GET /webhooks/event-types` and the document's `webhooks`): each test app checks its
//! outbox when it is dropped, so a payload field added, renamed or retyped without its
//! schema fails the test that emitted it.

use groupbuy_api::routes::webhook::catalogue::data_schema;
use groupbuy_domain::platform::EventType;
use groupbuy_store::testing::TestDatabase;
use serde_json::{json, Value};

/// What in `value` (at `path`) disagrees with `schema`: the subset of JSON Schema the
/// catalogue uses (`type`, `required`, `properties`, `items`, `enum`, `format`), read
/// strictly: a property the schema does not name is an error too.
pub fn mismatches(schema: &Value, value: &Value, path: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(types) = schema.get("type") {
        let allowed: Vec<&str> = match types {
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            t => t.as_str().into_iter().collect(),
        };
        let fits = |t: &str| match t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            _ => false,
        };
        if !allowed.iter().any(|t| fits(t)) {
            out.push(format!("{path}: {value} is not {allowed:?}"));
            return out;
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        if !values.contains(value) {
            out.push(format!("{path}: {value} is not one of {values:?}"));
        }
    }
    if let (Some(format), Some(text)) =
        (schema.get("format").and_then(Value::as_str), value.as_str())
    {
        let ok = match format {
            "uuid" => uuid::Uuid::parse_str(text).is_ok(),
            "date-time" => {
                time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                    .is_ok()
            }
            "date" => text.len() == 10 && text.as_bytes()[4] == b'-',
            _ => true,
        };
        if !ok {
            out.push(format!("{path}: {text} is not a {format}"));
        }
    }
    if let Some(object) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = name.as_str().unwrap_or_default();
            if !object.contains_key(name) {
                out.push(format!("{path}.{name}: required but missing"));
            }
        }
        for (name, child) in object {
            match properties.and_then(|p| p.get(name)) {
                Some(s) => out.extend(mismatches(s, child, &format!("{path}.{name}"))),
                None => out.push(format!("{path}.{name}: emitted but not in the schema")),
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, item) in array.iter().enumerate() {
            out.extend(mismatches(items, item, &format!("{path}[{i}]")));
        }
    }
    out
}

/// Panics, naming each event and field, when an event `db` holds does not match its
/// published schema. A database the test broke on purpose is not read.
pub fn check_emitted(db: &TestDatabase) {
    let Ok(events) = db.emitted_events() else {
        return;
    };
    let mut problems = Vec::new();
    for (name, data) in events {
        let Some(t) = EventType::parse(&name) else {
            problems.push(format!("{name}: not a published event type"));
            continue;
        };
        problems.extend(mismatches(&data_schema(t), &data, &format!("{name} data")));
    }
    assert!(
        problems.is_empty(),
        "emitted events disagree with the published catalogue:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_check_catches_missing_undocumented_and_mistyped_fields() {
    let schema = data_schema(EventType::WebhookTest);
    let ok = json!({"endpoint_id": "whe_1", "message": "hello"});
    assert!(mismatches(&schema, &ok, "data").is_empty());
    let missing = json!({"message": "hello"});
    assert_eq!(
        mismatches(&schema, &missing, "data"),
        ["data.endpoint_id: required but missing"]
    );
    let extra = json!({"endpoint_id": "whe_1", "surprise": 1});
    assert_eq!(
        mismatches(&schema, &extra, "data"),
        ["data.surprise: emitted but not in the schema"]
    );
    let wrong = json!({"endpoint_id": 7});
    assert_eq!(mismatches(&schema, &wrong, "data").len(), 1);
    let group = data_schema(EventType::GroupFailed);
    let bad_status = json!({
        "group_id": "00000000-0000-0000-0000-000000000000", "code": "GP-1",
        "product_id": "not-a-uuid", "currency": "TZS", "status": "OPEN",
        "closed_at": "2025-10-02T14:30:45Z", "refunds": [{"user_id": "u", "amount": "1"}]
    });
    let found = mismatches(&group, &bad_status, "data");
    assert_eq!(found.len(), 3, "{found:?}");
}
