//! Campaigns (`/v2`, seed 000): handles and their group-buys (owner routes), the public
//! pages and visitors' interest, the platform-admin rollup and support reports.

mod admin;
pub mod admin_dto;
pub mod dto;
mod orders;
mod owner;
pub mod preorder_dto;
mod public;
mod visitor;

use crate::error::ApiError;
pub(crate) use crate::platform::request::change;
use groupbuy_domain::campaign::{self, Handle, Slug};
use utoipa_actix_web::service_config::ServiceConfig;

pub use visitor::Visitor;

/// A handle from the path; one that cannot exist is simply not found.
pub(crate) fn path_handle(raw: &str) -> Result<Handle, ApiError> {
    Handle::parse(raw).map_err(|_| ApiError::from(campaign::handle_not_found()))
}

/// A handle and slug from the path.
pub(crate) fn path_slug(handle: &str, slug: &str) -> Result<(Handle, Slug), ApiError> {
    let handle = path_handle(handle)?;
    let slug = Slug::parse(slug).map_err(|_| ApiError::from(campaign::group_buy_not_found()))?;
    Ok((handle, slug))
}

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    owner::configure(cfg);
    public::configure(cfg);
    admin::configure(cfg);
    orders::configure(cfg);
}
