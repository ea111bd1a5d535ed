//! Public routes (`/v2/public/group-buys/...`, no token needed): a handle's non-draft
//! group-buys and the visitor's own interest.

use super::dto::{GroupBuyView, InterestBody, InterestView, PageView};
use super::{change, path_handle, path_slug, Visitor};
use crate::envelope::{created, ok, Envelope};
use crate::error::{ApiError, Problem};
use crate::platform::conditional::versioned;
use crate::platform::extract::parse_json;
use crate::platform::extract::{page_limit, PageQuery};
use crate::read_model::View;
use crate::state::{blocking, AppState};
use actix_web::{delete, get, put, web, HttpRequest, HttpResponse};
use groupbuy_domain::campaign::{GroupBuy, InterestRequest};
use utoipa_actix_web::service_config::ServiceConfig;

/// A handle's PUBLISHED, PAUSED and CLOSED group-buys, newest first (never drafts).
#[utoipa::path(operation_id = "publicGroupBuys.list", tag = "campaigns-public", params(("handle" = String, Path, description = "Handle", pattern = "^[a-z0-9-]{3,40}$"), PageQuery), responses(
    (status = 200, description = "Public group-buys", body = Envelope<PageView<GroupBuyView>>),
    (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Handle not found", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Limit outside 1-100", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v2/public/group-buys/{handle}")]
async fn list_public(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let handle = path_handle(&path.into_inner())?;
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let store = state.campaigns.clone();
    let page = blocking(move || store.public_group_buys(&handle, q.cursor, limit)).await?;
    Ok(ok(
        "Group-buys retrieved successfully",
        PageView::<GroupBuyView>::from(page),
    ))
}

/// One public group-buy (a DRAFT is not found).
#[utoipa::path(operation_id = "publicGroupBuys.get", tag = "campaigns-public", params(("handle" = String, Path, description = "Handle", pattern = "^[a-z0-9-]{3,40}$"),
    ("groupBuySlug" = String, Path, description = "Group-buy slug", pattern = "^[a-z0-9-]{3,40}$")), responses(
    (status = 200, description = "The group-buy", body = Envelope<GroupBuyView>),
    (status = 404, description = "Not found or not public", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v2/public/group-buys/{handle}/{groupBuySlug}")]
async fn get_public(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (handle, slug) = path_slug(&path.0, &path.1)?;
    let (views, store) = (state.views.clone(), state.campaigns.clone());
    // A view in memory is answered here; only a miss goes to the blocking pool.
    let cached = views
        .as_ref()
        .and_then(|v| v.campaigns.cached(&handle, &slug));
    let g = match cached {
        Some(g) => g,
        None => {
            blocking(move || match views {
                Some(v) => v.campaigns.view(&handle, &slug),
                None => store.public_group_buy(&handle, &slug).map(View::plain),
            })
            .await?
        }
    };
    // The same for every viewer: the tag varies by nothing else.
    Ok(versioned(
        &req,
        g.version.as_ref(),
        &[],
        "Group-buy retrieved successfully",
        || GroupBuyView::from(GroupBuy::clone(&g.data)),
    ))
}

/// Registers (201) or updates (200) the visitor's one interest. The visitor is the token's
/// user, else the anonymous visitor of the signed `gb_visitor` cookie (set when new).
/// Retries and concurrent duplicates never create a second interest.
#[utoipa::path(operation_id = "publicGroupBuys.putMyInterest", tag = "campaigns-public", security((), ("bearer" = [])), params(("handle" = String, Path, description = "Handle", pattern = "^[a-z0-9-]{3,40}$"),
    ("groupBuySlug" = String, Path, description = "Group-buy slug", pattern = "^[a-z0-9-]{3,40}$")), request_body(content = Option<InterestBody>, description = "Defaults to quantity 1"),
    responses(
    (status = 200, description = "Interest updated", body = Envelope<InterestView>),
    (status = 201, description = "Interest registered", body = Envelope<InterestView>),
    crate::openapi::responses::MalformedBody,
    (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Not found or not public", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "PAUSED, CLOSED, past closesAt, or maxQuantity would be exceeded", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::InvalidField,
))]
#[put("/v2/public/group-buys/{handle}/{groupBuySlug}/my-interest")]
async fn put_interest(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (handle, slug) = path_slug(&path.0, &path.1)?;
    let b: InterestBody = if body.iter().all(u8::is_ascii_whitespace) {
        InterestBody::default()
    } else {
        parse_json(&body)?
    };
    let request = InterestRequest::parse(b.quantity, b.note)?;
    let ctx = change(visitor.id.as_str().to_owned(), state.clock.now());
    let store = state.campaigns.clone();
    let id = visitor.id.clone();
    let outcome = blocking(move || store.put_interest(&handle, &slug, &id, request, &ctx)).await?;
    let view = InterestView::from(outcome.interest);
    let res = if outcome.created {
        created("Interest registered", view)
    } else {
        ok("Interest updated", view)
    };
    Ok(visitor.remember(res))
}

/// The visitor's interest; for a closed pre-order campaign, with the payment session its
/// close opened for the visitor's pledge.
#[utoipa::path(operation_id = "publicGroupBuys.getMyInterest", tag = "campaigns-public", security((), ("bearer" = [])), params(("handle" = String, Path, description = "Handle", pattern = "^[a-z0-9-]{3,40}$"),
    ("groupBuySlug" = String, Path, description = "Group-buy slug", pattern = "^[a-z0-9-]{3,40}$")), responses(
    (status = 200, description = "The interest", body = Envelope<InterestView>),
    (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No interest, or group-buy not found", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v2/public/group-buys/{handle}/{groupBuySlug}/my-interest")]
async fn get_interest(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (handle, slug) = path_slug(&path.0, &path.1)?;
    let (store, preorders) = (state.campaigns.clone(), state.preorders.clone());
    let id = visitor.id;
    let (interest, session) = blocking(move || {
        let interest = store.my_interest(&handle, &slug, &id)?;
        // Only a signed-in pledger can have a session: there is no wallet to charge else.
        let session = match id.user_id() {
            Some(user) => preorders.my_preorder(&handle, &slug, user)?,
            None => None,
        };
        Ok((interest, session))
    })
    .await?;
    let view = InterestView {
        preorder: session.map(Into::into),
        ..InterestView::from(interest)
    };
    Ok(ok("Interest retrieved successfully", view))
}

/// Withdraws the visitor's interest (204, also when there was none).
#[utoipa::path(operation_id = "publicGroupBuys.deleteMyInterest", tag = "campaigns-public", security((), ("bearer" = [])), params(("handle" = String, Path, description = "Handle", pattern = "^[a-z0-9-]{3,40}$"),
    ("groupBuySlug" = String, Path, description = "Group-buy slug", pattern = "^[a-z0-9-]{3,40}$")), responses(
    (status = 204, description = "No interest any more"),
    (status = 401, description = "Invalid token", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Group-buy not found or not public", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The group-buy is CLOSED", body = Problem, content_type = "application/problem+json"),
))]
#[delete("/v2/public/group-buys/{handle}/{groupBuySlug}/my-interest")]
async fn delete_interest(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (handle, slug) = path_slug(&path.0, &path.1)?;
    let ctx = change(visitor.id.as_str().to_owned(), state.clock.now());
    let store = state.campaigns.clone();
    let id = visitor.id;
    blocking(move || store.remove_interest(&handle, &slug, &id, &ctx)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_public)
        .service(get_public)
        .service(put_interest)
        .service(get_interest)
        .service(delete_interest);
}
