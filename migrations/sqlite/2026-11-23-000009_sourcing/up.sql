-- Procurement II: durable jobs, the RFQ and its responses, the allocation, the settlement.

-- Jobs: queued -> running -> succeeded | failed. A worker claims one with a conditional
-- UPDATE (status and attempts unchanged) and a lease (locked_until); it finishes it on
-- status = running AND attempts = its claim's, so a job takes effect exactly once.
CREATE TABLE procurement_jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    job_type TEXT NOT NULL CHECK (job_type IN ('rfq', 'allocate')),
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    groupbuy_id TEXT NOT NULL REFERENCES procurement_group_buys (id),
    org_id TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    request_id TEXT NOT NULL,
    -- JSON: what the job needs besides the group buy (the RFQ draft).
    payload TEXT NOT NULL,
    result_url TEXT,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    finished_at TIMESTAMP
);
CREATE INDEX procurement_jobs_claim_idx ON procurement_jobs (status, created_at);
CREATE INDEX procurement_jobs_gb_idx ON procurement_jobs (groupbuy_id, status);

-- One RFQ per group buy; its status follows from the due date and the group buy's.
CREATE TABLE procurement_rfqs (
    id TEXT PRIMARY KEY,
    groupbuy_id TEXT NOT NULL UNIQUE REFERENCES procurement_group_buys (id),
    -- JSON: the invited vendors, in the request's order.
    vendors TEXT NOT NULL,
    due_date TIMESTAMP NOT NULL,
    opened_at TIMESTAMP NOT NULL
);

-- Every version of every response: a revision is a new row, the latest counts.
CREATE TABLE procurement_vendor_responses (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    rfq_id TEXT NOT NULL REFERENCES procurement_rfqs (id),
    vendor_id TEXT NOT NULL,
    version BIGINT NOT NULL CHECK (version >= 1),
    -- Minor units of the group buy's currency.
    unit_price_minor BIGINT NOT NULL CHECK (unit_price_minor > 0),
    available_quantity BIGINT NOT NULL CHECK (available_quantity >= 1),
    valid_until TIMESTAMP NOT NULL,
    lead_time_days BIGINT,
    notes TEXT,
    submitted_at TIMESTAMP NOT NULL,
    UNIQUE (rfq_id, vendor_id, version)
);

-- One allocation per group buy: the UNIQUE key is the backstop of exactly once.
CREATE TABLE procurement_allocations (
    id TEXT PRIMARY KEY,
    groupbuy_id TEXT NOT NULL UNIQUE REFERENCES procurement_group_buys (id),
    rfq_id TEXT NOT NULL REFERENCES procurement_rfqs (id),
    -- JSON: the plan (method, currency, lines, shortfalls, totals).
    plan TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- One settlement per group buy: the UNIQUE key is the backstop of exactly once.
CREATE TABLE procurement_settlements (
    id TEXT PRIMARY KEY,
    groupbuy_id TEXT NOT NULL UNIQUE REFERENCES procurement_group_buys (id),
    allocation_id TEXT NOT NULL REFERENCES procurement_allocations (id),
    currency TEXT NOT NULL,
    payables_minor BIGINT NOT NULL,
    receivables_minor BIGINT NOT NULL,
    fees_minor BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK (receivables_minor = payables_minor + fees_minor)
);

CREATE TABLE procurement_documents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    settlement_id TEXT NOT NULL REFERENCES procurement_settlements (id),
    groupbuy_id TEXT NOT NULL REFERENCES procurement_group_buys (id),
    kind TEXT NOT NULL CHECK (kind IN ('PAYABLE', 'RECEIVABLE')),
    number TEXT NOT NULL,
    counterparty TEXT NOT NULL,
    -- JSON: the whole document (lines, dates, fee).
    body TEXT NOT NULL,
    total_minor BIGINT NOT NULL
);
CREATE INDEX procurement_documents_settlement_idx ON procurement_documents (settlement_id, seq);
-- Numbers carry the first 8 hex of the group buy's id: unique within it, not beyond.
CREATE UNIQUE INDEX procurement_documents_number_idx ON procurement_documents (groupbuy_id, number);
