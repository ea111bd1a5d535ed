//! The organiser's forms: start a pool, commit an organisation, issue the RFQ, allocate,
//! settle. Each is a POST with the session's CSRF token and its own idempotency key,
//! parsed as the API route parses its body and run through the same use case once
//! ([`super::once::once`]); the answer is a 303 to the pool's page, a refusal a page in
//! words with the API's status.

use super::once::once;
use super::{decimal, optional, refused, refused_back, utc_instant, whole};
use crate::error::ApiError;
use crate::pages::console::signed_in;
use crate::pages::text::console_org as t;
use crate::pages::viewer::{idempotency_field, Viewer};
use crate::platform::extract::instant;
use crate::routes::procurement::context;
use crate::routes::procurement::dto::ItemBody;
use crate::state::AppState;
use crate::web::SessionCaller;
use actix_web::{web, HttpRequest, HttpResponse};
use groupbuy_domain::platform::Answer;
use groupbuy_domain::platform::ChangeContext;
use groupbuy_domain::procurement::{
    acting_org, require_scope, require_write, CommitOutcome, CommitRequest, GroupBuy,
    GroupBuyDraft, GroupBuyFields, GroupBuyId, InvitedVendor, Job, ProcurementStore, RfqDraft,
    SourcingStore, SCOPE_PROCUREMENT_WRITE,
};
use groupbuy_domain::{DomainError, Principal};
use maud::{html, Markup};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

/// A posted form's fields by name.
type Fields = web::Form<HashMap<String, String>>;

/// A field's value ("" when absent: the parse then says what is wrong).
fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map_or("", String::as_str)
}

/// The signed-in viewer of a form whose CSRF token matches, or the answer instead: the
/// sign-in redirect, or 403 in words.
fn posted(
    req: &HttpRequest,
    caller: Option<SessionCaller>,
    form: &HashMap<String, String>,
) -> Result<(Viewer, Principal), Box<HttpResponse>> {
    let viewer = signed_in(req, caller)?;
    let checked = viewer
        .caller
        .as_ref()
        .map(|c| c.check_csrf(form.get("csrf").map(String::as_str)));
    if let Some(Err(e)) = checked {
        return Err(Box::new(refused(&viewer, &e)));
    }
    let p = super::principal(&viewer);
    Ok((viewer, p))
}

/// Answers a form of the page `back`: checks the session and its CSRF token
/// ([`posted`]), runs `go` with the principal, and sends the browser where `go` says
/// (303) or shows its refusal, linking back to `back`.
pub(in crate::pages::console) async fn handle<F, Fut>(
    req: &HttpRequest,
    caller: Option<SessionCaller>,
    form: &HashMap<String, String>,
    back: &str,
    go: F,
) -> HttpResponse
where
    F: FnOnce(Principal) -> Fut,
    Fut: Future<Output = Result<String, ApiError>>,
{
    let (viewer, p) = match posted(req, caller, form) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    match go(p).await {
        Ok(location) => HttpResponse::SeeOther()
            .insert_header(("Location", location))
            .insert_header(("Cache-Control", "no-store"))
            .finish(),
        Err(e) => refused_back(&viewer, &e, back),
    }
}

/// `POST /console/pools`: the organiser's `POST /groupbuy`.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
    form: Fields,
) -> HttpResponse {
    let (state, form) = (&state, &*form);
    handle(&req, caller, form, "/console/pools", |p| async move {
        require_write(&p).map_err(DomainError::from)?;
        let now = state.clock.now();
        let item = ItemBody {
            sku: field(form, "sku").trim().to_owned(),
            name: field(form, "item_name").trim().to_owned(),
            unit: field(form, "unit").trim().to_owned(),
            quantity_per_unit: None,
            unit_code: None,
        };
        let draft = GroupBuyDraft::parse(
            GroupBuyFields {
                title: field(form, "title").to_owned(),
                description: None,
                items: vec![item.into()],
                target_quantity: whole("target_quantity", field(form, "target_quantity"))?,
                min_commitment: whole("min_commitment", field(form, "min_commitment"))?,
                deadline: instant(&utc_instant(field(form, "deadline")), "deadline")?,
                currency: optional(form.get("currency")),
                rules: serde_json::Value::Null,
            },
            now,
        )?;
        let ctx = context(&p, now);
        let (store, caller) = (state.procurement.clone(), p.clone());
        let create = move |answer| store.create(&caller, draft, &ctx, answer);
        let shown = |g: &GroupBuy| format!("/console/pools/{}", g.id);
        once(state, &p, "/console/pools", form, create, shown).await
    })
    .await
}

/// The pool's id from the path, or the 404 the API gives an id that cannot exist.
fn pool(raw: &str) -> Result<GroupBuyId, ApiError> {
    GroupBuyId::parse(raw).map_err(|r| DomainError::from(r).into())
}

/// `POST /console/pools/{id}/commit`: `POST /groupbuy/{id}/commit`.
pub async fn commit(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
    path: web::Path<String>,
    form: Fields,
) -> HttpResponse {
    let (state, form) = (&state, &*form);
    let back = format!("/console/pools/{path}");
    handle(&req, caller, form, &back, |p| async move {
        require_write(&p).map_err(DomainError::from)?;
        let id = pool(&path)?;
        let request = CommitRequest {
            quantity: whole("quantity", field(form, "quantity"))?,
            price_ceiling: decimal("price_ceiling", field(form, "price_ceiling"))?,
            purchase_order_ref: optional(form.get("purchase_order_ref")),
        };
        let ctx = context(&p, state.clock.now());
        let (store, caller) = (state.procurement.clone(), p.clone());
        let commit = move |answer| store.commit(&caller, &id, request, None, &ctx, answer);
        let shown = move |_: &CommitOutcome| format!("/console/pools/{id}#commitments");
        let here = format!("/console/pools/{id}/commit");
        once(state, &p, &here, form, commit, shown).await
    })
    .await
}

/// The vendors typed in the RFQ form, one a line: the vendor's id, then its name.
fn vendors(typed: &str) -> Vec<InvitedVendor> {
    typed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (id, name) = l.split_once([' ', ',']).unwrap_or((l, l));
            InvitedVendor {
                vendor_id: id.trim().to_owned(),
                name: name.trim_matches([' ', ',']).to_owned(),
                contact: None,
            }
        })
        .collect()
}

/// `POST /console/pools/{id}/rfq`: `POST /groupbuy/{id}/rfq`.
pub async fn open_rfq(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
    path: web::Path<String>,
    form: Fields,
) -> HttpResponse {
    let (state, form) = (&state, &*form);
    let back = format!("/console/pools/{path}");
    handle(&req, caller, form, &back, |p| async move {
        require_scope(&p, SCOPE_PROCUREMENT_WRITE).map_err(DomainError::from)?;
        acting_org(&p).map_err(DomainError::from)?;
        let id = pool(&path)?;
        let now = state.clock.now();
        let due = instant(&utc_instant(field(form, "due_date")), "due_date")?;
        let draft = RfqDraft::parse(vendors(field(form, "vendors")), due, now)?;
        let ctx = context(&p, now);
        let (store, caller) = (state.sourcing.clone(), p.clone());
        let open = move |answer| store.enqueue_rfq(&caller, &id, draft, None, &ctx, answer);
        let shown = move |_: &Job| format!("/console/pools/{id}?pending=rfq#responses");
        let here = format!("/console/pools/{id}/rfq");
        once(state, &p, &here, form, open, shown).await
    })
    .await
}

/// `POST /console/pools/{id}/{step}`: the organiser's one-button steps, `allocate`
/// (`POST /groupbuy/{id}/allocate`, a job), `settle` (`POST /groupbuy/{id}/settle`) and
/// `cancel` (`POST /groupbuy/{id}/cancel`), and a member's `withdraw`
/// (`DELETE /groupbuy/{id}/commit`); any other step is not found.
pub async fn step(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
    path: web::Path<(String, String)>,
    form: Fields,
) -> HttpResponse {
    let (raw_id, step) = path.into_inner();
    let (req, state, id, form) = (&req, &state, raw_id.as_str(), &*form);
    match step.as_str() {
        "allocate" => {
            let at = ("allocate", "?pending=allocation#allocation");
            button(req, state, caller, id, form, at, |s, p, id, ctx, a| {
                s.sourcing.enqueue_allocation(&p, &id, &ctx, a)
            })
            .await
        }
        "settle" => {
            let at = ("settle", "#settlement");
            button(req, state, caller, id, form, at, |s, p, id, ctx, a| {
                s.sourcing.settle(&p, &id, &ctx, a)
            })
            .await
        }
        "cancel" => {
            button(
                req,
                state,
                caller,
                id,
                form,
                ("cancel", ""),
                |s, p, id, ctx, a| s.pools.cancel(&p, &id, None, &ctx, a),
            )
            .await
        }
        "withdraw" => {
            let at = ("withdraw", "#commitments");
            button(req, state, caller, id, form, at, |s, p, id, ctx, a| {
                s.pools.withdraw(&p, &id, None, &ctx, a)
            })
            .await
        }
        _ => match signed_in(req, caller) {
            Ok(viewer) => super::not_found(&viewer),
            Err(redirect) => *redirect,
        },
    }
}

/// The use cases a button step calls.
struct Stores {
    pools: Arc<dyn ProcurementStore>,
    sourcing: Arc<dyn SourcingStore>,
}

/// A step of the pool `raw_id` that is only a button (`step`: its path segment and where
/// on the pool page its effect shows), authorized as its API route (`groupbuy:write`,
/// then the use case `run`), once.
async fn button<T, R>(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    caller: Option<SessionCaller>,
    raw_id: &str,
    form: &HashMap<String, String>,
    (name, shown_at): (&'static str, &'static str),
    run: R,
) -> HttpResponse
where
    T: Send + 'static,
    R: FnOnce(Stores, Principal, GroupBuyId, ChangeContext, Answer<T>) -> Result<T, DomainError>
        + Send
        + 'static,
{
    let back = format!("/console/pools/{raw_id}");
    handle(req, caller, form, &back, |p| async move {
        require_write(&p).map_err(DomainError::from)?;
        let id = pool(raw_id)?;
        let ctx = context(&p, state.clock.now());
        let stores = Stores {
            pools: state.procurement.clone(),
            sourcing: state.sourcing.clone(),
        };
        let caller = p.clone();
        let shown = move |_: &T| format!("/console/pools/{id}{shown_at}");
        let here = format!("/console/pools/{id}/{name}");
        once(
            state,
            &p,
            &here,
            form,
            move |a| run(stores, caller, id, ctx, a),
            shown,
        )
        .await
    })
    .await
}

/// The commit form of a pool page (`base` the pool's console path).
pub fn commit_form(viewer: &Viewer, base: &str) -> Markup {
    html! {
        form method="post" action=(format!("{base}/commit")) {
            h3 { (t::COMMIT_TITLE) }
            (viewer.csrf_field())
            (idempotency_field())
            p { label for="commit-qty" { (t::QUANTITY) } input id="commit-qty" name="quantity" type="number" min="1" required; }
            p { label for="commit-ceiling" { (t::CEILING) } input id="commit-ceiling" name="price_ceiling" inputmode="decimal" required; }
            p { label for="commit-po" { (t::PO_OPTIONAL) } input id="commit-po" name="purchase_order_ref"; }
            button type="submit" { (t::COMMIT) }
        }
    }
}

/// The issue-RFQ form of a pool page.
pub fn rfq_form(viewer: &Viewer, base: &str, due: &str) -> Markup {
    html! {
        form method="post" action=(format!("{base}/rfq")) {
            h3 { (t::RFQ_TITLE) }
            (viewer.csrf_field())
            (idempotency_field())
            p { label for="rfq-vendors" { (t::VENDORS_FIELD) } textarea id="rfq-vendors" name="vendors" rows="4" required {} }
            p { label for="rfq-due" { (t::DUE_UTC) } input id="rfq-due" name="due_date" type="datetime-local" value=(due) required; }
            button type="submit" { (t::ISSUE_RFQ) }
        }
    }
}

/// A form that is only a button (allocate, settle) posting to `action`.
pub fn button_form(viewer: &Viewer, action: &str, label: &str) -> Markup {
    html! {
        form method="post" action=(action) {
            (viewer.csrf_field())
            (idempotency_field())
            button type="submit" { (label) }
        }
    }
}
