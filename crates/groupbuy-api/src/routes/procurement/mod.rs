//! `/groupbuy` (seed 002): organisations pool commitments toward a target by a deadline.
//! Scopes `groupbuy:read` / `groupbuy:write`, the acting organisation is the token's
//! `org_id`, every response carrying a group buy has its `ETag`, and every mutation honours
//! `If-Match`. A group buy the caller may not see is 404, exactly like a missing one.

mod audit;
mod award;
pub use award::{document_of, ubl_of, UBL_CONTENT_TYPE};
mod commitments;
pub mod dto;
mod group_buys;
mod ocds;
mod parties;
pub mod party_dto;
mod sourcing;
pub mod sourcing_dto;
pub mod ubl;
mod ubl_en16931;

use crate::error::ApiError;
use crate::platform::request::change;
use actix_web::http::header;
use actix_web::HttpRequest;
use groupbuy_domain::platform::ChangeContext;
use groupbuy_domain::procurement::{etag, GroupBuyId, ProcurementRefusal};
use groupbuy_domain::Principal;
use utoipa_actix_web::service_config::ServiceConfig;

/// A group buy id from the path; one that cannot exist is simply not found.
fn path_id(raw: &str) -> Result<GroupBuyId, ApiError> {
    GroupBuyId::parse(raw).map_err(|r| ApiError::from(groupbuy_domain::DomainError::from(r)))
}

/// The `If-Match` header as sent (the domain decides whether it matches). One that is not
/// visible ASCII matches nothing (412), even beside the current tag: dropping it would
/// skip the check the client asked for.
fn if_match(req: &HttpRequest) -> Option<String> {
    /// Never an entity tag of a group buy (those are `"<digits>"`).
    const MATCHES_NOTHING: &str = "\"\u{fffd}\"";
    req.headers().get(header::IF_MATCH).map(|v| {
        v.to_str()
            .map_or_else(|_| MATCHES_NOTHING.to_owned(), str::to_owned)
    })
}

/// Seed 002 requires an `Idempotency-Key` on creating and committing: 400 without one.
fn require_idempotency_key(req: &HttpRequest) -> Result<(), ApiError> {
    if req.headers().contains_key("idempotency-key") {
        Ok(())
    } else {
        Err(groupbuy_domain::DomainError::from(ProcurementRefusal::IdempotencyKeyRequired).into())
    }
}

/// The `ETag` header of a group buy at `version`.
fn etag_header(version: i64) -> (&'static str, String) {
    ("etag", etag(version))
}

/// The change context of the caller's request.
pub fn context(caller: &Principal, now: time::OffsetDateTime) -> ChangeContext {
    change(format!("user:{}", caller.user_id), now)
}

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    parties::configure(cfg);
    group_buys::configure(cfg);
    commitments::configure(cfg);
    audit::configure(cfg);
    sourcing::configure(cfg);
    award::configure(cfg);
    ocds::configure(cfg);
}
