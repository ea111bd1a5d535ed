//! The console's platform-admin pages: the campaign rollup (`/console/admin`), the
//! support reports (`/console/admin/support`) and payouts (`/console/admin/payouts`: a
//! shop's balance and statement, and the form recording a payout). Each authorizes as
//! its API route does (role `platform-admin` through the same [`Auth`] checks, then the
//! same use case), so anyone else hears the API's 403, in words.

use super::organiser::{cell, decimal, handle, once, principal, refused, table, when};
use super::{next_page, respond, shell, signed_in, ListCursor};
use crate::error::ApiError;
use crate::pages::text::console_org as t;
use crate::pages::viewer::{idempotency_field, Viewer};
use crate::platform::auth::Auth;
use crate::platform::request::change;
use crate::routes::campaign::admin_dto::{RollupView, SupportReportView};
use crate::routes::campaign::dto::GroupBuyView;
use crate::state::{blocking, AppState};
use crate::web::SessionCaller;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use groupbuy_domain::campaign::{RollupQuery, DEFAULT_STUCK_DRAFT_HOURS};
use groupbuy_domain::ledger::{Payout, PayoutDraft};
use groupbuy_domain::page::MAX_LIMIT;
use groupbuy_domain::principal::ROLE_PLATFORM_ADMIN;
use groupbuy_domain::Principal;
use maud::{html, Markup};
use std::collections::HashMap;
use time::Duration;
use uuid::Uuid;

/// Registers this section's pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/console/admin", web::get().to(rollup))
        .route("/console/admin/support", web::get().to(support))
        .route("/console/admin/payouts", web::get().to(payouts))
        .route("/console/admin/payouts", web::post().to(record_payout));
}

/// The signed-in platform admin (checked as the admin API routes check: the role, then
/// read access), or the answer instead.
fn admin(
    req: &HttpRequest,
    caller: Option<SessionCaller>,
) -> Result<(Viewer, Principal), Box<HttpResponse>> {
    let viewer = signed_in(req, caller)?;
    let auth = Auth(principal(&viewer));
    let checked = auth
        .require_role(ROLE_PLATFORM_ADMIN)
        .and_then(|_| auth.reader().map(|_| ()));
    match checked {
        Ok(()) => Ok((viewer, auth.0)),
        Err(e) => Err(Box::new(refused(&viewer, &e))),
    }
}

/// The admin pages' own navigation.
fn tabs() -> Markup {
    html! {
        nav class="console-tabs" aria-label=(t::ADMIN) {
            a href="/console/admin" { (t::COUNTS) } " · "
            a href="/console/admin/support" { (t::SUPPORT) } " · "
            a href="/console/admin/payouts" { (t::PAYOUTS) }
        }
    }
}

/// `GET /console/admin`: `GET /v2/platform-admin/group-buys` with its defaults.
async fn rollup(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
) -> HttpResponse {
    let (viewer, _) = match admin(&req, caller) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let query = RollupQuery {
        status: None,
        handle: None,
        stuck_draft_age: Duration::hours(DEFAULT_STUCK_DRAFT_HOURS),
        cursor: None,
        limit: MAX_LIMIT,
    };
    let (store, now) = (state.campaigns.clone(), state.clock.now());
    let r = match blocking(move || store.rollup(query, now)).await {
        Ok(r) => RollupView::new(r, DEFAULT_STUCK_DRAFT_HOURS),
        Err(e) => return refused(&viewer, &e),
    };
    let body = html! {
        (tabs())
        (table(
            Some(t::COUNTS),
            &[t::STATUS, t::COUNT],
            &r.counts_by_status.iter().map(|(s, n)| vec![cell(s), cell(n)]).collect::<Vec<_>>(),
        ))
        h2 { (t::stuck_drafts(r.stuck_draft_hours)) }
        (campaigns(&r.stuck_drafts))
        h2 { (t::PAST_CLOSE) }
        (campaigns(&r.past_close_still_open))
        h2 { (t::CAMPAIGNS) }
        (campaigns(&r.items))
    };
    respond(StatusCode::OK, shell(t::ADMIN, &viewer, body))
}

/// A table of campaigns as the rollup shows them.
fn campaigns(list: &[GroupBuyView]) -> Markup {
    html! {
        @if list.is_empty() {
            p { (t::NONE) }
        } @else {
            (table(
                None,
                &[t::TITLE, t::HANDLE, t::STATUS, t::PARTICIPANTS, t::QUANTITY, t::CLOSES],
                &list.iter().map(|c| vec![
                    cell(&c.title),
                    cell(&c.handle),
                    cell(&c.status),
                    cell(c.participants),
                    cell(c.quantity),
                    cell(&c.closes_at),
                ]).collect::<Vec<_>>(),
            ))
        }
    }
}

/// `GET /console/admin/support`: `GET /v2/platform-admin/support-reports` (newest
/// hundred; the API offers no state change of a report).
async fn support(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
    query: web::Query<ListCursor>,
) -> HttpResponse {
    let (viewer, _) = match admin(&req, caller) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let store = state.campaigns.clone();
    let cursor = query.into_inner().cursor;
    let (reports, next): (Vec<SupportReportView>, _) =
        match blocking(move || store.support_reports(cursor, MAX_LIMIT)).await {
            Ok(page) => (
                page.items.into_iter().map(Into::into).collect(),
                page.next_cursor,
            ),
            Err(e) => return refused(&viewer, &e),
        };
    let body = html! {
        (tabs())
        @if reports.is_empty() {
            p { (t::NONE) }
        } @else {
            (table(
                None,
                &[t::SUMMARY, t::HANDLE, t::REPORTER, t::WHEN, t::DETAILS],
                &reports.iter().map(|r| vec![
                    cell(&r.summary),
                    cell(r.handle.as_deref().unwrap_or("")),
                    cell(&r.reporter),
                    cell(&r.created_at),
                    cell(&r.details),
                ]).collect::<Vec<_>>(),
            ))
        }
        (next_page("/console/admin/support", "cursor", next.as_deref(), None))
    };
    respond(StatusCode::OK, shell(t::SUPPORT, &viewer, body))
}

/// `GET /console/admin/payouts[?shop=<id>]`: the payout form, and the shop's balance and
/// statement (the ledger's `balance` and `statement` use cases, as a platform admin).
async fn payouts(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
) -> HttpResponse {
    let (viewer, p) = match admin(&req, caller) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let query = web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default();
    let shop = query
        .get("shop")
        .and_then(|s| Uuid::parse_str(s.trim()).ok());
    let statement = match shop {
        None => None,
        Some(shop) => {
            let store = state.ledger.clone();
            let read = blocking(move || {
                let balance = store.balance(&p, shop)?;
                let lines = store.statement(&p, shop, None, MAX_LIMIT)?;
                Ok::<_, groupbuy_domain::DomainError>((balance, lines.items))
            })
            .await;
            match read {
                Ok(s) => Some(s),
                Err(e) => return refused(&viewer, &e),
            }
        }
    };
    let shop_text = shop.map(|s| s.to_string()).unwrap_or_default();
    let body = html! {
        (tabs())
        p { (t::PAYOUTS_INTRO) }
        form method="get" action="/console/admin/payouts" {
            p { label for="show-shop" { (t::SHOP_ID) } input id="show-shop" name="shop" value=(shop_text) required; }
            button type="submit" { (t::SHOW_SHOP) }
        }
        form method="post" action="/console/admin/payouts" {
            h2 { (t::RECORD_PAYOUT) }
            (viewer.csrf_field())
            (idempotency_field())
            p { label for="payout-shop" { (t::SHOP_ID) } input id="payout-shop" name="shop" value=(shop_text) required; }
            p { label for="payout-amount" { (t::PAYOUT_AMOUNT) } input id="payout-amount" name="amount" inputmode="decimal" required; }
            p { label for="payout-currency" { (t::PAYOUT_CURRENCY) } input id="payout-currency" name="currency"; }
            p { label for="payout-reference" { (t::PAYOUT_REFERENCE) } input id="payout-reference" name="reference" required; }
            button type="submit" { (t::RECORD_PAYOUT) }
        }
        @if let Some((balance, lines)) = &statement {
            h2 { (t::BALANCE) }
            ul {
                @for b in &balance.balances { li { (b.available.display_grouped()) } }
            }
            (table(
                Some(t::STATEMENT),
                &[t::WHEN, t::KIND, t::AMOUNT, t::BALANCE_AFTER, t::REFERENCE],
                &lines.iter().map(|l| vec![
                    cell(when(l.created_at)),
                    cell(l.kind.as_str()),
                    cell(l.amount.display_grouped()),
                    cell(l.balance_after.display_grouped()),
                    cell(&l.reference),
                ]).collect::<Vec<_>>(),
            ))
        }
    };
    respond(StatusCode::OK, shell(t::PAYOUTS, &viewer, body))
}

/// `POST /console/admin/payouts`: `POST /api/v1/platform-admin/shops/{shopId}/payouts`,
/// once per form; back to the shop's statement.
async fn record_payout(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let (state, form) = (&state, &*form);
    let field = |name: &str| form.get(name).map_or("", String::as_str);
    handle(
        &req,
        caller,
        form,
        "/console/admin/payouts",
        |p| async move {
            let auth = Auth(p);
            let caller = auth.writer()?.clone();
            auth.require_role(ROLE_PLATFORM_ADMIN)?;
            let shop = Uuid::parse_str(field("shop").trim())
                .map_err(|_| ApiError::invalid_field("shop", t::SHOP_ID_INVALID))?;
            let currency = Some(field("currency").trim()).filter(|c| !c.is_empty());
            let amount = decimal("amount", field("amount"))?;
            let draft = PayoutDraft::parse(amount, currency, field("reference"))?;
            let ctx = change(format!("user:{}", caller.user_id), state.clock.now());
            let store = state.ledger.clone();
            let record = move |answer| store.record_payout(shop, draft, &ctx, answer);
            let shown = move |_: &Payout| format!("/console/admin/payouts?shop={shop}");
            once(
                state,
                &caller,
                "/console/admin/payouts",
                form,
                record,
                shown,
            )
            .await
        },
    )
    .await
}
