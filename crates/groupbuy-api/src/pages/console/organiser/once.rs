//! A console form's effect happens once per rendered form: the form carries its own
//! idempotency key ([`crate::pages::viewer::idempotency_field`]), claimed in the same
//! idempotency records the API's `Idempotency-Key` uses (owner `user:{sub}`, the key
//! prefixed `page:`), and the use case stores its answer, a 303 to the page to show,
//! in the transaction of its effect. Pressing the button twice, or the browser sending
//! the form again, redirects to the same page without a second effect.

use crate::error::ApiError;
use crate::platform::idempotency::{form_fingerprint, once_for_key, KeyedRequest};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::web;
use groupbuy_domain::platform::{Answer, StoredResponse};
use groupbuy_domain::{DomainError, Principal};
use std::collections::HashMap;

use crate::pages::text::console_org as t;

/// The 303 a form answers with, as stored on its key.
fn see_other(location: String) -> StoredResponse {
    StoredResponse {
        status: StatusCode::SEE_OTHER.as_u16(),
        body: String::new(),
        content_type: "text/html; charset=utf-8".into(),
        headers: vec![("location".into(), location)],
    }
}

/// Runs `use_case` once for the idempotency key of the form `form` that `caller` posted
/// to `here` (the one protocol of [`once_for_key`]); what makes two submissions the same
/// request is the path, the organisation acted for and the form's values (without its
/// CSRF token). Answers where to send the browser: `location` of the result, or the
/// stored location of the submission that ran before.
///
/// # Errors
/// A malformed key (400), the key used for other values (422) or still running (409),
/// or the use case's refusal.
pub async fn once<T, F, L>(
    state: &web::Data<AppState>,
    caller: &Principal,
    here: &str,
    form: &HashMap<String, String>,
    use_case: F,
    location: L,
) -> Result<String, ApiError>
where
    T: Send + 'static,
    F: FnOnce(Answer<T>) -> Result<T, DomainError> + Send + 'static,
    L: Fn(&T) -> String + Send + Sync + 'static,
{
    let key = form.get("idempotency_key").map_or("", |k| k.trim());
    if key.is_empty() || key.len() > 200 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::bad_request(t::KEY_MALFORMED));
    }
    let org = caller.org_id.as_deref().unwrap_or_default();
    let mut fields: Vec<(&str, &str)> = form
        .iter()
        .filter(|(k, _)| *k != "csrf" && *k != "idempotency_key")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain([("\0org", org)])
        .collect();
    fields.sort_unstable();
    let request = KeyedRequest {
        owner: format!("user:{}", caller.user_id),
        key: format!("page:{key}"),
        fingerprint: form_fingerprint(here, &fields),
    };
    once_for_key(state, request, use_case, move |v: &T| {
        see_other(location(v))
    })
    .await
    .map(location_of)
    .map_err(in_words)
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

/// Where a stored form answer sends the browser.
fn location_of(stored: StoredResponse) -> String {
    stored
        .headers
        .into_iter()
        .find(|(n, _)| n == "location")
        .map_or_else(|| "/console".to_owned(), |(_, v)| v)
}
