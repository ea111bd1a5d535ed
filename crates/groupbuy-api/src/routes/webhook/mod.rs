//! `/webhooks`: endpoints that receive the caller's events, signed (Standard Webhooks 1.0),
//! their deliveries, replays and the event catalogue. Another owner's endpoint is 404.

pub mod catalogue;
pub mod dto;
mod endpoints;

pub(crate) use endpoints::ROTATION_OVERLAP;

use base64::Engine;
use rand::RngCore;
use utoipa_actix_web::service_config::ServiceConfig;

/// A new signing secret: `whsec_` + standard padded base64 of 32 random bytes.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!(
        "{}{}",
        groupbuy_domain::webhook::SECRET_PREFIX,
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    endpoints::configure(cfg);
}
