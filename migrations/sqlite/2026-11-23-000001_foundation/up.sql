CREATE TABLE shops (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    name TEXT NOT NULL,
    logo TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX shops_owner_idx ON shops (owner_id);

CREATE TABLE products (
    id TEXT PRIMARY KEY,
    shop_id TEXT NOT NULL REFERENCES shops (id),
    name TEXT NOT NULL,
    image TEXT,
    currency TEXT NOT NULL,
    regular_price_minor BIGINT NOT NULL CHECK (regular_price_minor > 0),
    group_price_minor BIGINT NOT NULL CHECK (group_price_minor > 0),
    stock_quantity BIGINT NOT NULL,
    reserved_quantity BIGINT NOT NULL DEFAULT 0,
    group_buying_enabled BOOLEAN NOT NULL,
    group_max_size INTEGER NOT NULL CHECK (group_max_size >= 1),
    group_time_limit_hours TEXT NOT NULL,
    max_per_customer INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (reserved_quantity >= 0 AND reserved_quantity <= stock_quantity)
);
CREATE INDEX products_shop_idx ON products (shop_id);

CREATE TABLE wallets (
    user_id TEXT PRIMARY KEY,
    currency TEXT NOT NULL,
    balance_minor BIGINT NOT NULL CHECK (balance_minor >= 0),
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE wallet_ledger (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    balance_after_minor BIGINT NOT NULL CHECK (balance_after_minor >= 0),
    currency TEXT NOT NULL,
    reference TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX wallet_ledger_user_idx ON wallet_ledger (user_id, seq);

CREATE TABLE idempotency_keys (
    caller TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL,
    response_status INTEGER,
    response_body TEXT,
    content_type TEXT,
    locked_until TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (caller, idem_key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
