//! Checkout sessions paid from the wallet (the orders they lead to: [`crate::routes::order`]).

use super::checkout_dto::{AnySessionView, CheckoutSessionView};
use crate::envelope::render;
use crate::envelope::{ok, Envelope};
use crate::error::{ApiError, Problem};
use crate::platform::auth::Auth;
use crate::platform::extract::JsonBody;
use crate::platform::idempotency::answer_with_effect;
use crate::platform::request::change;
use crate::state::{blocking, AppState};
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use groupbuy_domain::group_purchase::{session_not_found, CheckoutRequest, GroupPurchaseRefusal};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// Optional metadata of a session.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckoutMetadata {
    /// Group to join; absent opens a new group.
    pub group_instance_id: Option<Uuid>,
}

/// Body of `POST /api/v1/checkout-sessions`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateCheckoutRequest {
    /// Must be `GROUP_PURCHASE`; any other kind is refused.
    #[schema(value_type = crate::openapi::enums::SessionType)]
    pub session_type: String,
    /// The product to buy group seats of.
    pub product_id: Uuid,
    /// Seats (>= 1).
    #[schema(minimum = 1, maximum = 2147483647)]
    pub quantity: i64,
    /// `{groupInstanceId}` to join an existing group.
    pub metadata: Option<CheckoutMetadata>,
}

/// Body of process-payment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProcessPaymentRequest {
    /// Only `WALLET`.
    #[schema(value_type = crate::openapi::enums::PaymentMethod)]
    pub payment_method: String,
}

/// Opens a checkout session for group seats.
#[utoipa::path(operation_id = "checkoutSessions.create", tag = "checkout", security(("bearer" = [])), request_body = CreateCheckoutRequest, responses(
    (status = 201, description = "Checkout session created", body = Envelope<CheckoutSessionView>),
    (status = 400, description = "A group purchase rule refused it", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingScope,
    (status = 404, description = "Product or group not found", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::InvalidField,
))]
#[post("/api/v1/checkout-sessions")]
async fn create_session(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<CreateCheckoutRequest>,
) -> Result<HttpResponse, ApiError> {
    let buyer = auth.writer()?.clone();
    let b = body.0;
    let group = b.metadata.unwrap_or_default().group_instance_id;
    let request = CheckoutRequest::parse(&b.session_type, b.product_id, b.quantity, group)?;
    let ctx = change(format!("user:{}", buyer.user_id), state.clock.now());
    let store = state.group_purchases.clone();
    answer_with_effect(
        move |answer| store.create_checkout(&buyer, request, &ctx, answer),
        |session| {
            render(
                StatusCode::CREATED,
                "Checkout session created successfully",
                CheckoutSessionView::from(session.clone()),
            )
        },
    )
    .await
}

/// Pays a session from the wallet in one transaction: a group purchase's (debit, seats and
/// group) or a campaign pre-order's (debit, the handle's order and its settlement).
#[utoipa::path(operation_id = "checkoutSessions.processPayment", tag = "checkout", security(("bearer" = [])),
    params(("sessionId" = Uuid, Path, description = "Session id"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = ProcessPaymentRequest, responses(
    (status = 200, description = "Payment processed; group created or joined, or the pre-order became an order", body = Envelope<AnySessionView>),
    (status = 400, description = "Refused: not WALLET, insufficient balance, group full/expired...", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingScope,
    (status = 404, description = "Session not found", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Idempotency-Key in use, or a pre-order's payment window closed", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid field or key reused", body = Problem, content_type = "application/problem+json"),
))]
#[post("/api/v1/checkout-sessions/{sessionId}/process-payment")]
async fn process_payment(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<Uuid>,
    body: JsonBody<ProcessPaymentRequest>,
) -> Result<HttpResponse, ApiError> {
    let buyer = auth.writer()?.clone();
    if body.0.payment_method != "WALLET" {
        return Err(GroupPurchaseRefusal::UnsupportedPaymentMethod(body.0.payment_method).into());
    }
    let ctx = change(format!("user:{}", buyer.user_id), state.clock.now());
    let (id, store) = (path.into_inner(), state.group_purchases.clone());
    let paid = answer_with_effect(
        {
            let (buyer, ctx) = (buyer.clone(), ctx.clone());
            move |answer| store.pay(&buyer, id, &ctx, answer)
        },
        |session| render_paid(AnySessionView::GroupPurchase(session.clone().into())),
    )
    .await;
    // Not a group purchase's session: a pre-order's, paid the same way. The failed attempt
    // wrote nothing (its transaction rolled back), so the key is still this request's.
    match paid {
        Err(e) if e.is(session_not_found(id)) => {
            let preorders = state.preorders.clone();
            answer_with_effect(
                move |answer| preorders.pay_preorder(&buyer, id, &ctx, answer),
                |p| render_paid(AnySessionView::CampaignPreorder(p.clone().into())),
            )
            .await
        }
        other => other,
    }
}

fn render_paid(view: AnySessionView) -> groupbuy_domain::platform::StoredResponse {
    render(StatusCode::OK, "Payment processed successfully", view)
}

/// Your checkout session.
#[utoipa::path(operation_id = "checkoutSessions.getById", tag = "checkout", security(("bearer" = [])), params(("sessionId" = Uuid, Path, description = "Session id")), responses(
    (status = 200, description = "The session: a group purchase's or a campaign pre-order's", body = Envelope<AnySessionView>),
    crate::openapi::responses::Unauthenticated,
    (status = 404, description = "Session not found", body = Problem, content_type = "application/problem+json"),
))]
#[get("/api/v1/checkout-sessions/{sessionId}")]
async fn get_session(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let buyer = auth.reader()?.clone();
    let (id, store) = (path.into_inner(), state.group_purchases.clone());
    let preorders = state.preorders.clone();
    let session = blocking(move || match store.checkout(&buyer, id) {
        Ok(s) => Ok(AnySessionView::GroupPurchase(s.into())),
        Err(groupbuy_domain::DomainError::NotFound(_)) => preorders
            .preorder(&buyer.user_id, id)
            .map(|p| AnySessionView::CampaignPreorder(p.into())),
        Err(e) => Err(e),
    })
    .await?;
    Ok(ok("Checkout session retrieved successfully", session))
}

/// Registers the routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_session)
        .service(process_payment)
        .service(get_session);
}
