//! Public, server-rendered pages served by the same binary (issue 21, first slice): a
//! group purchase (`/g/{groupCode}`), a campaign (`/c/{handle}/{slug}`) and a handle's
//! campaigns (`/c/{handle}`), with their stylesheet (`/assets/site.css`). They read through
//! the same use cases as the API, need no token, and are not part of the OpenAPI document.
//! Templates are maud (compile-time checked, escaping); every word is in [`text`].

mod campaign;
pub mod console;
mod group;
pub mod layout;
mod live;
mod qr;
pub mod text;
pub mod viewer;

use crate::error::ApiError;
use crate::state::blocking;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use groupbuy_domain::DomainError;
use maud::{html, Markup};

/// The pages' Content-Security-Policy: only this origin's stylesheet and scripts (files
/// served from the binary, never inline), images from this origin or https, event
/// streams from this origin, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; \
     script-src 'self'; connect-src 'self'; img-src 'self' https: data:; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// The stylesheet, built into the binary.
const SITE_CSS: &str = include_str!("site.css");

/// Registers the pages and their stylesheet.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/g/{groupCode}", web::get().to(group::page))
        .route("/g/{groupCode}/live", web::get().to(live::group))
        .route("/g/{groupCode}/qr.svg", web::get().to(qr::svg))
        .route("/c/{handle}/{slug}/live", web::get().to(live::campaign))
        .route("/assets/live.js", web::get().to(live::script))
        .route("/c/{handle}", web::get().to(campaign::list))
        .route("/c/{handle}/{slug}", web::get().to(campaign::page))
        .route("/assets/site.css", web::get().to(stylesheet))
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
        .insert_header(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
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

/// The HTML 404 page (status 404), for an unknown group, handle or campaign.
pub fn not_found() -> HttpResponse {
    let head = layout::Head {
        title: text::NOT_FOUND_TITLE,
        description: text::NOT_FOUND_BODY,
        canonical: None,
        image: None,
        json_ld: None,
    };
    let body = html! {
        h1 { (text::NOT_FOUND_TITLE) }
        p { (text::NOT_FOUND_BODY) }
    };
    html_response(
        StatusCode::NOT_FOUND,
        layout::page(&head, &viewer::Viewer::anonymous(), body),
    )
}
