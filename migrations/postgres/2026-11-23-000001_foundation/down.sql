DROP TABLE idempotency_keys;
DROP TABLE wallet_ledger;
DROP TABLE wallets;
DROP TABLE products;
DROP TABLE shops;
