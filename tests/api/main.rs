//! Black-box tests: the real application on a random port, over HTTP, against SQLite
//! and (when GROUPBUY_TEST_POSTGRES_URL is set) PostgreSQL.

mod campaign;
mod catalog;
mod cli;
mod group_purchase;
mod helpers;
mod openapi;
mod platform;
mod rate_limit;
mod shutdown;
mod wallet;
