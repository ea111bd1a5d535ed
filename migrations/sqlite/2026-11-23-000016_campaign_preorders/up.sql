-- Campaign pre-orders (issue 20): a campaign created with pre-order terms keeps its
-- payment window; closing it opens one payment session per signed-in pledge; a paid
-- session becomes an order of the campaign's handle. An order now comes from a group (its
-- shop ships it) or from a pre-order (its handle ships it): exactly one of the two.
ALTER TABLE group_buys ADD COLUMN preorder_window_hours BIGINT
    CHECK (preorder_window_hours BETWEEN 1 AND 720);

CREATE TABLE campaign_preorders (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    group_buy_id TEXT NOT NULL REFERENCES group_buys (id),
    user_id TEXT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity >= 1),
    currency TEXT NOT NULL,
    unit_price_minor BIGINT NOT NULL CHECK (unit_price_minor > 0),
    total_minor BIGINT NOT NULL CHECK (total_minor > 0),
    status TEXT NOT NULL CHECK (status IN ('PENDING_PAYMENT', 'PAID', 'EXPIRED')),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    settled_at TIMESTAMP,
    order_id TEXT UNIQUE,
    transaction_id TEXT,
    -- One session per pledger and campaign: a close can never open two.
    UNIQUE (group_buy_id, user_id),
    CHECK ((status = 'PAID') = (order_id IS NOT NULL))
);
-- The sweep's claim: unpaid sessions by deadline.
CREATE INDEX campaign_preorders_due_idx ON campaign_preorders (status, expires_at);

-- SQLite relaxes no NOT NULL in place: the table is rebuilt, its `seq` values kept (they
-- are the cursors clients hold).
CREATE TABLE orders_new (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    group_id TEXT REFERENCES group_instances (id),
    group_code TEXT,
    user_id TEXT NOT NULL,
    participant_id TEXT UNIQUE REFERENCES group_participants (id),
    product_id TEXT,
    quantity INTEGER NOT NULL,
    currency TEXT NOT NULL,
    unit_price_minor BIGINT NOT NULL,
    total_minor BIGINT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    shop_id TEXT REFERENCES shops (id),
    carrier TEXT,
    tracking_number TEXT,
    shipped_at TIMESTAMP,
    delivered_at TIMESTAMP,
    cancelled_at TIMESTAMP,
    cancel_reason TEXT,
    commission_minor BIGINT NOT NULL DEFAULT 0,
    group_buy_id TEXT REFERENCES group_buys (id),
    handle TEXT REFERENCES campaign_handles (handle),
    preorder_id TEXT UNIQUE REFERENCES campaign_preorders (id),
    CONSTRAINT orders_one_origin CHECK (
        (group_id IS NOT NULL AND group_code IS NOT NULL AND participant_id IS NOT NULL
         AND product_id IS NOT NULL AND shop_id IS NOT NULL
         AND group_buy_id IS NULL AND handle IS NULL AND preorder_id IS NULL)
        OR
        (group_id IS NULL AND group_code IS NULL AND participant_id IS NULL
         AND product_id IS NULL AND shop_id IS NULL
         AND group_buy_id IS NOT NULL AND handle IS NOT NULL AND preorder_id IS NOT NULL))
);
INSERT INTO orders_new (seq, id, group_id, group_code, user_id, participant_id, product_id,
                        quantity, currency, unit_price_minor, total_minor, status, created_at,
                        shop_id, carrier, tracking_number, shipped_at, delivered_at,
                        cancelled_at, cancel_reason, commission_minor)
SELECT seq, id, group_id, group_code, user_id, participant_id, product_id,
       quantity, currency, unit_price_minor, total_minor, status, created_at,
       shop_id, carrier, tracking_number, shipped_at, delivered_at,
       cancelled_at, cancel_reason, commission_minor
FROM orders ORDER BY seq;
DROP TABLE orders;
ALTER TABLE orders_new RENAME TO orders;
CREATE INDEX orders_user_idx ON orders (user_id, seq);
CREATE INDEX orders_shop_idx ON orders (shop_id, seq);
CREATE INDEX orders_shop_status_idx ON orders (shop_id, status, seq);
-- A handle's orders newest first, all or of one status (the cursor is `seq`).
CREATE INDEX orders_handle_idx ON orders (handle, seq);
CREATE INDEX orders_handle_status_idx ON orders (handle, status, seq);
