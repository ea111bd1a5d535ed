//! Diesel storage of groupbuy: one schema over SQLite and PostgreSQL, the r2d2 pool,
//! embedded migrations, and one transaction per use case implementing the domain ports.

mod campaign;
mod catalog;
mod convert;
mod db;
mod error;
mod group_purchase;
mod join_batch_sizes;
mod ledger;
pub mod live;
mod order;
pub mod platform;
mod procurement;
pub mod schema;
pub mod seed;
pub mod testing;
mod wallet;
mod webhook;

pub use db::{
    reading_on_primary, reads_on_primary, Backend, Database, DbConnection, PoolSettings,
    PoolSnapshot,
};
pub use error::StoreError;
pub use join_batch_sizes::{JoinBatchSizes, BATCH_SIZE_BOUNDS};
