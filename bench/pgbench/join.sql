-- One join of the hot group (bench-group-1 of setup.sql), statement for statement what `pay` runs
-- (crates/groupbuy-store/src/group_purchase/checkout.rs), plus the session insert that
-- `create_checkout` commits before it. The participant write is one upsert here where
-- the service issues an UPDATE or an INSERT after the SELECT.
SELECT nextval('bench_seq') AS n \gset
INSERT INTO checkout_sessions (id, user_id, product_id, quantity, currency, unit_price_minor,
    total_minor, status, group_instance_id, joins_existing, group_code, transaction_id, created_at, completed_at)
VALUES ('s-' || :n, 'client-' || :client_id, 'bench-product', 1, 'TZS', 8000000, 8000000,
    'PENDING_PAYMENT', 'bench-group-1', TRUE, NULL, NULL, now(), NULL);
BEGIN;
SELECT id, status FROM checkout_sessions WHERE id = 's-' || :n AND user_id = 'client-' || :client_id;
UPDATE checkout_sessions SET status = 'COMPLETED', completed_at = now()
    WHERE id = 's-' || :n AND status = 'PENDING_PAYMENT';
UPDATE wallets SET balance_minor = balance_minor + -8000000, updated_at = now()
    WHERE user_id = 'client-' || :client_id AND currency = 'TZS' AND balance_minor + -8000000 >= 0
    RETURNING balance_minor;
INSERT INTO wallet_ledger (id, user_id, kind, amount_minor, balance_after_minor, currency, reference, created_at)
    VALUES ('l-' || :n, 'client-' || :client_id, 'PURCHASE', -8000000, 0, 'TZS', 'checkout:s-' || :n, now());
UPDATE group_instances SET seats_occupied = seats_occupied + 1, updated_at = now()
    WHERE id = 'bench-group-1' AND status = 'OPEN' AND expires_at > now() AND seats_occupied + 1 <= total_seats
    RETURNING *;
SELECT * FROM group_participants WHERE group_id = 'bench-group-1' AND user_id = 'client-' || :client_id;
INSERT INTO group_participants (id, group_id, user_id, user_name, user_picture, quantity, total_paid_minor,
    status, joined_at, purchase_count, has_transferred, checkout_session_id, updated_at)
VALUES ('p-' || :n, 'bench-group-1', 'client-' || :client_id, 'client', NULL, 1, 8000000, 'ACTIVE', now(), 1,
    FALSE, 's-' || :n, now())
ON CONFLICT (group_id, user_id) DO UPDATE SET quantity = group_participants.quantity + 1,
    total_paid_minor = group_participants.total_paid_minor + 8000000,
    purchase_count = group_participants.purchase_count + 1, updated_at = now();
INSERT INTO purchase_records (id, participant_id, checkout_session_id, quantity, amount_minor, currency,
    transaction_id, purchased_at)
SELECT 'r-' || :n, id, 's-' || :n, 1, 8000000, 'TZS', 'l-' || :n, now()
    FROM group_participants WHERE group_id = 'bench-group-1' AND user_id = 'client-' || :client_id;
UPDATE checkout_sessions SET group_instance_id = 'bench-group-1', group_code = 'GP-B00001', transaction_id = 'l-' || :n
    WHERE id = 's-' || :n;
COMMIT;
