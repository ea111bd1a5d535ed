//! The event catalogue: each type with its description and the JSON schema of its `data`.

use groupbuy_domain::platform::EventType;
use serde_json::{json, Value};

fn object(required: &[&str], properties: Value) -> Value {
    json!({"type": "object", "required": required, "properties": properties})
}

fn group_fields() -> Value {
    json!({
        "group_id": {"type": "string", "format": "uuid"},
        "group_code": {"type": "string", "example": "GP-7K2M9Q"},
        "group_name": {"type": "string"},
        "product_id": {"type": "string", "format": "uuid"},
        "total_seats": {"type": "integer"},
        "seats_occupied": {"type": "integer"},
        "unit_price": {"type": "number"},
        "currency": {"type": "string", "example": "TZS"}
    })
}

fn with(mut base: Value, extra: Value) -> Value {
    if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    base
}

fn money_lines(key: &str, id: &str) -> Value {
    json!({key: {"type": "array", "items": object(&["user_id", "amount"], json!({
        id: {"type": "string"},
        "user_id": {"type": "string"},
        "quantity": {"type": "integer"},
        "amount": {"type": "number"}
    }))}})
}

fn campaign_fields() -> Value {
    json!({
        "handle": {"type": "string"},
        "slug": {"type": "string"},
        "group_buy_id": {"type": "string", "format": "uuid"},
        "status": {"type": "string", "enum": ["DRAFT", "PUBLISHED", "PAUSED", "CLOSED"]},
        "participants": {"type": "integer"},
        "quantity": {"type": "integer"}
    })
}

/// The JSON schema of `t`'s `data`.
pub fn data_schema(t: EventType) -> Value {
    match t {
        EventType::GroupCreated => object(
            &["group_id", "group_code"],
            with(
                group_fields(),
                json!({"expires_at": {"type": "string", "format": "date-time"}}),
            ),
        ),
        EventType::GroupCompleted => object(
            &["group_id", "orders"],
            with(group_fields(), money_lines("orders", "order_id")),
        ),
        EventType::GroupFailed | EventType::GroupDeleted => object(
            &["group_id", "refunds"],
            with(group_fields(), money_lines("refunds", "participant_id")),
        ),
        EventType::SeatsTransferred => object(
            &["source_group_id", "target_group_id", "user_id", "quantity"],
            json!({
                "source_group_id": {"type": "string", "format": "uuid"},
                "target_group_id": {"type": "string", "format": "uuid"},
                "user_id": {"type": "string"},
                "quantity": {"type": "integer"},
                "amount": {"type": "number"}
            }),
        ),
        EventType::CampaignPublished
        | EventType::CampaignPaused
        | EventType::CampaignClosed
        | EventType::CampaignThresholdReached => {
            object(&["handle", "slug", "status"], campaign_fields())
        }
        EventType::WebhookTest => object(
            &["endpoint_id"],
            json!({"endpoint_id": {"type": "string"}, "message": {"type": "string"}}),
        ),
    }
}

/// The envelope every delivery's body is.
pub fn envelope_schema(t: EventType) -> Value {
    json!({
        "type": "object",
        "required": ["id", "type", "created_at", "request_id", "subject", "sequence", "data"],
        "properties": {
            "id": {"type": "string", "description": "evt_...; also the webhook-id header, stable across retries"},
            "type": {"type": "string", "enum": [t.as_str()]},
            "created_at": {"type": "string", "format": "date-time"},
            "request_id": {"type": "string", "description": "X-Request-Id of the request (or sweep pass) that caused it"},
            "subject": {"type": "string", "description": "group:<id>, campaign:<handle>/<slug>, groupbuy:<id>"},
            "sequence": {"type": "integer", "description": "Increases per subject: order what arrives out of order"},
            "data": data_schema(t)
        }
    })
}
