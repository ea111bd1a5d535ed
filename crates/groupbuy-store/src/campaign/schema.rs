//! Diesel tables of campaigns (kept apart from the shared `schema.rs`).

diesel::table! {
    campaign_handles (handle) {
        handle -> Text,
        display_name -> Text,
        owner_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    group_buys (seq) {
        seq -> BigInt,
        id -> Text,
        handle -> Text,
        slug -> Text,
        title -> Text,
        description -> Text,
        currency -> Text,
        unit_price_minor -> BigInt,
        min_participants -> Nullable<BigInt>,
        min_quantity -> Nullable<BigInt>,
        max_quantity -> Nullable<BigInt>,
        closes_at -> Timestamp,
        status -> Text,
        participants -> BigInt,
        quantity -> BigInt,
        created_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
        paused_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        threshold_reached_at -> Nullable<Timestamp>,
        preorder_window_hours -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// A pre-order campaign's payment sessions, one per signed-in pledge (migration 000016).
    campaign_preorders (seq) {
        seq -> BigInt,
        id -> Text,
        group_buy_id -> Text,
        user_id -> Text,
        quantity -> BigInt,
        currency -> Text,
        unit_price_minor -> BigInt,
        total_minor -> BigInt,
        status -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        settled_at -> Nullable<Timestamp>,
        order_id -> Nullable<Text>,
        transaction_id -> Nullable<Text>,
    }
}

diesel::table! {
    group_buy_interests (seq) {
        seq -> BigInt,
        id -> Text,
        group_buy_id -> Text,
        visitor_id -> Text,
        quantity -> BigInt,
        note -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    campaign_audit (seq) {
        seq -> BigInt,
        id -> Text,
        group_buy_id -> Text,
        actor -> Text,
        action -> Text,
        before_status -> Nullable<Text>,
        after_status -> Text,
        request_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    support_reports (seq) {
        seq -> BigInt,
        id -> Text,
        summary -> Text,
        details -> Text,
        handle -> Nullable<Text>,
        session_id -> Nullable<Text>,
        reported_request_id -> Nullable<Text>,
        repro_artifact -> Nullable<Text>,
        reporter -> Text,
        client_ip -> Text,
        request_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(campaign_preorders, group_buys);
