-- The outbox: every domain event, written in the transaction of the change it describes.
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    subject TEXT NOT NULL,
    sequence BIGINT NOT NULL CHECK (sequence >= 1),
    audience_kind TEXT NOT NULL CHECK (audience_kind IN ('USER', 'ORGANISATION')),
    audience_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    dispatched BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (subject, sequence)
);
CREATE INDEX events_undispatched_idx ON events (seq) WHERE dispatched = FALSE;

-- The last sequence number given per subject (one row per group, campaign, pool).
CREATE TABLE event_subjects (
    subject TEXT PRIMARY KEY,
    last_sequence BIGINT NOT NULL
);

CREATE TABLE webhook_endpoints (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    org_id TEXT,
    url TEXT NOT NULL,
    event_types TEXT NOT NULL,
    description TEXT,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_until TIMESTAMP,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    disabled_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_endpoints_creator_idx ON webhook_endpoints (created_by);
CREATE INDEX webhook_endpoints_org_idx ON webhook_endpoints (org_id);

CREATE TABLE webhook_deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id TEXT NOT NULL REFERENCES events (id),
    event_type TEXT NOT NULL,
    subject TEXT NOT NULL,
    sequence BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('PENDING', 'SUCCEEDED', 'FAILED', 'EXHAUSTED')),
    attempt_count INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP,
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
    WHERE state IN ('PENDING', 'FAILED');
CREATE INDEX webhook_deliveries_order_idx ON webhook_deliveries (endpoint_id, subject, sequence);

CREATE TABLE webhook_attempts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL,
    status_code INTEGER,
    error TEXT,
    duration_ms BIGINT NOT NULL,
    at TIMESTAMP NOT NULL,
    UNIQUE (delivery_id, attempt)
);
