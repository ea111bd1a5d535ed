//! Commitments: an organisation commits (upsert), withdraws, and lists what it may see.

use super::dto::{CommitBody, CommitmentView};
use super::{context, etag_header, if_match, path_id, require_idempotency_key};
use crate::envelope::{render, Envelope, PageView};
use crate::error::{ApiError, Problem};
use crate::platform::auth::Auth;
use crate::platform::extract::{page_limit, JsonBody, PageQuery};
use crate::platform::idempotency::answer_with_effect;
use crate::state::{blocking, AppState};
use actix_web::http::StatusCode;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use groupbuy_domain::platform::StoredResponse;
use groupbuy_domain::procurement::{
    require_read, require_write, CommitOutcome, CommitRequest, GroupBuy,
};
use groupbuy_domain::DomainError;
use utoipa_actix_web::service_config::ServiceConfig;

/// Commits the caller's organisation (or replaces its earlier quantity and ceiling).
#[utoipa::path(operation_id = "commitments.commit", tag = "procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Group buy id (gb_...)", pattern = "^gb_[0-9a-f]{32}$"),
           ("Idempotency-Key" = String, Header, description = "Required: makes retries safe"),
           ("If-Match" = Option<String>, Header, description = "The ETag you read; a stale one is 412")),
    request_body = CommitBody, responses(
    (status = 200, description = "Replaced the earlier commitment; ETag of the group buy", body = Envelope<CommitmentView>),
    (status = 201, description = "Committed; ETag of the group buy", body = Envelope<CommitmentView>),
    (status = 400, description = "Malformed body or no Idempotency-Key", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Missing scope, no organisation, or not eligible", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Group buy not found", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not OPEN, past the deadline, or capacity exceeded", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Quantity below min_commitment or invalid field", body = Problem, content_type = "application/problem+json"),
))]
#[post("/groupbuy/{id}/commit")]
async fn commit(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Auth,
    path: web::Path<String>,
    body: JsonBody<CommitBody>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.0;
    require_write(&caller).map_err(DomainError::from)?;
    require_idempotency_key(&req)?;
    let id = path_id(&path.into_inner())?;
    let request = CommitRequest {
        quantity: body.0.quantity,
        price_ceiling: body.0.price_ceiling,
        purchase_order_ref: body.0.purchase_order_ref,
    };
    let ctx = context(&caller, state.clock.now());
    let expected = if_match(&req);
    let store = state.procurement.clone();
    answer_with_effect(
        move |answer| store.commit(&caller, &id, request, expected, &ctx, answer),
        |outcome: &CommitOutcome| {
            let (status, message) = if outcome.created {
                (StatusCode::CREATED, "Commitment created successfully")
            } else {
                (StatusCode::OK, "Commitment updated successfully")
            };
            let (name, value) = etag_header(outcome.group_buy.version);
            render(
                status,
                message,
                CommitmentView::from(outcome.commitment.clone()),
            )
            .with_header(name, value)
        },
    )
    .await
}

/// Withdraws the caller's organisation's commitment while the group buy is OPEN.
#[utoipa::path(operation_id = "commitments.withdraw", tag = "procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Group buy id (gb_...)", pattern = "^gb_[0-9a-f]{32}$"),
           ("If-Match" = Option<String>, Header, description = "The ETag you read; a stale one is 412")), responses(
    (status = 204, description = "Withdrawn; ETag of the group buy"),
    (status = 403, description = "Missing scope or no organisation", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Group buy or commitment not found", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not OPEN or past the deadline", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
))]
#[delete("/groupbuy/{id}/commit")]
async fn withdraw(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.0;
    require_write(&caller).map_err(DomainError::from)?;
    let id = path_id(&path.into_inner())?;
    let ctx = context(&caller, state.clock.now());
    let expected = if_match(&req);
    let store = state.procurement.clone();
    answer_with_effect(
        move |answer| store.withdraw(&caller, &id, expected, &ctx, answer),
        |g: &GroupBuy| {
            let (name, value) = etag_header(g.version);
            StoredResponse {
                status: StatusCode::NO_CONTENT.as_u16(),
                body: String::new(),
                content_type: "application/json".into(),
                headers: Vec::new(),
            }
            .with_header(name, value)
        },
    )
    .await
}

/// The commitments the caller may see: all of them for the organiser (and platform
/// admins), only its own for a member.
#[utoipa::path(operation_id = "commitments.list", tag = "procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Group buy id (gb_...)", pattern = "^gb_[0-9a-f]{32}$"), PageQuery), responses(
    (status = 200, description = "Commitments, oldest first", body = Envelope<PageView<CommitmentView>>),
    (status = 400, description = "Bad cursor", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Missing scope groupbuy:read", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Group buy not found", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad limit", body = Problem, content_type = "application/problem+json"),
))]
#[get("/groupbuy/{id}/commitments")]
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
    let page = blocking(move || store.commitments(&caller, &id, q.cursor, limit)).await?;
    Ok(crate::envelope::ok(
        "Commitments retrieved successfully",
        PageView::<CommitmentView>::from(page),
    ))
}

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(commit).service(withdraw).service(list);
}
