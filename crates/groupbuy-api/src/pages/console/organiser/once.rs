//! A console form's effect happens once per rendered form: the form carries its own
//! idempotency key ([`crate::pages::viewer::idempotency_field`]), claimed in the same
//! idempotency records the API's `Idempotency-Key` uses (owner `user:{sub}`, the key
//! prefixed `page:`), and the use case stores its answer, a 303 to the page to show,
//! in the transaction of its effect. Pressing the button twice, or the browser sending
//! the form again, redirects to the same page without a second effect.

use crate::error::ApiError;
use crate::platform::idempotency::LEASE;
use crate::state::{blocking, AppState};
use actix_web::http::StatusCode;
use groupbuy_domain::platform::{Answer, IdempotencyBegin, StoredResponse};
use groupbuy_domain::{DomainError, Principal};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

use crate::pages::text::console_org as t;

/// How long a second submission waits for the first one's answer, in steps.
const WAIT_ROUNDS: u32 = 30;
/// One step of that wait.
const WAIT_STEP: std::time::Duration = std::time::Duration::from_millis(100);

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
/// to `here`; what makes two submissions the same request is the path and the form's
/// values (without its CSRF token). Answers where to send the browser: `location` of the
/// result, or the stored location of the submission that ran before.
///
/// # Errors
/// A malformed key (400), the key used for other values (422) or still running (409),
/// or the use case's refusal.
pub async fn once<T, F, L>(
    state: &AppState,
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
    let owner = format!("user:{}", caller.user_id);
    let key = format!("page:{key}");
    let mut h = Sha256::new();
    h.update(caller.org_id.as_deref().unwrap_or_default().as_bytes());
    h.update(here.as_bytes());
    let mut fields: Vec<(&String, &String)> = form.iter().filter(|(k, _)| *k != "csrf").collect();
    fields.sort_unstable();
    for (name, value) in fields {
        h.update([0]);
        h.update(name.as_bytes());
        h.update([1]);
        h.update(value.as_bytes());
    }
    let fingerprint = hex::encode(h.finalize());
    let now = state.clock.now();
    // A double click sends the form twice at once: the second waits (briefly) for the
    // first's answer instead of telling the person to wait.
    let mut begun = IdempotencyBegin::InFlight;
    for attempt in 0..WAIT_ROUNDS {
        if attempt > 0 {
            actix_web::rt::time::sleep(WAIT_STEP).await;
        }
        let store = state.idempotency.clone();
        let (o, k, f) = (owner.clone(), key.clone(), fingerprint.clone());
        begun = blocking(move || store.begin(&o, &k, &f, now, LEASE)).await?;
        if begun != IdempotencyBegin::InFlight {
            break;
        }
    }
    match begun {
        IdempotencyBegin::Proceed => {}
        IdempotencyBegin::Replay(stored) => {
            return Ok(location_of(stored));
        }
        IdempotencyBegin::Mismatch => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                t::KEY_REUSED,
            ))
        }
        IdempotencyBegin::InFlight => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "idempotency-key-in-use",
                t::KEY_IN_FLIGHT,
            ))
        }
    }
    let answer = Answer::on_key(owner.clone(), key.clone(), move |v: &T| {
        see_other(location(v))
    });
    let store = state.idempotency.clone();
    blocking(move || {
        match use_case(answer.clone()) {
            Ok(value) => match answer.stored() {
                Some(stored) => Ok(stored),
                // A use case that stored nothing with its effect: store the answer now.
                None => {
                    let (_, _, stored) = answer
                        .render(&value)
                        .ok_or_else(|| DomainError::Internal("form answer without a key".into()))?;
                    store.complete(&owner, &key, stored.clone(), now)?;
                    Ok(stored)
                }
            },
            Err(e) => {
                store.release(&owner, &key)?;
                Err(e)
            }
        }
    })
    .await
    .map(location_of)
}

/// Where a stored form answer sends the browser.
fn location_of(stored: StoredResponse) -> String {
    stored
        .headers
        .into_iter()
        .find(|(n, _)| n == "location")
        .map_or_else(|| "/console".to_owned(), |(_, v)| v)
}
