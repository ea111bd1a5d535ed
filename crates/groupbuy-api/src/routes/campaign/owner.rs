//! Owner routes: handles, and a handle's group-buys, their lifecycle, interests and audit
//! (`/v2/handles/...`). Anyone but the owner or a platform admin gets 404.

use super::dto::{
    AuditEntryView, CreateGroupBuyRequest, CreateHandleRequest, EditGroupBuyRequest, GroupBuyView,
    HandleView, InterestView, ListParams, PageView,
};
use super::{change, path_handle, path_slug};
use crate::envelope::render;
use crate::envelope::{ok, Envelope};
use crate::error::{ApiError, Problem};
use crate::platform::auth::Auth;
use crate::platform::extract::instant;
use crate::platform::extract::JsonBody;
use crate::platform::extract::{page_limit, PageQuery};
use crate::platform::idempotency::answer_with_effect;
use crate::state::{blocking, AppState};
use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpResponse};
use groupbuy_domain::campaign::{
    Action, GroupBuyDraft, GroupBuyEdit, GroupBuyFields, GroupBuyStatus, HandleDraft,
};
use groupbuy_domain::principal::ROLE_MERCHANT;
use utoipa_actix_web::service_config::ServiceConfig;

/// Claims a handle for the calling merchant.
#[utoipa::path(operation_id = "handles.create", tag = "campaigns", security(("bearer" = [])), request_body = CreateHandleRequest, responses(
    (status = 201, description = "Handle claimed", body = Envelope<HandleView>),
    crate::openapi::responses::MalformedBody,
    crate::openapi::responses::Unauthenticated,
    (status = 403, description = "Missing role merchant or scope", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Handle taken", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::InvalidField,
))]
#[post("/v2/handles")]
async fn create_handle(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<CreateHandleRequest>,
) -> Result<HttpResponse, ApiError> {
    auth.writer()?;
    let owner = auth.require_role(ROLE_MERCHANT)?.clone();
    let draft = HandleDraft::parse(&body.0.handle, &body.0.display_name)?;
    let now = state.clock.now();
    let store = state.campaigns.clone();
    answer_with_effect(
        move |answer| store.create_handle(&owner, draft, now, answer),
        |profile| {
            render(
                StatusCode::CREATED,
                "Handle created successfully",
                HandleView::from(profile.clone()),
            )
        },
    )
    .await
}

/// A handle (public).
#[utoipa::path(operation_id = "handles.get", tag = "campaigns", params(("handle" = String, Path, description = "Handle", pattern = "^[a-z0-9-]{3,40}$")), responses(
    (status = 200, description = "The handle", body = Envelope<HandleView>),
    (status = 404, description = "Handle not found", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v2/handles/{handle}")]
async fn get_handle(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let handle = path_handle(&path.into_inner())?;
    let store = state.campaigns.clone();
    let profile = blocking(move || store.handle(&handle)).await?;
    Ok(ok(
        "Handle retrieved successfully",
        HandleView::from(profile),
    ))
}

/// Creates a DRAFT group-buy under a handle the caller owns.
#[utoipa::path(operation_id = "groupBuys.create", tag = "campaigns", security(("bearer" = [])), params(("handle" = String, Path, description = "Handle", pattern = "^[a-z0-9-]{3,40}$")),
    request_body = CreateGroupBuyRequest, responses(
    (status = 201, description = "Group-buy created as DRAFT", body = Envelope<GroupBuyView>),
    crate::openapi::responses::MalformedBody,
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingMerchantRole,
    (status = 404, description = "Handle not found (or not yours)", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Slug taken under this handle", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::InvalidField,
))]
#[post("/v2/handles/{handle}/group-buys")]
async fn create_group_buy(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: JsonBody<CreateGroupBuyRequest>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.merchant_writer()?.clone();
    let handle = path_handle(&path.into_inner())?;
    let b = body.0;
    let now = state.clock.now();
    let draft = GroupBuyDraft::parse(
        GroupBuyFields {
            slug: b.slug,
            title: b.title,
            description: b.description,
            unit_price: b.unit_price,
            currency: b.currency,
            min_participants: b.thresholds.min_participants,
            min_quantity: b.thresholds.min_quantity,
            max_quantity: b.max_quantity,
            closes_at: instant(&b.closes_at, "closesAt")?,
            preorder_window_hours: b.preorder.map(|p| p.payment_window_hours),
        },
        now,
    )?;
    let ctx = change(format!("user:{}", caller.user_id), now);
    let store = state.campaigns.clone();
    answer_with_effect(
        move |answer| store.create_group_buy(&caller, &handle, draft, &ctx, answer),
        |g| {
            render(
                StatusCode::CREATED,
                "Group-buy created as DRAFT",
                GroupBuyView::from(g.clone()),
            )
        },
    )
    .await
}

/// Edits a DRAFT's terms: only the fields sent change; the result is validated as a new
/// group-buy is. Audited as `edit`. A published campaign's terms are final (409).
#[utoipa::path(operation_id = "groupBuys.edit", tag = "campaigns", security(("bearer" = [])), params(("handle" = String, Path, description = "Handle", pattern = "^[a-z0-9-]{3,40}$"),
    ("groupBuySlug" = String, Path, description = "Group-buy slug", pattern = "^[a-z0-9-]{3,40}$")), request_body = EditGroupBuyRequest, responses(
    (status = 200, description = "Edited; the draft as it is now", body = Envelope<GroupBuyView>),
    (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingMerchantRole,
    crate::openapi::responses::NotYours,
    (status = 409, description = "Not a DRAFT (`not-a-draft`), or changed concurrently", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A field as creation refuses it, or an unknown one such as the slug (names it)", body = Problem, content_type = "application/problem+json"),
))]
#[patch("/v2/handles/{handle}/group-buys/{groupBuySlug}")]
async fn edit_group_buy(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
    body: JsonBody<EditGroupBuyRequest>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.merchant_writer()?.clone();
    let (handle, slug) = path_slug(&path.0, &path.1)?;
    let b = body.0;
    let thresholds = b.thresholds.unwrap_or_default();
    let edit = GroupBuyEdit {
        title: b.title,
        description: b.description,
        unit_price: b.unit_price,
        currency: b.currency,
        min_participants: thresholds.min_participants,
        min_quantity: thresholds.min_quantity,
        max_quantity: b.max_quantity,
        closes_at: b.closes_at.map(|c| instant(&c, "closesAt")).transpose()?,
    };
    let ctx = change(format!("user:{}", caller.user_id), state.clock.now());
    let store = state.campaigns.clone();
    answer_with_effect(
        move |answer| store.edit_draft(&caller, &handle, &slug, edit, &ctx, answer),
        |g| {
            render(
                StatusCode::OK,
                "Group-buy edited",
                GroupBuyView::from(g.clone()),
            )
        },
    )
    .await
}

/// A handle's group-buys, newest first, optionally of one status.
#[utoipa::path(operation_id = "groupBuys.list", tag = "campaigns", security(("bearer" = [])), params(("handle" = String, Path, description = "Handle", pattern = "^[a-z0-9-]{3,40}$"), ListParams), responses(
    (status = 200, description = "Group-buys", body = Envelope<PageView<GroupBuyView>>),
    (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingScope,
    (status = 404, description = "Handle not found (or not yours)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad status, or limit outside 1-100", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v2/handles/{handle}/group-buys")]
async fn list_group_buys(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    query: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.reader()?.clone();
    let handle = path_handle(&path.into_inner())?;
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let status = q.status.as_deref().map(GroupBuyStatus::parse).transpose()?;
    let store = state.campaigns.clone();
    let page =
        blocking(move || store.group_buys(&caller, &handle, status, q.cursor, limit)).await?;
    Ok(ok(
        "Group-buys retrieved successfully",
        PageView::<GroupBuyView>::from(page),
    ))
}

/// One group-buy of a handle the caller owns.
#[utoipa::path(operation_id = "groupBuys.get", tag = "campaigns", security(("bearer" = [])), params(("handle" = String, Path, description = "Handle", pattern = "^[a-z0-9-]{3,40}$"),
    ("groupBuySlug" = String, Path, description = "Group-buy slug", pattern = "^[a-z0-9-]{3,40}$")), responses(
    (status = 200, description = "The group-buy", body = Envelope<GroupBuyView>),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingScope,
    crate::openapi::responses::NotYours,
))]
#[get("/v2/handles/{handle}/group-buys/{groupBuySlug}")]
async fn get_group_buy(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.reader()?.clone();
    let (handle, slug) = path_slug(&path.0, &path.1)?;
    let store = state.campaigns.clone();
    let g = blocking(move || store.group_buy(&caller, &handle, &slug)).await?;
    Ok(ok(
        "Group-buy retrieved successfully",
        GroupBuyView::from(g),
    ))
}

/// The interests of a group-buy, newest first.
#[utoipa::path(operation_id = "groupBuys.listInterests", tag = "campaigns", security(("bearer" = [])), params(("handle" = String, Path, description = "Handle", pattern = "^[a-z0-9-]{3,40}$"),
    ("groupBuySlug" = String, Path, description = "Group-buy slug", pattern = "^[a-z0-9-]{3,40}$"), PageQuery), responses(
    (status = 200, description = "Interests", body = Envelope<PageView<InterestView>>),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingScope,
    crate::openapi::responses::NotYours,
    (status = 422, description = "Limit outside 1-100", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v2/handles/{handle}/group-buys/{groupBuySlug}/interests")]
async fn list_interests(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.reader()?.clone();
    let (handle, slug) = path_slug(&path.0, &path.1)?;
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let store = state.campaigns.clone();
    let page = blocking(move || store.interests(&caller, &handle, &slug, q.cursor, limit)).await?;
    Ok(ok(
        "Interests retrieved successfully",
        PageView::<InterestView>::from(page),
    ))
}

/// The audit entries of a group-buy (actor, action, before -> after, request id), newest first.
#[utoipa::path(operation_id = "groupBuys.listAudit", tag = "campaigns", security(("bearer" = [])), params(("handle" = String, Path, description = "Handle", pattern = "^[a-z0-9-]{3,40}$"),
    ("groupBuySlug" = String, Path, description = "Group-buy slug", pattern = "^[a-z0-9-]{3,40}$"), PageQuery), responses(
    (status = 200, description = "Audit entries", body = Envelope<PageView<AuditEntryView>>),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingScope,
    crate::openapi::responses::NotYours,
    (status = 422, description = "Limit outside 1-100", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v2/handles/{handle}/group-buys/{groupBuySlug}/audit")]
async fn list_audit(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.reader()?.clone();
    let (handle, slug) = path_slug(&path.0, &path.1)?;
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let store = state.campaigns.clone();
    let page = blocking(move || store.audit(&caller, &handle, &slug, q.cursor, limit)).await?;
    Ok(ok(
        "Audit entries retrieved successfully",
        PageView::<AuditEntryView>::from(page),
    ))
}

async fn act(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
    action: Action,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.merchant_writer()?.clone();
    let (handle, slug) = path_slug(&path.0, &path.1)?;
    let ctx = change(format!("user:{}", caller.user_id), state.clock.now());
    let store = state.campaigns.clone();
    answer_with_effect(
        move |answer| store.transition(&caller, &handle, &slug, action, &ctx, answer),
        |g| {
            let message = format!("Group-buy is now {}", g.status);
            render(StatusCode::OK, &message, GroupBuyView::from(g.clone()))
        },
    )
    .await
}

/// DRAFT or PAUSED -> PUBLISHED.
#[utoipa::path(operation_id = "groupBuys.publish", tag = "campaigns", security(("bearer" = [])), params(("handle" = String, Path, description = "Handle", pattern = "^[a-z0-9-]{3,40}$"),
    ("groupBuySlug" = String, Path, description = "Group-buy slug", pattern = "^[a-z0-9-]{3,40}$")), responses(
    (status = 200, description = "Published; the new state", body = Envelope<GroupBuyView>),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingMerchantRole,
    crate::openapi::responses::NotYours,
    (status = 409, description = "Not allowed from the current state (names it and the allowed actions)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v2/handles/{handle}/group-buys/{groupBuySlug}/publish")]
async fn publish(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    act(state, auth, path, Action::Publish).await
}

/// PUBLISHED -> PAUSED.
#[utoipa::path(operation_id = "groupBuys.pause", tag = "campaigns", security(("bearer" = [])), params(("handle" = String, Path, description = "Handle", pattern = "^[a-z0-9-]{3,40}$"),
    ("groupBuySlug" = String, Path, description = "Group-buy slug", pattern = "^[a-z0-9-]{3,40}$")), responses(
    (status = 200, description = "Paused; the new state", body = Envelope<GroupBuyView>),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingMerchantRole,
    crate::openapi::responses::NotYours,
    (status = 409, description = "Not allowed from the current state (names it and the allowed actions)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v2/handles/{handle}/group-buys/{groupBuySlug}/pause")]
async fn pause(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    act(state, auth, path, Action::Pause).await
}

/// PUBLISHED or PAUSED -> CLOSED, only when every threshold is met.
#[utoipa::path(operation_id = "groupBuys.close", tag = "campaigns", security(("bearer" = [])), params(("handle" = String, Path, description = "Handle", pattern = "^[a-z0-9-]{3,40}$"),
    ("groupBuySlug" = String, Path, description = "Group-buy slug", pattern = "^[a-z0-9-]{3,40}$")), responses(
    (status = 200, description = "Closed; the new state", body = Envelope<GroupBuyView>),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingMerchantRole,
    crate::openapi::responses::NotYours,
    (status = 409, description = "Not allowed from the current state, or thresholds not met (lists each)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v2/handles/{handle}/group-buys/{groupBuySlug}/close")]
async fn close(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    act(state, auth, path, Action::Close).await
}

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_handle)
        .service(get_handle)
        .service(create_group_buy)
        .service(list_group_buys)
        .service(get_group_buy)
        .service(edit_group_buy)
        .service(list_interests)
        .service(list_audit)
        .service(publish)
        .service(pause)
        .service(close);
}
