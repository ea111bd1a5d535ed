//! `GET /groupbuy/{id}/ocds`: a pool as an OCDS 1.1 release package (open data). The
//! domain builds it ([`groupbuy_domain::procurement::ocds`]); this handler reads, builds
//! and answers it bare, as OCDS tools expect (no envelope).

use super::path_id;
use crate::error::{ApiError, Problem};
use crate::platform::auth::Auth;
use crate::state::{blocking, AppState};
use actix_web::{get, web, HttpRequest, HttpResponse};
use groupbuy_domain::procurement::require_read;
use groupbuy_domain::DomainError;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

/// Who publishes the packages (`publisher.name`).
const PUBLISHER: &str = "groupbuy";

/// An OCDS 1.1 release package (the schema is the standard's
/// `release-package-schema.json`; its releases follow `release-schema.json`).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // documents the wire shape only; the domain builds the JSON
pub struct OcdsReleasePackage {
    /// Where this package is served.
    uri: String,
    /// `1.1`.
    version: String,
    /// RFC 3339: the latest release's date.
    #[serde(rename = "publishedDate")]
    published_date: String,
    /// `{name}` of the publisher.
    #[schema(value_type = Object)]
    publisher: serde_json::Value,
    /// One release per stage reached: tender, award, contract.
    #[schema(value_type = Vec<Object>)]
    releases: Vec<serde_json::Value>,
}

/// The pool's OCDS release package: a public pool to anyone with `groupbuy:read`, a
/// private one to its organiser only.
#[utoipa::path(operation_id = "procurementGroupBuys.ocds", tag = "procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Group buy id (gb_...)", pattern = "^gb_[0-9a-f]{32}$")), responses(
    (status = 200, description = "OCDS 1.1 release package: one release per stage reached", body = OcdsReleasePackage, content_type = "application/json"),
    (status = 403, description = "Missing scope groupbuy:read", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Group buy not found (or not visible; private pools to their organiser only)", body = Problem, content_type = "application/problem+json"),
))]
#[get("/groupbuy/{id}/ocds")]
async fn get_ocds(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.0;
    require_read(&caller).map_err(DomainError::from)?;
    let id = path_id(&path.into_inner())?;
    let store = state.sourcing.clone();
    let source = blocking(move || store.ocds(&caller, &id)).await?;
    let info = req.connection_info();
    let uri = format!("{}://{}{}", info.scheme(), info.host(), req.path());
    let package = source.release_package(&state.ocds_prefix, &uri, PUBLISHER);
    Ok(HttpResponse::Ok().json(package))
}

/// Registers the route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_ocds);
}
