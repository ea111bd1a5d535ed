//! `GET /p/{productId}`: a product as a shopper sees it before joining — image, shop, the
//! group price against the regular one and the saving, group size and per-customer limit,
//! the groups open to join (the API's available-groups list, each linking to its page)
//! and the form to open a new group (`POST /p/{productId}/open`, [`super::join`]).

use super::join::{self, JoinForm, JoinSection};
use super::layout::{self, Head};
use super::text::{self, join as words};
use super::viewer::Viewer;
use super::{find, html_response, not_found};
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::SessionCaller;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use groupbuy_domain::catalog::{Product, Shop};
use groupbuy_domain::group_purchase::GroupDetail;
use maud::{html, Markup};
use uuid::Uuid;

/// How many available groups the page lists (the API's default page).
const AVAILABLE_SHOWN: i64 = 50;

/// A product, its shop and its available groups.
struct Shown {
    product: Product,
    shop: Shop,
    groups: Vec<GroupDetail>,
}

/// The product page; an HTML 404 for a malformed or unknown id.
pub async fn page(
    req: HttpRequest,
    caller: Option<SessionCaller>,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let viewer = Viewer::of(&req, caller);
    let Some(shown) = load(&state, &path).await? else {
        return Ok(not_found());
    };
    let form = open_section(&shown.product);
    respond(&state, &viewer, &shown, StatusCode::OK, form).await
}

/// `POST /p/{productId}/open`: opens a new group with the form's seats, paid from the
/// wallet, once per form; a 303 to the new group's page, or this page with the refusal.
pub async fn open(
    req: HttpRequest,
    caller: Option<SessionCaller>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<JoinForm>,
) -> Result<HttpResponse, ApiError> {
    let Some(shown) = load(&state, &path).await? else {
        return Ok(not_found());
    };
    let id = shown.product.id;
    let outcome = match &caller {
        Some(c) => join::checkout_and_pay(&state, c, &form, req.path(), id, None).await,
        None => Err(ApiError::unauthenticated()),
    };
    match outcome {
        Ok(code) => Ok(join::to_group(&code, "opened")),
        Err(e) => {
            let viewer = Viewer {
                here: format!("/p/{id}"),
                ..Viewer::of(&req, caller)
            };
            let form = open_section(&shown.product).refused(&form, &e);
            respond(&state, &viewer, &shown, e.status(), form).await
        }
    }
}

/// The product of `raw` with its shop and available groups; `None` when there is none.
async fn load(state: &AppState, raw: &str) -> Result<Option<Shown>, ApiError> {
    let Ok(id) = Uuid::parse_str(raw) else {
        return Ok(None);
    };
    let (catalog, groups, now) = (
        state.catalog.clone(),
        state.group_purchases.clone(),
        state.clock.now(),
    );
    find(move || {
        let product = catalog.product(id)?;
        let shop = catalog.shop(product.shop_id)?;
        let groups = groups.available_groups(id, now, AVAILABLE_SHOWN)?;
        Ok(Shown {
            product,
            shop,
            groups,
        })
    })
    .await
}

/// A fresh form to open a group of `p`.
fn open_section(p: &Product) -> JoinSection {
    JoinSection::new(
        format!("/p/{}/open", p.id),
        words::OPEN_HEADING,
        words::OPEN_BUTTON,
        join::seat_limit(p.group_max_size, p.max_per_customer),
    )
}

async fn respond(
    state: &AppState,
    viewer: &Viewer,
    shown: &Shown,
    status: StatusCode,
    form: JoinSection,
) -> Result<HttpResponse, ApiError> {
    let p = &shown.product;
    let open = if p.group_buying_enabled {
        join::section(state, viewer, &form).await
    } else {
        html! { p { (words::GROUP_BUYING_OFF) } }
    };
    let now = state.clock.now();
    let canonical = format!("{}/p/{}", state.public_url, p.id);
    let description = format!(
        "{} {} · {}",
        text::GROUP_PRICE,
        p.group_price.display_grouped(),
        shown.shop.name
    );
    let head = Head {
        title: &p.name,
        description: &description,
        canonical: Some(canonical),
        image: p.image.as_deref(),
        json_ld: None,
    };
    let body = html! {
        @if let Some(image) = &p.image {
            img class="product-image" src=(image) alt=(p.name);
        }
        h1 { (p.name) }
        p { (text::SOLD_BY) " " strong { (shown.shop.name) } }
        (facts(p))
        h2 { (words::AVAILABLE_GROUPS) }
        (available(&shown.groups, now))
        (open)
    };
    Ok(html_response(status, layout::page(&head, viewer, body)))
}

/// Prices, saving, group size and the per-customer limit.
fn facts(p: &Product) -> Markup {
    let saving = p.regular_price.minus(p.group_price).ok();
    html! {
        dl class="prices" {
            dt { (text::GROUP_PRICE) }
            dd class="price-group" { (p.group_price.display_grouped()) }
            dt { (text::REGULAR_PRICE) }
            dd class="price-regular" { (p.regular_price.display_grouped()) }
            @if let Some(saving) = saving.filter(|s| s.minor() > 0) {
                dt { (text::YOU_SAVE) }
                dd { (saving.display_grouped()) }
            }
            dt { (words::GROUP_SIZE) }
            dd { (words::seat_count(i64::from(p.group_max_size))) }
            @if let Some(cap) = p.max_per_customer {
                dt { (words::LIMIT_PER_CUSTOMER) }
                dd { (words::seat_count(i64::from(cap))) }
            }
        }
    }
}

/// The groups open to join, each linking to its page.
fn available(groups: &[GroupDetail], now: time::OffsetDateTime) -> Markup {
    html! {
        @if groups.is_empty() {
            p { (words::NO_AVAILABLE_GROUPS) }
        } @else {
            ul class="groups" {
                @for d in groups {
                    @let g = &d.group;
                    @let left = text::time_left((g.expires_at - now).whole_seconds());
                    li {
                        a href={ "/g/" (g.code.as_str()) } { (g.code.as_str()) }
                        " · "
                        (words::available_group(&text::seats(g.seats_occupied, g.total_seats), &left))
                    }
                }
            }
        }
    }
}
