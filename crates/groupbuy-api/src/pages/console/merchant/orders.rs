//! The merchant's order actions (`POST /console/orders/{id}/ship|deliver|cancel`): the
//! forms shown beside each order, and the handler that runs the same `OrderStore::change`
//! as the order API, with its refusals (not CONFIRMED, another shop's order: 404).

use super::super::form::{done, page as run, OrRefuse, Posted};
use crate::pages::text::console_merchant as t;
use crate::pages::viewer::Viewer;
use crate::platform::request::change;
use crate::state::{blocking, AppState};
use actix_web::{web, HttpResponse};
use groupbuy_domain::order::{CancelReason, Order, OrderCommand, OrderStatus, Shipment};
use groupbuy_domain::platform::Answer;
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;

/// The fields of the order forms.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct OrderForm {
    carrier: String,
    tracking_number: String,
    reason: String,
}

/// The forms for what an order allows now (ship or cancel a CONFIRMED one, deliver a
/// SHIPPED one); the domain still decides when one is sent.
pub fn actions(viewer: &Viewer, o: &Order) -> Markup {
    let id = o.id;
    let action = |a: &str| format!("/console/orders/{id}/{a}");
    html! {
        @if o.status == OrderStatus::Confirmed {
            form method="post" action=(action("ship")) {
                (viewer.csrf_field())
                label for=(format!("carrier-{id}")) { (t::CARRIER) }
                input id=(format!("carrier-{id}")) name="carrier" required;
                label for=(format!("tracking-{id}")) { (t::TRACKING) }
                input id=(format!("tracking-{id}")) name="tracking_number" required;
                button type="submit" { (t::SHIP) }
            }
            form method="post" action=(action("cancel")) {
                (viewer.csrf_field())
                label for=(format!("reason-{id}")) { (t::CANCEL_REASON) }
                input id=(format!("reason-{id}")) name="reason" required;
                button type="submit" { (t::CANCEL) }
            }
        }
        @if o.status == OrderStatus::Shipped {
            form method="post" action=(action("deliver")) {
                (viewer.csrf_field())
                button type="submit" { (t::DELIVER) }
            }
        }
    }
}

/// `POST /console/orders/{orderId}/{action}`.
pub async fn act(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    sent: Posted<OrderForm>,
) -> HttpResponse {
    run(async move {
        let Posted {
            viewer,
            auth,
            form: f,
        } = sent;
        let who = auth.merchant_writer().cloned().or_refuse(&viewer)?;
        let (id, action) = path.into_inner();
        let id = Uuid::parse_str(&id).map_err(|_| super::super::form::missing())?;
        let (command, flash) = match action.as_str() {
            "ship" => (
                Shipment::parse(&f.carrier, &f.tracking_number).map(OrderCommand::Ship),
                "order-shipped",
            ),
            "deliver" => (Ok(OrderCommand::Deliver), "order-delivered"),
            "cancel" => (
                CancelReason::parse(&f.reason).map(OrderCommand::Cancel),
                "order-cancelled",
            ),
            _ => return Err(super::super::form::missing()),
        };
        let command = command.map_err(Into::into).or_refuse(&viewer)?;
        let ctx = change(format!("user:{}", who.user_id), state.clock.now());
        let store = state.orders.clone();
        let order = blocking(move || store.change(&who, id, command, &ctx, Answer::none()))
            .await
            .or_refuse(&viewer)?;
        let back = order.origin.shop_id().map_or_else(
            || "/console/shops".to_owned(),
            |s| format!("/console/shops/{s}"),
        );
        Ok(done(&format!("{back}#orders"), flash))
    })
    .await
}
