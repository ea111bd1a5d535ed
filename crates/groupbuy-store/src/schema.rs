//! The one Diesel schema shared by both backends (types common to SQLite and PostgreSQL).

diesel::table! {
    shops (id) {
        id -> Text,
        owner_id -> Text,
        name -> Text,
        logo -> Nullable<Text>,
        created_at -> Timestamp,
        /// The shop's own commission rate in basis points (NULL: the platform's default).
        commission_bps -> Nullable<Integer>,
    }
}

diesel::table! {
    products (id) {
        id -> Text,
        shop_id -> Text,
        name -> Text,
        image -> Nullable<Text>,
        currency -> Text,
        regular_price_minor -> BigInt,
        group_price_minor -> BigInt,
        stock_quantity -> BigInt,
        reserved_quantity -> BigInt,
        group_buying_enabled -> Bool,
        group_max_size -> Integer,
        group_time_limit_hours -> Text,
        max_per_customer -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Every account of the ledger (migration 000014): a user's wallet, a shop's merchant
    /// balance or the platform's revenue, named by `account_kind` and `user_id` (its owner).
    wallets (account_kind, user_id, currency) {
        account_kind -> Text,
        user_id -> Text,
        currency -> Text,
        balance_minor -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    wallet_ledger (seq) {
        seq -> BigInt,
        id -> Text,
        account_kind -> Text,
        user_id -> Text,
        kind -> Text,
        amount_minor -> BigInt,
        balance_after_minor -> BigInt,
        currency -> Text,
        reference -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (caller, idem_key) {
        caller -> Text,
        idem_key -> Text,
        fingerprint -> Text,
        state -> Text,
        response_status -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        content_type -> Nullable<Text>,
        locked_until -> Timestamp,
        response_headers -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    group_instances (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        product_id -> Text,
        shop_id -> Text,
        initiator_id -> Text,
        initiator_name -> Text,
        currency -> Text,
        unit_price_minor -> BigInt,
        regular_price_minor -> BigInt,
        total_seats -> Integer,
        seats_occupied -> Integer,
        status -> Text,
        duration_hours -> Text,
        max_per_customer -> Nullable<Integer>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        completed_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    group_participants (id) {
        id -> Text,
        group_id -> Text,
        user_id -> Text,
        user_name -> Text,
        user_picture -> Nullable<Text>,
        quantity -> Integer,
        total_paid_minor -> BigInt,
        status -> Text,
        joined_at -> Timestamp,
        purchase_count -> Integer,
        has_transferred -> Bool,
        checkout_session_id -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    checkout_sessions (id) {
        id -> Text,
        user_id -> Text,
        product_id -> Text,
        quantity -> Integer,
        currency -> Text,
        unit_price_minor -> BigInt,
        total_minor -> BigInt,
        status -> Text,
        group_instance_id -> Nullable<Text>,
        joins_existing -> Bool,
        group_code -> Nullable<Text>,
        transaction_id -> Nullable<Text>,
        created_at -> Timestamp,
        completed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    purchase_records (id) {
        id -> Text,
        participant_id -> Text,
        checkout_session_id -> Text,
        quantity -> Integer,
        amount_minor -> BigInt,
        currency -> Text,
        transaction_id -> Text,
        purchased_at -> Timestamp,
    }
}

diesel::table! {
    seat_transfers (id) {
        id -> Text,
        user_id -> Text,
        from_group_id -> Text,
        to_group_id -> Text,
        from_participant_id -> Text,
        to_participant_id -> Text,
        quantity -> Integer,
        amount_minor -> BigInt,
        currency -> Text,
        reason -> Text,
        transferred_at -> Timestamp,
    }
}

diesel::table! {
    orders (seq) {
        seq -> BigInt,
        id -> Text,
        group_id -> Nullable<Text>,
        group_code -> Nullable<Text>,
        user_id -> Text,
        participant_id -> Nullable<Text>,
        product_id -> Nullable<Text>,
        quantity -> Integer,
        currency -> Text,
        unit_price_minor -> BigInt,
        total_minor -> BigInt,
        status -> Text,
        created_at -> Timestamp,
        shop_id -> Nullable<Text>,
        carrier -> Nullable<Text>,
        tracking_number -> Nullable<Text>,
        shipped_at -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        cancelled_at -> Nullable<Timestamp>,
        cancel_reason -> Nullable<Text>,
        commission_minor -> BigInt,
        group_buy_id -> Nullable<Text>,
        handle -> Nullable<Text>,
        preorder_id -> Nullable<Text>,
    }
}

diesel::joinable!(products -> shops (shop_id));
diesel::joinable!(orders -> shops (shop_id));
diesel::joinable!(group_instances -> products (product_id));
diesel::joinable!(group_participants -> group_instances (group_id));
diesel::table! {
    /// A view (migration 000011): each group's participants with their purchases and
    /// transfers as one JSON array.
    group_participants_json (group_id) {
        group_id -> Text,
        participants -> Text,
    }
}

diesel::table! {
    /// A view (migration 000011): each participation's purchases and transfers as JSON.
    participant_histories_json (participant_id) {
        participant_id -> Text,
        purchases -> Text,
        transfers -> Text,
    }
}

diesel::table! {
    /// Closed groups whose ACTIVE participants are still owed their refunds.
    group_refunds_owed (group_id) {
        group_id -> Text,
        queued_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    group_participants_json,
    participant_histories_json,
    shops,
    products,
    wallets,
    wallet_ledger,
    idempotency_keys,
    group_instances,
    group_participants,
    checkout_sessions,
    purchase_records,
    seat_transfers,
    orders,
);
