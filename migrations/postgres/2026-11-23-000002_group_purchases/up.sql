CREATE TABLE group_instances (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    product_id TEXT NOT NULL REFERENCES products (id),
    shop_id TEXT NOT NULL REFERENCES shops (id),
    initiator_id TEXT NOT NULL,
    initiator_name TEXT NOT NULL,
    currency TEXT NOT NULL,
    unit_price_minor BIGINT NOT NULL CHECK (unit_price_minor > 0),
    regular_price_minor BIGINT NOT NULL,
    total_seats INTEGER NOT NULL CHECK (total_seats >= 1),
    seats_occupied INTEGER NOT NULL CHECK (seats_occupied >= 0 AND seats_occupied <= total_seats),
    status TEXT NOT NULL,
    duration_hours TEXT NOT NULL,
    max_per_customer INTEGER,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    completed_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX group_instances_product_idx ON group_instances (product_id, status);
CREATE INDEX group_instances_expiry_idx ON group_instances (status, expires_at);
-- Names are unique among OPEN groups (the rename rule); the store checks first for the message.
CREATE UNIQUE INDEX group_instances_open_name_idx ON group_instances (name) WHERE status = 'OPEN';

CREATE TABLE group_participants (
    id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES group_instances (id),
    user_id TEXT NOT NULL,
    user_name TEXT NOT NULL,
    user_picture TEXT,
    quantity INTEGER NOT NULL CHECK (quantity >= 0),
    total_paid_minor BIGINT NOT NULL CHECK (total_paid_minor >= 0),
    status TEXT NOT NULL,
    joined_at TIMESTAMP NOT NULL,
    purchase_count INTEGER NOT NULL,
    has_transferred BOOLEAN NOT NULL,
    checkout_session_id TEXT,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (group_id, user_id)
);
CREATE INDEX group_participants_user_idx ON group_participants (user_id);

CREATE TABLE checkout_sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    product_id TEXT NOT NULL REFERENCES products (id),
    quantity INTEGER NOT NULL CHECK (quantity >= 1),
    currency TEXT NOT NULL,
    unit_price_minor BIGINT NOT NULL,
    total_minor BIGINT NOT NULL,
    status TEXT NOT NULL,
    group_instance_id TEXT,
    joins_existing BOOLEAN NOT NULL,
    group_code TEXT,
    transaction_id TEXT,
    created_at TIMESTAMP NOT NULL,
    completed_at TIMESTAMP
);
CREATE INDEX checkout_sessions_user_idx ON checkout_sessions (user_id);

CREATE TABLE purchase_records (
    id TEXT PRIMARY KEY,
    participant_id TEXT NOT NULL REFERENCES group_participants (id),
    checkout_session_id TEXT NOT NULL UNIQUE REFERENCES checkout_sessions (id),
    quantity INTEGER NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    purchased_at TIMESTAMP NOT NULL
);
CREATE INDEX purchase_records_participant_idx ON purchase_records (participant_id);

CREATE TABLE seat_transfers (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    from_group_id TEXT NOT NULL REFERENCES group_instances (id),
    to_group_id TEXT NOT NULL REFERENCES group_instances (id),
    from_participant_id TEXT NOT NULL REFERENCES group_participants (id),
    to_participant_id TEXT NOT NULL REFERENCES group_participants (id),
    quantity INTEGER NOT NULL CHECK (quantity >= 1),
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    reason TEXT NOT NULL,
    transferred_at TIMESTAMP NOT NULL
);
CREATE INDEX seat_transfers_from_idx ON seat_transfers (from_participant_id);
CREATE INDEX seat_transfers_to_idx ON seat_transfers (to_participant_id);

CREATE TABLE orders (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    group_id TEXT NOT NULL REFERENCES group_instances (id),
    group_code TEXT NOT NULL,
    user_id TEXT NOT NULL,
    participant_id TEXT NOT NULL UNIQUE REFERENCES group_participants (id),
    product_id TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    currency TEXT NOT NULL,
    unit_price_minor BIGINT NOT NULL,
    total_minor BIGINT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX orders_user_idx ON orders (user_id, seq);
