//! The one Diesel schema shared by both backends (types common to SQLite and PostgreSQL).

diesel::table! {
    shops (id) {
        id -> Text,
        owner_id -> Text,
        name -> Text,
        logo -> Nullable<Text>,
        created_at -> Timestamp,
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
    wallets (user_id) {
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
        created_at -> Timestamp,
    }
}

diesel::joinable!(products -> shops (shop_id));
diesel::allow_tables_to_appear_in_same_query!(
    shops,
    products,
    wallets,
    wallet_ledger,
    idempotency_keys
);
