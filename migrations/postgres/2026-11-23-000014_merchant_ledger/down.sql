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
DROP INDEX wallets_one_per_user;
ALTER TABLE wallets DROP CONSTRAINT wallets_pkey;
ALTER TABLE wallets DROP COLUMN account_kind;
ALTER TABLE wallets ADD PRIMARY KEY (user_id);
