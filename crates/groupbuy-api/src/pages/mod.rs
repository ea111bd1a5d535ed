//! Public, server-rendered pages served by the same binary (issue 21, first slice): a
//! group purchase (`/g/{groupCode}`), a campaign (`/c/{handle}/{slug}`) and a handle's
//! campaigns (`/c/{handle}`), with their stylesheet (`/assets/site.css`). They read through
//! the same use cases as the API, need no token, and are not part of the OpenAPI document.
//! Templates are maud (compile-time checked, escaping); every word is in [`text`].

mod campaign;
pub mod console;
mod group;
mod home;
mod interest;
mod join;
pub mod layout;
mod live;
mod preorder;
mod product;
mod qr;
pub mod text;
pub mod viewer;

use crate::error::ApiError;
use crate::state::{blocking, AppState};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, CONTENT_SECURITY_POLICY as CSP};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use groupbuy_domain::DomainError;
use maud::{html, Markup};

/// The pages' Content-Security-Policy: only this origin's stylesheet and scripts (files
/// served from the binary, never inline), images from this origin or https, event
/// streams from this origin, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; \
     script-src 'self'; connect-src 'self'; img-src 'self' https: data:; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// Widens the pages' `form-action` by the identity provider's sign-out origin, when there
/// is one: the header's sign-out form is answered with a redirect there (RP-initiated
/// logout), and browsers hold a form's redirects to `form-action` too.
pub async fn provider_form_action(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let origin = req
        .app_data::<web::Data<AppState>>()
        .and_then(|s| s.web.as_deref()?.sign_out_origin());
    let mut res = next.call(req).await?;
    let ours = res
        .headers()
        .get(CSP)
        .is_some_and(|v| v.as_bytes() == CONTENT_SECURITY_POLICY.as_bytes());
    if let (true, Some(origin)) = (ours, origin) {
        let widened = CONTENT_SECURITY_POLICY.replace(
            "form-action 'self'",
            &format!("form-action 'self' {origin}"),
        );
        if let Ok(value) = HeaderValue::from_str(&widened) {
            res.headers_mut().insert(CSP, value);
        }
    }
    Ok(res)
}

/// The stylesheet, built into the binary.
const SITE_CSS: &str = include_str!("site.css");

/// Registers the pages and their stylesheet.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::page))
        .route("/g", web::get().to(home::by_code))
        .route("/g/{groupCode}", web::get().to(group::page))
        .route("/g/{groupCode}/live", web::get().to(live::group))
        .route("/g/{groupCode}/qr.svg", web::get().to(qr::svg))
        .route("/c/{handle}/{slug}/live", web::get().to(live::campaign))
        .route("/assets/live.js", web::get().to(live::script))
        .route("/c/{handle}", web::get().to(campaign::list))
        .route("/c/{handle}/{slug}", web::get().to(campaign::page))
        .route("/assets/site.css", web::get().to(stylesheet))
        .route("/g/{groupCode}/join", web::post().to(group::join))
        .route("/p/{productId}", web::get().to(product::page))
        .route("/p/{productId}/open", web::post().to(product::open))
        .configure(interest::configure)
        .configure(console::configure);
}

/// `GET /assets/site.css`.
async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(SITE_CSS)
}

/// A page answer: HTML with the security headers every page carries.
pub fn html_response(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((CSP, CONTENT_SECURITY_POLICY))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "strict-origin-when-cross-origin"))
        .body(markup.into_string())
}

/// Runs the read `f` off the async workers; `None` when it finds nothing (the page
/// answers its HTML 404 then, never the API's problem document).
pub async fn find<T, F>(f: F) -> Result<Option<T>, ApiError>
where
    F: FnOnce() -> Result<T, DomainError> + Send + 'static,
    T: Send + 'static,
{
    blocking(move || match f() {
        Ok(found) => Ok(Some(found)),
        Err(DomainError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    })
    .await
}

/// Whether `path` is one of the pages (HTML for people: `/`, `/g`, `/p`, `/c`, `/console`)
/// rather than an API surface (problem JSON for programs): what a refusal made before any
/// handler ran answers with. A list of the pages, not of the APIs, so a new API surface
/// can never be answered with HTML by mistake.
pub fn is_page_path(path: &str) -> bool {
    let first = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    matches!(first, "" | "g" | "p" | "c" | "console")
}

/// The HTML 429 page of a page's request the rate limiter refused, with the wait in words
/// (the caller adds `Retry-After`). A form sent again after the wait is answered as usual.
pub fn too_many_requests(retry_after_seconds: i64) -> HttpResponse {
    message_page(
        StatusCode::TOO_MANY_REQUESTS,
        text::TOO_MANY_TITLE,
        &text::too_many_body(retry_after_seconds),
    )
}

/// The HTML 400 page of a page's address carrying control characters (refused before any
/// handler, as the API refuses them).
pub fn damaged_link() -> HttpResponse {
    message_page(
        StatusCode::BAD_REQUEST,
        text::DAMAGED_LINK_TITLE,
        text::DAMAGED_LINK_BODY,
    )
}

/// A page of one message: a heading and a sentence, signed out (no session is read).
fn message_page(status: StatusCode, title: &str, body: &str) -> HttpResponse {
    let head = layout::Head::plain(title, title);
    let body = html! {
        h1 { (title) }
        p role="alert" { (body) }
    };
    html_response(
        status,
        layout::page(&head, &viewer::Viewer::anonymous(), body),
    )
}

/// The HTML 404 page (status 404), for an unknown group, handle or campaign.
pub fn not_found() -> HttpResponse {
    let head = layout::Head::plain(text::NOT_FOUND_TITLE, text::NOT_FOUND_BODY);
    let body = html! {
        h1 { (text::NOT_FOUND_TITLE) }
        p { (text::NOT_FOUND_BODY) }
    };
    html_response(
        StatusCode::NOT_FOUND,
        layout::page(&head, &viewer::Viewer::anonymous(), body),
    )
}
