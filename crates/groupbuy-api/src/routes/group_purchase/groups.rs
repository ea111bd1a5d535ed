//! The six reads, transfer, rename and admin deletion of seed 001.

use super::dto::{GroupSummary, GroupView, ParticipationView, RenamedGroupView};
use crate::envelope::render;
use crate::envelope::{ok, Envelope};
use crate::error::{ApiError, Problem};
use crate::platform::auth::{Auth, MaybeAuth};
use crate::platform::conditional::versioned;
use crate::platform::extract::JsonBody;
use crate::platform::idempotency::answer_with_effect;
use crate::platform::request::change;
use crate::read_model::View;
use crate::state::{blocking, AppState};
use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use groupbuy_domain::group_purchase::{GroupDetail, GroupPurchaseRefusal, GroupStatus};
use groupbuy_domain::principal::ROLE_PLATFORM_ADMIN;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Filter of my-groups.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MyGroupsQuery {
    /// OPEN, COMPLETED, FAILED or DELETED (default: all).
    #[param(value_type = Option<crate::openapi::enums::GroupStatus>)]
    pub status: Option<String>,
    /// Most groups returned, 1-100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// Bound of the available list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailableQuery {
    /// Most groups returned, 1-100 (default 50); the oldest come first.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// Groups a list returns when the caller does not ask (the lists stay plain arrays).
const DEFAULT_GROUP_LIMIT: i64 = 50;

/// A group list's bound: absent means 50; outside 1-100 is a 422 naming `limit`.
fn group_limit(limit: Option<i64>) -> Result<i64, ApiError> {
    crate::platform::extract::limit_or(limit, DEFAULT_GROUP_LIMIT)
}

/// Body of the transfer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TransferRequest {
    /// Group to move seats out of.
    pub source_group_id: Uuid,
    /// Group to move them into.
    pub target_group_id: Uuid,
    /// Seats to move (>= 1).
    #[schema(minimum = 1, maximum = 2147483647)]
    pub quantity: i64,
}

/// Body of the rename.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RenameRequest {
    /// New name, 3-100 characters after trimming, unique among OPEN groups.
    #[schema(min_length = 3, max_length = 100)]
    pub group_name: String,
}

/// Open, unexpired, not full groups of a product (no token needed).
#[utoipa::path(operation_id = "groupPurchases.listAvailable", tag = "group-purchases", security((), ("bearer" = [])), params(("productId" = Uuid, Path, description = "Product id"), AvailableQuery), responses(
    (status = 200, description = "Available groups retrieved successfully", body = Envelope<Vec<GroupSummary>>),
    (status = 400, description = "Bad product id", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Invalid token sent", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Product not found", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "limit outside 1-100", body = Problem, content_type = "application/problem+json"),
))]
#[get("/api/v1/group-purchases/product/{productId}/available")]
async fn available(
    state: web::Data<AppState>,
    auth: MaybeAuth,
    path: web::Path<Uuid>,
    query: web::Query<AvailableQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = group_limit(query.limit)?;
    let (id, now, store) = (
        path.into_inner(),
        state.clock.now(),
        state.group_purchases.clone(),
    );
    let groups = blocking(move || store.available_groups(id, now, limit)).await?;
    let viewer = auth.0.as_ref().map(|p| p.user_id.as_str());
    let data: Vec<GroupSummary> = groups
        .iter()
        .map(|g| GroupSummary::of(g, viewer, now))
        .collect();
    Ok(ok("Available groups retrieved successfully", data))
}

/// A group with its participants (histories only for your own participation).
#[utoipa::path(operation_id = "groupPurchases.getById", tag = "group-purchases", security(("bearer" = [])), params(("groupId" = Uuid, Path, description = "Group id")), responses(
    (status = 200, description = "Group retrieved successfully", body = Envelope<GroupView>),
    (status = 400, description = "Bad group id", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingScope,
    (status = 404, description = "Group not found with ID", body = Problem, content_type = "application/problem+json"),
))]
#[get("/api/v1/group-purchases/{groupId}")]
async fn by_id(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let viewer = auth.reader()?.user_id.clone();
    let (id, views, store) = (
        path.into_inner(),
        state.views.clone(),
        state.group_purchases.clone(),
    );
    // A view in memory is answered here; only a miss goes to the blocking pool.
    let cached = views.as_ref().and_then(|v| v.groups.cached(id));
    let group = match cached {
        Some(group) => group,
        None => {
            blocking(move || match views {
                Some(v) => v.groups.view(id),
                None => store.group(id).map(View::plain),
            })
            .await?
        }
    };
    Ok(detail(&req, &group, &viewer, state.clock.now()))
}

/// A group's detail for `viewer` at `now`, tagged with what makes it (the view's version,
/// the viewer, whether it is past expiry now): one viewer's tag never matches another's.
fn detail(
    req: &HttpRequest,
    group: &View<GroupDetail>,
    viewer: &str,
    now: time::OffsetDateTime,
) -> HttpResponse {
    let expired = [u8::from(group.data.group.is_expired(now))];
    versioned(
        req,
        group.version.as_ref(),
        &[viewer.as_bytes(), &expired],
        "Group retrieved successfully",
        || GroupView::of(&group.data, viewer, now),
    )
}

/// A group by its code.
#[utoipa::path(operation_id = "groupPurchases.getByCode", tag = "group-purchases", security(("bearer" = [])), params(("groupCode" = String, Path, description = "Code such as GP-A3X7K9", pattern = "^GP-[A-Z0-9]{6}$")), responses(
    (status = 200, description = "Group retrieved successfully", body = Envelope<GroupView>),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingScope,
    (status = 404, description = "Group not found with code", body = Problem, content_type = "application/problem+json"),
))]
#[get("/api/v1/group-purchases/code/{groupCode}")]
async fn by_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let viewer = auth.reader()?.user_id.clone();
    let (code, views, store) = (
        path.into_inner(),
        state.views.clone(),
        state.group_purchases.clone(),
    );
    let cached = views.as_ref().and_then(|v| v.groups.cached_by_code(&code));
    let group = match cached {
        Some(group) => group,
        None => {
            blocking(move || match views {
                Some(v) => v.groups.view_by_code(&code),
                None => store.group_by_code(&code).map(View::plain),
            })
            .await?
        }
    };
    Ok(detail(&req, &group, &viewer, state.clock.now()))
}

/// Groups you took part in, optionally by status.
#[utoipa::path(operation_id = "groupPurchases.listMyGroups", tag = "group-purchases", security(("bearer" = [])), params(MyGroupsQuery), responses(
    (status = 200, description = "My groups retrieved successfully", body = Envelope<Vec<GroupSummary>>),
    (status = 400, description = "Invalid status", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingScope,
    (status = 422, description = "limit outside 1-100", body = Problem, content_type = "application/problem+json"),
))]
#[get("/api/v1/group-purchases/my-groups")]
async fn my_groups(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<MyGroupsQuery>,
) -> Result<HttpResponse, ApiError> {
    let viewer = auth.reader()?.user_id.clone();
    let query = query.into_inner();
    let status = query.status.map(|s| GroupStatus::parse(&s)).transpose()?;
    let limit = group_limit(query.limit)?;
    let (now, store, user) = (
        state.clock.now(),
        state.group_purchases.clone(),
        viewer.clone(),
    );
    let groups = blocking(move || store.my_groups(&user, status, limit)).await?;
    let data: Vec<GroupSummary> = groups
        .iter()
        .map(|g| GroupSummary::of(g, Some(&viewer), now))
        .collect();
    Ok(ok("My groups retrieved successfully", data))
}

/// Your ACTIVE participations with purchase and transfer history.
#[utoipa::path(operation_id = "groupPurchases.listMyParticipations", tag = "group-purchases", security(("bearer" = [])), responses(
    (status = 200, description = "My participations retrieved successfully", body = Envelope<Vec<ParticipationView>>),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingScope,
))]
#[get("/api/v1/group-purchases/my-participations")]
async fn my_participations(
    state: web::Data<AppState>,
    auth: Auth,
) -> Result<HttpResponse, ApiError> {
    let user = auth.reader()?.user_id.clone();
    let store = state.group_purchases.clone();
    let list = blocking(move || store.my_participations(&user)).await?;
    let data: Vec<ParticipationView> = list.iter().map(ParticipationView::from).collect();
    Ok(ok("My participations retrieved successfully", data))
}

/// Moves seats between compatible OPEN groups (same product, shop and price).
#[utoipa::path(operation_id = "groupPurchases.transfer", tag = "group-purchases", security(("bearer" = [])), request_body = TransferRequest, responses(
    (status = 200, description = "Seats transferred successfully", body = Envelope<ParticipationView>),
    (status = 400, description = "A transfer rule refused it", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingScope,
    (status = 404, description = "Not a participant, or group not found", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Idempotency-Key in use, or a group changed meanwhile", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::InvalidField,
))]
#[post("/api/v1/group-purchases/transfer")]
async fn transfer(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<TransferRequest>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.writer()?.clone();
    let b = body.0;
    let quantity = i32::try_from(b.quantity)
        .ok()
        .filter(|q| *q >= 1)
        .ok_or(GroupPurchaseRefusal::QuantityTooSmall)?;
    let ctx = change(format!("user:{}", user.user_id), state.clock.now());
    let store = state.group_purchases.clone();
    answer_with_effect(
        move |answer| {
            store.transfer(
                &user,
                b.source_group_id,
                b.target_group_id,
                quantity,
                &ctx,
                answer,
            )
        },
        |moved| {
            render(
                StatusCode::OK,
                "Seats transferred successfully",
                ParticipationView::from(moved),
            )
        },
    )
    .await
}

/// Renames a group (initiator only).
#[utoipa::path(operation_id = "groupPurchases.rename", tag = "group-purchases", security(("bearer" = [])), params(("groupId" = Uuid, Path, description = "Group id")),
    request_body = RenameRequest, responses(
    (status = 200, description = "Group name updated successfully", body = Envelope<RenamedGroupView>),
    (status = 400, description = "A rename rule refused it", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingScope,
    (status = 404, description = "Group not found", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::InvalidField,
))]
#[patch("/api/v1/groups/{groupId}/name")]
async fn rename(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<Uuid>,
    body: JsonBody<RenameRequest>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.writer()?.user_id.clone();
    let ctx = change(format!("user:{user}"), state.clock.now());
    let (id, store, name) = (
        path.into_inner(),
        state.group_purchases.clone(),
        body.0.group_name,
    );
    let group = blocking(move || store.rename(&user, id, &name, &ctx)).await?;
    Ok(ok(
        "Group name updated successfully",
        RenamedGroupView::from(&group),
    ))
}

/// Soft-deletes a group, refunding its ACTIVE participants (platform admins).
#[utoipa::path(operation_id = "groupPurchases.adminDelete", tag = "group-purchases", security(("bearer" = [])), params(("groupId" = Uuid, Path, description = "Group id")), responses(
    (status = 200, description = "Group deleted", body = Envelope<GroupView>),
    (status = 400, description = "Completed or already deleted", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::Unauthenticated,
    (status = 403, description = "Missing role platform-admin", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Group not found", body = Problem, content_type = "application/problem+json"),
))]
#[delete("/api/v1/platform-admin/group-purchases/{groupId}")]
async fn admin_delete(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    auth.writer()?;
    let admin = auth.require_role(ROLE_PLATFORM_ADMIN)?.user_id.clone();
    let (id, now, store) = (
        path.into_inner(),
        state.clock.now(),
        state.group_purchases.clone(),
    );
    let ctx = change(format!("user:{admin}"), now);
    let group = blocking(move || store.delete_group(id, &ctx)).await?;
    Ok(ok(
        "Group deleted successfully",
        GroupView::of(&group, &admin, now),
    ))
}

/// Registers the routes; the fixed paths come before `{groupId}` so they match first.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(available)
        .service(my_groups)
        .service(my_participations)
        .service(by_code)
        .service(transfer)
        .service(by_id)
        .service(rename)
        .service(admin_delete);
}

#[cfg(test)]
mod tests {
    use super::group_limit;

    #[test]
    fn group_lists_are_bounded() {
        assert_eq!(group_limit(None).expect("default"), 50);
        assert_eq!(group_limit(Some(1)).expect("min"), 1);
        assert_eq!(group_limit(Some(100)).expect("max"), 100);
        for bad in [0, -1, 101] {
            let e = group_limit(Some(bad)).unwrap_err().problem();
            assert_eq!((e.status, e.errors[0].field.as_str()), (422, "limit"));
        }
    }
}
