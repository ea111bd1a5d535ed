-- The reference join (docs/PERFORMANCE.md, "Benchmark"): the best any design doing one transaction per join can
-- reach on this schema. The checkout session is inserted in its own transaction (as
-- `POST /checkout-sessions` commits it), then ONE statement of data-modifying CTEs claims
-- it, debits the wallet, writes the ledger, takes the seat, upserts the participant and
-- records the purchase. Each step feeds the next, so a refused step (wallet short, group
-- full or closed) writes nothing after it; the statement is its own transaction.
-- Run with -D groups=1 (the hot group) or -D groups=1000 (spread); needs setup.sql.
\set g random(1, :groups)
SELECT nextval('bench_seq') AS n \gset
INSERT INTO checkout_sessions (id, user_id, product_id, quantity, currency, unit_price_minor,
    total_minor, status, group_instance_id, joins_existing, group_code, transaction_id, created_at, completed_at)
VALUES ('s-' || :n, 'client-' || :client_id, 'bench-product', 1, 'TZS', 8000000, 8000000,
    'PENDING_PAYMENT', 'bench-group-' || :g, TRUE, NULL, NULL, now(), NULL);
WITH claimed AS (
    UPDATE checkout_sessions
    SET status = 'COMPLETED', completed_at = now(), group_code = 'GP-B' || lpad(:g::text, 5, '0'),
        transaction_id = 'l-' || :n
    WHERE id = 's-' || :n AND user_id = 'client-' || :client_id AND status = 'PENDING_PAYMENT'
    RETURNING user_id, total_minor
), debited AS (
    UPDATE wallets w SET balance_minor = w.balance_minor - c.total_minor, updated_at = now()
    FROM claimed c
    WHERE w.user_id = c.user_id AND w.currency = 'TZS' AND w.balance_minor - c.total_minor >= 0
    RETURNING w.user_id, w.balance_minor
), ledger AS (
    INSERT INTO wallet_ledger (id, user_id, kind, amount_minor, balance_after_minor, currency,
        reference, created_at)
    SELECT 'l-' || :n, user_id, 'PURCHASE', -8000000, balance_minor, 'TZS', 'checkout:s-' || :n, now()
    FROM debited
    RETURNING user_id
), seat AS (
    UPDATE group_instances g SET seats_occupied = g.seats_occupied + 1, updated_at = now()
    FROM ledger
    WHERE g.id = 'bench-group-' || :g AND g.status = 'OPEN' AND g.expires_at > now()
      AND g.seats_occupied + 1 <= g.total_seats
    RETURNING g.id
), member AS (
    INSERT INTO group_participants (id, group_id, user_id, user_name, user_picture, quantity,
        total_paid_minor, status, joined_at, purchase_count, has_transferred, checkout_session_id,
        updated_at)
    SELECT 'p-' || :n, seat.id, 'client-' || :client_id, 'client', NULL, 1, 8000000, 'ACTIVE', now(),
        1, FALSE, 's-' || :n, now()
    FROM seat
    ON CONFLICT (group_id, user_id) DO UPDATE
    SET quantity = group_participants.quantity + 1,
        total_paid_minor = group_participants.total_paid_minor + 8000000,
        purchase_count = group_participants.purchase_count + 1, updated_at = now()
    RETURNING id
)
INSERT INTO purchase_records (id, participant_id, checkout_session_id, quantity, amount_minor,
    currency, transaction_id, purchased_at)
SELECT 'r-' || :n, member.id, 's-' || :n, 1, 8000000, 'TZS', 'l-' || :n, now()
FROM member;
