//! Orders (`/api/v1`): the buyer's orders, and the merchant's side: a shop's orders to
//! ship, shipping, delivering and cancelling one. The lifecycle and its refusals are the
//! domain's ([`groupbuy_domain::order`]); these handlers parse, authorize and call one
//! port method.

pub mod dto;

use crate::envelope::{ok, render, Envelope, PageView};
use crate::error::{ApiError, Problem};
use crate::platform::auth::Auth;
use crate::platform::extract::{page_limit, JsonBody, PageQuery};
use crate::platform::idempotency::answer_with_effect;
use crate::platform::request::change;
use crate::state::{blocking, AppState};
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use dto::{CancelRequest, OrderView, ShipRequest, ShopOrdersQuery};
use groupbuy_domain::order::{CancelReason, OrderCommand, OrderStatus, Shipment};
use groupbuy_domain::DomainError;
use uuid::Uuid;

/// Your orders, newest first.
#[utoipa::path(operation_id = "orders.listMine", tag = "checkout", security(("bearer" = [])), params(PageQuery), responses(
    (status = 200, description = "Orders", body = Envelope<PageView<OrderView>>),
    crate::openapi::responses::Unauthenticated,
    (status = 422, description = "Limit outside 1-100", body = Problem, content_type = "application/problem+json"),
))]
#[get("/api/v1/orders/my-orders")]
async fn my_orders(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.reader()?.user_id.clone();
    let (q, store) = (query.into_inner(), state.orders.clone());
    let limit = page_limit(q.limit)?;
    let page = blocking(move || store.my_orders(&user, q.cursor, limit)).await?;
    Ok(ok(
        "Orders retrieved successfully",
        PageView::<OrderView>::from(page),
    ))
}

/// One of your orders, with its status and tracking.
#[utoipa::path(operation_id = "orders.getById", tag = "checkout", security(("bearer" = [])), params(("orderId" = Uuid, Path, description = "Order id")), responses(
    (status = 200, description = "The order", body = Envelope<OrderView>),
    crate::openapi::responses::Unauthenticated,
    (status = 404, description = "Order not found", body = Problem, content_type = "application/problem+json"),
))]
#[get("/api/v1/orders/{orderId}")]
async fn get_order(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.reader()?.user_id.clone();
    let (id, store) = (path.into_inner(), state.orders.clone());
    let order = blocking(move || store.order(&user, id)).await?;
    Ok(ok("Order retrieved successfully", OrderView::from(order)))
}

/// A shop's orders, newest first, optionally of one status: what its merchant has to
/// ship (`status=CONFIRMED`). For the shop's owner or a platform admin.
#[utoipa::path(operation_id = "orders.listByShop", tag = "orders", security(("bearer" = [])),
    params(("shopId" = Uuid, Path, description = "Shop id"), ShopOrdersQuery), responses(
    (status = 200, description = "The shop's orders", body = Envelope<PageView<OrderView>>),
    (status = 400, description = "Bad shop id or cursor", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingScope,
    (status = 404, description = "Shop not found (or not yours)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Unknown status, or limit outside 1-100", body = Problem, content_type = "application/problem+json"),
))]
#[get("/api/v1/shops/{shopId}/orders")]
async fn shop_orders(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<Uuid>,
    query: web::Query<ShopOrdersQuery>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.reader()?.clone();
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let status = q.status.as_deref().map(OrderStatus::parse).transpose()?;
    let (shop, store) = (path.into_inner(), state.orders.clone());
    let page = blocking(move || store.shop_orders(&caller, shop, status, q.cursor, limit)).await?;
    Ok(ok(
        "Shop orders retrieved successfully",
        PageView::<OrderView>::from(page),
    ))
}

/// Runs a merchant's command on an order and answers with the order as changed; the
/// answer is stored on an Idempotency-Key in the transaction of the change.
async fn act(
    state: web::Data<AppState>,
    auth: Auth,
    order_id: Uuid,
    command: Result<OrderCommand, DomainError>,
    message: &'static str,
) -> Result<HttpResponse, ApiError> {
    // Rights before the fields' domain rules (the body's shape was checked on extraction).
    let caller = auth.merchant_writer()?.clone();
    let command = command?;
    let ctx = change(format!("user:{}", caller.user_id), state.clock.now());
    let store = state.orders.clone();
    answer_with_effect(
        move |answer| store.change(&caller, order_id, command, &ctx, answer),
        move |order| render(StatusCode::OK, message, OrderView::from(order.clone())),
    )
    .await
}

/// CONFIRMED -> SHIPPED, with the carrier and tracking number the buyer then sees.
#[utoipa::path(operation_id = "orders.ship", tag = "orders", security(("bearer" = [])),
    params(("orderId" = Uuid, Path, description = "Order id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = ShipRequest, responses(
    (status = 200, description = "Order shipped", body = Envelope<OrderView>),
    crate::openapi::responses::MalformedBody,
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingMerchantRole,
    (status = 404, description = "Order not found (or not your shop's)", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not CONFIRMED (order-not-shippable), or the Idempotency-Key is in use", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid carrier or trackingNumber, or key reused", body = Problem, content_type = "application/problem+json"),
))]
#[post("/api/v1/orders/{orderId}/ship")]
async fn ship(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<Uuid>,
    body: JsonBody<ShipRequest>,
) -> Result<HttpResponse, ApiError> {
    let command = Shipment::parse(&body.0.carrier, &body.0.tracking_number).map(OrderCommand::Ship);
    act(
        state,
        auth,
        path.into_inner(),
        command,
        "Order shipped successfully",
    )
    .await
}

/// SHIPPED -> DELIVERED.
#[utoipa::path(operation_id = "orders.deliver", tag = "orders", security(("bearer" = [])),
    params(("orderId" = Uuid, Path, description = "Order id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses(
    (status = 200, description = "Order delivered", body = Envelope<OrderView>),
    (status = 400, description = "Bad order id", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingMerchantRole,
    (status = 404, description = "Order not found (or not your shop's)", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not SHIPPED (order-not-deliverable), or the Idempotency-Key is in use", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Idempotency-Key reused with another request", body = Problem, content_type = "application/problem+json"),
))]
#[post("/api/v1/orders/{orderId}/deliver")]
async fn deliver(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let command = Ok(OrderCommand::Deliver);
    act(state, auth, id, command, "Order delivered successfully").await
}

/// CONFIRMED -> CANCELLED: the buyer is refunded to their wallet and the units go back
/// to the product's stock, each exactly once.
#[utoipa::path(operation_id = "orders.cancel", tag = "orders", security(("bearer" = [])),
    params(("orderId" = Uuid, Path, description = "Order id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = CancelRequest, responses(
    (status = 200, description = "Order cancelled; its buyer refunded", body = Envelope<OrderView>),
    crate::openapi::responses::MalformedBody,
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingMerchantRole,
    (status = 404, description = "Order not found (or not your shop's)", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not CONFIRMED (order-not-cancellable), or the Idempotency-Key is in use", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid reason, or key reused", body = Problem, content_type = "application/problem+json"),
))]
#[post("/api/v1/orders/{orderId}/cancel")]
async fn cancel(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<Uuid>,
    body: JsonBody<CancelRequest>,
) -> Result<HttpResponse, ApiError> {
    let command = CancelReason::parse(&body.0.reason).map(OrderCommand::Cancel);
    act(
        state,
        auth,
        path.into_inner(),
        command,
        "Order cancelled successfully",
    )
    .await
}

/// Registers the routes (my-orders before `{orderId}`).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(my_orders)
        .service(get_order)
        .service(shop_orders)
        .service(ship)
        .service(deliver)
        .service(cancel);
}
