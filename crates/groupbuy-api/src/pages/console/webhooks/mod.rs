//! The console's webhook pages (`/console/webhooks`): the caller's endpoints as the
//! webhook API lists them, registering one (its signing secret shown on the answer to
//! that form only, never again), an endpoint's deliveries with their attempts, a test
//! event, a replay since a time and a retry of one delivery. Every call is the webhook
//! API's port method with the caller's principal: another owner's endpoint is 404.
//! The actions on one endpoint are in [`actions`].

mod actions;

use super::form::{flash, once, page, text, viewer, Once, OrRefuse, Posted};
use super::{respond, shell};
use crate::envelope::rfc3339;
use crate::pages::text::console_merchant as t;
use crate::pages::viewer::{idempotency_field, Viewer};
use crate::routes::webhook::dto::{DeliveryView, EndpointView};
use crate::routes::webhook::new_secret;
use crate::state::{blocking, AppState};
use crate::web::SessionCaller;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use groupbuy_domain::page::MAX_LIMIT;
use groupbuy_domain::webhook::{registrant, EndpointDraft, WebhookEndpoint};
use maud::{html, Markup};
use serde::Deserialize;

/// Registers this section's pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/console/webhooks", web::get().to(list))
        .route("/console/webhooks", web::post().to(create))
        .route("/console/webhooks/{id}", web::get().to(endpoint))
        .route("/console/webhooks/{id}/test", web::post().to(actions::test))
        .route(
            "/console/webhooks/{id}/replay",
            web::post().to(actions::replay),
        )
        .route(
            "/console/webhooks/{id}/rotate",
            web::post().to(actions::rotate),
        )
        .route(
            "/console/webhooks/{id}/delete",
            web::post().to(actions::delete),
        )
        .route(
            "/console/webhooks/deliveries/{id}/retry",
            web::post().to(actions::retry),
        );
}

/// The endpoints' table.
fn table(list: &[EndpointView]) -> Markup {
    html! {
        @if list.is_empty() { p { (t::NO_ENDPOINTS) } } @else {
            table {
                thead { tr {
                    th scope="col" { (t::ENDPOINT) } th scope="col" { (t::EVENTS) }
                    th scope="col" { (t::STATUS) } th scope="col" { (t::CREATED) }
                } }
                tbody { @for e in list { tr {
                    td {
                        a href=(format!("/console/webhooks/{}", e.id)) { (e.url) }
                        @if let Some(d) = &e.description { br; (d) }
                    }
                    td { (e.events.join(", ")) }
                    td { (if e.disabled { t::DISABLED } else { t::ENABLED }) }
                    td { (rfc3339(e.created_at)) }
                } } }
            }
        }
    }
}

/// The register form.
fn new_form(viewer: &Viewer) -> Markup {
    html! {
        h2 { (t::NEW_ENDPOINT) }
        form method="post" action="/console/webhooks" {
            (viewer.csrf_field())
            (idempotency_field())
            label for="url" { (t::URL) }
            input id="url" name="url" type="url" required;
            label for="events" { (t::EVENTS) }
            input id="events" name="events";
            label for="description" { (t::DESCRIPTION) }
            input id="description" name="description";
            button type="submit" { (t::CREATE) }
        }
    }
}

/// `GET /console/webhooks`.
async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
) -> HttpResponse {
    page(async move {
        let (viewer, auth) = viewer(&req, caller)?;
        let who = auth.reader().cloned().or_refuse(&viewer)?;
        let store = state.webhooks.clone();
        let found = blocking(move || store.endpoints(&who, None, MAX_LIMIT))
            .await
            .or_refuse(&viewer)?;
        let views: Vec<EndpointView> = found.items.into_iter().map(EndpointView::from).collect();
        let body = html! { (flash(&req)) (table(&views)) (new_form(&viewer)) };
        Ok(respond(StatusCode::OK, shell(t::WEBHOOKS, &viewer, body)))
    })
    .await
}

/// The register form's fields.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct EndpointForm {
    idempotency_key: String,
    url: String,
    events: String,
    description: String,
}

/// `POST /console/webhooks`: registers an endpoint (as `POST /webhooks/endpoints`) and
/// answers with the page showing its secret, this once; the same form sent again says it
/// was done and shows no secret.
async fn create(state: web::Data<AppState>, sent: Posted<EndpointForm>) -> HttpResponse {
    page(async move {
        let Posted {
            viewer,
            auth,
            form: f,
        } = sent;
        let who = auth.writer().cloned().or_refuse(&viewer)?;
        let owner = registrant(&who, None, None)
            .map_err(Into::into)
            .or_refuse(&viewer)?;
        let mut events: Vec<String> = f.events.split(',').filter_map(text).collect();
        if events.is_empty() {
            events.push("*".to_owned());
        }
        let draft = EndpointDraft::parse(
            &f.url,
            &events,
            text(&f.description),
            state.webhook_allow_private,
        )
        .map_err(Into::into)
        .or_refuse(&viewer)?;
        let (now, store, secret) = (state.clock.now(), state.webhooks.clone(), new_secret());
        let fingerprint = format!("webhook\n{}\n{}\n{}", f.url, f.events, f.description);
        let location = |e: &(WebhookEndpoint, String)| format!("/console/webhooks/{}", e.0.id);
        let sent = once(
            &state,
            &auth,
            &f.idempotency_key,
            &fingerprint,
            location,
            move |_| {
                store
                    .create_endpoint(&owner, draft, &secret, now)
                    .map(|e| (e, secret))
            },
        )
        .await
        .or_refuse(&viewer)?;
        let body = match sent {
            Once::Done((e, secret)) => shown_once(&e, &secret),
            Once::Again(to) => already_done(&to),
        };
        Ok(respond(
            StatusCode::CREATED,
            shell(t::WEBHOOKS, &viewer, body),
        ))
    })
    .await
}

/// `GET /console/webhooks/{id}`: the endpoint, its deliveries with their attempts, and
/// the test, replay and retry forms.
async fn endpoint(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
    path: web::Path<String>,
) -> HttpResponse {
    page(async move {
        let (viewer, auth) = viewer(&req, caller)?;
        let who = auth.reader().cloned().or_refuse(&viewer)?;
        let id = path.into_inner();
        let (store, w, i) = (state.webhooks.clone(), who.clone(), id.clone());
        let e = blocking(move || store.endpoint(&w, &i)).await.or_refuse(&viewer)?;
        let store = state.webhooks.clone();
        let sent = blocking(move || store.deliveries(&who, &id, None, None, MAX_LIMIT))
            .await
            .or_refuse(&viewer)?;
        let e = EndpointView::from(e);
        let deliveries: Vec<DeliveryView> = sent.items.into_iter().map(DeliveryView::from).collect();
        let here = format!("/console/webhooks/{}", e.id);
        let body = html! {
            (flash(&req))
            p { a href="/console/webhooks" { (t::BACK) } }
            (table(std::slice::from_ref(&e)))
            form class="inline" method="post" action=(format!("{here}/test")) {
                (viewer.csrf_field())
                button type="submit" { (t::SEND_TEST) }
            }
            form class="inline" method="post" action=(format!("{here}/rotate")) {
                (viewer.csrf_field())
                (idempotency_field())
                button type="submit" { (t::ROTATE) }
            }
            form class="inline" method="post" action=(format!("{here}/delete")) {
                (viewer.csrf_field())
                button type="submit" { (t::DELETE) }
            }
            form method="post" action=(format!("{here}/replay")) {
                (viewer.csrf_field())
                label for="since" { (t::REPLAY_SINCE) }
                input id="since" name="since" required;
                button type="submit" { (t::REPLAY) }
            }
            h2 { (t::DELIVERIES) }
            @if deliveries.is_empty() { p { (t::NO_DELIVERIES) } } @else {
                table {
                    thead { tr {
                        th scope="col" { (t::EVENT) } th scope="col" { (t::STATUS) }
                        th scope="col" { (t::ATTEMPTS) } th scope="col" { (t::NEXT_ATTEMPT) }
                        th scope="col" { (t::ACTIONS) }
                    } }
                    tbody { @for d in &deliveries { tr {
                        td { (d.event_type) br; (d.event_id) }
                        td { (d.state) }
                        td { ul { @for a in &d.attempts {
                            li { (t::attempt(a.attempt, a.status_code, a.error.as_deref(), a.duration_ms)) " · " (rfc3339(a.at)) }
                        } } }
                        td { @if let Some(n) = d.next_attempt_at { (rfc3339(n)) } }
                        td { form method="post" action=(format!("/console/webhooks/deliveries/{}/retry", d.id)) {
                            (viewer.csrf_field())
                            button type="submit" { (t::RETRY) }
                        } }
                    } } }
                }
            }
        };
        Ok(respond(StatusCode::OK, shell(&e.url, &viewer, body)))
    })
    .await
}

/// The one page that shows an endpoint's secret: the answer to its creation or rotation.
fn shown_once(e: &WebhookEndpoint, secret: &str) -> Markup {
    html! {
        div class="secret" role="status" {
            p { strong { (t::SECRET_ONCE) } }
            p { code { (secret) } }
            p { a href=(format!("/console/webhooks/{}", e.id)) { (e.url) } }
        }
    }
}

/// What a repeated create or rotate form answers: done before, and no secret.
fn already_done(to: &str) -> Markup {
    html! {
        p role="status" { (t::ALREADY_DONE) }
        p { a href=(to) { (t::ENDPOINT) } }
    }
}
