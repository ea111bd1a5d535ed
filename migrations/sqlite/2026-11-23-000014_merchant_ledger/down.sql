-- Back to wallets only: merchant and platform accounts and their lines go (the orders
-- they settled keep their money "held" again, as before the ledger).
DELETE FROM wallet_ledger WHERE account_kind <> 'WALLET';
DELETE FROM wallets WHERE account_kind <> 'WALLET';
ALTER TABLE orders DROP COLUMN commission_minor;
ALTER TABLE shops DROP COLUMN commission_bps;
DROP INDEX wallet_ledger_order_once;
DROP INDEX wallet_ledger_account_idx;
ALTER TABLE wallet_ledger DROP COLUMN account_kind;
CREATE INDEX wallet_ledger_user_idx ON wallet_ledger (user_id, seq);
CREATE TABLE wallets_old (
    user_id TEXT PRIMARY KEY,
    currency TEXT NOT NULL,
    balance_minor BIGINT NOT NULL CHECK (balance_minor >= 0),
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO wallets_old (user_id, currency, balance_minor, updated_at)
SELECT user_id, currency, balance_minor, updated_at FROM wallets;
DROP TABLE wallets;
ALTER TABLE wallets_old RENAME TO wallets;
