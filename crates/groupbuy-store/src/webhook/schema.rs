//! Tables of webhook endpoints, their deliveries and attempts.

diesel::table! {
    /// Registered endpoints.
    webhook_endpoints (seq) {
        seq -> BigInt,
        id -> Text,
        created_by -> Text,
        org_id -> Nullable<Text>,
        url -> Text,
        event_types -> Text,
        description -> Nullable<Text>,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
        disabled -> Bool,
        disabled_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// One event's delivery to one endpoint.
    webhook_deliveries (seq) {
        seq -> BigInt,
        id -> Text,
        endpoint_id -> Text,
        event_id -> Text,
        event_type -> Text,
        subject -> Text,
        sequence -> BigInt,
        state -> Text,
        attempt_count -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        locked_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Every attempt of a delivery.
    webhook_attempts (seq) {
        seq -> BigInt,
        delivery_id -> Text,
        attempt -> Integer,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> BigInt,
        at -> Timestamp,
    }
}
