//! Handlers of `/webhooks`.

use super::catalogue::data_schema;
use super::dto::{
    CreateEndpointRequest, DeliveriesQuery, DeliveryView, EndpointView, EndpointWithSecretView,
    EventTypeView, ReplayRequest, ReplayView, UpdateEndpointRequest,
};
use super::new_secret;
use crate::envelope::{ok, render, respond, Envelope, PageView};
use crate::error::{ApiError, Problem};
use crate::platform::auth::Auth;
use crate::platform::extract::{page_limit, JsonBody};
use crate::platform::idempotency::answer_with_effect;
use crate::platform::request::current_request;
use crate::state::{blocking, AppState};
use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use groupbuy_domain::platform::EventType;
use groupbuy_domain::platform::StoredResponse;
use groupbuy_domain::webhook::{
    registrant, DeliveryState, EndpointDraft, EndpointPatch, WebhookEndpoint,
};
use groupbuy_domain::IntoEnumIterator;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use utoipa_actix_web::service_config::ServiceConfig;

/// How long a rotated-out secret keeps signing beside the new one.
pub(crate) const ROTATION_OVERLAP: Duration = Duration::hours(24);

/// The answer that shows an endpoint with its new secret (creation and rotation only).
fn with_secret(
    status: StatusCode,
    message: &'static str,
) -> impl Fn(&(WebhookEndpoint, String)) -> StoredResponse {
    move |(endpoint, secret)| {
        render(
            status,
            message,
            EndpointWithSecretView {
                endpoint: EndpointView::from(endpoint.clone()),
                secret: secret.clone(),
            },
        )
    }
}

/// Registers an endpoint; the secret is shown only here and on rotation.
#[utoipa::path(operation_id = "webhooks.createEndpoint", tag = "webhooks", security(("bearer" = [])), request_body = CreateEndpointRequest, responses(
    (status = 201, description = "Registered, with its secret", body = Envelope<EndpointWithSecretView>),
    crate::openapi::responses::MalformedBody,
    crate::openapi::responses::Unauthenticated,
    (status = 403, description = "Missing scope groupbuy:write", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "vendor_id or org_id names another vendor or organisation than the token's", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The owner (user, or the token's organisation) already has 20 endpoints (webhook-endpoint-limit)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid url or unknown event type", body = Problem, content_type = "application/problem+json"),
))]
#[post("/webhooks/endpoints")]
async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<CreateEndpointRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.0;
    let owner = registrant(auth.writer()?, b.vendor_id.as_deref(), b.org_id.as_deref())?;
    let draft = EndpointDraft::parse(
        &b.url,
        &b.events,
        b.description,
        state.webhook_allow_private,
    )?;
    let (now, store, secret) = (state.clock.now(), state.webhooks.clone(), new_secret());
    answer_with_effect(
        // The secret is chosen here and the store's result lacks it: this answer is
        // stored by the middleware after the response, not with the effect.
        move |_answer| {
            store
                .create_endpoint(&owner, draft, &secret, now)
                .map(|e| (e, secret))
        },
        with_secret(
            StatusCode::CREATED,
            "Webhook endpoint created; keep its secret, it is shown only now",
        ),
    )
    .await
}

/// Your endpoints (and your organisation's), newest first.
#[utoipa::path(operation_id = "webhooks.listEndpoints", tag = "webhooks", security(("bearer" = [])), params(crate::platform::extract::PageQuery), responses(
    (status = 200, description = "Endpoints", body = Envelope<PageView<EndpointView>>),
    (status = 400, description = "Bad cursor", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::Unauthenticated,
    (status = 403, description = "Missing scope groupbuy:read", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad limit", body = Problem, content_type = "application/problem+json"),
))]
#[get("/webhooks/endpoints")]
async fn list(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<crate::platform::extract::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.reader()?.clone();
    let q = q.into_inner();
    let limit = page_limit(q.limit)?;
    let store = state.webhooks.clone();
    let page = blocking(move || store.endpoints(&caller, q.cursor, limit)).await?;
    Ok(ok(
        "Webhook endpoints retrieved successfully",
        PageView::<EndpointView>::from(page),
    ))
}

/// One endpoint.
#[utoipa::path(operation_id = "webhooks.getEndpoint", tag = "webhooks", security(("bearer" = [])), params(("id" = String, Path, description = "Endpoint id", pattern = "^we_[0-9a-f]{32}$")), responses(
    (status = 200, description = "The endpoint", body = Envelope<EndpointView>),
    crate::openapi::responses::Unauthenticated,
    (status = 403, description = "Missing scope groupbuy:read", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::NotYours,
))]
#[get("/webhooks/endpoints/{id}")]
async fn get_one(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.reader()?.clone();
    let (id, store) = (path.into_inner(), state.webhooks.clone());
    let e = blocking(move || store.endpoint(&caller, &id)).await?;
    Ok(ok(
        "Webhook endpoint retrieved successfully",
        EndpointView::from(e),
    ))
}

/// Changes url, events, description or disabled.
#[utoipa::path(operation_id = "webhooks.updateEndpoint", tag = "webhooks", security(("bearer" = [])), params(("id" = String, Path, description = "Endpoint id", pattern = "^we_[0-9a-f]{32}$")), request_body = UpdateEndpointRequest, responses(
    (status = 200, description = "Changed", body = Envelope<EndpointView>),
    crate::openapi::responses::MalformedBody,
    crate::openapi::responses::Unauthenticated,
    (status = 403, description = "Missing scope groupbuy:write", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::NotYours,
    crate::openapi::responses::InvalidField,
))]
#[patch("/webhooks/endpoints/{id}")]
async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: JsonBody<UpdateEndpointRequest>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.writer()?.clone();
    let b = body.0;
    let patch = EndpointPatch::parse(
        b.url.as_deref(),
        b.events.as_deref(),
        b.description,
        b.disabled,
        state.webhook_allow_private,
    )?;
    let (id, now, store) = (path.into_inner(), state.clock.now(), state.webhooks.clone());
    let e = blocking(move || store.update_endpoint(&caller, &id, patch, now)).await?;
    Ok(ok(
        "Webhook endpoint updated successfully",
        EndpointView::from(e),
    ))
}

/// Deletes an endpoint and its delivery history.
#[utoipa::path(operation_id = "webhooks.deleteEndpoint", tag = "webhooks", security(("bearer" = [])), params(("id" = String, Path, description = "Endpoint id", pattern = "^we_[0-9a-f]{32}$")), responses(
    (status = 200, description = "Deleted; the endpoint as it was", body = Envelope<EndpointView>),
    crate::openapi::responses::Unauthenticated,
    (status = 403, description = "Missing scope groupbuy:write", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::NotYours,
))]
#[delete("/webhooks/endpoints/{id}")]
async fn remove(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.writer()?.clone();
    let (id, store) = (path.into_inner(), state.webhooks.clone());
    let gone = blocking(move || store.delete_endpoint(&caller, &id)).await?;
    Ok(ok(
        "Webhook endpoint deleted successfully",
        EndpointView::from(gone),
    ))
}

/// A new secret; for 24 h deliveries carry signatures with both.
#[utoipa::path(operation_id = "webhooks.rotateSecret", tag = "webhooks", security(("bearer" = [])), params(("id" = String, Path, description = "Endpoint id", pattern = "^we_[0-9a-f]{32}$"),
    ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")), responses(
    (status = 200, description = "Rotated, with the new secret", body = Envelope<EndpointWithSecretView>),
    crate::openapi::responses::Unauthenticated,
    (status = 403, description = "Missing scope groupbuy:write", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::NotYours,
    (status = 409, description = "Idempotency-Key in use", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Idempotency-Key reused", body = Problem, content_type = "application/problem+json"),
))]
#[post("/webhooks/endpoints/{id}/rotate-secret")]
async fn rotate(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.writer()?.clone();
    let (id, now, store, secret) = (
        path.into_inner(),
        state.clock.now(),
        state.webhooks.clone(),
        new_secret(),
    );
    answer_with_effect(
        // The secret is chosen here and the store's result lacks it: this answer is
        // stored by the middleware after the response, not with the effect.
        move |_answer| {
            store
                .rotate_secret(&caller, &id, &secret, now + ROTATION_OVERLAP, now)
                .map(|e| (e, secret))
        },
        with_secret(
            StatusCode::OK,
            "Secret rotated; the previous one keeps signing for 24 hours",
        ),
    )
    .await
}

/// Sends a `webhook.test` event to this endpoint.
#[utoipa::path(operation_id = "webhooks.sendTest", tag = "webhooks", security(("bearer" = [])), params(("id" = String, Path, description = "Endpoint id", pattern = "^we_[0-9a-f]{32}$")), responses(
    (status = 202, description = "Enqueued", body = Envelope<DeliveryView>),
    crate::openapi::responses::Unauthenticated,
    (status = 403, description = "Missing scope groupbuy:write", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::NotYours,
    (status = 409, description = "The endpoint is disabled (webhook-endpoint-disabled), or 10 test deliveries already wait at it (webhook-tests-queued)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/webhooks/endpoints/{id}/test")]
async fn test(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.writer()?.clone();
    let (id, now, store) = (path.into_inner(), state.clock.now(), state.webhooks.clone());
    let request_id = current_request().0;
    let d = blocking(move || store.send_test(&caller, &id, &request_id, now)).await?;
    Ok(respond(
        StatusCode::ACCEPTED,
        "Test event enqueued",
        DeliveryView::from(d),
    ))
}

/// The endpoint's deliveries, newest first.
#[utoipa::path(operation_id = "webhooks.listDeliveries", tag = "webhooks", security(("bearer" = [])), params(("id" = String, Path, description = "Endpoint id", pattern = "^we_[0-9a-f]{32}$"), DeliveriesQuery), responses(
    (status = 200, description = "Deliveries", body = Envelope<PageView<DeliveryView>>),
    (status = 400, description = "Bad cursor", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::Unauthenticated,
    (status = 403, description = "Missing scope groupbuy:read", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::NotYours,
    (status = 422, description = "Bad limit or state", body = Problem, content_type = "application/problem+json"),
))]
#[get("/webhooks/endpoints/{id}/deliveries")]
async fn deliveries(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    q: web::Query<DeliveriesQuery>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.reader()?.clone();
    let q = q.into_inner();
    let limit = page_limit(q.limit)?;
    let filter = match q.state.as_deref() {
        None => None,
        Some(s) => Some(DeliveryState::parse(s).ok_or_else(|| {
            ApiError::invalid_field(
                "state",
                "state must be PENDING, SUCCEEDED, FAILED or EXHAUSTED",
            )
        })?),
    };
    let (id, store) = (path.into_inner(), state.webhooks.clone());
    let page = blocking(move || store.deliveries(&caller, &id, filter, q.cursor, limit)).await?;
    Ok(ok(
        "Deliveries retrieved successfully",
        PageView::<DeliveryView>::from(page),
    ))
}

/// Re-enqueues every failed or exhausted delivery since `since`.
#[utoipa::path(operation_id = "webhooks.replay", tag = "webhooks", security(("bearer" = [])), params(("id" = String, Path, description = "Endpoint id", pattern = "^we_[0-9a-f]{32}$")), request_body = ReplayRequest, responses(
    (status = 202, description = "Re-enqueued", body = Envelope<ReplayView>),
    crate::openapi::responses::MalformedBody,
    crate::openapi::responses::Unauthenticated,
    (status = 403, description = "Missing scope groupbuy:write", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::NotYours,
    (status = 422, description = "since is not RFC 3339", body = Problem, content_type = "application/problem+json"),
))]
#[post("/webhooks/endpoints/{id}/replay")]
async fn replay(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: JsonBody<ReplayRequest>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.writer()?.clone();
    let since = OffsetDateTime::parse(&body.0.since, &Rfc3339)
        .map_err(|_| ApiError::invalid_field("since", "since must be an RFC 3339 date-time"))?;
    let (id, now, store) = (path.into_inner(), state.clock.now(), state.webhooks.clone());
    let requeued = blocking(move || store.replay(&caller, &id, since, now)).await?;
    Ok(respond(
        StatusCode::ACCEPTED,
        "Deliveries re-enqueued",
        ReplayView { requeued },
    ))
}

/// Re-enqueues one delivery.
#[utoipa::path(operation_id = "webhooks.retryDelivery", tag = "webhooks", security(("bearer" = [])), params(("id" = String, Path, description = "Delivery id", pattern = "^dlv_[0-9a-f]{32}$")), responses(
    (status = 202, description = "Re-enqueued", body = Envelope<DeliveryView>),
    crate::openapi::responses::Unauthenticated,
    (status = 403, description = "Missing scope groupbuy:write", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::NotYours,
))]
#[post("/webhooks/deliveries/{id}/retry")]
async fn retry(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = auth.writer()?.clone();
    let (id, now, store) = (path.into_inner(), state.clock.now(), state.webhooks.clone());
    let d = blocking(move || store.retry_delivery(&caller, &id, now)).await?;
    Ok(respond(
        StatusCode::ACCEPTED,
        "Delivery re-enqueued",
        DeliveryView::from(d),
    ))
}

/// Every event type, its description and the JSON schema of its `data` (public).
#[utoipa::path(operation_id = "webhooks.listEventTypes", tag = "webhooks", responses(
    (status = 200, description = "The catalogue", body = Envelope<Vec<EventTypeView>>),
))]
#[get("/webhooks/event-types")]
async fn event_types() -> HttpResponse {
    let all: Vec<EventTypeView> = EventType::iter()
        .map(|t| EventTypeView {
            event_type: t.as_str().to_owned(),
            description: t.description().to_owned(),
            data_schema: data_schema(t),
        })
        .collect();
    ok("Event types retrieved successfully", all)
}

/// Registers the routes (literal paths before templated ones).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(event_types)
        .service(create)
        .service(list)
        .service(get_one)
        .service(update)
        .service(remove)
        .service(rotate)
        .service(test)
        .service(deliveries)
        .service(replay)
        .service(retry);
}
