//! The tamper-evident audit chain of a group buy (organiser and platform admins).

use super::dto::{AuditEntryBody, AuditVerificationView};
use super::path_id;
use crate::envelope::{ok, Envelope, PageView};
use crate::error::{ApiError, Problem};
use crate::platform::auth::Auth;
use crate::platform::extract::{page_limit, PageQuery};
use crate::state::{blocking, AppState};
use actix_web::{get, web, HttpResponse};
use groupbuy_domain::procurement::require_read;
use groupbuy_domain::DomainError;
use utoipa_actix_web::service_config::ServiceConfig;

/// The group buy's audit entries, oldest first.
#[utoipa::path(operation_id = "procurementAudit.list", tag = "procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Group buy id (gb_...)", pattern = "^gb_[0-9a-f]{32}$"), PageQuery), responses(
    (status = 200, description = "Audit entries, oldest first", body = Envelope<PageView<AuditEntryBody>>),
    (status = 400, description = "Bad cursor", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Missing scope groupbuy:read, or not the organiser", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Group buy not found", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad limit", body = Problem, content_type = "application/problem+json"),
))]
#[get("/groupbuy/{id}/audit")]
async fn list(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.0;
    require_read(&caller).map_err(DomainError::from)?;
    let id = path_id(&path.into_inner())?;
    let q = q.into_inner();
    let limit = page_limit(q.limit)?;
    let store = state.procurement.clone();
    let page = blocking(move || store.audit(&caller, &id, q.cursor, limit)).await?;
    Ok(ok(
        "Audit entries retrieved successfully",
        PageView::<AuditEntryBody>::from(page),
    ))
}

/// Recomputes the whole chain: whether every entry still hashes to what it says.
#[utoipa::path(operation_id = "procurementAudit.verify", tag = "procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Group buy id (gb_...)", pattern = "^gb_[0-9a-f]{32}$")), responses(
    (status = 200, description = "The verdict", body = Envelope<AuditVerificationView>),
    (status = 403, description = "Missing scope groupbuy:read, or not the organiser", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Group buy not found", body = Problem, content_type = "application/problem+json"),
))]
#[get("/groupbuy/{id}/audit/verify")]
async fn verify(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.0;
    require_read(&caller).map_err(DomainError::from)?;
    let id = path_id(&path.into_inner())?;
    let store = state.procurement.clone();
    let verdict = blocking(move || store.verify_audit(&caller, &id)).await?;
    Ok(ok(
        "Audit chain verified",
        AuditVerificationView::from(verdict),
    ))
}

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list).service(verify);
}
