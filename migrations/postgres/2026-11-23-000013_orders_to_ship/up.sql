-- Orders to ship (issue 20): each order names the shop that ships it (backfilled from its
-- product: a product never changes shop), and keeps its shipment, delivery and
-- cancellation. A transition is one conditional UPDATE on `status`.
ALTER TABLE orders ADD COLUMN shop_id TEXT REFERENCES shops (id);
UPDATE orders SET shop_id = products.shop_id FROM products WHERE products.id = orders.product_id;
ALTER TABLE orders ALTER COLUMN shop_id SET NOT NULL;
ALTER TABLE orders
    ADD COLUMN carrier TEXT,
    ADD COLUMN tracking_number TEXT,
    ADD COLUMN shipped_at TIMESTAMP,
    ADD COLUMN delivered_at TIMESTAMP,
    ADD COLUMN cancelled_at TIMESTAMP,
    ADD COLUMN cancel_reason TEXT;

-- A shop's orders newest first, all or of one status (the cursor is `seq`).
CREATE INDEX orders_shop_idx ON orders (shop_id, seq);
CREATE INDEX orders_shop_status_idx ON orders (shop_id, status, seq);
