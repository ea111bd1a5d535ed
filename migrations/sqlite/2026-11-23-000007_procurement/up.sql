-- Procurement I: organisations pool commitments toward a target by a deadline.

-- One row per organising organisation. Creating a group buy first upserts its
-- organisation's row here (`pools_created + 1`), which takes that row's lock until the
-- transaction ends: two concurrent creates of one organisation queue there, so the second
-- reads the first's pool when it checks the overlap rule (no two OPEN pools of one
-- organisation with a deadline ahead pool the same SKU). SQLite's BEGIN IMMEDIATE already
-- serialises writers; the row keeps both backends on one code path.
CREATE TABLE procurement_organisers (
    org_id TEXT PRIMARY KEY,
    pools_created BIGINT NOT NULL CHECK (pools_created >= 1)
);

CREATE TABLE procurement_group_buys (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL REFERENCES procurement_organisers (org_id),
    created_by TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    -- JSON: the items as the domain serialises them.
    items TEXT NOT NULL,
    target_quantity BIGINT NOT NULL CHECK (target_quantity >= 1),
    min_commitment BIGINT NOT NULL CHECK (min_commitment >= 1),
    deadline TIMESTAMP NOT NULL,
    currency TEXT NOT NULL,
    -- JSON: every rule. The rules the conditional statements and list filters test are
    -- repeated in their own columns (rules never change after creation).
    rules TEXT NOT NULL,
    max_quantity BIGINT CHECK (max_quantity >= 1),
    max_per_member BIGINT CHECK (max_per_member >= 1),
    allow_partial BOOLEAN NOT NULL,
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'private')),
    status TEXT NOT NULL CHECK (
        status IN ('OPEN', 'SOURCING', 'ALLOCATED', 'SETTLED', 'CANCELLED', 'EXPIRED')
    ),
    version BIGINT NOT NULL CHECK (version >= 1),
    committed_quantity BIGINT NOT NULL DEFAULT 0 CHECK (committed_quantity >= 0),
    members BIGINT NOT NULL DEFAULT 0 CHECK (members >= 0),
    target_reached_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    -- The last line of defence of capacity: a commit that would pass it fails.
    CHECK (max_quantity IS NULL OR committed_quantity <= max_quantity)
);
CREATE INDEX procurement_group_buys_status_idx ON procurement_group_buys (status, seq);
CREATE INDEX procurement_group_buys_org_idx ON procurement_group_buys (org_id, status, seq);
CREATE INDEX procurement_group_buys_creator_idx ON procurement_group_buys (created_by, seq);
CREATE INDEX procurement_group_buys_deadline_idx ON procurement_group_buys (status, deadline);
CREATE INDEX procurement_group_buys_visibility_idx ON procurement_group_buys (visibility, seq);

-- `rules.eligible_orgs` as rows, so listing what an organisation may see stays one query.
CREATE TABLE procurement_eligible_orgs (
    group_buy_id TEXT NOT NULL REFERENCES procurement_group_buys (id),
    org_id TEXT NOT NULL,
    PRIMARY KEY (group_buy_id, org_id)
);
CREATE INDEX procurement_eligible_orgs_org_idx ON procurement_eligible_orgs (org_id);

CREATE TABLE procurement_commitments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    group_buy_id TEXT NOT NULL REFERENCES procurement_group_buys (id),
    member_id TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity >= 1),
    -- Minor units of the group buy's currency.
    price_ceiling_minor BIGINT NOT NULL CHECK (price_ceiling_minor > 0),
    status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'WITHDRAWN')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (group_buy_id, member_id)
);
CREATE INDEX procurement_commitments_gb_idx ON procurement_commitments (group_buy_id, status, seq);
CREATE INDEX procurement_commitments_member_idx ON procurement_commitments (member_id, status);
