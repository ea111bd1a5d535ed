//! `GET /g/{groupCode}`: a group purchase as anyone may see it — product, shop, prices,
//! seats, time left, the ACTIVE participants' names and pictures (what the public list
//! of available groups already shows) and status; link previews and schema.org data.
//! Below them, the hosted join ([`super::join`]): `POST /g/{groupCode}/join`.

use super::join::{self, JoinForm, JoinSection, Notice};
use super::layout::{self, Head};
use super::text::join as words;
use super::viewer::Viewer;
use super::{find, html_response, live, not_found, text};
use crate::envelope::rfc3339;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::SessionCaller;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use groupbuy_domain::group_purchase::{GroupDetail, GroupStatus};
use maud::html;
use serde_json::json;
use std::sync::Arc;

/// The page of the group `groupCode`; an HTML 404 for an unknown or deleted one.
pub async fn page(
    req: HttpRequest,
    caller: Option<SessionCaller>,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let notice = Notice::of(req.query_string());
    let viewer = Viewer::of(&req, caller);
    let Some(d) = live_group(&state, path.into_inner()).await? else {
        return Ok(not_found());
    };
    let form = join_section(&state, &d);
    respond(&state, &viewer, &d, StatusCode::OK, &notice, form).await
}

/// The group of `code` unless unknown or deleted.
async fn live_group(state: &AppState, code: String) -> Result<Option<Arc<GroupDetail>>, ApiError> {
    // A view in memory is answered here; only a miss goes to the blocking pool.
    let cached = state
        .views
        .as_ref()
        .and_then(|v| v.groups.cached_by_code(&code));
    let found = match cached {
        Some(view) => Some(view.data),
        None => {
            let store = state.group_purchases.clone();
            find(move || store.group_by_code(&code))
                .await?
                .map(Arc::new)
        }
    };
    Ok(found.filter(|d| d.group.status != GroupStatus::Deleted))
}

/// The page with its join section, answered with `status`.
async fn respond(
    state: &AppState,
    viewer: &Viewer,
    d: &GroupDetail,
    status: StatusCode,
    notice: &Notice,
    form: JoinSection,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let joinable =
        d.group.status == GroupStatus::Open && !d.group.is_expired(now) && !d.group.is_full();
    let join = if joinable {
        join::section(state, viewer, &form).await
    } else {
        join::refusal_box(form.refusal)
    };
    let extra = html! { (notice.markup()) (join) };
    Ok(html_response(
        status,
        render(d, viewer, &state.public_url, now, extra),
    ))
}

/// A fresh join form for the group `d` (a link to the platform's app with
/// `GROUPBUY_JOIN_URL`).
fn join_section(state: &AppState, d: &GroupDetail) -> JoinSection {
    let g = &d.group;
    let max =
        join::seat_limit(g.total_seats, g.max_per_customer).min(i64::from(g.seats_remaining()));
    let mut form = JoinSection::new(
        format!("/g/{}/join", g.code.as_str()),
        words::JOIN_HEADING,
        words::JOIN_BUTTON,
        max,
    );
    form.app_link = join::app_link(state.join_url.as_deref(), g.code.as_str());
    form
}

/// `POST /g/{groupCode}/join`: joins the group with the form's seats, paid from the
/// wallet, once per form; a 303 back to the page, or the page again with the refusal.
pub async fn join(
    req: HttpRequest,
    caller: Option<SessionCaller>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<JoinForm>,
) -> Result<HttpResponse, ApiError> {
    let path_here = req.path().to_owned();
    let Some(d) = live_group(&state, path.into_inner()).await? else {
        return Ok(not_found());
    };
    let outcome = match &caller {
        Some(caller) => {
            join::checkout_and_pay(
                &state,
                caller,
                &form,
                &path_here,
                d.group.product_id,
                Some(d.group.id),
            )
            .await
        }
        None => Err(ApiError::unauthenticated()),
    };
    let viewer = Viewer {
        here: format!("/g/{}", d.group.code.as_str()),
        ..Viewer::of(&req, caller)
    };
    match outcome {
        Ok(code) => Ok(join::to_group(&code, "joined")),
        Err(e) => {
            // The page as it is now (the refusal may be that it just filled).
            let d = live_group(&state, d.group.code.as_str().to_owned())
                .await?
                .unwrap_or(d);
            let form = join_section(&state, &d).refused(&form, &e);
            respond(&state, &viewer, &d, e.status(), &Notice::default(), form).await
        }
    }
}

/// The page's markup for `d` at `now`, its canonical URL under `public_url`, with
/// `extra` (the join section and its notice) after the participants.
fn render(
    d: &GroupDetail,
    viewer: &Viewer,
    public_url: &str,
    now: time::OffsetDateTime,
    extra: maud::Markup,
) -> maud::Markup {
    let g = &d.group;
    let left = if g.status == GroupStatus::Open {
        text::time_left((g.expires_at - now).whole_seconds())
    } else {
        text::time_left(0)
    };
    let description = text::preview(g.seats_occupied, g.total_seats, &left);
    let canonical = format!("{public_url}/g/{}", g.code.as_str());
    let saving = g.regular_price.minus(g.unit_price).ok();
    let failed = g.status == GroupStatus::Failed;
    let head = Head {
        title: &d.product_name,
        description: &description,
        canonical: Some(canonical.clone()),
        image: d.product_image.as_deref(),
        json_ld: Some(product_json_ld(d, &canonical, now)),
    };
    let body = html! {
        @if let Some(image) = &d.product_image {
            img class="product-image" src=(image) alt=(d.product_name);
        }
        h1 { (d.product_name) }
        p { (text::SOLD_BY) " " strong { (d.shop_name) } }
        p class={ "status" @if failed { " status-failed" } } data-live="status" {
            (text::STATUS) ": " (text::group_status(g.status.as_str()))
        }
        dl class="prices" {
            dt { (text::GROUP_PRICE) }
            dd class="price-group" { (g.unit_price.display_grouped()) }
            dt { (text::REGULAR_PRICE) }
            dd class="price-regular" { (g.regular_price.display_grouped()) }
            @if let Some(saving) = saving {
                dt { (text::YOU_SAVE) }
                dd { (saving.display_grouped()) " (" (d.savings_percentage()) "%)" }
            }
        }
        p {
            span data-live="seats" { (text::seats(g.seats_occupied, g.total_seats)) }
            " · " (live::countdown(g.expires_at, &left, g.status == GroupStatus::Open))
        }
        progress max=(g.total_seats) value=(g.seats_occupied) data-live="progress"
            data-live-src={ "/g/" (g.code.as_str()) "/live" } {
            (d.progress_percentage()) "%"
        }
        h2 { (text::PARTICIPANTS) }
        @if d.total_participants() == 0 {
            p data-live="participants" { (text::NO_PARTICIPANTS) }
        } @else {
            ul class="participants" data-live="participants" {
                @for p in d.active() {
                    li {
                        @if let Some(picture) = &p.participant.user_picture {
                            img class="avatar" src=(picture)
                                alt={ (text::PICTURE_OF) " " (p.participant.user_name) };
                        }
                        span { (p.participant.user_name) }
                    }
                }
            }
        }
        (extra)
        h2 { (text::live::SHARE) }
        img class="qr" src={ "/g/" (g.code.as_str()) "/qr.svg" } alt=(text::live::QR_ALT)
            width="200" height="200";
        (live::script_tag())
    };
    layout::page(&head, viewer, body)
}

/// schema.org Product with its Offer: the group price, until the group expires.
fn product_json_ld(d: &GroupDetail, url: &str, now: time::OffsetDateTime) -> serde_json::Value {
    let g = &d.group;
    let availability = match g.status {
        GroupStatus::Open if !g.is_expired(now) && g.seats_remaining() > 0 => "InStock",
        GroupStatus::Completed => "SoldOut",
        _ => "Discontinued",
    };
    let mut product = json!({
        "@context": "https://schema.org",
        "@type": "Product",
        "name": d.product_name,
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": g.unit_price.to_decimal().to_string(),
            "priceCurrency": g.unit_price.currency().code(),
            "validThrough": rfc3339(g.expires_at),
            "availability": format!("https://schema.org/{availability}"),
            "seller": { "@type": "Organization", "name": d.shop_name },
        },
    });
    if let Some(image) = &d.product_image {
        product["image"] = json!(image);
    }
    product
}
