-- Seed for the pgbench references on a database migrated by `groupbuy migrate`: one shop,
-- one product, groups bench-group-1 .. bench-group-1000 large enough never to fill
-- (join_cte.sql with -D groups=1 is the hot group, groups=1000 the spread), and 256
-- wallets funded by a CREDIT ledger entry each, so the harness's money checks hold.
INSERT INTO shops (id, owner_id, name, logo, created_at)
VALUES ('bench-shop', 'bench-merchant', 'Bench shop', NULL, now());
INSERT INTO products (id, shop_id, name, image, currency, regular_price_minor, group_price_minor,
                      stock_quantity, reserved_quantity, group_buying_enabled, group_max_size,
                      group_time_limit_hours, max_per_customer, created_at, updated_at)
VALUES ('bench-product', 'bench-shop', 'Bench product', NULL, 'TZS', 15000000, 8000000,
        1000000000, 1000000000, TRUE, 1000000, '24', NULL, now(), now());
INSERT INTO group_instances (id, code, name, product_id, shop_id, initiator_id, initiator_name,
                             currency, unit_price_minor, regular_price_minor, total_seats,
                             seats_occupied, status, duration_hours, max_per_customer,
                             created_at, expires_at, completed_at, updated_at)
SELECT 'bench-group-' || g, 'GP-B' || lpad(g::text, 5, '0'), 'GP-B' || lpad(g::text, 5, '0') || '-Bench product',
       'bench-product', 'bench-shop', 'bench-merchant', 'bench', 'TZS', 8000000, 15000000, 1000000,
       0, 'OPEN', '24', NULL, now(), now() + interval '1 day', NULL, now()
FROM generate_series(1, 1000) AS g;
INSERT INTO wallets (user_id, currency, balance_minor, updated_at)
SELECT 'client-' || i, 'TZS', 100000000000000, now() FROM generate_series(0, 255) AS i;
INSERT INTO wallet_ledger (id, user_id, kind, amount_minor, balance_after_minor, currency, reference, created_at)
SELECT 'credit-' || i, 'client-' || i, 'CREDIT', 100000000000000, 100000000000000, 'TZS', 'bench', now()
FROM generate_series(0, 255) AS i;
CREATE SEQUENCE bench_seq;
ANALYZE;
