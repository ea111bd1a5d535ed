//! `GET /g/{groupCode}`: a group purchase as anyone may see it — product, shop, prices,
//! seats, time left, the ACTIVE participants' names and pictures (what the public list
//! of available groups already shows) and status; link previews and schema.org data.

use super::layout::{self, Head};
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

/// The page of the group `groupCode`; an HTML 404 for an unknown or deleted one.
pub async fn page(
    req: HttpRequest,
    caller: Option<SessionCaller>,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let viewer = Viewer::of(&req, caller);
    let (code, store) = (path.into_inner(), state.group_purchases.clone());
    let found = find(move || store.group_by_code(&code)).await?;
    let Some(d) = found.filter(|d| d.group.status != GroupStatus::Deleted) else {
        return Ok(not_found());
    };
    let now = state.clock.now();
    Ok(html_response(
        StatusCode::OK,
        render(&d, &viewer, &state.public_url, now),
    ))
}

/// The page's markup for `d` at `now`, its canonical URL under `public_url`.
fn render(
    d: &GroupDetail,
    viewer: &Viewer,
    public_url: &str,
    now: time::OffsetDateTime,
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
