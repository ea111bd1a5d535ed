-- The merchant ledger (issue 20). Every account of the one ledger is a `wallets` row named
-- by its KIND and owner: a user's wallet ('WALLET', the token's sub), a shop's merchant
-- balance ('MERCHANT', the shop id) or the platform's revenue ('PLATFORM', 'platform').
-- The kind is part of every key, so a user whose sub is a shop's id owns a wallet, never
-- the shop's balance. A wallet keeps one currency (the partial unique index); a merchant
-- or platform account has one row per currency. SQLite changes a primary key only by
-- rebuilding the table.
CREATE TABLE wallets_new (
    account_kind TEXT NOT NULL DEFAULT 'WALLET',
    user_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    balance_minor BIGINT NOT NULL CHECK (balance_minor >= 0),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_kind, user_id, currency)
);
INSERT INTO wallets_new (account_kind, user_id, currency, balance_minor, updated_at)
SELECT 'WALLET', user_id, currency, balance_minor, updated_at FROM wallets;
DROP TABLE wallets;
ALTER TABLE wallets_new RENAME TO wallets;
CREATE UNIQUE INDEX wallets_one_per_user ON wallets (user_id) WHERE account_kind = 'WALLET';

ALTER TABLE wallet_ledger ADD COLUMN account_kind TEXT NOT NULL DEFAULT 'WALLET';
DROP INDEX wallet_ledger_user_idx;
-- An account's lines newest first (the wallet's transactions, a shop's statement).
CREATE INDEX wallet_ledger_account_idx ON wallet_ledger (account_kind, user_id, seq);
-- Backstop: an order settles, and its cancellation reverses, once per account.
CREATE UNIQUE INDEX wallet_ledger_order_once ON wallet_ledger (account_kind, user_id, kind, reference)
    WHERE kind IN ('ORDER_SETTLED', 'COMMISSION', 'ORDER_CANCELLED', 'COMMISSION_REVERSED');

-- A shop's own commission rate, set by a platform admin (NULL: the platform's default).
ALTER TABLE shops ADD COLUMN commission_bps INTEGER
    CHECK (commission_bps >= 0 AND commission_bps <= 10000);
-- The commission an order was charged when its group completed: what a cancellation
-- gives back, whatever the rate is by then.
ALTER TABLE orders ADD COLUMN commission_minor BIGINT NOT NULL DEFAULT 0
    CHECK (commission_minor >= 0 AND commission_minor <= total_minor);

-- Orders created before the ledger held their money nowhere: settle each one not
-- cancelled into its shop's merchant balance, at no commission (none was agreed then).
INSERT INTO wallet_ledger (id, account_kind, user_id, kind, amount_minor, balance_after_minor,
                           currency, reference, created_at)
SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))), 'MERCHANT', shop_id, 'ORDER_SETTLED', total_minor,
       SUM(total_minor) OVER (PARTITION BY shop_id, currency ORDER BY seq),
       currency, 'order:' || id, created_at
FROM orders WHERE status <> 'CANCELLED' ORDER BY seq;
INSERT INTO wallets (account_kind, user_id, currency, balance_minor, updated_at)
SELECT 'MERCHANT', shop_id, currency, SUM(total_minor), MAX(created_at)
FROM orders WHERE status <> 'CANCELLED' GROUP BY shop_id, currency;
