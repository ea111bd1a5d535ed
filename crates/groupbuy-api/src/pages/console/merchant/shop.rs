//! `GET /console/shops/{shopId}`: one shop of the merchant: its products (with the form to
//! add one), its orders by status with the actions each allows, its balance and its
//! statement. Reads through `shop_products`, `shop_orders`, `balance` and `statement`,
//! each of which refuses another merchant's shop (404).

use super::super::form::{flash, page as run, viewer, OrRefuse};
use super::super::{next_page, respond, shell};
use super::orders::actions;
use super::product::new_product_form;
use crate::envelope::rfc3339;
use crate::pages::text::console_merchant as t;
use crate::state::{blocking, AppState};
use crate::web::SessionCaller;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use groupbuy_domain::ledger::ShopBalance;
use groupbuy_domain::order::{Order, OrderStatus};
use groupbuy_domain::page::DEFAULT_LIMIT;
use groupbuy_domain::wallet::LedgerEntry;
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;

/// The page's query: the orders' status filter and the lists' cursors.
#[derive(Debug, Default, Deserialize)]
pub struct ShopQuery {
    status: Option<String>,
    orders: Option<String>,
    statement: Option<String>,
}

/// The order statuses offered in the filter.
const STATUSES: [&str; 4] = ["CONFIRMED", "SHIPPED", "DELIVERED", "CANCELLED"];

/// `GET /console/shops/{shopId}`.
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
    path: web::Path<String>,
    query: web::Query<ShopQuery>,
) -> HttpResponse {
    run(async move {
        let (viewer, auth) = viewer(&req, caller)?;
        let Ok(id) = Uuid::parse_str(&path.into_inner()) else {
            return Err(super::super::form::missing());
        };
        let who = auth.reader().cloned().or_refuse(&viewer)?;
        let q = query.into_inner();
        let status = q.status.as_deref().filter(|s| !s.is_empty());
        let filter = status
            .map(OrderStatus::parse)
            .transpose()
            .map_err(Into::into)
            .or_refuse(&viewer)?;
        let (catalog, orders, ledger) = (
            state.catalog.clone(),
            state.orders.clone(),
            state.ledger.clone(),
        );
        let (w, cursor) = (who.clone(), q.orders.clone());
        let shop = blocking(move || catalog.shop(id))
            .await
            .or_refuse(&viewer)?;
        let catalog = state.catalog.clone();
        let products = blocking(move || catalog.shop_products(&w, id))
            .await
            .or_refuse(&viewer)?;
        let w = who.clone();
        let order_page =
            blocking(move || orders.shop_orders(&w, id, filter, cursor, DEFAULT_LIMIT))
                .await
                .or_refuse(&viewer)?;
        let w = who.clone();
        let balance = blocking(move || ledger.balance(&w, id))
            .await
            .or_refuse(&viewer)?;
        let (ledger, cursor) = (state.ledger.clone(), q.statement.clone());
        let statement = blocking(move || ledger.statement(&who, id, cursor, DEFAULT_LIMIT))
            .await
            .or_refuse(&viewer)?;
        let here = format!("/console/shops/{id}");
        let body = html! {
            (flash(&req))
            h2 { (t::PRODUCTS) }
            @if products.is_empty() { p { (t::NO_PRODUCTS) } } @else {
                table {
                    thead { tr {
                        th scope="col" { (t::NAME) } th scope="col" { (t::GROUP_PRICE) }
                        th scope="col" { (t::REGULAR_PRICE) } th scope="col" { (t::STOCK) }
                        th scope="col" { (t::AVAILABLE) } th scope="col" { (t::RESERVED) }
                    } }
                    tbody { @for p in &products { tr {
                        td { a href=(format!("/console/products/{}", p.id)) { (p.name) } }
                        td { (p.group_price.display_grouped()) }
                        td { (p.regular_price.display_grouped()) }
                        td { (p.stock_quantity) }
                        td { (p.available_quantity()) }
                        td { (p.reserved_quantity) }
                    } } }
                }
            }
            (new_product_form(&viewer, id))
            h2 id="orders" { (t::ORDERS) }
            (status_filter(&here, status))
            (order_table(&viewer, &order_page.items))
            (next_page(&here, "orders", order_page.next_cursor.as_deref(), status))
            h2 { (t::BALANCE) }
            (balance_of(&balance))
            h2 { (t::STATEMENT) }
            (statement_table(&statement.items))
            (next_page(&here, "statement", statement.next_cursor.as_deref(), None))
        };
        Ok(respond(StatusCode::OK, shell(&shop.name, &viewer, body)))
    })
    .await
}

/// The orders' status filter (a GET form: works without JavaScript).
fn status_filter(here: &str, chosen: Option<&str>) -> Markup {
    html! {
        form method="get" action=(here) {
            label for="status" { (t::SHOW_STATUS) }
            select id="status" name="status" {
                option value="" selected[chosen.is_none()] { (t::ANY) }
                @for s in STATUSES { option value=(s) selected[chosen == Some(s)] { (crate::pages::text::status_word(s)) } }
            }
            button type="submit" { (t::SHOW) }
        }
    }
}

/// The orders, as the API shows them, with the actions each allows.
fn order_table(viewer: &crate::pages::viewer::Viewer, list: &[Order]) -> Markup {
    html! {
        @if list.is_empty() { p { (t::NO_ORDERS) } } @else {
            table {
                thead { tr {
                    th scope="col" { (t::ORDER) } th scope="col" { (t::QUANTITY) }
                    th scope="col" { (t::TOTAL) } th scope="col" { (t::STATUS) }
                    th scope="col" { (t::SHIPPING) } th scope="col" { (t::ACTIONS) }
                } }
                tbody { @for o in list { tr {
                    td { (o.id) br; (rfc3339(o.created_at)) }
                    td { (o.quantity) }
                    td { (o.total_amount.display_grouped()) }
                    td { (crate::pages::text::status_word(o.status.as_str())) }
                    td {
                        @if let Some(c) = &o.carrier { (c) " " }
                        @if let Some(n) = &o.tracking_number { (n) }
                    }
                    td { (actions(viewer, o)) }
                } } }
            }
        }
    }
}

/// The shop's balance per currency and its commission.
fn balance_of(b: &ShopBalance) -> Markup {
    let bps = crate::routes::ledger::dto::CommissionView::from(b.commission).commission_bps;
    html! {
        @if b.balances.is_empty() { p { (t::NO_BALANCE) } }
        ul { @for c in &b.balances { li { (c.available.display_grouped()) } } }
        p { (t::commission(bps)) }
    }
}

/// A statement's lines, newest first (a shop's, or a campaign handle's).
pub fn statement_table(lines: &[LedgerEntry]) -> Markup {
    html! {
        @if !lines.is_empty() {
            table {
                thead { tr {
                    th scope="col" { (t::WHEN) } th scope="col" { (t::KIND) }
                    th scope="col" { (t::AMOUNT) } th scope="col" { (t::BALANCE_AFTER) }
                    th scope="col" { (t::REFERENCE) }
                } }
                tbody { @for l in lines { tr {
                    td { (rfc3339(l.created_at)) } td { (l.kind.as_str()) }
                    td { (l.amount.display_grouped()) } td { (l.balance_after.display_grouped()) }
                    td { (l.reference) }
                } } }
            }
        }
    }
}
