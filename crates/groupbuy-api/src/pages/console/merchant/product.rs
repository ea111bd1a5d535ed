//! A product in the console: the form that adds one to a shop (`POST
//! /console/shops/{id}/products`, as `POST /api/v1/shops/{id}/products`), its page with
//! its groups by status and the form that edits price, stock and group settings (`POST
//! /console/products/{id}`, as `PATCH /api/v1/products/{id}`).

use super::super::form::{
    create_once, done, flash, number, optional, page as run, text, viewer, OrRefuse, Posted,
};
use super::super::{respond, shell};
use crate::pages::text::console_merchant as t;
use crate::pages::viewer::{idempotency_field, Viewer};
use crate::state::{blocking, AppState};
use crate::web::SessionCaller;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use groupbuy_domain::catalog::{Product, ProductDraft, ProductFields, ProductPatch};
use groupbuy_domain::group_purchase::GroupStatus;
use groupbuy_domain::page::MAX_LIMIT;
use groupbuy_domain::IntoEnumIterator;
use maud::{html, Markup};
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

/// The fields of the product forms (all text: the refusals name a field in words).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProductForm {
    idempotency_key: String,
    product_name: String,
    product_image: String,
    regular_price: String,
    group_price: String,
    currency: String,
    stock_quantity: String,
    /// Present (`on`) when the box is ticked.
    group_buying_enabled: Option<String>,
    group_max_size: String,
    group_time_limit_hours: String,
    max_per_customer: String,
}

/// The fields a product form shows, blank for a new product.
fn fields(p: Option<&Product>) -> Markup {
    let v = |f: fn(&Product) -> String| p.map(f).unwrap_or_default();
    let on = p.is_none_or(|p| p.group_buying_enabled);
    html! {
        label for="product_name" { (t::PRODUCT_NAME) }
        input id="product_name" name="product_name" required maxlength="200" value=(v(|p| p.name.clone()));
        label for="product_image" { (t::PRODUCT_IMAGE) }
        input id="product_image" name="product_image" value=(v(|p| p.image.clone().unwrap_or_default()));
        label for="regular_price" { (t::REGULAR_PRICE) }
        input id="regular_price" name="regular_price" inputmode="decimal" required value=(v(|p| p.regular_price.to_decimal().to_string()));
        label for="group_price" { (t::GROUP_PRICE) }
        input id="group_price" name="group_price" inputmode="decimal" required value=(v(|p| p.group_price.to_decimal().to_string()));
        @if p.is_none() {
            label for="currency" { (t::CURRENCY) }
            input id="currency" name="currency" maxlength="3";
        }
        label for="stock_quantity" { (t::STOCK) }
        input id="stock_quantity" name="stock_quantity" type="number" min="0" required value=(v(|p| p.stock_quantity.to_string()));
        label for="group_buying_enabled" {
            input id="group_buying_enabled" name="group_buying_enabled" type="checkbox" checked[on];
            " " (t::GROUP_BUYING)
        }
        label for="group_max_size" { (t::GROUP_SIZE) }
        input id="group_max_size" name="group_max_size" type="number" min="1" required value=(v(|p| p.group_max_size.to_string()));
        label for="group_time_limit_hours" { (t::GROUP_HOURS) }
        input id="group_time_limit_hours" name="group_time_limit_hours" inputmode="decimal" required value=(v(|p| p.group_time_limit.hours().to_string()));
        label for="max_per_customer" { (t::MAX_PER_CUSTOMER) }
        input id="max_per_customer" name="max_per_customer" type="number" min="1" value=(v(|p| p.max_per_customer.map(|m| m.to_string()).unwrap_or_default()));
    }
}

/// The form adding a product to shop `shop_id`.
pub fn new_product_form(viewer: &Viewer, shop_id: Uuid) -> Markup {
    html! {
        h2 { (t::NEW_PRODUCT) }
        form method="post" action=(format!("/console/shops/{shop_id}/products")) {
            (viewer.csrf_field())
            (idempotency_field())
            (fields(None))
            button type="submit" { (t::CREATE) }
        }
    }
}

/// `POST /console/shops/{shopId}/products`.
pub async fn create(
    state: web::Data<AppState>,
    path: web::Path<String>,
    sent: Posted<ProductForm>,
) -> HttpResponse {
    run(async move {
        let Posted {
            viewer,
            auth,
            form: f,
        } = sent;
        let owner = auth.merchant_writer().cloned().or_refuse(&viewer)?;
        let shop_id =
            Uuid::parse_str(&path.into_inner()).map_err(|_| super::super::form::missing())?;
        let draft = (|| {
            Ok::<_, crate::error::ApiError>(ProductDraft::parse(ProductFields {
                name: f.product_name.clone(),
                image: text(&f.product_image),
                regular_price: number::<Decimal>(t::REGULAR_PRICE, &f.regular_price)?,
                group_price: number::<Decimal>(t::GROUP_PRICE, &f.group_price)?,
                currency: text(&f.currency),
                stock_quantity: number(t::STOCK, &f.stock_quantity)?,
                group_buying_enabled: f.group_buying_enabled.is_some(),
                group_max_size: number(t::GROUP_SIZE, &f.group_max_size)?,
                group_time_limit_hours: number(t::GROUP_HOURS, &f.group_time_limit_hours)?,
                max_per_customer: optional(t::MAX_PER_CUSTOMER, &f.max_per_customer)?,
            })?)
        })()
        .or_refuse(&viewer)?;
        let (now, store) = (state.clock.now(), state.catalog.clone());
        let fingerprint = format!("product\n{shop_id}\n{f:?}").replace(&f.idempotency_key, "");
        let location = |p: &Product| format!("/console/products/{}", p.id);
        create_once(
            &state,
            &auth,
            &viewer,
            (&f.idempotency_key, &fingerprint),
            location,
            "product-created",
            move |a| store.create_product(&owner, shop_id, draft, now, a),
        )
        .await
    })
    .await
}

/// The product page's query: the groups' status filter.
#[derive(Debug, Default, Deserialize)]
pub struct GroupsQuery {
    status: Option<String>,
}

/// The product `id` if the caller manages its shop (the same rule as the API's writes:
/// `shop_products` refuses another merchant's shop), else the 404 page.
async fn owned(
    state: &AppState,
    viewer: &Viewer,
    who: groupbuy_domain::Principal,
    id: &str,
) -> Result<Product, super::super::form::Refused> {
    let id = Uuid::parse_str(id).map_err(|_| super::super::form::missing())?;
    let catalog = state.catalog.clone();
    let product = blocking(move || catalog.product(id))
        .await
        .or_refuse(viewer)?;
    let (catalog, shop) = (state.catalog.clone(), product.shop_id);
    blocking(move || catalog.shop_products(&who, shop))
        .await
        .or_refuse(viewer)?;
    Ok(product)
}

/// `GET /console/products/{productId}`: the product, its open groups, the edit form.
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
    path: web::Path<String>,
    query: web::Query<GroupsQuery>,
) -> HttpResponse {
    run(async move {
        let (viewer, auth) = viewer(&req, caller)?;
        let who = auth.reader().cloned().or_refuse(&viewer)?;
        let p = owned(&state, &viewer, who.clone(), &path.into_inner()).await?;
        let chosen = query.into_inner().status.filter(|s| !s.is_empty());
        let status = chosen
            .as_deref()
            .map(GroupStatus::parse)
            .transpose()
            .map_err(Into::into)
            .or_refuse(&viewer)?;
        let (store, id) = (state.group_purchases.clone(), p.id);
        let groups = blocking(move || store.product_groups(&who, id, status, MAX_LIMIT))
            .await
            .or_refuse(&viewer)?;
        let here = format!("/console/products/{}", p.id);
        let body = html! {
            (flash(&req))
            p { a href=(format!("/console/shops/{}", p.shop_id)) { (t::BACK) } }
            h2 { (t::GROUPS) }
            form method="get" action=(here) {
                label for="status" { (t::SHOW_GROUPS) }
                select id="status" name="status" {
                    option value="" selected[chosen.is_none()] { (t::ANY) }
                    @for s in GroupStatus::iter() {
                        option value=(s.as_str()) selected[chosen.as_deref() == Some(s.as_str())] { (crate::pages::text::status_word(s.as_str())) }
                    }
                }
                button type="submit" { (t::SHOW) }
            }
            @if groups.is_empty() { p { (t::NO_GROUPS) } } @else {
                table {
                    thead { tr {
                        th scope="col" { (t::CODE) } th scope="col" { (t::SEATS) }
                        th scope="col" { (t::STATUS) } th scope="col" { (t::CLOSES) }
                    } }
                    tbody { @for g in &groups { tr {
                        td { a href=(format!("/g/{}", g.group.code.as_str())) { (g.group.code.as_str()) } }
                        td {
                            @let seats = crate::pages::text::seats(g.group.seats_occupied, g.group.total_seats);
                            progress max=(g.group.total_seats) value=(g.group.seats_occupied) aria-label=(seats) {}
                            " " (seats)
                        }
                        td { (crate::pages::text::status_word(g.group.status.as_str())) }
                        td { (crate::envelope::rfc3339(g.group.expires_at)) }
                    } } }
                }
            }
            h2 { (t::EDIT_PRODUCT) }
            form method="post" action=(here) {
                (viewer.csrf_field())
                (fields(Some(&p)))
                button type="submit" { (t::SAVE) }
            }
        };
        Ok(respond(StatusCode::OK, shell(&p.name, &viewer, body)))
    })
    .await
}

/// `POST /console/products/{productId}`: the whole form as one patch.
pub async fn update(
    state: web::Data<AppState>,
    path: web::Path<String>,
    sent: Posted<ProductForm>,
) -> HttpResponse {
    run(async move {
        let Posted {
            viewer,
            auth,
            form: f,
        } = sent;
        let owner = auth.merchant_writer().cloned().or_refuse(&viewer)?;
        let id = Uuid::parse_str(&path.into_inner()).map_err(|_| super::super::form::missing())?;
        let patch = (|| {
            Ok::<_, crate::error::ApiError>(ProductPatch {
                name: Some(f.product_name.clone()),
                image: Some(text(&f.product_image)),
                regular_price: Some(number(t::REGULAR_PRICE, &f.regular_price)?),
                group_price: Some(number(t::GROUP_PRICE, &f.group_price)?),
                stock_quantity: Some(number(t::STOCK, &f.stock_quantity)?),
                group_buying_enabled: Some(f.group_buying_enabled.is_some()),
                group_max_size: Some(number(t::GROUP_SIZE, &f.group_max_size)?),
                group_time_limit_hours: Some(number(t::GROUP_HOURS, &f.group_time_limit_hours)?),
                max_per_customer: Some(optional(t::MAX_PER_CUSTOMER, &f.max_per_customer)?),
            })
        })()
        .or_refuse(&viewer)?;
        let (now, store) = (state.clock.now(), state.catalog.clone());
        blocking(move || store.update_product(&owner, id, patch, now))
            .await
            .or_refuse(&viewer)?;
        Ok(done(&format!("/console/products/{id}"), "product-updated"))
    })
    .await
}
