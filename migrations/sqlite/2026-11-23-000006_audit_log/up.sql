-- The tamper-evident audit trail every context appends to: one hash chain per subject
-- (`groupbuy:<id>`, `campaign:<handle>/<slug>`). Entries are only ever inserted; the
-- campaign entries written before this table existed are sealed into it at start-up.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    org_id TEXT,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    request_id TEXT NOT NULL,
    -- Text, not JSONB: the hash covers the exact encoding.
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (subject, seq)
);
