//! Diesel tables of Procurement II.

diesel::table! {
    /// Durable jobs (RFQ, allocation).
    procurement_jobs (seq) {
        seq -> BigInt,
        id -> Text,
        job_type -> Text,
        status -> Text,
        groupbuy_id -> Text,
        org_id -> Text,
        requested_by -> Text,
        request_id -> Text,
        payload -> Text,
        result_url -> Nullable<Text>,
        error -> Nullable<Text>,
        attempts -> Integer,
        locked_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// One RFQ per group buy.
    procurement_rfqs (id) {
        id -> Text,
        groupbuy_id -> Text,
        vendors -> Text,
        due_date -> Timestamp,
        opened_at -> Timestamp,
    }
}

diesel::table! {
    /// Every version of every vendor's response.
    procurement_vendor_responses (seq) {
        seq -> BigInt,
        id -> Text,
        rfq_id -> Text,
        vendor_id -> Text,
        version -> BigInt,
        unit_price_minor -> BigInt,
        available_quantity -> BigInt,
        valid_until -> Timestamp,
        lead_time_days -> Nullable<BigInt>,
        notes -> Nullable<Text>,
        submitted_at -> Timestamp,
        vat_category -> Nullable<Text>,
        vat_rate_hundredths -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// One allocation per group buy.
    procurement_allocations (id) {
        id -> Text,
        groupbuy_id -> Text,
        rfq_id -> Text,
        plan -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// One settlement per group buy.
    procurement_settlements (id) {
        id -> Text,
        groupbuy_id -> Text,
        allocation_id -> Text,
        currency -> Text,
        payables_minor -> BigInt,
        receivables_minor -> BigInt,
        fees_minor -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// The settlement's payables and receivables.
    procurement_documents (seq) {
        seq -> BigInt,
        id -> Text,
        settlement_id -> Text,
        groupbuy_id -> Text,
        kind -> Text,
        number -> Text,
        counterparty -> Text,
        body -> Text,
        total_minor -> BigInt,
    }
}
