//! The forms of a public campaign page (`/c/{handle}/{slug}`): "I'm interested" (quantity
//! and note) and its withdrawal, for signed-in people (their web session) and anonymous
//! visitors (the signed `gb_visitor` cookie of `/v2/public`), through the same use cases
//! and under the same rate limit as `/v2/public/.../my-interest`; and, once a pre-order
//! campaign has closed, the signed-in pledger's pre-order ([`super::preorder`]).
//!
//! CSRF: a signed-in person's forms carry the session's token. An anonymous visitor has no
//! session, so the form carries a token derived from the visitor cookie: an HMAC of the
//! visitor's id under the server's cookie key. Another site can neither read the cookie
//! (HttpOnly) nor compute the HMAC, so it cannot forge a form that passes; a POST without
//! the cookie, or with a token of another visitor, is a 403.

use super::campaign::show;
use super::text::join as words;
use super::viewer::Viewer;
use crate::error::ApiError;
use crate::platform::request::change;
use crate::routes::campaign::Visitor;
use crate::state::{blocking, AppState};
use crate::web::{SessionCaller, SignInRefusal};
use actix_web::{web, HttpRequest, HttpResponse};
use groupbuy_domain::campaign::{
    GroupBuy, GroupBuyStatus, Handle, Interest, InterestRequest, Preorder, Slug,
};
use groupbuy_domain::DomainError;
use hmac::{Hmac, Mac};
use maud::{html, Markup};
use serde::Deserialize;
use sha2::Sha256;

/// Registers the forms.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/c/{handle}/{slug}/interest", web::post().to(register))
        .route(
            "/c/{handle}/{slug}/interest/withdraw",
            web::post().to(withdraw),
        )
        .route(
            "/c/{handle}/{slug}/preorder/pay",
            web::post().to(super::preorder::pay),
        );
}

/// What the interest and pay forms submit.
#[derive(Debug, Default, Deserialize)]
pub struct InterestForm {
    /// The session's CSRF token, or the anonymous visitor's.
    pub csrf: Option<String>,
    /// Units wanted, as typed.
    pub quantity: Option<String>,
    /// The note, as typed.
    pub note: Option<String>,
    /// The pay form's idempotency key.
    pub idempotency_key: Option<String>,
}

/// The interest section's state: what the form shows, the last refusal, the notice after
/// a redirect.
#[derive(Debug, Default)]
pub struct InterestShown {
    /// Quantity and note typed into a refused form.
    typed: Option<(String, String)>,
    refusal: Option<&'static str>,
    notice: Option<&'static str>,
}

impl InterestShown {
    /// The state after a redirect: `?interest=saved|withdrawn`, `?paid=1`.
    pub fn after(query: &str) -> Self {
        let notice = url::form_urlencoded::parse(query.as_bytes()).find_map(|(k, v)| {
            match (k.as_ref(), v.as_ref()) {
                ("interest", "saved") => Some(words::INTEREST_SAVED),
                ("interest", "withdrawn") => Some(words::INTEREST_WITHDRAWN),
                ("paid", _) => Some(words::PREORDER_PAID),
                _ => None,
            }
        });
        Self {
            notice,
            ..Self::default()
        }
    }

    fn refused(form: &InterestForm, error: &ApiError) -> Self {
        Self {
            typed: Some((
                form.quantity.clone().unwrap_or_default(),
                form.note.clone().unwrap_or_default(),
            )),
            refusal: Some(words::interest_refusal(error.kind())),
            notice: None,
        }
    }
}

/// Who fills the forms: the visitor (the session's user, else the cookie's) and the
/// anonymous visitor's form token.
pub struct Who {
    visitor: Visitor,
    token: String,
}

impl Who {
    /// The viewer of `req` as a visitor of the campaign forms.
    ///
    /// # Errors
    /// 500 when the application state is missing.
    pub fn of(req: &HttpRequest, state: &AppState, viewer: &Viewer) -> Result<Self, ApiError> {
        Self::for_caller(req, state, viewer.caller.as_ref())
    }

    /// The session's user when signed in, else the cookie's visitor (or a new one).
    fn for_caller(
        req: &HttpRequest,
        state: &AppState,
        caller: Option<&SessionCaller>,
    ) -> Result<Self, ApiError> {
        let user = caller.map(|c| c.principal().user_id);
        let visitor = Visitor::of(req, user.as_deref())?;
        let token = visitor_token(state.jwt.visitor_key(), visitor.id.as_str());
        Ok(Self { visitor, token })
    }

    /// Sets the visitor cookie on a page that gave a new visitor its form, and keeps the
    /// page (which holds this visitor's form token) out of shared caches.
    pub fn remember(&self, mut res: HttpResponse) -> HttpResponse {
        res.headers_mut().insert(
            actix_web::http::header::CACHE_CONTROL,
            actix_web::http::header::HeaderValue::from_static("private, no-store"),
        );
        self.visitor.remember(res)
    }

    /// 403 unless the form carries the session's token (signed in) or this visitor's
    /// (anonymous, with the cookie the form was rendered for).
    fn check(&self, caller: Option<&SessionCaller>, token: Option<&str>) -> Result<(), ApiError> {
        match caller {
            Some(caller) => caller.check_csrf(token),
            None if !self.visitor.is_new() && token == Some(self.token.as_str()) => Ok(()),
            None => Err(SignInRefusal::Csrf.into()),
        }
    }

    fn csrf_field(&self, viewer: &Viewer) -> Markup {
        match viewer.caller {
            Some(_) => viewer.csrf_field(),
            None => html! { input type="hidden" name="csrf" value=(self.token); },
        }
    }
}

/// The anonymous form token of visitor `id`: HMAC-SHA256 under the cookie key.
fn visitor_token(key: &actix_web::cookie::Key, id: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.signing()) else {
        return String::new();
    };
    mac.update(b"groupbuy interest form\0");
    mac.update(id.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The section under the campaign's progress: the notice, the visitor's interest with
/// its update and withdraw forms (or the register form), and the pledger's pre-order.
///
/// # Errors
/// Storage failures.
pub async fn section(
    state: &AppState,
    viewer: &Viewer,
    who: &Who,
    g: &GroupBuy,
    shown: &InterestShown,
) -> Result<Markup, ApiError> {
    let (mine, preorder) = load(state, who, g).await?;
    let base = format!("/c/{}/{}", g.handle, g.slug);
    let (quantity, note) = match (&shown.typed, &mine) {
        (Some((q, n)), _) => (q.clone(), n.clone()),
        (None, Some(i)) => (i.quantity.to_string(), i.note.clone().unwrap_or_default()),
        (None, None) => ("1".to_owned(), String::new()),
    };
    let open = g.status == GroupBuyStatus::Published;
    Ok(html! {
        section class="interest" aria-labelledby="interest-heading" {
            h2 id="interest-heading" { (words::INTEREST_HEADING) }
            @if let Some(notice) = shown.notice {
                p class="notice" role="status" { (notice) }
            }
            (super::join::refusal_box(shown.refusal))
            @if let Some(i) = &mine {
                p { (words::registered(i.quantity)) }
            }
            @if open {
                form method="post" action={ (base) "/interest" } {
                    (who.csrf_field(viewer))
                    label for="interest-quantity" { (words::INTEREST_QUANTITY) }
                    input id="interest-quantity" type="number" name="quantity" min="1"
                        value=(quantity) required;
                    label for="interest-note" { (words::INTEREST_NOTE) }
                    textarea id="interest-note" name="note" maxlength="1000" { (note) }
                    button type="submit" {
                        @if mine.is_some() { (words::INTEREST_UPDATE) } @else { (words::INTEREST_BUTTON) }
                    }
                }
            } @else {
                p { (words::INTEREST_CLOSED) }
            }
            @if mine.is_some() && g.status != GroupBuyStatus::Closed {
                form method="post" action={ (base) "/interest/withdraw" } {
                    (who.csrf_field(viewer))
                    button type="submit" { (words::WITHDRAW_BUTTON) }
                }
            }
        }
        @if let Some(p) = &preorder {
            (super::preorder::section(viewer, p, &base, state.clock.now()))
        } @else if g.preorder.is_some() && g.status == GroupBuyStatus::Closed && viewer.caller.is_none() {
            p {
                (words::SIGN_IN_FOR_PREORDER) " "
                a href=(viewer.sign_in_url()) { (words::SIGN_IN_LINK) }
            }
        }
    })
}

/// The visitor's interest and, for a closed pre-order campaign, the signed-in pledger's
/// pre-order (what `GET .../my-interest` reads).
async fn load(
    state: &AppState,
    who: &Who,
    g: &GroupBuy,
) -> Result<(Option<Interest>, Option<Preorder>), ApiError> {
    let (store, preorders) = (state.campaigns.clone(), state.preorders.clone());
    let (handle, slug, id) = (g.handle.clone(), g.slug.clone(), who.visitor.id.clone());
    let closed_preorder = g.preorder.is_some() && g.status == GroupBuyStatus::Closed;
    blocking(move || {
        let mine = match store.my_interest(&handle, &slug, &id) {
            Ok(i) => Some(i),
            Err(DomainError::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        let preorder = match id.user_id() {
            Some(user) if closed_preorder => preorders.my_preorder(&handle, &slug, user)?,
            _ => None,
        };
        Ok((mine, preorder))
    })
    .await
}

/// The handle and slug of a form's path; `None` (a 404 page) when they cannot exist.
pub(super) fn parsed(path: &(String, String)) -> Option<(Handle, Slug)> {
    Some((Handle::parse(&path.0).ok()?, Slug::parse(&path.1).ok()?))
}

/// A 303 back to the campaign page with `query`.
pub(super) fn back(path: &(String, String), query: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", format!("/c/{}/{}?{query}", path.0, path.1)))
        .finish()
}

/// `POST /c/{handle}/{slug}/interest`: registers or updates the visitor's interest
/// (`put_interest`, as `PUT .../my-interest`): one interest per visitor however often
/// the form is sent.
async fn register(
    req: HttpRequest,
    caller: Option<SessionCaller>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<InterestForm>,
) -> Result<HttpResponse, ApiError> {
    let path = path.into_inner();
    let outcome = async {
        let (handle, slug) = parsed(&path).ok_or_else(|| ApiError::not_found("Not found"))?;
        let who = Who::for_caller(&req, &state, caller.as_ref())?;
        who.check(caller.as_ref(), form.csrf.as_deref())?;
        let quantity = match form.quantity.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(q) => Some(q.parse::<i64>().map_err(|_| {
                ApiError::invalid_field("quantity", "quantity must be a whole number")
            })?),
        };
        let request = InterestRequest::parse(quantity, form.note.clone())?;
        let ctx = change(who.visitor.id.as_str().to_owned(), state.clock.now());
        let (store, id) = (state.campaigns.clone(), who.visitor.id.clone());
        blocking(move || store.put_interest(&handle, &slug, &id, request, &ctx)).await?;
        Ok::<_, ApiError>(who)
    }
    .await;
    match outcome {
        Ok(who) => Ok(who.remember(back(&path, "interest=saved"))),
        Err(e) => refuse(&req, caller, &state, &path, &form, e).await,
    }
}

/// `POST /c/{handle}/{slug}/interest/withdraw`: withdraws the visitor's interest
/// (`remove_interest`, as `DELETE .../my-interest`; also when there is none).
async fn withdraw(
    req: HttpRequest,
    caller: Option<SessionCaller>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<InterestForm>,
) -> Result<HttpResponse, ApiError> {
    let path = path.into_inner();
    let outcome = async {
        let (handle, slug) = parsed(&path).ok_or_else(|| ApiError::not_found("Not found"))?;
        let who = Who::for_caller(&req, &state, caller.as_ref())?;
        who.check(caller.as_ref(), form.csrf.as_deref())?;
        let ctx = change(who.visitor.id.as_str().to_owned(), state.clock.now());
        let (store, id) = (state.campaigns.clone(), who.visitor.id.clone());
        blocking(move || store.remove_interest(&handle, &slug, &id, &ctx)).await?;
        Ok::<_, ApiError>(())
    }
    .await;
    match outcome {
        Ok(()) => Ok(back(&path, "interest=withdrawn")),
        Err(e) => refuse(&req, caller, &state, &path, &form, e).await,
    }
}

/// The page again with the refusal `e` (what was typed kept), answered with its status.
pub(super) async fn refuse(
    req: &HttpRequest,
    caller: Option<SessionCaller>,
    state: &AppState,
    path: &(String, String),
    form: &InterestForm,
    e: ApiError,
) -> Result<HttpResponse, ApiError> {
    let status = e.status();
    show(
        req,
        caller,
        state,
        path,
        status,
        InterestShown::refused(form, &e),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_visitor_token_is_tied_to_the_visitor_and_the_key() {
        let key = actix_web::cookie::Key::from(&[7u8; 64]);
        let other = actix_web::cookie::Key::from(&[8u8; 64]);
        let a = visitor_token(&key, "visitor:a");
        assert_eq!(a, visitor_token(&key, "visitor:a"));
        assert_ne!(a, visitor_token(&key, "visitor:b"));
        assert_ne!(a, visitor_token(&other, "visitor:a"));
        assert_eq!(a.len(), 64);
    }
}
