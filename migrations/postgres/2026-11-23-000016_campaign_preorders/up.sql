-- Campaign pre-orders (issue 20): a campaign created with pre-order terms keeps its
-- payment window; closing it opens one payment session per signed-in pledge; a paid
-- session becomes an order of the campaign's handle. An order now comes from a group (its
-- shop ships it) or from a pre-order (its handle ships it): exactly one of the two.
ALTER TABLE group_buys ADD COLUMN preorder_window_hours BIGINT
    CHECK (preorder_window_hours BETWEEN 1 AND 720);

CREATE TABLE campaign_preorders (
    seq BIGSERIAL PRIMARY KEY,
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

ALTER TABLE orders ALTER COLUMN group_id DROP NOT NULL;
ALTER TABLE orders ALTER COLUMN group_code DROP NOT NULL;
ALTER TABLE orders ALTER COLUMN participant_id DROP NOT NULL;
ALTER TABLE orders ALTER COLUMN product_id DROP NOT NULL;
ALTER TABLE orders ALTER COLUMN shop_id DROP NOT NULL;
ALTER TABLE orders
    ADD COLUMN group_buy_id TEXT REFERENCES group_buys (id),
    ADD COLUMN handle TEXT REFERENCES campaign_handles (handle),
    ADD COLUMN preorder_id TEXT UNIQUE REFERENCES campaign_preorders (id),
    ADD CONSTRAINT orders_one_origin CHECK (
        (group_id IS NOT NULL AND group_code IS NOT NULL AND participant_id IS NOT NULL
         AND product_id IS NOT NULL AND shop_id IS NOT NULL
         AND group_buy_id IS NULL AND handle IS NULL AND preorder_id IS NULL)
        OR
        (group_id IS NULL AND group_code IS NULL AND participant_id IS NULL
         AND product_id IS NULL AND shop_id IS NULL
         AND group_buy_id IS NOT NULL AND handle IS NOT NULL AND preorder_id IS NOT NULL));
-- A handle's orders newest first, all or of one status (the cursor is `seq`).
CREATE INDEX orders_handle_idx ON orders (handle, seq);
CREATE INDEX orders_handle_status_idx ON orders (handle, status, seq);
