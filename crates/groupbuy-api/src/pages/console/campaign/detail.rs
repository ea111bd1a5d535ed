//! One campaign in the console (`/console/campaigns/{handle}/{slug}`): its status,
//! progress toward each threshold, counts (interest, or pledges for a pre-order), the
//! state changes it allows (publish, pause, close: a refused close names the unmet
//! thresholds, in the domain's words), its interests and its audit trail, all read and
//! changed through the owner API's port methods (another owner's campaign is 404).

use super::super::form::{done, flash, page as run, viewer, Button, OrRefuse, Posted};
use super::super::{respond, shell};
use crate::live::progress::met_text;
use crate::pages::live;
use crate::pages::text::{self, console_merchant as t};
use crate::platform::request::change;
use crate::routes::campaign::path_slug;
use crate::state::{blocking, AppState};
use crate::web::SessionCaller;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use groupbuy_domain::campaign::{Action, GroupBuyStatus, ThresholdProgress};
use groupbuy_domain::page::MAX_LIMIT;
use groupbuy_domain::platform::Answer;
use maud::{html, Markup};

/// `GET /console/campaigns/{handle}/{slug}`.
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    run(async move {
        let (viewer, auth) = viewer(&req, caller)?;
        let who = auth.reader().cloned().or_refuse(&viewer)?;
        let (h, s) = path.into_inner();
        let (handle, slug) = path_slug(&h, &s).or_refuse(&viewer)?;
        let (store, w, hh, ss) = (state.campaigns.clone(), who.clone(), handle.clone(), slug.clone());
        let g = blocking(move || store.group_buy(&w, &hh, &ss))
            .await
            .or_refuse(&viewer)?;
        let (store, w, hh, ss) = (state.campaigns.clone(), who.clone(), handle.clone(), slug.clone());
        let interests = blocking(move || store.interests(&w, &hh, &ss, None, MAX_LIMIT))
            .await
            .or_refuse(&viewer)?;
        // A pre-order campaign's pledges: how their payment sessions stand (all zero
        // before the close), as `GET .../preorders` reports them.
        let counts = match g.preorder {
            Some(_) => {
                let (store, w, hh, ss) = (state.preorders.clone(), who.clone(), handle.clone(), slug.clone());
                Some(blocking(move || store.preorder_counts(&w, &hh, &ss)).await.or_refuse(&viewer)?)
            }
            None => None,
        };
        let store = state.campaigns.clone();
        let audit = blocking(move || store.audit(&who, &handle, &slug, None, MAX_LIMIT))
            .await
            .or_refuse(&viewer)?;
        let here = format!("/console/campaigns/{}/{}", g.handle.as_str(), g.slug.as_str());
        let progress = g.progress();
        let body = html! {
            (flash(&req))
            p { a href=(format!("/console/campaigns/{}", g.handle.as_str())) { (t::BACK) } }
            p data-live="status" { (text::STATUS) ": " (text::campaign_status(g.status.as_str())) }
            p { (g.unit_price.display_grouped()) " · " (t::CLOSES) " " (crate::envelope::rfc3339(g.closes_at)) }
            p data-live="counts" aria-live="polite" { (t::counts(g.participants, g.quantity)) }
            @if let Some(p) = &g.preorder { p { (t::preorder(p.payment_window_hours())) } }
            @if let Some(c) = &counts {
                h2 { (t::PLEDGES) }
                p { (t::pledges(c.pledged, c.pending, c.paid, c.expired)) }
            }
            // A draft has no public stream (404): its counts cannot move anyway.
            @if g.status == GroupBuyStatus::Draft { h2 { (t::THRESHOLDS) } } @else {
                h2 data-live-src={ "/c/" (g.handle.as_str()) "/" (g.slug.as_str()) "/live" } { (t::THRESHOLDS) }
            }
            ul {
                @if let Some(p) = &progress.participants {
                    li { (threshold("participants", text::participants_progress(p.current, p.target), p)) }
                }
                @if let Some(q) = &progress.quantity {
                    li { (threshold("quantity", text::quantity_progress(q.current, q.target), q)) }
                }
            }
            @if g.status == GroupBuyStatus::Draft { (super::edit::form(&viewer, &g, &here)) }
            h2 { (t::CHANGE_STATE) }
            @for a in g.status.allowed_actions() {
                form class="inline" method="post" action=(format!("{here}/{}", a.as_str())) {
                    (viewer.csrf_field())
                    button type="submit" { (label(*a)) }
                }
            }
            h2 { (t::INTERESTS) " (" (interests.items.len()) ")" }
            @if interests.items.is_empty() { p { (t::NO_INTERESTS) } } @else {
                table {
                    thead { tr {
                        th scope="col" { (t::WHO) } th scope="col" { (t::UNITS) }
                        th scope="col" { (t::NOTE) } th scope="col" { (t::WHEN) }
                    } }
                    tbody { @for i in &interests.items { tr {
                        td { (i.visitor.as_str()) } td { (i.quantity) }
                        td { (i.note.as_deref().unwrap_or("")) }
                        td { (crate::envelope::rfc3339(i.updated_at)) }
                    } } }
                }
            }
            h2 { (t::AUDIT) }
            table {
                thead { tr {
                    th scope="col" { (t::WHEN) } th scope="col" { (t::ACTION) }
                    th scope="col" { (t::ACTOR) } th scope="col" { (t::STATUS) }
                } }
                tbody { @for e in &audit.items { tr {
                    td { (crate::envelope::rfc3339(e.created_at)) } td { (e.action) }
                    td { (e.actor) } td { (text::status_word(e.after_status.as_str())) }
                } } }
            }
        };
        let body = html! { (body) (live::script_tag()) };
        Ok(respond(StatusCode::OK, shell(&g.title, &viewer, body)))
    })
    .await
}

/// One threshold's line in the public page's words, met or not, with a bar; the parts the
/// live stream keeps current are marked `data-live="label-|met-|bar-<kind>"`.
fn threshold(kind: &str, label: String, p: &ThresholdProgress) -> Markup {
    html! {
        span data-live={ "label-" (kind) } { (label) } " ("
        span data-live={ "met-" (kind) } { (met_text(p.met)) } ") "
        progress data-live={ "bar-" (kind) } max=(p.target) value=(p.current.min(p.target)) aria-label=(label) {}
    }
}

/// The button text of an action.
fn label(a: Action) -> &'static str {
    match a {
        Action::Publish => t::PUBLISH,
        Action::Pause => t::PAUSE,
        Action::Close => t::CLOSE,
    }
}

/// `POST /console/campaigns/{handle}/{slug}/{publish|pause|close}`: the owner API's
/// transition; its refusal (a close before the thresholds: `Cannot close: thresholds not
/// met: participants 0/2`) is the page's words, with the API's 409.
pub async fn act(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    sent: Posted<Button>,
) -> HttpResponse {
    run(async move {
        let Posted { viewer, auth, .. } = sent;
        let who = auth.merchant_writer().cloned().or_refuse(&viewer)?;
        let (h, s, action) = path.into_inner();
        let action = match action.as_str() {
            "publish" => Action::Publish,
            "pause" => Action::Pause,
            "close" => Action::Close,
            _ => return Err(super::super::form::missing()),
        };
        let (handle, slug) = path_slug(&h, &s).or_refuse(&viewer)?;
        let ctx = change(format!("user:{}", who.user_id), state.clock.now());
        let store = state.campaigns.clone();
        let g =
            blocking(move || store.transition(&who, &handle, &slug, action, &ctx, Answer::none()))
                .await
                .or_refuse(&viewer)?;
        let here = format!(
            "/console/campaigns/{}/{}",
            g.handle.as_str(),
            g.slug.as_str()
        );
        Ok(done(&here, "campaign-changed"))
    })
    .await
}
