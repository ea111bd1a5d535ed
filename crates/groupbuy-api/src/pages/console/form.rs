//! What every console page and form shares: the signed-in check of a form (session, CSRF),
//! refusals as pages in words with the API's status, the flash message after a redirect,
//! and "exactly once" for create forms (the form's idempotency key, stored in the same
//! records and the same transaction as the API's Idempotency-Key).

use super::super::text::console_merchant as t;
use super::super::viewer::Viewer;
use super::{respond, shell, signed_in};
use crate::error::ApiError;
use crate::platform::auth::Auth;
use crate::platform::idempotency::{run_once, KeyedRequest, Ran};
use crate::state::AppState;
use crate::web::SessionCaller;
use actix_web::dev::Payload;
use actix_web::error::InternalError;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use futures_util::future::LocalBoxFuture;
use groupbuy_domain::platform::{Answer, StoredResponse};
use groupbuy_domain::DomainError;
use maud::{html, Markup};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::future::Future;
use std::str::FromStr;

/// A page handler's outcome: the page, or the answer that replaces it (a redirect to sign
/// in, a refusal page). Both are responses; [`page`] unwraps either.
pub type Outcome = Result<HttpResponse, Refused>;

/// The answer that replaces a page (boxed: it is large beside the page it replaces).
pub type Refused = Box<HttpResponse>;

/// Runs a page handler written with `?` over [`Outcome`].
pub async fn page(f: impl Future<Output = Outcome>) -> HttpResponse {
    f.await.unwrap_or_else(|r| *r)
}

/// The signed-in viewer of a page, as the API's [`Auth`] (same claims, same rules).
pub fn viewer(req: &HttpRequest, caller: Option<SessionCaller>) -> Result<(Viewer, Auth), Refused> {
    let viewer = signed_in(req, caller)?;
    let principal = viewer.caller.as_ref().map(SessionCaller::principal);
    match principal {
        Some(p) => Ok((viewer, Auth(p))),
        None => Err(Box::new(HttpResponse::InternalServerError().finish())),
    }
}

/// A form sent by the signed-in person, its CSRF token checked, its other fields `F`: the
/// extractor of every console POST. Signed out, it answers the redirect to sign in; with a
/// missing or wrong token, 403 and nothing is done (the handler never runs).
pub struct Posted<F> {
    /// Who sent it.
    pub viewer: Viewer,
    /// The sender as the API's caller.
    pub auth: Auth,
    /// The form's own fields.
    pub form: F,
}

/// A form body: the CSRF token beside the form's own fields.
#[derive(Deserialize)]
struct WithCsrf<F> {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    form: F,
}

/// A form with no fields of its own (a button).
#[derive(Debug, Deserialize)]
pub struct Button {}

impl<F: DeserializeOwned + 'static> FromRequest for Posted<F> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let caller = Option::<SessionCaller>::from_request(&req, payload);
        let body = web::Form::<WithCsrf<F>>::from_request(&req, payload);
        Box::pin(async move {
            let caller = caller.await?;
            let refused = |r: Refused| InternalError::from_response("refused", *r).into();
            let (viewer, auth) = viewer(&req, caller).map_err(refused)?;
            let body = match body.await {
                Ok(b) => b.into_inner(),
                Err(e) => {
                    let why = t::malformed(&e.to_string());
                    return Err(refused(Box::new(refusal(
                        &viewer,
                        StatusCode::BAD_REQUEST,
                        &why,
                    ))));
                }
            };
            let checked = viewer
                .caller
                .as_ref()
                .map(|c| c.check_csrf(Some(&body.csrf)));
            if !matches!(checked, Some(Ok(()))) {
                let forbidden = refusal(&viewer, StatusCode::FORBIDDEN, t::CSRF_REFUSED);
                return Err(refused(Box::new(forbidden)));
            }
            Ok(Self {
                viewer,
                auth,
                form: body.form,
            })
        })
    }
}

/// Refusals of the API turned into pages: a 404 is the HTML 404 page (another merchant's
/// objects look like none), anything else the refusal's words under its own status.
pub trait OrRefuse<T> {
    /// The value, or the page saying why not.
    fn or_refuse(self, viewer: &Viewer) -> Result<T, Refused>;
}

impl<T> OrRefuse<T> for Result<T, ApiError> {
    fn or_refuse(self, viewer: &Viewer) -> Result<T, Refused> {
        self.map_err(|e| {
            Box::new(match e.status() {
                StatusCode::NOT_FOUND => super::super::not_found(),
                status => refusal(viewer, status, e.message()),
            })
        })
    }
}

/// The HTML 404 page as a [`Refused`].
pub fn missing() -> Refused {
    Box::new(super::super::not_found())
}

/// A page saying that the request was refused, and why, with `status`.
pub fn refusal(viewer: &Viewer, status: StatusCode, why: &str) -> HttpResponse {
    let body = html! {
        p role="alert" class="refusal" { (t::REFUSED_BECAUSE) " " strong { (why) } }
        p { a href="/console" { (t::BACK) } }
    };
    respond(status, shell(t::REFUSED_TITLE, viewer, body))
}

/// The redirect after a done form: back to `location`, saying `flash` there.
pub fn done(location: &str, flash: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", with_flash(location, flash)))
        .finish()
}

/// `location` with `done=flash` in its query: before a `#fragment`, which a browser never
/// sends (after it, the flash would be lost).
fn with_flash(location: &str, flash: &str) -> String {
    let (path, fragment) = match location.split_once('#') {
        Some((path, fragment)) => (path, format!("#{fragment}")),
        None => (location, String::new()),
    };
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}done={flash}{fragment}")
}

/// The flash message a redirect asked for (`?done=code`), when it names a known one.
pub fn flash(req: &HttpRequest) -> Markup {
    let said = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "done")
        .and_then(|(_, v)| t::flash(&v));
    html! { @if let Some(text) = said { p class="flash" role="status" { (text) } } }
}

/// A form field that must hold a number (`label` names it in the refusal).
pub fn number<T: FromStr>(label: &str, raw: &str) -> Result<T, ApiError> {
    raw.trim()
        .parse()
        .map_err(|_| ApiError::invalid_field(label, t::not_a_number(label)))
}

/// An optional number: empty is none.
pub fn optional<T: FromStr>(label: &str, raw: &str) -> Result<Option<T>, ApiError> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        number(label, raw).map(Some)
    }
}

/// An optional text: empty (after trimming) is none.
pub fn text(raw: &str) -> Option<String> {
    Some(raw.trim().to_owned()).filter(|s| !s.is_empty())
}

/// What a create form's sending ended in.
pub enum Once<T> {
    /// Done now, with this result.
    Done(T),
    /// Done before with the same key: where that sending was sent next.
    Again(String),
}

/// Runs a create use case exactly once per form: `key` is the form's idempotency key,
/// `fingerprint` what makes two sendings the same (the path and the fields). The first
/// sending runs `use_case` with an [`Answer`] the store commits with its effect (a
/// redirect to `location(result)`); a repeat gets that location back; a key reused for
/// other fields is 422 and one still running 409, as the API answers.
///
/// # Errors
/// The use case's refusal (the key is released for a corrected retry), or the key's.
pub async fn once<T, F, L>(
    state: &web::Data<AppState>,
    auth: &Auth,
    key: &str,
    fingerprint: &str,
    location: L,
    use_case: F,
) -> Result<Once<T>, ApiError>
where
    T: Send + 'static,
    F: FnOnce(Answer<T>) -> Result<T, DomainError> + Send + 'static,
    L: Fn(&T) -> String + Send + Sync + 'static,
{
    let key = format!("console:{}", key.trim());
    if key.len() > 255 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::bad_request(t::KEY_MALFORMED));
    }
    let request = KeyedRequest {
        owner: format!("user:{}", auth.0.user_id),
        key,
        fingerprint: hex::encode(Sha256::digest(fingerprint.as_bytes())),
    };
    let ran = run_once(state, request, use_case, move |v: &T| {
        redirect(&location(v))
    })
    .await;
    match ran.map_err(in_words)? {
        Ran::Now(value, _) => Ok(Once::Done(value)),
        Ran::Before(stored) => {
            let to = stored.headers.into_iter().find(|(n, _)| n == "location");
            Ok(Once::Again(
                to.map_or_else(|| "/console".to_owned(), |(_, v)| v),
            ))
        }
    }
}

/// The protocol's own refusals, said to a person filling a form (not an API client).
fn in_words(e: ApiError) -> ApiError {
    let text = match e.kind() {
        "idempotency-key-reused" => t::KEY_REUSED,
        "idempotency-key-in-use" => t::KEY_IN_FLIGHT,
        _ => return e,
    };
    ApiError::new(e.status(), e.kind(), text)
}

/// A create form: runs `use_case` [`once`] for the form's `(key, fingerprint)` and answers
/// the 303 to what it created (the first sending's, for a repeat), saying `flash` there.
pub async fn create_once<T, F, L>(
    state: &web::Data<AppState>,
    auth: &Auth,
    viewer: &Viewer,
    (key, fingerprint): (&str, &str),
    location: L,
    flash: &str,
    use_case: F,
) -> Outcome
where
    T: Send + 'static,
    F: FnOnce(Answer<T>) -> Result<T, DomainError> + Send + 'static,
    L: Fn(&T) -> String + Copy + Send + Sync + 'static,
{
    match once(state, auth, key, fingerprint, location, use_case)
        .await
        .or_refuse(viewer)?
    {
        Once::Done(created) => Ok(done(&location(&created), flash)),
        Once::Again(to) => Ok(done(&to, flash)),
    }
}

/// The answer stored on a form's key: a redirect to `location`.
fn redirect(location: &str) -> StoredResponse {
    StoredResponse {
        status: 303,
        body: String::new(),
        content_type: "text/html; charset=utf-8".to_owned(),
        headers: vec![("location".to_owned(), location.to_owned())],
    }
}

#[cfg(test)]
mod tests {
    use super::with_flash;

    #[test]
    fn the_flash_goes_into_the_query_before_any_fragment() {
        assert_eq!(
            with_flash("/console/shops/1#orders", "order-shipped"),
            "/console/shops/1?done=order-shipped#orders"
        );
        assert_eq!(
            with_flash("/console/shops/1?status=SHIPPED#orders", "x"),
            "/console/shops/1?status=SHIPPED&done=x#orders"
        );
        assert_eq!(
            with_flash("/console/shops", "shop-created"),
            "/console/shops?done=shop-created"
        );
    }
}
