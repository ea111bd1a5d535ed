//! The console's merchant pages: a merchant's shops (`/console/shops`), a shop with its
//! products, orders, balance and statement (`/console/shops/{id}`), a product with its
//! open groups and its edit form (`/console/products/{id}`), and the order actions. Every
//! read and write goes through the port method the API route calls, with the same
//! [`Auth`](crate::platform::auth::Auth) rule, so another merchant's shop is a 404 here too.

mod orders;
mod product;
mod shop;

pub(super) use shop::statement_table;

use super::form::{create_once, flash, page, viewer, OrRefuse, Posted};
use super::{respond, shell};
use crate::pages::text::console_merchant as t;
use crate::pages::viewer::idempotency_field;
use crate::state::{blocking, AppState};
use crate::web::SessionCaller;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};
use groupbuy_domain::catalog::{Shop, ShopDraft};
use maud::html;
use serde::Deserialize;

/// Registers this section's pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/console/shops", web::get().to(shops))
        .route("/console/shops", web::post().to(create_shop))
        .route("/console/shops/{shopId}", web::get().to(shop::page))
        .route(
            "/console/shops/{shopId}/products",
            web::post().to(product::create),
        )
        .route(
            "/console/products/{productId}",
            web::get().to(product::page),
        )
        .route(
            "/console/products/{productId}",
            web::post().to(product::update),
        )
        .route(
            "/console/orders/{orderId}/{action}",
            web::post().to(orders::act),
        );
}

/// `GET /console/shops`: the merchant's shops and the form to open one.
async fn shops(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
) -> actix_web::HttpResponse {
    page(async move {
        let (viewer, auth) = viewer(&req, caller)?;
        let owner = auth.reader().cloned().or_refuse(&viewer)?;
        let store = state.catalog.clone();
        let list = blocking(move || store.owned_shops(&owner))
            .await
            .or_refuse(&viewer)?;
        let body = html! {
            (flash(&req))
            @if list.is_empty() {
                p { (t::NO_SHOPS) }
            } @else {
                table {
                    thead { tr { th scope="col" { (t::NAME) } th scope="col" { (t::CREATED) } } }
                    tbody {
                        @for s in &list {
                            tr {
                                td { a href=(format!("/console/shops/{}", s.id)) { (s.name) } }
                                td { (crate::envelope::rfc3339(s.created_at)) }
                            }
                        }
                    }
                }
            }
            h2 { (t::NEW_SHOP) }
            form method="post" action="/console/shops" {
                (viewer.csrf_field())
                (idempotency_field())
                label for="shop_name" { (t::SHOP_NAME) }
                input id="shop_name" name="shop_name" required maxlength="120";
                label for="shop_logo" { (t::SHOP_LOGO) }
                input id="shop_logo" name="shop_logo" type="url";
                button type="submit" { (t::CREATE) }
            }
        };
        Ok(respond(StatusCode::OK, shell(t::SHOPS, &viewer, body)))
    })
    .await
}

/// The new-shop form.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct ShopForm {
    idempotency_key: String,
    shop_name: String,
    shop_logo: String,
}

/// `POST /console/shops`: opens a shop (as `POST /api/v1/shops`), once per form.
async fn create_shop(
    state: web::Data<AppState>,
    sent: Posted<ShopForm>,
) -> actix_web::HttpResponse {
    page(async move {
        let Posted {
            viewer,
            auth,
            form: f,
        } = sent;
        auth.writer().or_refuse(&viewer)?;
        let owner = auth
            .require_role(groupbuy_domain::principal::ROLE_MERCHANT)
            .cloned()
            .or_refuse(&viewer)?;
        let draft = ShopDraft::parse(&f.shop_name, super::form::text(&f.shop_logo))
            .map_err(Into::into)
            .or_refuse(&viewer)?;
        let (now, store) = (state.clock.now(), state.catalog.clone());
        let fingerprint = format!("shop\n{}\n{}", f.shop_name, f.shop_logo);
        let location = |s: &Shop| format!("/console/shops/{}", s.id);
        create_once(
            &state,
            &auth,
            &viewer,
            (&f.idempotency_key, &fingerprint),
            location,
            "shop-created",
            move |a| store.create_shop(&owner, draft, now, a),
        )
        .await
    })
    .await
}
