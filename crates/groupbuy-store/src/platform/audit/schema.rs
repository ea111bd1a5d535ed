//! The `audit_log` table.

diesel::table! {
    audit_log (id) {
        id -> Text,
        subject -> Text,
        seq -> BigInt,
        at -> Timestamp,
        actor -> Text,
        org_id -> Nullable<Text>,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        request_id -> Text,
        details -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}
