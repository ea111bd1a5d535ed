-- Pre-order orders go with their sessions; the table as migration 000014 left it.
CREATE TABLE orders_old (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
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
    created_at TIMESTAMP NOT NULL,
    shop_id TEXT NOT NULL REFERENCES shops (id),
    carrier TEXT,
    tracking_number TEXT,
    shipped_at TIMESTAMP,
    delivered_at TIMESTAMP,
    cancelled_at TIMESTAMP,
    cancel_reason TEXT,
    commission_minor BIGINT NOT NULL DEFAULT 0
);
INSERT INTO orders_old (seq, id, group_id, group_code, user_id, participant_id, product_id,
                        quantity, currency, unit_price_minor, total_minor, status, created_at,
                        shop_id, carrier, tracking_number, shipped_at, delivered_at,
                        cancelled_at, cancel_reason, commission_minor)
SELECT seq, id, group_id, group_code, user_id, participant_id, product_id,
       quantity, currency, unit_price_minor, total_minor, status, created_at,
       shop_id, carrier, tracking_number, shipped_at, delivered_at,
       cancelled_at, cancel_reason, commission_minor
FROM orders WHERE preorder_id IS NULL ORDER BY seq;
DROP TABLE orders;
ALTER TABLE orders_old RENAME TO orders;
CREATE INDEX orders_user_idx ON orders (user_id, seq);
CREATE INDEX orders_shop_idx ON orders (shop_id, seq);
CREATE INDEX orders_shop_status_idx ON orders (shop_id, status, seq);
DROP TABLE campaign_preorders;
ALTER TABLE group_buys DROP COLUMN preorder_window_hours;
