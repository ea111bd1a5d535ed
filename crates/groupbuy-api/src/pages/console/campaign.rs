//! The console's campaign pages (to be built).

use actix_web::web;

/// Registers this section's pages.
pub fn configure(_cfg: &mut web::ServiceConfig) {}
