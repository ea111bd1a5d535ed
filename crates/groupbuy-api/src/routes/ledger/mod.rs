//! The merchant ledger (`/api/v1`): a shop's balance and statement for its owner or a
//! platform admin (anyone else: 404, as for a missing shop), and the platform admin's
//! payouts and commission rates. What moves and when is the domain's
//! ([`groupbuy_domain::ledger`]); these handlers parse, authorize and call one port method.

pub mod dto;

use crate::envelope::{ok, render, Envelope, PageView};
use crate::error::{ApiError, Problem};
use crate::platform::auth::Auth;
use crate::platform::extract::{page_limit, JsonBody, PageQuery};
use crate::platform::idempotency::{answer_with_effect, IDEMPOTENCY_KEY};
use crate::platform::request::change;
use crate::state::{blocking, AppState};
use actix_web::http::StatusCode;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use dto::{
    CommissionRequest, CommissionView, PayoutRequest, PayoutView, ShopBalanceView,
    StatementLineView,
};
use groupbuy_domain::ledger::{CommissionRate, LedgerRefusal, PayoutDraft};
use groupbuy_domain::principal::ROLE_PLATFORM_ADMIN;
use groupbuy_domain::DomainError;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The shop's merchant balance (one per currency) and its commission rate. For the
/// shop's owner or a platform admin.
#[utoipa::path(operation_id = "ledger.getBalance", tag = "ledger", security(("bearer" = [])),
    params(("shopId" = Uuid, Path, description = "Shop id")), responses(
    (status = 200, description = "The shop's balance", body = Envelope<ShopBalanceView>),
    (status = 400, description = "Bad shop id", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingScope,
    (status = 404, description = "Shop not found (or not yours)", body = Problem, content_type = "application/problem+json"),
))]
#[get("/api/v1/shops/{shopId}/balance")]
async fn balance(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.reader()?.clone();
    let (shop, store) = (path.into_inner(), state.ledger.clone());
    let balance = blocking(move || store.balance(&caller, shop)).await?;
    Ok(ok(
        "Shop balance retrieved successfully",
        ShopBalanceView::from(balance),
    ))
}

/// The shop's statement: its balance's lines (orders settled, commission, cancellations,
/// payouts), newest first. For the shop's owner or a platform admin.
#[utoipa::path(operation_id = "ledger.listStatement", tag = "ledger", security(("bearer" = [])),
    params(("shopId" = Uuid, Path, description = "Shop id"), PageQuery), responses(
    (status = 200, description = "Statement page", body = Envelope<PageView<StatementLineView>>),
    (status = 400, description = "Bad shop id or cursor", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingScope,
    (status = 404, description = "Shop not found (or not yours)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Limit outside 1-100", body = Problem, content_type = "application/problem+json"),
))]
#[get("/api/v1/shops/{shopId}/statement")]
async fn statement(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<Uuid>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.reader()?.clone();
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let (shop, store) = (path.into_inner(), state.ledger.clone());
    let page = blocking(move || store.statement(&caller, shop, q.cursor, limit)).await?;
    Ok(ok(
        "Shop statement retrieved successfully",
        PageView::<StatementLineView>::from(page),
    ))
}

/// Records money sent to a shop, out of its balance (platform admins). The
/// Idempotency-Key is required: a payout recorded twice cannot be taken back.
#[utoipa::path(operation_id = "ledger.recordPayout", tag = "ledger", security(("bearer" = [])),
    params(("shopId" = Uuid, Path, description = "Shop id"),
           ("Idempotency-Key" = String, Header, description = "Required: makes retries safe")),
    request_body = PayoutRequest, responses(
    (status = 201, description = "Payout recorded", body = Envelope<PayoutView>),
    (status = 400, description = "Malformed body, or no Idempotency-Key (idempotency-key-required)", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingPlatformAdminRole,
    (status = 404, description = "Shop not found", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "More than the shop's balance (insufficient-shop-balance), or the Idempotency-Key is in use", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid amount, currency or reference, or key reused", body = Problem, content_type = "application/problem+json"),
))]
#[post("/api/v1/platform-admin/shops/{shopId}/payouts")]
async fn record_payout(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<Uuid>,
    body: JsonBody<PayoutRequest>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.writer()?.clone();
    auth.require_role(ROLE_PLATFORM_ADMIN)?;
    if !req.headers().contains_key(IDEMPOTENCY_KEY) {
        return Err(DomainError::from(LedgerRefusal::IdempotencyKeyRequired).into());
    }
    let b = body.0;
    let draft = PayoutDraft::parse(b.amount, b.currency.as_deref(), &b.reference)?;
    let ctx = change(format!("user:{}", caller.user_id), state.clock.now());
    let (shop, store) = (path.into_inner(), state.ledger.clone());
    answer_with_effect(
        move |answer| store.record_payout(shop, draft, &ctx, answer),
        |payout| {
            render(
                StatusCode::CREATED,
                "Payout recorded successfully",
                PayoutView::from(payout.clone()),
            )
        },
    )
    .await
}

/// Sets the shop's own commission rate, or clears it (null) so the platform's default
/// applies (platform admins; audited). Groups completing afterwards are charged it;
/// orders already settled keep theirs.
#[utoipa::path(operation_id = "ledger.setCommission", tag = "ledger", security(("bearer" = [])),
    params(("shopId" = Uuid, Path, description = "Shop id")),
    request_body = CommissionRequest, responses(
    (status = 200, description = "The shop's commission rate", body = Envelope<CommissionView>),
    crate::openapi::responses::MalformedBody,
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingPlatformAdminRole,
    (status = 404, description = "Shop not found", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "commissionBps outside 0-10000", body = Problem, content_type = "application/problem+json"),
))]
#[put("/api/v1/platform-admin/shops/{shopId}/commission")]
async fn set_commission(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<Uuid>,
    body: JsonBody<CommissionRequest>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.writer()?.clone();
    auth.require_role(ROLE_PLATFORM_ADMIN)?;
    let rate = body
        .0
        .commission_bps
        .map(|bps| CommissionRate::from_bps(bps, "commissionBps"))
        .transpose()?;
    let ctx = change(format!("user:{}", caller.user_id), state.clock.now());
    let (shop, store) = (path.into_inner(), state.ledger.clone());
    let set = blocking(move || store.set_commission(shop, rate, &ctx)).await?;
    Ok(ok(
        "Commission rate updated successfully",
        CommissionView::from(set),
    ))
}

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(balance)
        .service(statement)
        .service(record_payout)
        .service(set_commission);
}
