-- Orders to ship (issue 20): each order names the shop that ships it (backfilled from its
-- product: a product never changes shop), and keeps its shipment, delivery and
-- cancellation. A transition is one conditional UPDATE on `status`.
-- SQLite adds a NOT NULL column only with a default, so the table is rebuilt (its `seq`
-- values kept: they are the cursors clients hold). A LEFT JOIN: an order whose product
-- were missing fails the NOT NULL instead of vanishing.
CREATE TABLE orders_new (
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
    cancel_reason TEXT
);
INSERT INTO orders_new (seq, id, group_id, group_code, user_id, participant_id, product_id,
                        quantity, currency, unit_price_minor, total_minor, status, created_at,
                        shop_id)
SELECT o.seq, o.id, o.group_id, o.group_code, o.user_id, o.participant_id, o.product_id,
       o.quantity, o.currency, o.unit_price_minor, o.total_minor, o.status, o.created_at,
       p.shop_id
FROM orders o LEFT JOIN products p ON p.id = o.product_id
ORDER BY o.seq;
DROP TABLE orders;
ALTER TABLE orders_new RENAME TO orders;
CREATE INDEX orders_user_idx ON orders (user_id, seq);

-- A shop's orders newest first, all or of one status (the cursor is `seq`).
CREATE INDEX orders_shop_idx ON orders (shop_id, seq);
CREATE INDEX orders_shop_status_idx ON orders (shop_id, status, seq);
