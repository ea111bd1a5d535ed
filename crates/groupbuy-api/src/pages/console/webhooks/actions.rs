//! What a person does to an endpoint from its page: a test event, a replay since a time,
//! a retry of one delivery, a new secret (shown once, on that answer), deleting it. Each
//! is the webhook API's port method with the caller's principal (another owner's: 404).

use super::super::form::{done, once, page, Button, Once, OrRefuse, Outcome, Posted};
use super::super::{respond, shell};
use super::{already_done, shown_once};
use crate::pages::text::console_merchant as t;
use crate::platform::extract::instant;
use crate::platform::request::current_request;
use crate::routes::webhook::{new_secret, ROTATION_OVERLAP};
use crate::state::{blocking, AppState};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use groupbuy_domain::webhook::{Delivery, WebhookEndpoint};
use groupbuy_domain::{DomainError, Principal};
use serde::Deserialize;

/// A form with its CSRF token and, for a replay, the time to replay from.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct ActForm {
    idempotency_key: String,
    since: String,
}

/// A form acting on one delivery (a new test delivery, or one retried): the webhook
/// API's port method `act` with the caller's principal, then back to its endpoint's page.
async fn on_delivery(
    state: web::Data<AppState>,
    sent: Posted<Button>,
    flash: &str,
    act: impl FnOnce(&AppState, Principal) -> Result<Delivery, DomainError> + Send + 'static,
) -> Outcome {
    let Posted { viewer, auth, .. } = sent;
    let who = auth.writer().cloned().or_refuse(&viewer)?;
    let d = blocking(move || act(&state, who))
        .await
        .or_refuse(&viewer)?;
    Ok(done(&format!("/console/webhooks/{}", d.endpoint_id), flash))
}

/// `POST /console/webhooks/{id}/test`: a test event (as `POST .../test`).
pub async fn test(
    state: web::Data<AppState>,
    path: web::Path<String>,
    sent: Posted<Button>,
) -> HttpResponse {
    let (id, request_id) = (path.into_inner(), current_request().0);
    page(on_delivery(state, sent, "test-sent", move |s, who| {
        s.webhooks.send_test(&who, &id, &request_id, s.clock.now())
    }))
    .await
}

/// `POST /console/webhooks/{id}/replay`: failed deliveries since `since`, again.
pub async fn replay(
    state: web::Data<AppState>,
    path: web::Path<String>,
    sent: Posted<ActForm>,
) -> HttpResponse {
    page(async move {
        let Posted {
            viewer,
            auth,
            form: f,
        } = sent;
        let who = auth.writer().cloned().or_refuse(&viewer)?;
        let since = instant(&f.since, "since")
            .map_err(Into::into)
            .or_refuse(&viewer)?;
        let (id, now, store) = (path.into_inner(), state.clock.now(), state.webhooks.clone());
        let back = format!("/console/webhooks/{id}");
        blocking(move || store.replay(&who, &id, since, now))
            .await
            .or_refuse(&viewer)?;
        Ok(done(&back, "replayed"))
    })
    .await
}

/// `POST /console/webhooks/deliveries/{id}/retry`: one delivery again.
pub async fn retry(
    state: web::Data<AppState>,
    path: web::Path<String>,
    sent: Posted<Button>,
) -> HttpResponse {
    let id = path.into_inner();
    page(on_delivery(state, sent, "retried", move |s, who| {
        s.webhooks.retry_delivery(&who, &id, s.clock.now())
    }))
    .await
}

/// `POST /console/webhooks/{id}/rotate`: a new secret (as `POST .../rotate-secret`), shown
/// on this answer only; the old one keeps signing for the API's overlap. Once per form.
pub async fn rotate(
    state: web::Data<AppState>,
    path: web::Path<String>,
    sent: Posted<ActForm>,
) -> HttpResponse {
    page(async move {
        let Posted {
            viewer,
            auth,
            form: f,
        } = sent;
        let who = auth.writer().cloned().or_refuse(&viewer)?;
        let (id, now, store, secret) = (
            path.into_inner(),
            state.clock.now(),
            state.webhooks.clone(),
            new_secret(),
        );
        let fingerprint = format!("rotate\n{id}");
        let location = |e: &(WebhookEndpoint, String)| format!("/console/webhooks/{}", e.0.id);
        let sent = once(
            &state,
            &auth,
            &f.idempotency_key,
            &fingerprint,
            location,
            move |_| {
                store
                    .rotate_secret(&who, &id, &secret, now + ROTATION_OVERLAP, now)
                    .map(|e| (e, secret))
            },
        )
        .await
        .or_refuse(&viewer)?;
        let body = match sent {
            Once::Done((e, secret)) => shown_once(&e, &secret),
            Once::Again(to) => already_done(&to),
        };
        Ok(respond(StatusCode::OK, shell(t::WEBHOOKS, &viewer, body)))
    })
    .await
}

/// `POST /console/webhooks/{id}/delete`: the endpoint is gone (as `DELETE .../{id}`).
pub async fn delete(
    state: web::Data<AppState>,
    path: web::Path<String>,
    sent: Posted<ActForm>,
) -> HttpResponse {
    page(async move {
        let Posted { viewer, auth, .. } = sent;
        let who = auth.writer().cloned().or_refuse(&viewer)?;
        let (id, store) = (path.into_inner(), state.webhooks.clone());
        blocking(move || store.delete_endpoint(&who, &id))
            .await
            .or_refuse(&viewer)?;
        Ok(done("/console/webhooks", "endpoint-deleted"))
    })
    .await
}
