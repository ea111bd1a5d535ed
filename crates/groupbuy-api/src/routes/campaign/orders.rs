//! The seller's side of a campaign handle (`/v2/handles/{handle}`): the orders its paid
//! pre-orders became (shipped like any order with `/api/v1/orders/{orderId}/...`), its
//! merchant balance and statement, and how one campaign's pre-order sessions stand. For
//! the handle's owner or a platform admin; anyone else is told the handle does not exist.

use super::preorder_dto::PreorderCountsView;
use super::{path_handle, path_slug};
use crate::envelope::{ok, Envelope, PageView};
use crate::error::{ApiError, Problem};
use crate::platform::auth::Auth;
use crate::platform::extract::{page_limit, PageQuery};
use crate::routes::ledger::dto::{CurrencyBalanceView, StatementLineView};
use crate::routes::order::dto::{OrderView, ShopOrdersQuery};
use crate::state::{blocking, AppState};
use actix_web::{get, web, HttpResponse};
use groupbuy_domain::order::OrderStatus;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

/// A handle's merchant balances: what its paid pre-orders settled, less commission and
/// cancellations.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HandleBalanceView {
    /// The handle.
    pub handle: String,
    /// One per currency it has sold in; empty before its first paid pre-order.
    pub balances: Vec<CurrencyBalanceView>,
}

crate::payload!(HandleBalanceView);

/// The handle's orders (its paid pre-orders), newest first, optionally of one status:
/// what it has to ship (`status=CONFIRMED`).
#[utoipa::path(operation_id = "handles.listOrders", tag = "campaigns", security(("bearer" = [])),
    params(("handle" = String, Path, description = "Handle", pattern = "^[a-z0-9-]{3,40}$"), ShopOrdersQuery), responses(
    (status = 200, description = "The handle's orders", body = Envelope<PageView<OrderView>>),
    (status = 400, description = "Bad cursor", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingScope,
    crate::openapi::responses::NotYours,
    (status = 422, description = "Unknown status, or limit outside 1-100", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v2/handles/{handle}/orders")]
async fn handle_orders(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    query: web::Query<ShopOrdersQuery>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.reader()?.clone();
    let handle = path_handle(&path.into_inner())?;
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let status = q.status.as_deref().map(OrderStatus::parse).transpose()?;
    let store = state.orders.clone();
    let page =
        blocking(move || store.handle_orders(&caller, &handle, status, q.cursor, limit)).await?;
    Ok(ok(
        "Handle orders retrieved successfully",
        PageView::<OrderView>::from(page),
    ))
}

/// The handle's merchant balance, one per currency.
#[utoipa::path(operation_id = "handles.getBalance", tag = "campaigns", security(("bearer" = [])),
    params(("handle" = String, Path, description = "Handle", pattern = "^[a-z0-9-]{3,40}$")), responses(
    (status = 200, description = "The handle's balance", body = Envelope<HandleBalanceView>),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingScope,
    crate::openapi::responses::NotYours,
))]
#[get("/v2/handles/{handle}/balance")]
async fn handle_balance(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.reader()?.clone();
    let handle = path_handle(&path.into_inner())?;
    let (name, store) = (handle.to_string(), state.ledger.clone());
    let balances = blocking(move || store.handle_balance(&caller, &handle)).await?;
    let view = HandleBalanceView {
        handle: name,
        balances: balances.into_iter().map(Into::into).collect(),
    };
    Ok(ok("Handle balance retrieved successfully", view))
}

/// The handle's statement: its balance's lines (pre-orders settled, commission,
/// cancellations), newest first.
#[utoipa::path(operation_id = "handles.listStatement", tag = "campaigns", security(("bearer" = [])),
    params(("handle" = String, Path, description = "Handle", pattern = "^[a-z0-9-]{3,40}$"), PageQuery), responses(
    (status = 200, description = "Statement page", body = Envelope<PageView<StatementLineView>>),
    (status = 400, description = "Bad cursor", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingScope,
    crate::openapi::responses::NotYours,
    (status = 422, description = "Limit outside 1-100", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v2/handles/{handle}/statement")]
async fn handle_statement(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.reader()?.clone();
    let handle = path_handle(&path.into_inner())?;
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let store = state.ledger.clone();
    let page = blocking(move || store.handle_statement(&caller, &handle, q.cursor, limit)).await?;
    Ok(ok(
        "Handle statement retrieved successfully",
        PageView::<StatementLineView>::from(page),
    ))
}

/// How a campaign's pre-order sessions stand: pledged, pending, paid, expired.
#[utoipa::path(operation_id = "groupBuys.getPreorders", tag = "campaigns", security(("bearer" = [])), params(("handle" = String, Path, description = "Handle", pattern = "^[a-z0-9-]{3,40}$"),
    ("groupBuySlug" = String, Path, description = "Group-buy slug", pattern = "^[a-z0-9-]{3,40}$")), responses(
    (status = 200, description = "The counts (all zero before the close)", body = Envelope<PreorderCountsView>),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingScope,
    crate::openapi::responses::NotYours,
))]
#[get("/v2/handles/{handle}/group-buys/{groupBuySlug}/preorders")]
async fn preorder_counts(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.reader()?.clone();
    let (handle, slug) = path_slug(&path.0, &path.1)?;
    let store = state.preorders.clone();
    let counts = blocking(move || store.preorder_counts(&caller, &handle, &slug)).await?;
    Ok(ok(
        "Pre-orders retrieved successfully",
        PreorderCountsView::from(counts),
    ))
}

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handle_orders)
        .service(handle_balance)
        .service(handle_statement)
        .service(preorder_counts);
}
