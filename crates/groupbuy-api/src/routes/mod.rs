//! HTTP routes, one module per bounded context; each handler parses, authorizes, calls
//! one port and wraps the result.

pub mod campaign;
pub mod catalog;
pub mod group_purchase;
pub mod health;
pub mod ledger;
pub mod order;
pub mod procurement;
pub mod wallet;
pub mod webhook;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every documented route.
pub fn configure(cfg: &mut ServiceConfig) {
    health::configure(cfg);
    catalog::configure(cfg);
    group_purchase::configure(cfg);
    order::configure(cfg);
    ledger::configure(cfg);
    wallet::configure(cfg);
    campaign::configure(cfg);
    procurement::configure(cfg);
    webhook::configure(cfg);
}

#[cfg(test)]
mod mock_tests;
