//! The platform-admin rollup and support reports (`/v2/platform-admin/...`,
//! `/v2/support/report`).

use super::admin_dto::{RollupParams, RollupView, SupportReportRequest, SupportReportView};
use super::dto::PageView;
use super::path_handle;
use crate::envelope::{created, ok, Envelope};
use crate::error::{ApiError, Problem};
use crate::platform::auth::{Auth, MaybeAuth};
use crate::platform::extract::JsonBody;
use crate::platform::extract::{page_limit, PageQuery};
use crate::platform::request::current_request;
use crate::state::{blocking, AppState};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use groupbuy_domain::campaign::{
    GroupBuyStatus, RollupQuery, SupportReportDraft, SupportReportFields, DEFAULT_STUCK_DRAFT_HOURS,
};
use groupbuy_domain::principal::ROLE_PLATFORM_ADMIN;
use groupbuy_domain::DomainError;
use time::Duration;
use utoipa_actix_web::service_config::ServiceConfig;

/// The campaign rollup across handles: counts by status, stuck drafts, group-buys still
/// open after closesAt, and the filtered group-buys with threshold progress.
#[utoipa::path(operation_id = "campaignAdmin.getRollup", tag = "campaigns-admin", security(("bearer" = [])), params(RollupParams), responses(
    (status = 200, description = "The rollup", body = Envelope<RollupView>),
    (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::Unauthenticated,
    (status = 403, description = "Missing role platform-admin", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad status, handle, stuckDraftHours, or limit outside 1-100", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v2/platform-admin/group-buys")]
async fn rollup(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<RollupParams>,
) -> Result<HttpResponse, ApiError> {
    auth.require_role(ROLE_PLATFORM_ADMIN)?;
    auth.reader()?;
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let hours = q.stuck_draft_hours.unwrap_or(DEFAULT_STUCK_DRAFT_HOURS);
    if !(0..=24 * 365 * 10).contains(&hours) {
        return Err(ApiError::invalid_field(
            "stuckDraftHours",
            "stuckDraftHours must be between 0 and 87600",
        ));
    }
    let handle = match q.handle.as_deref() {
        Some(h) => Some(path_handle(h).map_err(|_| {
            ApiError::from(DomainError::invalid(
                "handle",
                "handle is not a valid handle",
            ))
        })?),
        None => None,
    };
    let query = RollupQuery {
        status: q.status.as_deref().map(GroupBuyStatus::parse).transpose()?,
        handle,
        stuck_draft_age: Duration::hours(hours),
        cursor: q.cursor,
        limit,
    };
    let now = state.clock.now();
    let store = state.campaigns.clone();
    let r = blocking(move || store.rollup(query, now)).await?;
    Ok(ok(
        "Group-buy rollup retrieved successfully",
        RollupView::new(r, hours),
    ))
}

/// Files a support report (token optional). Limited per caller by the `support` rate
/// limit (`GROUPBUY_RATE_LIMIT_SUPPORT`, default 5 per minute), counted in the database.
#[utoipa::path(operation_id = "support.submitReport", tag = "support", security((), ("bearer" = [])), request_body = SupportReportRequest, responses(
    (status = 201, description = "Report stored; data.reportId", body = Envelope<SupportReportView>),
    crate::openapi::responses::MalformedBody,
    (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid field (summary 1-200, details 1-10000)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v2/support/report")]
async fn submit_report(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: MaybeAuth,
    body: JsonBody<SupportReportRequest>,
) -> Result<HttpResponse, ApiError> {
    let ip = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    let now = state.clock.now();
    let b = body.0;
    let draft = SupportReportDraft::parse(SupportReportFields {
        summary: b.summary,
        details: b.details,
        handle: b.handle,
        session_id: b.session_id,
        request_id: b.request_id,
        repro_artifact: b.repro_artifact,
    })?;
    let reporter = auth
        .0
        .map_or_else(|| "anonymous".to_owned(), |p| format!("user:{}", p.user_id));
    let request_id = current_request().0;
    let store = state.campaigns.clone();
    let report =
        blocking(move || store.submit_support_report(draft, &reporter, &ip, &request_id, now))
            .await?;
    Ok(created(
        "Support report received; quote its reportId when following up",
        SupportReportView::from(report),
    ))
}

/// Support reports, newest first (platform admins).
#[utoipa::path(operation_id = "campaignAdmin.listSupportReports", tag = "campaigns-admin", security(("bearer" = [])), params(PageQuery), responses(
    (status = 200, description = "Reports", body = Envelope<PageView<SupportReportView>>),
    (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::Unauthenticated,
    (status = 403, description = "Missing role platform-admin", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Limit outside 1-100", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v2/platform-admin/support-reports")]
async fn list_reports(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    auth.require_role(ROLE_PLATFORM_ADMIN)?;
    auth.reader()?;
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let store = state.campaigns.clone();
    let page = blocking(move || store.support_reports(q.cursor, limit)).await?;
    Ok(ok(
        "Support reports retrieved successfully",
        PageView::<SupportReportView>::from(page),
    ))
}

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(rollup)
        .service(submit_report)
        .service(list_reports);
}
