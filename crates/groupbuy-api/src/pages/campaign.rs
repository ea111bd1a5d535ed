//! `GET /c/{handle}/{slug}`: a public campaign (title, description, unit price, progress
//! toward each threshold, deadline, status; a DRAFT is a 404 like an unknown one), and
//! `GET /c/{handle}`: the handle's public campaigns, newest first.

use super::interest::{self, InterestShown};
use super::layout::{self, Head};
use super::viewer::Viewer;
use super::{find, html_response, live, not_found, text};
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::SessionCaller;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use groupbuy_domain::campaign::{GroupBuy, Handle, Slug, ThresholdProgress};
use groupbuy_domain::page::MAX_LIMIT;
use maud::{html, Markup};

/// The campaign `slug` of `handle`; an HTML 404 for a bad, unknown or DRAFT one.
pub async fn page(
    req: HttpRequest,
    caller: Option<SessionCaller>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let form = InterestShown::after(req.query_string());
    show(&req, caller, &state, &path, StatusCode::OK, form).await
}

/// The campaign page of `path` with its interest section in state `form`, answered with
/// `status` (the interest forms re-render it with their refusals).
pub async fn show(
    req: &HttpRequest,
    caller: Option<SessionCaller>,
    state: &AppState,
    path: &(String, String),
    status: StatusCode,
    form: InterestShown,
) -> Result<HttpResponse, ApiError> {
    let viewer = Viewer::of(req, caller);
    let (Ok(handle), Ok(slug)) = (Handle::parse(&path.0), Slug::parse(&path.1)) else {
        return Ok(not_found());
    };
    // A view in memory is answered here; only a miss goes to the blocking pool.
    let cached = state
        .views
        .as_ref()
        .and_then(|v| v.campaigns.cached(&handle, &slug));
    let found = match cached {
        Some(view) => Some(view.data),
        None => {
            let store = state.campaigns.clone();
            find(move || store.public_group_buy(&handle, &slug))
                .await?
                .map(std::sync::Arc::new)
        }
    };
    let Some(g) = found else {
        return Ok(not_found());
    };
    let who = interest::Who::of(req, state, &viewer)?;
    let extra = interest::section(state, &viewer, &who, &g, &form).await?;
    let now = state.clock.now();
    let left = text::time_left((g.closes_at - now).whole_seconds());
    let canonical = format!("{}/c/{}/{}", state.public_url, g.handle, g.slug);
    let head = Head {
        title: &g.title,
        description: &g.description,
        canonical: Some(canonical),
        image: None,
        json_ld: None,
    };
    let body = html! {
        h1 { (g.title) }
        p class="status" data-live="status" {
            (text::STATUS) ": " (text::campaign_status(g.status.as_str()))
        }
        p { (g.description) }
        dl class="prices" {
            dt { (text::UNIT_PRICE) }
            dd class="price-group" { (g.unit_price.display_grouped()) }
            dt { (text::CLOSES) }
            dd { (crate::envelope::rfc3339(g.closes_at)) " · " (live::countdown(g.closes_at, &left, true)) }
        }
        h2 data-live-src={ "/c/" (g.handle) "/" (g.slug) "/live" } { (text::PROGRESS) }
        (progress(&g))
        (extra)
        (live::script_tag())
    };
    Ok(who.remember(html_response(status, layout::page(&head, &viewer, body))))
}

/// One bar per set threshold.
fn progress(g: &GroupBuy) -> Markup {
    let p = g.progress();
    let bar = |t: &ThresholdProgress, label: String, kind: &str| {
        html! {
            p data-live={ "label-" (kind) } { (label) }
            progress max=(t.target) value=(t.current.min(t.target)) data-live={ "bar-" (kind) } {
                (label)
            }
        }
    };
    html! {
        @if let Some(t) = &p.participants {
            (bar(t, text::participants_progress(t.current, t.target), "participants"))
        }
        @if let Some(t) = &p.quantity {
            (bar(t, text::quantity_progress(t.current, t.target), "quantity"))
        }
        @if p.participants.is_none() && p.quantity.is_none() {
            p { (text::NO_THRESHOLD) }
        } @else if p.met {
            p { (text::ALL_MET) }
        }
    }
}

/// The handle's public campaigns (the newest hundred); an HTML 404 for an unknown handle.
pub async fn list(
    req: HttpRequest,
    caller: Option<SessionCaller>,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let viewer = Viewer::of(&req, caller);
    let Ok(handle) = Handle::parse(&path.into_inner()) else {
        return Ok(not_found());
    };
    let (store, shown) = (state.campaigns.clone(), handle.clone());
    let Some(page) = find(move || store.public_group_buys(&handle, None, MAX_LIMIT)).await? else {
        return Ok(not_found());
    };
    let title = text::campaigns_of(&shown.to_string());
    let head = Head {
        title: &title,
        description: &title,
        canonical: Some(format!("{}/c/{shown}", state.public_url)),
        image: None,
        json_ld: None,
    };
    let body = html! {
        h1 { (title) }
        @if page.items.is_empty() {
            p { (text::NO_CAMPAIGNS) }
        } @else {
            ul class="campaigns" {
                @for g in &page.items {
                    li {
                        a href={ "/c/" (g.handle) "/" (g.slug) } { (g.title) }
                        " · " (text::campaign_status(g.status.as_str()))
                    }
                }
            }
        }
    };
    Ok(html_response(
        StatusCode::OK,
        layout::page(&head, &viewer, body),
    ))
}
