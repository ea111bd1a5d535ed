//! `GET /g/{groupCode}/live` and `GET /c/{handle}/{slug}/live`: the public progress as
//! Server-Sent Events ([`crate::live`]), and `/assets/live.js`, the script that shows it on
//! the pages (which work without it). An unknown group or campaign (or a DRAFT one) is a
//! 404; beyond the instance's subscriber limit, or while it shuts down, a 503 with
//! Retry-After.

use super::{find, not_found, text};
use crate::error::ApiError;
use crate::live::{progress, stream, Event, Reader};
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use groupbuy_domain::campaign::{Handle, Slug};
use groupbuy_domain::group_purchase::GroupStatus;
use groupbuy_domain::DomainError;
use groupbuy_store::live::LiveChange;
use std::future::Future;
use std::sync::Arc;

/// The script, built into the binary.
const LIVE_JS: &str = include_str!("live.js");

/// Seconds a refused subscriber is asked to wait.
const RETRY_AFTER_SECONDS: &str = "5";

/// `GET /assets/live.js`.
pub async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(LIVE_JS)
}

/// `GET /g/{groupCode}/live`: a deleted group's page is gone, so is its stream; a group
/// deleted while watched is sent once more (its status says so).
pub async fn group(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let (store, read_code) = (state.group_purchases.clone(), code.clone());
    let read: Reader = Arc::new(move || {
        gone_is_none(store.group_by_code(&read_code).map(|d| progress::group(&d)))
    });
    let store = state.group_purchases.clone();
    let topic = LiveChange::Group(code.clone());
    // The first read is on the primary: a change the replica has not replayed yet was
    // announced before this subscriber listened, and would never be sent to it.
    let first = async move {
        let found =
            find(move || groupbuy_store::reads_on_primary(|| store.group_by_code(&code))).await?;
        Ok(found
            .filter(|d| d.group.status != GroupStatus::Deleted)
            .map(|d| progress::group(&d)))
    };
    subscribe(&req, &state, topic, read, first).await
}

/// `GET /c/{handle}/{slug}/live`: only a public (not DRAFT) campaign.
pub async fn campaign(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (Ok(handle), Ok(slug)) = (Handle::parse(&path.0), Slug::parse(&path.1)) else {
        return Ok(not_found());
    };
    let topic = LiveChange::Campaign(format!("{handle}/{slug}"));
    let (store, h, s) = (state.campaigns.clone(), handle.clone(), slug.clone());
    let read: Reader = Arc::new(move || {
        gone_is_none(
            store
                .public_group_buy(&h, &s)
                .map(|g| progress::campaign(&g)),
        )
    });
    let store = state.campaigns.clone();
    let first = async move {
        let found = find(move || {
            groupbuy_store::reads_on_primary(|| store.public_group_buy(&handle, &slug))
        })
        .await?;
        Ok(found.map(|g| progress::campaign(&g)))
    };
    subscribe(&req, &state, topic, read, first).await
}

/// A read that found nothing is no event (the stream sends nothing for it).
fn gone_is_none(read: Result<Event, DomainError>) -> Result<Option<Event>, DomainError> {
    match read {
        Ok(event) => Ok(Some(event)),
        Err(DomainError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Takes a place on `topic` BEFORE the first read (a change after that read reaches the
/// subscriber), then streams from that read; 404 when it finds nothing.
async fn subscribe(
    req: &HttpRequest,
    state: &AppState,
    topic: LiveChange,
    read: Reader,
    first: impl Future<Output = Result<Option<Event>, ApiError>>,
) -> Result<HttpResponse, ApiError> {
    let Some(hub) = &state.live else {
        return Ok(busy());
    };
    let Ok(sub) = hub.subscribe(topic, read) else {
        return Ok(busy());
    };
    let Some(current) = first.await? else {
        return Ok(not_found());
    };
    let last_event_id = req
        .headers()
        .get("Last-Event-ID")
        .and_then(|v| v.to_str().ok());
    Ok(stream::response(
        sub,
        current,
        last_event_id,
        hub.settings(),
    ))
}

/// 503: this instance takes no more subscribers now.
fn busy() -> HttpResponse {
    HttpResponse::ServiceUnavailable()
        .content_type("text/plain; charset=utf-8")
        .insert_header(("Retry-After", RETRY_AFTER_SECONDS))
        .insert_header(("Cache-Control", "no-store"))
        .body(text::live::BUSY)
}

/// The time left until `until`, shown as `left` and counted down by the script (while
/// `running`), which takes its words from these attributes.
pub fn countdown(until: time::OffsetDateTime, left: &str, running: bool) -> maud::Markup {
    maud::html! {
        span data-live="left" data-until=(crate::envelope::rfc3339(until))
            data-running=(running)
            data-left-days=(text::live::LEFT_DAYS) data-left-hours=(text::live::LEFT_HOURS)
            data-left-minutes=(text::live::LEFT_MINUTES) data-left-none=(text::live::LEFT_NONE)
        { (left) }
    }
}

/// The script tag (deferred, this origin's file, no inline code).
pub fn script_tag() -> maud::Markup {
    maud::html! { script src="/assets/live.js" defer {} }
}
