//! The organiser's forms: start a pool, commit an organisation, issue the RFQ, allocate,
//! settle. Each is a POST with the session's CSRF token and its own idempotency key,
//! parsed as the API route parses its body and run through the same use case once
//! ([`super::once::once`]); the answer is a 303 to the pool's page, a refusal a page in
//! words with the API's status.

use super::once::once;
use super::{decimal, optional, refused, utc_instant, whole};
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
use groupbuy_domain::procurement::{
    acting_org, require_scope, require_write, CommitRequest, GroupBuyDraft, GroupBuyFields,
    GroupBuyId, InvitedVendor, RfqDraft, SCOPE_PROCUREMENT_WRITE,
};
use groupbuy_domain::{DomainError, Principal};
use maud::{html, Markup};
use std::collections::HashMap;

/// A posted form's fields by name.
type Fields = web::Form<HashMap<String, String>>;

/// A field's value ("" when absent: the parse then says what is wrong).
fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map_or("", String::as_str)
}

/// The signed-in viewer of a form whose CSRF token matches, or the answer instead: the
/// sign-in redirect, or 403 in words.
pub(in crate::pages::console) fn posted(
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

/// The answer to a form: 303 to where its effect is shown, or the refusal's page.
fn answer(viewer: &Viewer, done: Result<String, ApiError>) -> HttpResponse {
    match done {
        Ok(location) => HttpResponse::SeeOther()
            .insert_header(("Location", location))
            .insert_header(("Cache-Control", "no-store"))
            .finish(),
        Err(e) => refused(viewer, &e),
    }
}

/// The form's fields that make two submissions the same request (not the CSRF token).
fn fingerprint<'a>(path: &'a str, form: &'a HashMap<String, String>) -> Vec<(&'a str, &'a str)> {
    let mut fields: Vec<(&str, &str)> = form
        .iter()
        .filter(|(k, _)| k.as_str() != "csrf")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    fields.sort_unstable();
    fields.insert(0, ("path", path));
    fields
}

/// `POST /console/pools`: the organiser's `POST /groupbuy`.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
    form: Fields,
) -> HttpResponse {
    let (viewer, p) = match posted(&req, caller, &form) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let done = async {
        require_write(&p).map_err(DomainError::from)?;
        let now = state.clock.now();
        let item = ItemBody {
            sku: field(&form, "sku").trim().to_owned(),
            name: field(&form, "item_name").trim().to_owned(),
            unit: field(&form, "unit").trim().to_owned(),
            quantity_per_unit: None,
            unit_code: None,
        };
        let draft = GroupBuyDraft::parse(
            GroupBuyFields {
                title: field(&form, "title").to_owned(),
                description: None,
                items: vec![item.into()],
                target_quantity: whole("target_quantity", field(&form, "target_quantity"))?,
                min_commitment: whole("min_commitment", field(&form, "min_commitment"))?,
                deadline: instant(&utc_instant(field(&form, "deadline")), "deadline")?,
                currency: optional(form.get("currency")),
                rules: serde_json::Value::Null,
            },
            now,
        )?;
        let ctx = context(&p, now);
        let store = state.procurement.clone();
        let caller = p.clone();
        once(
            &state,
            &p,
            field(&form, "idempotency_key"),
            &fingerprint("/console/pools", &form),
            move |answer| store.create(&caller, draft, &ctx, answer),
            |g| format!("/console/pools/{}", g.id),
        )
        .await
    };
    answer(&viewer, done.await)
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
    let (viewer, p) = match posted(&req, caller, &form) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let done = async {
        require_write(&p).map_err(DomainError::from)?;
        let id = pool(&path)?;
        let request = CommitRequest {
            quantity: whole("quantity", field(&form, "quantity"))?,
            price_ceiling: decimal("price_ceiling", field(&form, "price_ceiling"))?,
            purchase_order_ref: optional(form.get("purchase_order_ref")),
        };
        let ctx = context(&p, state.clock.now());
        let (store, caller) = (state.procurement.clone(), p.clone());
        let here = format!("/console/pools/{id}");
        once(
            &state,
            &p,
            field(&form, "idempotency_key"),
            &fingerprint(&here, &form),
            move |answer| store.commit(&caller, &id, request, None, &ctx, answer),
            move |_| format!("/console/pools/{id}#commitments"),
        )
        .await
    };
    answer(&viewer, done.await)
}

/// `POST /console/pools/{id}/rfq`: `POST /groupbuy/{id}/rfq` (vendors one a line: the
/// vendor's id, then its name).
pub async fn open_rfq(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
    path: web::Path<String>,
    form: Fields,
) -> HttpResponse {
    let (viewer, p) = match posted(&req, caller, &form) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let done = async {
        require_scope(&p, SCOPE_PROCUREMENT_WRITE).map_err(DomainError::from)?;
        acting_org(&p).map_err(DomainError::from)?;
        let id = pool(&path)?;
        let now = state.clock.now();
        let vendors = field(&form, "vendors")
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
            .collect();
        let due = instant(&utc_instant(field(&form, "due_date")), "due_date")?;
        let draft = RfqDraft::parse(vendors, due, now)?;
        let ctx = context(&p, now);
        let (store, caller) = (state.sourcing.clone(), p.clone());
        let here = format!("/console/pools/{id}");
        once(
            &state,
            &p,
            field(&form, "idempotency_key"),
            &fingerprint(&here, &form),
            move |answer| store.enqueue_rfq(&caller, &id, draft, None, &ctx, answer),
            move |_| format!("/console/pools/{id}?pending=rfq#responses"),
        )
        .await
    };
    answer(&viewer, done.await)
}

/// `POST /console/pools/{id}/allocate`: `POST /groupbuy/{id}/allocate`.
pub async fn allocate(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
    path: web::Path<String>,
    form: Fields,
) -> HttpResponse {
    let (viewer, p) = match posted(&req, caller, &form) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let done = async {
        require_write(&p).map_err(DomainError::from)?;
        let id = pool(&path)?;
        let ctx = context(&p, state.clock.now());
        let (store, caller) = (state.sourcing.clone(), p.clone());
        let here = format!("/console/pools/{id}/allocate");
        once(
            &state,
            &p,
            field(&form, "idempotency_key"),
            &fingerprint(&here, &form),
            move |answer| store.enqueue_allocation(&caller, &id, &ctx, answer),
            move |_| format!("/console/pools/{id}?pending=allocation#allocation"),
        )
        .await
    };
    answer(&viewer, done.await)
}

/// `POST /console/pools/{id}/settle`: `POST /groupbuy/{id}/settle`.
pub async fn settle(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Option<SessionCaller>,
    path: web::Path<String>,
    form: Fields,
) -> HttpResponse {
    let (viewer, p) = match posted(&req, caller, &form) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let done = async {
        require_write(&p).map_err(DomainError::from)?;
        let id = pool(&path)?;
        let ctx = context(&p, state.clock.now());
        let (store, caller) = (state.sourcing.clone(), p.clone());
        let here = format!("/console/pools/{id}/settle");
        once(
            &state,
            &p,
            field(&form, "idempotency_key"),
            &fingerprint(&here, &form),
            move |answer| store.settle(&caller, &id, &ctx, answer),
            move |_| format!("/console/pools/{id}#settlement"),
        )
        .await
    };
    answer(&viewer, done.await)
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
