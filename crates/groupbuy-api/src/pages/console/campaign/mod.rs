//! The console's campaign pages: a handle's campaigns as the owner API lists them
//! (`/console/campaigns/{handle}`, 404 when not the caller's), claiming a handle, and
//! creating a campaign as a draft; one campaign's page is [`detail`]. The API has no
//! list of a person's handles, so `/console/campaigns` asks which handle to open.

mod detail;
mod edit;

use super::form::{create_once, flash, number, optional, page, text, viewer, OrRefuse, Posted};
use super::{respond, shell};
use crate::pages::text::console_merchant as t;
use crate::pages::viewer::idempotency_field;
use crate::platform::extract::instant;
use crate::platform::request::change;
use crate::routes::campaign::path_handle;
use crate::state::{blocking, AppState};
use crate::web::SessionCaller;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use groupbuy_domain::campaign::{
    GroupBuy, GroupBuyDraft, GroupBuyFields, HandleDraft, HandleProfile,
};
use groupbuy_domain::page::MAX_LIMIT;
use groupbuy_domain::principal::ROLE_MERCHANT;
use maud::html;
use serde::Deserialize;

/// Registers this section's pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/console/campaigns", web::get().to(start))
        .route("/console/campaigns", web::post().to(create_handle))
        .route("/console/campaigns/{handle}", web::get().to(handle_page))
        .route(
            "/console/campaigns/{handle}",
            web::post().to(create_campaign),
        )
        .route(
            "/console/campaigns/{handle}/{slug}",
            web::get().to(detail::page),
        )
        // Before `{action}`, which would take `edit` for an unknown action.
        .route(
            "/console/campaigns/{handle}/{slug}/edit",
            web::post().to(edit::edit),
        )
        .route(
            "/console/campaigns/{handle}/{slug}/{action}",
            web::post().to(detail::act),
        );
}

/// `?handle=` of the start page's form.
#[derive(Debug, Deserialize)]
struct Open {
    handle: Option<String>,
}

/// `GET /console/campaigns`: open a handle's campaigns, or claim a handle.
async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
    query: web::Query<Open>,
) -> HttpResponse {
    page(async move {
        let (viewer, auth) = viewer(&req, caller)?;
        if let Some(h) = query.into_inner().handle.as_deref().and_then(text) {
            let path: String = url::form_urlencoded::byte_serialize(h.as_bytes()).collect();
            return Ok(HttpResponse::SeeOther()
                .insert_header(("Location", format!("/console/campaigns/{path}")))
                .finish());
        }
        let who = auth.reader().cloned().or_refuse(&viewer)?;
        let store = state.campaigns.clone();
        let handles = blocking(move || store.owned_handles(&who))
            .await
            .or_refuse(&viewer)?;
        let body = html! {
            (flash(&req))
            h2 { (t::YOUR_HANDLES) }
            @if handles.is_empty() { p { (t::NO_HANDLES) } }
            ul { @for h in &handles {
                li { a href=(format!("/console/campaigns/{}", h.handle.as_str())) { (h.display_name) } " (" (h.handle.as_str()) ")" }
            } }
            h2 { (t::OPEN_HANDLE) }
            form method="get" action="/console/campaigns" {
                label for="handle" { (t::HANDLE) }
                input id="handle" name="handle" required;
                button type="submit" { (t::OPEN) }
            }
            h2 { (t::NEW_HANDLE) }
            form method="post" action="/console/campaigns" {
                (viewer.csrf_field())
                (idempotency_field())
                label for="new_handle" { (t::HANDLE) }
                input id="new_handle" name="handle" required;
                label for="display_name" { (t::DISPLAY_NAME) }
                input id="display_name" name="display_name" required;
                button type="submit" { (t::CREATE) }
            }
        };
        Ok(respond(StatusCode::OK, shell(t::CAMPAIGNS, &viewer, body)))
    })
    .await
}

/// The claim-a-handle form.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct HandleForm {
    idempotency_key: String,
    handle: String,
    display_name: String,
}

/// `POST /console/campaigns`: claims a handle (as `POST /v2/handles`).
async fn create_handle(state: web::Data<AppState>, sent: Posted<HandleForm>) -> HttpResponse {
    page(async move {
        let Posted {
            viewer,
            auth,
            form: f,
        } = sent;
        auth.writer().or_refuse(&viewer)?;
        let owner = auth
            .require_role(ROLE_MERCHANT)
            .cloned()
            .or_refuse(&viewer)?;
        let draft = HandleDraft::parse(&f.handle, &f.display_name)
            .map_err(Into::into)
            .or_refuse(&viewer)?;
        let (now, store) = (state.clock.now(), state.campaigns.clone());
        let fingerprint = format!("handle\n{}\n{}", f.handle, f.display_name);
        let location = |h: &HandleProfile| format!("/console/campaigns/{}", h.handle.as_str());
        create_once(
            &state,
            &auth,
            &viewer,
            (&f.idempotency_key, &fingerprint),
            location,
            "handle-created",
            move |a| store.create_handle(&owner, draft, now, a),
        )
        .await
    })
    .await
}

/// `GET /console/campaigns/{handle}`: the handle's campaigns (the owner API's list) and
/// the form to create one.
async fn handle_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
    path: web::Path<String>,
) -> HttpResponse {
    page(async move {
        let (viewer, auth) = viewer(&req, caller)?;
        let who = auth.reader().cloned().or_refuse(&viewer)?;
        let handle = path_handle(&path.into_inner()).or_refuse(&viewer)?;
        let (store, h, w) = (state.campaigns.clone(), handle.clone(), who.clone());
        let list = blocking(move || store.group_buys(&w, &h, None, None, MAX_LIMIT))
            .await
            .or_refuse(&viewer)?;
        let (ledger, w, h) = (state.ledger.clone(), who.clone(), handle.clone());
        let balances = blocking(move || ledger.handle_balance(&w, &h))
            .await
            .or_refuse(&viewer)?;
        let (ledger, h) = (state.ledger.clone(), handle.clone());
        let statement = blocking(move || ledger.handle_statement(&who, &h, None, MAX_LIMIT))
            .await
            .or_refuse(&viewer)?;
        let here = format!("/console/campaigns/{}", handle.as_str());
        let body = html! {
            (flash(&req))
            @if list.items.is_empty() { p { (t::NO_CAMPAIGNS) } } @else {
                table {
                    thead { tr {
                        th scope="col" { (t::TITLE) } th scope="col" { (t::STATUS) }
                        th scope="col" { (t::PARTICIPANTS) } th scope="col" { (t::UNITS) }
                        th scope="col" { (t::CLOSES) }
                    } }
                    tbody { @for g in &list.items { tr {
                        td { a href=(format!("{here}/{}", g.slug.as_str())) { (g.title) } }
                        td { (crate::pages::text::status_word(g.status.as_str())) }
                        td { (g.participants) } td { (g.quantity) }
                        td { (crate::envelope::rfc3339(g.closes_at)) }
                    } } }
                }
            }
            h2 { (t::BALANCE) }
            @if balances.is_empty() { p { (t::NO_BALANCE) } }
            ul { @for b in &balances { li { (b.available.display_grouped()) } } }
            h2 { (t::STATEMENT) }
            (super::merchant::statement_table(&statement.items))
            h2 { (t::NEW_CAMPAIGN) }
            form method="post" action=(here) {
                (viewer.csrf_field())
                (idempotency_field())
                label for="slug" { (t::SLUG) }
                input id="slug" name="slug" required;
                label for="title" { (t::TITLE) }
                input id="title" name="title" required;
                label for="description" { (t::DESCRIPTION) }
                textarea id="description" name="description" {}
                label for="unit_price" { (t::UNIT_PRICE) }
                input id="unit_price" name="unit_price" inputmode="decimal" required;
                label for="currency" { (t::CURRENCY) }
                input id="currency" name="currency" maxlength="3";
                label for="min_participants" { (t::MIN_PARTICIPANTS) }
                input id="min_participants" name="min_participants" type="number" min="1";
                label for="min_quantity" { (t::MIN_QUANTITY) }
                input id="min_quantity" name="min_quantity" type="number" min="1";
                label for="max_quantity" { (t::MAX_QUANTITY) }
                input id="max_quantity" name="max_quantity" type="number" min="1";
                label for="closes_at" { (t::CLOSES_AT) }
                input id="closes_at" name="closes_at" required;
                label for="preorder_hours" { (t::PREORDER_HOURS) }
                input id="preorder_hours" name="preorder_hours" type="number" min="1";
                button type="submit" { (t::CREATE) }
            }
        };
        Ok(respond(
            StatusCode::OK,
            shell(handle.as_str(), &viewer, body),
        ))
    })
    .await
}

/// The new-campaign form, and the draft edit's ([`edit`]).
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub(super) struct CampaignForm {
    pub(super) idempotency_key: String,
    pub(super) slug: String,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) unit_price: String,
    pub(super) currency: String,
    pub(super) min_participants: String,
    pub(super) min_quantity: String,
    pub(super) max_quantity: String,
    pub(super) closes_at: String,
    pub(super) preorder_hours: String,
}

/// `POST /console/campaigns/{handle}`: creates a draft (as `POST
/// /v2/handles/{handle}/group-buys`), once per form.
async fn create_campaign(
    state: web::Data<AppState>,
    path: web::Path<String>,
    sent: Posted<CampaignForm>,
) -> HttpResponse {
    page(async move {
        let Posted {
            viewer,
            auth,
            form: f,
        } = sent;
        let who = auth.merchant_writer().cloned().or_refuse(&viewer)?;
        let handle = path_handle(&path.into_inner()).or_refuse(&viewer)?;
        let now = state.clock.now();
        let draft = (|| {
            Ok::<_, crate::error::ApiError>(GroupBuyDraft::parse(
                GroupBuyFields {
                    slug: f.slug.trim().to_owned(),
                    title: f.title.clone(),
                    description: text(&f.description),
                    unit_price: number(t::UNIT_PRICE, &f.unit_price)?,
                    currency: text(&f.currency),
                    min_participants: optional(t::MIN_PARTICIPANTS, &f.min_participants)?,
                    min_quantity: optional(t::MIN_QUANTITY, &f.min_quantity)?,
                    max_quantity: optional(t::MAX_QUANTITY, &f.max_quantity)?,
                    closes_at: instant(&f.closes_at, "closesAt")?,
                    preorder_window_hours: optional(t::PREORDER_HOURS, &f.preorder_hours)?,
                },
                now,
            )?)
        })()
        .or_refuse(&viewer)?;
        let ctx = change(format!("user:{}", who.user_id), now);
        let store = state.campaigns.clone();
        let fingerprint =
            format!("campaign\n{}\n{f:?}", handle.as_str()).replace(&f.idempotency_key, "");
        let location = |g: &GroupBuy| {
            format!(
                "/console/campaigns/{}/{}",
                g.handle.as_str(),
                g.slug.as_str()
            )
        };
        create_once(
            &state,
            &auth,
            &viewer,
            (&f.idempotency_key, &fingerprint),
            location,
            "campaign-created",
            move |a| store.create_group_buy(&who, &handle, draft, &ctx, a),
        )
        .await
    })
    .await
}
