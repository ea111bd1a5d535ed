-- Seed for join.sql on a migrated groupbuy database: one shop, one product, one hot
-- group large enough never to fill, and funded wallets for up to 256 clients.
INSERT INTO shops (id, owner_id, name, logo, created_at)
VALUES ('bench-shop', 'bench-merchant', 'Bench shop', NULL, now());
INSERT INTO products (id, shop_id, name, image, currency, regular_price_minor, group_price_minor,
                      stock_quantity, reserved_quantity, group_buying_enabled, group_max_size,
                      group_time_limit_hours, max_per_customer, created_at, updated_at)
VALUES ('bench-product', 'bench-shop', 'Bench product', NULL, 'TZS', 15000000, 8000000,
        10000000, 1000000, TRUE, 1000000, '24', NULL, now(), now());
INSERT INTO group_instances (id, code, name, product_id, shop_id, initiator_id, initiator_name,
                             currency, unit_price_minor, regular_price_minor, total_seats,
                             seats_occupied, status, duration_hours, max_per_customer,
                             created_at, expires_at, completed_at, updated_at)
VALUES ('bench-group', 'GP-BENCH1', 'GP-BENCH1-Bench product', 'bench-product', 'bench-shop',
        'bench-merchant', 'bench', 'TZS', 8000000, 15000000, 1000000, 0, 'OPEN', '24', NULL,
        now(), now() + interval '1 day', NULL, now());
INSERT INTO wallets (user_id, currency, balance_minor, updated_at)
SELECT 'client-' || i, 'TZS', 1000000000000, now() FROM generate_series(0, 255) AS i;
CREATE SEQUENCE bench_seq;
