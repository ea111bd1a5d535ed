//! The tables of the platform's shared parts: the event outbox and the rate-limit windows
//! (the audit log's table is in `audit/schema.rs`, the idempotency keys' in `crate::schema`).

diesel::table! {
    /// Every event, in commit order of `seq`.
    events (seq) {
        seq -> BigInt,
        id -> Text,
        event_type -> Text,
        subject -> Text,
        sequence -> BigInt,
        audience_kind -> Text,
        audience_id -> Text,
        request_id -> Text,
        data -> Text,
        created_at -> Timestamp,
        dispatched -> Bool,
    }
}

diesel::table! {
    /// The last sequence number given per subject.
    event_subjects (subject) {
        subject -> Text,
        last_sequence -> BigInt,
    }
}

diesel::table! {
    /// One counter per key and window; `bucket` is `key@window-start` (Unix seconds).
    rate_limit_windows (bucket) {
        bucket -> Text,
        hits -> BigInt,
        expires_at -> Timestamp,
    }
}
