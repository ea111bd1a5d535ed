//! Group purchases (`/api/v1`, seed 001): checkout, groups, transfers (orders:
//! [`super::order`]).

mod checkout;
pub mod checkout_dto;
pub mod dto;
mod groups;

/// Registers the routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    checkout::configure(cfg);
    groups::configure(cfg);
}
