//! Group buys: create, read, list, cancel.

use super::dto::{CreateGroupBuyBody, ListQuery, ProcurementGroupBuyView};
use super::{context, etag_header, if_match, path_id, require_idempotency_key};
use crate::envelope::{render, Envelope, PageView};
use crate::error::{ApiError, Problem};
use crate::platform::auth::Auth;
use crate::platform::extract::instant;
use crate::platform::extract::{page_limit, JsonBody};
use crate::platform::idempotency::answer_with_effect;
use crate::state::{blocking, AppState};
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use groupbuy_domain::procurement::{
    require_read, require_write, CommitmentsSummary, GroupBuy, GroupBuyDraft, GroupBuyFields,
    GroupBuyFilter, GroupBuyStatus, GroupBuyView, Viewer,
};
use groupbuy_domain::{DomainError, Principal};
use utoipa_actix_web::service_config::ServiceConfig;

/// A rendered group buy with its `ETag` (and `Location` when created).
pub(super) fn group_buy_answer(
    status: StatusCode,
    message: &'static str,
    view: GroupBuyView,
) -> groupbuy_domain::platform::StoredResponse {
    let (name, value) = etag_header(view.group_buy.version);
    let location = format!("/groupbuy/{}", view.group_buy.id);
    let answer =
        render(status, message, ProcurementGroupBuyView::from(view)).with_header(name, value);
    if status == StatusCode::CREATED {
        answer.with_header("location", location)
    } else {
        answer
    }
}

/// `g` as the caller who just changed it sees it.
pub(super) fn organiser_view(
    caller: &Principal,
    g: &GroupBuy,
    summary: Option<CommitmentsSummary>,
) -> GroupBuyView {
    let viewer = Viewer::of(caller, g, false);
    GroupBuyView::new(g.clone(), &viewer, None, summary)
}

/// Creates an OPEN group buy organised by the caller's organisation.
#[utoipa::path(operation_id = "procurementGroupBuys.create", tag = "procurement", security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header, description = "Required: makes retries safe")),
    request_body = CreateGroupBuyBody, responses(
    (status = 201, description = "Created; Location and ETag headers", body = Envelope<ProcurementGroupBuyView>),
    (status = 400, description = "Malformed body or no Idempotency-Key", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Missing scope groupbuy:write or no organisation", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Contradictory rules or an overlapping OPEN pool", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::InvalidField,
))]
#[post("/groupbuy")]
async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Auth,
    body: JsonBody<CreateGroupBuyBody>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.0;
    require_write(&caller).map_err(DomainError::from)?;
    require_idempotency_key(&req)?;
    let b = body.0;
    let now = state.clock.now();
    let draft = GroupBuyDraft::parse(
        GroupBuyFields {
            title: b.title,
            description: b.description,
            items: b.items.into_iter().map(Into::into).collect(),
            target_quantity: b.target_quantity,
            min_commitment: b.min_commitment,
            deadline: instant(&b.deadline, "deadline")?,
            currency: b.currency,
            rules: b.rules.unwrap_or(serde_json::Value::Null),
        },
        now,
    )?;
    let ctx = context(&caller, now);
    let store = state.procurement.clone();
    let viewer = caller.clone();
    answer_with_effect(
        move |answer| store.create(&caller, draft, &ctx, answer),
        move |g: &GroupBuy| {
            // A new pool has no commitments yet: its organiser's summary is all zeros.
            let view = organiser_view(&viewer, g, Some(CommitmentsSummary::of(&[])));
            group_buy_answer(StatusCode::CREATED, "Group buy created successfully", view)
        },
    )
    .await
}

/// One group buy as the caller may see it.
#[utoipa::path(operation_id = "procurementGroupBuys.get", tag = "procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Group buy id (gb_...)", pattern = "^gb_[0-9a-f]{32}$")), responses(
    (status = 200, description = "The group buy; ETag header", body = Envelope<ProcurementGroupBuyView>),
    (status = 403, description = "Missing scope groupbuy:read", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Group buy not found (or not visible)", body = Problem, content_type = "application/problem+json"),
))]
#[get("/groupbuy/{id}")]
async fn get_one(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.0;
    require_read(&caller).map_err(DomainError::from)?;
    let id = path_id(&path.into_inner())?;
    let store = state.procurement.clone();
    let view = blocking(move || store.get(&caller, &id)).await?;
    Ok(crate::envelope::send(group_buy_answer(
        StatusCode::OK,
        "Group buy retrieved successfully",
        view,
    )))
}

/// The group buys the caller may see, newest first.
#[utoipa::path(operation_id = "procurementGroupBuys.list", tag = "procurement", security(("bearer" = [])),
    params(ListQuery), responses(
    (status = 200, description = "Group buys", body = Envelope<PageView<ProcurementGroupBuyView>>),
    (status = 400, description = "Bad cursor", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Missing scope groupbuy:read", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad filter or limit", body = Problem, content_type = "application/problem+json"),
))]
#[get("/groupbuy")]
async fn list(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.0;
    require_read(&caller).map_err(DomainError::from)?;
    let q = q.into_inner();
    let limit = page_limit(q.limit)?;
    let filter = GroupBuyFilter {
        status: q.status.as_deref().map(GroupBuyStatus::parse).transpose()?,
        deadline_before: q
            .deadline_before
            .as_deref()
            .map(|d| instant(d, "deadline_before"))
            .transpose()?,
        deadline_after: q
            .deadline_after
            .as_deref()
            .map(|d| instant(d, "deadline_after"))
            .transpose()?,
        org_id: q.org_id,
        created_by: q.created_by,
    };
    let store = state.procurement.clone();
    let page = blocking(move || store.list(&caller, filter, q.cursor, limit)).await?;
    Ok(crate::envelope::ok(
        "Group buys retrieved successfully",
        PageView::<ProcurementGroupBuyView>::from(page),
    ))
}

/// Cancels a group buy (the organiser): OPEN or SOURCING -> CANCELLED.
#[utoipa::path(operation_id = "procurementGroupBuys.cancel", tag = "procurement", security(("bearer" = [])),
    params(("id" = String, Path, description = "Group buy id (gb_...)", pattern = "^gb_[0-9a-f]{32}$"),
           ("If-Match" = Option<String>, Header, description = "The ETag you read; a stale one is 412")), responses(
    (status = 200, description = "Cancelled; ETag header", body = Envelope<ProcurementGroupBuyView>),
    (status = 403, description = "Missing scope, no organisation, or not the organiser", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Group buy not found", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not cancellable from its status", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "If-Match is stale", body = Problem, content_type = "application/problem+json"),
))]
#[post("/groupbuy/{id}/cancel")]
async fn cancel(
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
    let viewer = caller.clone();
    answer_with_effect(
        move |answer| store.cancel(&caller, &id, expected, &ctx, answer),
        move |g: &GroupBuy| {
            let view = organiser_view(&viewer, g, None);
            group_buy_answer(StatusCode::OK, "Group buy cancelled successfully", view)
        },
    )
    .await
}

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create)
        .service(list)
        .service(get_one)
        .service(cancel);
}
