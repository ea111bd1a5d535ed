CREATE TABLE campaign_handles (
    handle TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX campaign_handles_owner_idx ON campaign_handles (owner_id);

CREATE TABLE group_buys (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    handle TEXT NOT NULL REFERENCES campaign_handles (handle),
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    currency TEXT NOT NULL,
    unit_price_minor BIGINT NOT NULL CHECK (unit_price_minor > 0),
    min_participants BIGINT CHECK (min_participants >= 1),
    min_quantity BIGINT CHECK (min_quantity >= 1),
    max_quantity BIGINT CHECK (max_quantity >= 1),
    closes_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('DRAFT', 'PUBLISHED', 'PAUSED', 'CLOSED')),
    participants BIGINT NOT NULL DEFAULT 0 CHECK (participants >= 0),
    quantity BIGINT NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    created_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP,
    paused_at TIMESTAMP,
    closed_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (handle, slug),
    CHECK (min_participants IS NOT NULL OR min_quantity IS NOT NULL),
    CHECK (max_quantity IS NULL OR quantity <= max_quantity)
);
CREATE INDEX group_buys_status_idx ON group_buys (status, seq);

CREATE TABLE group_buy_interests (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    group_buy_id TEXT NOT NULL REFERENCES group_buys (id),
    visitor_id TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity >= 1),
    note TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (group_buy_id, visitor_id)
);
CREATE INDEX group_buy_interests_gb_idx ON group_buy_interests (group_buy_id, seq);

CREATE TABLE campaign_audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    group_buy_id TEXT NOT NULL REFERENCES group_buys (id),
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    before_status TEXT,
    after_status TEXT NOT NULL,
    request_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX campaign_audit_gb_idx ON campaign_audit (group_buy_id, seq);

CREATE TABLE support_reports (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    summary TEXT NOT NULL,
    details TEXT NOT NULL,
    handle TEXT,
    session_id TEXT,
    reported_request_id TEXT,
    repro_artifact TEXT,
    reporter TEXT NOT NULL,
    client_ip TEXT NOT NULL,
    request_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE rate_limit_windows (
    bucket TEXT PRIMARY KEY,
    hits BIGINT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX rate_limit_windows_expires_idx ON rate_limit_windows (expires_at);
