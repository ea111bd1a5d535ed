//! Black-box tests: the real application on a random port, over HTTP, against SQLite
//! and (when GROUPBUY_TEST_POSTGRES_URL is set) PostgreSQL.

mod authz;
mod browser;
mod campaign;
mod catalog;
mod cli;
mod contract;
mod crash;
mod group_purchase;
mod head;
mod helpers;
mod idempotency;
mod input;
mod ledger;
mod numbers;
mod ocds;
mod openapi;
mod order;
mod pages;
mod platform;
mod preorder;
mod procurement;
mod published;
mod push;
mod rate_limit;
mod schema_rules;
mod sealed;
mod shutdown;
mod slow_body;
mod sourcing;
mod tenancy;
mod ubl_parties;
mod wallet;
mod webhook;
mod webhook_isolation;
mod xml_text;
