//! Diesel tables of procurement (kept apart from the shared `schema.rs`).

diesel::table! {
    /// One row per organising organisation: the lock that serialises its creates.
    procurement_organisers (org_id) {
        org_id -> Text,
        pools_created -> BigInt,
    }
}

diesel::table! {
    /// Group buys ("pools"), with their counters.
    procurement_group_buys (seq) {
        seq -> BigInt,
        id -> Text,
        org_id -> Text,
        created_by -> Text,
        title -> Text,
        description -> Nullable<Text>,
        items -> Text,
        target_quantity -> BigInt,
        min_commitment -> BigInt,
        deadline -> Timestamp,
        currency -> Text,
        rules -> Text,
        max_quantity -> Nullable<BigInt>,
        max_per_member -> Nullable<BigInt>,
        allow_partial -> Bool,
        visibility -> Text,
        status -> Text,
        version -> BigInt,
        committed_quantity -> BigInt,
        members -> BigInt,
        target_reached_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// `rules.eligible_orgs`, one row per listed organisation.
    procurement_eligible_orgs (group_buy_id, org_id) {
        group_buy_id -> Text,
        org_id -> Text,
    }
}

diesel::table! {
    /// Commitments: at most one per (group buy, organisation).
    procurement_commitments (seq) {
        seq -> BigInt,
        id -> Text,
        group_buy_id -> Text,
        member_id -> Text,
        quantity -> BigInt,
        price_ceiling_minor -> BigInt,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        purchase_order_ref -> Nullable<Text>,
    }
}

diesel::table! {
    /// Each organisation's and vendor's legal data (a JSON profile) at its version.
    procurement_parties (kind, party_id) {
        kind -> Text,
        party_id -> Text,
        version -> BigInt,
        profile -> Text,
        updated_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    procurement_organisers,
    procurement_group_buys,
    procurement_eligible_orgs,
    procurement_commitments,
);
