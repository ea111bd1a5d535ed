-- The table as migration 000002 made it (SQLite drops no column a foreign key uses).
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
    created_at TIMESTAMP NOT NULL
);
INSERT INTO orders_old (seq, id, group_id, group_code, user_id, participant_id, product_id,
                        quantity, currency, unit_price_minor, total_minor, status, created_at)
SELECT seq, id, group_id, group_code, user_id, participant_id, product_id,
       quantity, currency, unit_price_minor, total_minor, status, created_at
FROM orders ORDER BY seq;
DROP TABLE orders;
ALTER TABLE orders_old RENAME TO orders;
CREATE INDEX orders_user_idx ON orders (user_id, seq);
