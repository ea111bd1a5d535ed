//! The event catalogue: each type with its description and the JSON schema of its `data`.

use groupbuy_domain::names::names;
use groupbuy_domain::platform::EventType;
use serde_json::{json, Value};

fn object(required: &[&str], properties: Value) -> Value {
    json!({"type": "object", "required": required, "properties": properties})
}

fn uuid() -> Value {
    json!({"type": "string", "format": "uuid"})
}

fn date_time() -> Value {
    json!({"type": "string", "format": "date-time"})
}

fn money() -> Value {
    json!({"type": "number", "description": "Exact, in the currency's decimal places"})
}

fn procurement_status() -> Value {
    json!({"type": "string", "enum": names::<groupbuy_domain::procurement::GroupBuyStatus>()})
}

fn order_status() -> Value {
    json!({"type": "string", "enum": names::<groupbuy_domain::order::OrderStatus>()})
}

fn lines(required: &[&str], properties: Value) -> Value {
    json!({"type": "array", "items": object(required, properties)})
}

/// The JSON schema of `t`'s `data`.
pub fn data_schema(t: EventType) -> Value {
    match t {
        EventType::GroupCreated => object(
            &[
                "group_id",
                "code",
                "name",
                "product_id",
                "total_seats",
                "seats_occupied",
                "unit_price",
                "currency",
                "expires_at",
            ],
            json!({
                "group_id": uuid(), "code": {"type": "string", "example": "GP-7K2M9Q"},
                "name": {"type": "string"}, "product_id": uuid(),
                "total_seats": {"type": "integer"}, "seats_occupied": {"type": "integer"},
                "unit_price": money(), "currency": {"type": "string"}, "expires_at": date_time()
            }),
        ),
        EventType::GroupCompleted => object(
            &[
                "group_id",
                "code",
                "product_id",
                "currency",
                "completed_at",
                "orders",
            ],
            json!({
                "group_id": uuid(), "code": {"type": "string"}, "product_id": uuid(),
                "currency": {"type": "string"}, "completed_at": date_time(),
                "orders": lines(&["order_id", "user_id", "quantity", "total"], json!({
                    "order_id": uuid(), "user_id": {"type": "string"},
                    "quantity": {"type": "integer"}, "total": money()
                }))
            }),
        ),
        EventType::GroupFailed | EventType::GroupDeleted => object(
            &[
                "group_id",
                "code",
                "product_id",
                "currency",
                "status",
                "closed_at",
                "refunds",
            ],
            json!({
                "group_id": uuid(), "code": {"type": "string"}, "product_id": uuid(),
                "currency": {"type": "string"},
                "status": {"type": "string", "enum": ["FAILED", "DELETED"]},
                "closed_at": date_time(),
                "refunds": lines(&["user_id", "amount"], json!({
                    "user_id": {"type": "string"}, "amount": money()
                }))
            }),
        ),
        EventType::SeatsTransferred => object(
            &[
                "source_group_id",
                "target_group_id",
                "user_id",
                "quantity",
                "amount",
                "currency",
            ],
            json!({
                "source_group_id": uuid(), "target_group_id": uuid(),
                "user_id": {"type": "string"}, "quantity": {"type": "integer"},
                "amount": money(), "currency": {"type": "string"}
            }),
        ),
        EventType::CampaignPublished
        | EventType::CampaignPaused
        | EventType::CampaignClosed
        | EventType::CampaignThresholdReached => object(
            &[
                "group_buy_id",
                "handle",
                "slug",
                "status",
                "participants",
                "quantity",
                "at",
            ],
            json!({
                "group_buy_id": uuid(), "handle": {"type": "string"}, "slug": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "string", "enum": names::<groupbuy_domain::campaign::GroupBuyStatus>()},
                "previous_status": {"type": ["string", "null"]},
                "unit_price": money(), "currency": {"type": "string"},
                "participants": {"type": "integer"}, "quantity": {"type": "integer"},
                "min_participants": {"type": ["integer", "null"]},
                "min_quantity": {"type": ["integer", "null"]},
                "closes_at": date_time(), "at": date_time()
            }),
        ),
        EventType::CampaignPreordersOpened => object(
            &[
                "group_buy_id",
                "handle",
                "slug",
                "sessions",
                "pledged_quantity",
                "anonymous_interests",
                "total",
                "currency",
                "expires_at",
                "at",
            ],
            json!({
                "group_buy_id": uuid(), "handle": {"type": "string"}, "slug": {"type": "string"},
                "sessions": {"type": "integer", "description": "Payment sessions opened: one per signed-in pledge"},
                "pledged_quantity": {"type": "integer", "description": "Units those sessions ask payment for"},
                "anonymous_interests": {"type": "integer", "description": "Interests of anonymous visitors: counted, given no session"},
                "total": money(), "currency": {"type": "string"},
                "expires_at": {"type": ["string", "null"], "format": "date-time", "description": "When unpaid sessions expire; null when none was opened"},
                "at": date_time()
            }),
        ),
        EventType::GroupBuyCreated
        | EventType::GroupBuyTargetReached
        | EventType::GroupBuyCancelled
        | EventType::GroupBuyExpired => object(
            &[
                "groupbuy_id",
                "title",
                "status",
                "org_id",
                "target_quantity",
                "min_commitment",
                "committed_quantity",
                "members",
                "currency",
                "deadline",
                "version",
                "at",
            ],
            json!({
                "groupbuy_id": {"type": "string", "example": "gb_0f9c1d2e3a4b5c6d7e8f90a1b2c3d4e5"},
                "title": {"type": "string"},
                "status": procurement_status(),
                "previous_status": {"type": ["string", "null"]},
                "org_id": {"type": "string"},
                "target_quantity": {"type": "integer"}, "min_commitment": {"type": "integer"},
                "max_quantity": {"type": ["integer", "null"]},
                "committed_quantity": {"type": "integer"}, "members": {"type": "integer"},
                "currency": {"type": "string"}, "deadline": date_time(),
                "version": {"type": "integer"}, "at": date_time()
            }),
        ),
        EventType::CommitmentCreated
        | EventType::CommitmentUpdated
        | EventType::CommitmentWithdrawn => object(
            &[
                "groupbuy_id",
                "commitment_id",
                "member_id",
                "quantity",
                "price_ceiling",
                "currency",
                "status",
                "committed_quantity",
                "members",
                "at",
            ],
            json!({
                "groupbuy_id": {"type": "string"}, "commitment_id": {"type": "string"},
                "member_id": {"type": "string", "description": "The committing organisation"},
                "quantity": {"type": "integer"},
                "previous_quantity": {"type": ["integer", "null"]},
                "price_ceiling": money(), "currency": {"type": "string"},
                "status": {"type": "string", "enum": names::<groupbuy_domain::procurement::CommitmentStatus>()},
                "committed_quantity": {"type": "integer"}, "members": {"type": "integer"},
                "at": date_time()
            }),
        ),
        EventType::RfqOpened => object(
            &[
                "groupbuy_id",
                "rfq_id",
                "status",
                "vendors",
                "due_date",
                "committed_quantity",
                "members",
                "version",
                "at",
            ],
            json!({
                "groupbuy_id": {"type": "string"}, "rfq_id": {"type": "string"},
                "status": procurement_status(),
                "vendors": lines(&["vendor_id", "name"], json!({
                    "vendor_id": {"type": "string"}, "name": {"type": "string"},
                    "contact": {"type": ["string", "null"]}
                })),
                "due_date": date_time(), "committed_quantity": {"type": "integer"},
                "members": {"type": "integer"}, "version": {"type": "integer"}, "at": date_time()
            }),
        ),
        EventType::RfqInvited => object(
            &[
                "groupbuy_id",
                "rfq_id",
                "vendor_id",
                "vendor_name",
                "title",
                "items",
                "quantity",
                "currency",
                "due_date",
                "sealed_bids",
                "at",
            ],
            json!({
                "groupbuy_id": {"type": "string"}, "rfq_id": {"type": "string"},
                "vendor_id": {"type": "string", "description": "The invited vendor: the receiver"},
                "vendor_name": {"type": "string"}, "title": {"type": "string"},
                "items": lines(&["sku", "name", "unit", "quantity_per_unit"], json!({
                    "sku": {"type": "string"}, "name": {"type": "string"},
                    "unit": {"type": "string"},
                    "quantity_per_unit": {"type": ["integer", "null"]},
                    "unit_code": {"type": "string", "description": "UN/ECE Recommendation 20, when the item states one"}
                })),
                "quantity": {"type": "integer", "description": "Units to quote for"},
                "currency": {"type": "string"}, "due_date": date_time(),
                "sealed_bids": {"type": "boolean"}, "at": date_time()
            }),
        ),
        EventType::VendorResponseReceived => object(
            &[
                "groupbuy_id",
                "rfq_id",
                "response_id",
                "vendor_id",
                "version",
                "currency",
                "available_quantity",
                "valid_until",
                "at",
            ],
            json!({
                "groupbuy_id": {"type": "string"}, "rfq_id": {"type": "string"},
                "response_id": {"type": "string"}, "vendor_id": {"type": "string"},
                "vendor_name": {"type": "string"}, "version": {"type": "integer"},
                "unit_price": {"type": ["number", "null"], "description": "Null while sealed bids hide it"},
                "currency": {"type": "string"}, "available_quantity": {"type": "integer"},
                "valid_until": date_time(), "lead_time_days": {"type": ["integer", "null"]},
                "at": date_time()
            }),
        ),
        EventType::AllocationCreated => object(
            &["groupbuy_id", "allocation", "at"],
            json!({
                "groupbuy_id": {"type": "string"},
                "allocation": object(&["id", "method", "results"], json!({
                    "id": {"type": "string"}, "method": {"type": "string"},
                    "currency": {"type": "string"},
                    "results": lines(&["member_id", "quantity", "vendor_id", "unit_price", "amount"], json!({
                        "member_id": {"type": "string"}, "quantity": {"type": "integer"},
                        "vendor_id": {"type": "string"}, "unit_price": money(), "amount": money(),
                        "rule": {"type": "string"}, "explanation": {"type": "string"}
                    })),
                    "unfilled": lines(&["member_id", "quantity", "reason"], json!({
                        "member_id": {"type": "string"}, "quantity": {"type": "integer"},
                        "reason": {"type": "string"}
                    })),
                    "allocated_quantity": {"type": "integer"}, "unfilled_quantity": {"type": "integer"},
                    "amount": money()
                })),
                "at": date_time()
            }),
        ),
        EventType::SettlementCompleted => object(
            &["groupbuy_id", "settlement", "at"],
            json!({
                "groupbuy_id": {"type": "string"},
                "settlement": object(&["id", "documents"], json!({
                    "id": {"type": "string"}, "allocation_id": {"type": "string"},
                    "currency": {"type": "string"},
                    "documents": lines(&["id", "type", "number", "counterparty", "total"], json!({
                        "id": {"type": "string"},
                        "type": {"type": "string", "enum": names::<groupbuy_domain::procurement::settlement::DocumentKind>()},
                        "number": {"type": "string"}, "counterparty": {"type": "string"},
                        "due_date": {"type": "string", "format": "date"},
                        "fee": money(), "total": money()
                    })),
                    "payables": money(), "receivables": money(), "fees": money()
                })),
                "at": date_time()
            }),
        ),
        EventType::OrderCreated
        | EventType::OrderShipped
        | EventType::OrderDelivered
        | EventType::OrderCancelled => object(
            &[
                "order_id",
                "shop_id",
                "user_id",
                "product_id",
                "group_id",
                "group_code",
                "group_buy_id",
                "handle",
                "quantity",
                "total",
                "currency",
                "status",
                "previous_status",
                "carrier",
                "tracking_number",
                "cancel_reason",
                "refund",
                "at",
            ],
            json!({
                "order_id": uuid(),
                "shop_id": {"type": ["string", "null"], "format": "uuid", "description": "The shop that ships a group's order; null for a pre-order"},
                "user_id": {"type": "string", "description": "The buyer"},
                "product_id": {"type": ["string", "null"], "format": "uuid", "description": "Null for a pre-order"},
                "group_id": {"type": ["string", "null"], "format": "uuid", "description": "The group whose completion created the order; null for a pre-order"},
                "group_code": {"type": ["string", "null"]},
                "group_buy_id": {"type": ["string", "null"], "format": "uuid", "description": "The campaign a pre-order was pledged in; null for a group's order"},
                "handle": {"type": ["string", "null"], "description": "The handle that sells a pre-order; null for a group's order"},
                "quantity": {"type": "integer"}, "total": money(), "currency": {"type": "string"},
                "status": order_status(),
                "previous_status": {"type": ["string", "null"], "description": "The status it left (an OrderStatus); null for order.created"},
                "carrier": {"type": ["string", "null"], "description": "Set once SHIPPED"},
                "tracking_number": {"type": ["string", "null"], "description": "Set once SHIPPED"},
                "cancel_reason": {"type": ["string", "null"], "description": "Set once CANCELLED"},
                "refund": {"type": ["number", "null"], "description": "What order.cancelled paid back to the buyer's wallet"},
                "at": date_time()
            }),
        ),
        EventType::PayoutRecorded => object(
            &[
                "payout_id",
                "shop_id",
                "amount",
                "currency",
                "reference",
                "balance_after",
                "at",
            ],
            json!({
                "payout_id": uuid(), "shop_id": uuid(), "amount": money(),
                "currency": {"type": "string"}, "reference": {"type": "string"},
                "balance_after": money(), "at": date_time()
            }),
        ),
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
            "subject": {"type": "string", "description": "group:<id>, order:<id>, shop:<id>, campaign:<handle>/<slug>, groupbuy:<id>"},
            "sequence": {"type": "integer", "description": "Increases per subject: order what arrives out of order"},
            "data": data_schema(t)
        }
    })
}
