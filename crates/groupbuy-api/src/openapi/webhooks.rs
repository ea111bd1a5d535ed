//! The document's top-level `webhooks`: one operation per event type, whose request body
//! is the signed envelope with that type's `data`, so generators type every payload.

use crate::routes::webhook::catalogue::envelope_schema;
use groupbuy_domain::platform::EventType;
use groupbuy_domain::IntoEnumIterator;
use serde_json::{json, Map, Value};

fn header(name: &str, description: &str) -> Value {
    json!({
        "name": name, "in": "header", "required": true,
        "description": description, "schema": {"type": "string"}
    })
}

/// `{ "<event type>": { "post": ... } }` for every event type.
pub fn webhooks() -> Value {
    let headers = json!([
        header("webhook-id", "The event id (evt_...): the same on every retry and replay; deduplicate on it."),
        header("webhook-timestamp", "Unix seconds of this attempt; reject values far from now."),
        header(
            "webhook-signature",
            "Space-separated `v1,<base64 HMAC-SHA256>` over `{webhook-id}.{webhook-timestamp}.{body}`, keyed with the decoded endpoint secret (two during a rotation's 24 h).",
        ),
        header("X-Request-Id", "The request (or sweep pass) that caused the event."),
    ]);
    let mut hooks = Map::new();
    for t in EventType::iter() {
        let operation = json!({
            "operationId": format!("webhook.{}", t.as_str().replace('.', "_")),
            "summary": t.description(),
            "tags": ["webhooks"],
            "security": [],
            "parameters": headers,
            "requestBody": {
                "required": true,
                "content": {"application/json": {"schema": with_components(envelope_schema(t))}}
            },
            "responses": {
                "200": {"description": "Any 2xx marks the delivery SUCCEEDED."},
                "410": {"description": "Gone: the endpoint is disabled, with the reason recorded."},
                "429": {"description": "Retried after the response's Retry-After."}
            }
        });
        hooks.insert(t.as_str().to_owned(), json!({"post": operation}));
    }
    Value::Object(hooks)
}

/// The catalogue's self-contained schema with amounts and currencies as the document's
/// `Money` and `Currency` components, as every operation of the document has them.
fn with_components(mut schema: Value) -> Value {
    fn walk(key: Option<&str>, v: &mut Value) {
        let money = v.get("type") == Some(&json!("number"));
        let currency = key == Some("currency") && v.get("type") == Some(&json!("string"));
        if money {
            *v = json!({"$ref": "#/components/schemas/Money"});
        } else if currency {
            *v = json!({"$ref": "#/components/schemas/Currency"});
        } else if let Value::Object(map) = v {
            for (k, child) in map.iter_mut() {
                walk(Some(k), child);
            }
        } else if let Value::Array(items) = v {
            items.iter_mut().for_each(|child| walk(None, child));
        }
    }
    walk(None, &mut schema);
    schema
}
