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

/// The endpoint bodies that send an event filter and a target URL.
const ENDPOINT_BODIES: &[&str] = &["CreateEndpointRequest", "UpdateEndpointRequest"];

/// What `EventFilter::parse` and the URL rule accept, stated on the endpoint bodies: each
/// `events` item is a catalogue name or `"*"` (the server answers anything else with 422
/// "Unknown event type"), and `url` is an absolute http(s) URL naming a host. (The rule on
/// private and loopback addresses depends on the server's configuration and is left to the
/// description.)
pub(super) fn endpoint_rules(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    let Some(components) = api.components.as_mut() else {
        return;
    };
    let mut names: Vec<Value> = EventType::iter().map(|t| json!(t.as_str())).collect();
    names.push(json!("*"));
    for name in ENDPOINT_BODIES {
        let Some(schema) = components.schemas.get_mut(*name) else {
            continue;
        };
        let mut value = serde_json::to_value(&*schema).unwrap_or_default();
        if let Some(items) = value.pointer_mut("/properties/events/items") {
            items["enum"] = Value::Array(names.clone());
        }
        if let Some(events) = value.pointer_mut("/properties/events") {
            events["minItems"] = json!(1);
        }
        if let Some(url) = value.pointer_mut("/properties/url") {
            url["format"] = json!("uri");
            url["pattern"] = json!(URL_PATTERN);
            url["maxLength"] = json!(2048);
        }
        if let Ok(typed) = serde_json::from_value::<RefOr<utoipa::openapi::schema::Schema>>(value) {
            *schema = typed;
        }
    }
}

/// An absolute http or https URL with a host (no credentials, no spaces): the shape the
/// server's WHATWG parser and its scheme and host rules accept.
const URL_PATTERN: &str = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#@\\]+([/?#][^\s]*)?$";
