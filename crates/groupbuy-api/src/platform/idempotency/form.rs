//! Idempotency for a page's forms: the same protocol as the `Idempotency-Key` middleware
//! (begin, the effect and its answer committed together, release on refusal), with the
//! key taken from a form field and the owner from the web session.

use super::{begin, complete, effect_answer, fingerprint, key_in_use, key_reused, release};
use super::{Claim, CLAIM};
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::http::Method;
use actix_web::web;
use groupbuy_domain::platform::{Answer, IdempotencyBegin, StoredResponse};
use groupbuy_domain::DomainError;

/// One idempotent request taken apart for a caller that is not the middleware: a page's
/// form, whose key is a form field (each rendered form carries its own) and whose owner
/// is the web session's user, so the same protocol (begin, effect and answer committed
/// together, release on refusal) guards it as it guards an `Idempotency-Key` header.
#[derive(Debug, Clone)]
pub struct KeyedRequest {
    /// Who owns the key: `user:<sub>`, the namespace the API's keys use too.
    pub owner: String,
    /// The key (the form's, with the step's suffix when a form runs several steps).
    pub key: String,
    /// What makes two submissions the same ([`form_fingerprint`]).
    pub fingerprint: String,
}

/// The fingerprint of a form submission: POST, its path and the fields that decide its
/// effect (never the CSRF token or the key itself).
pub fn form_fingerprint(path: &str, fields: &[(&str, &str)]) -> String {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    fingerprint(&Method::POST, path, None, body.as_bytes())
}

/// How long a repeated submission waits for the first one holding its key to finish
/// before it is told to retry (a double click usually lands while the first still runs).
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(5);

/// What a keyed submission ended in.
pub enum Ran<T> {
    /// This submission ran the use case: its result, and the answer stored on the key.
    Now(T, StoredResponse),
    /// An earlier submission with the key ran it: the answer it stored.
    Before(StoredResponse),
}

impl<T> Ran<T> {
    /// The answer, whichever submission ran the use case.
    pub fn answer(self) -> StoredResponse {
        match self {
            Self::Now(_, stored) | Self::Before(stored) => stored,
        }
    }
}

/// Runs `use_case` once for `request`'s key: the first submission runs it (its answer,
/// `render`'s, committed with its effect), a repeated one receives that stored answer,
/// waiting up to five seconds (`PATIENCE`) while the first is still running. A refusal releases the
/// key (the refused attempt changed nothing), so the same form may be tried again.
///
/// # Errors
/// The use case's refusal; 422 for a key reused with other fields; 409 when the first
/// submission is still running after that; storage failures.
pub async fn once_for_key<T, F, R>(
    state: &web::Data<AppState>,
    request: KeyedRequest,
    use_case: F,
    render: R,
) -> Result<StoredResponse, ApiError>
where
    T: Send + 'static,
    F: FnOnce(Answer<T>) -> Result<T, DomainError> + Send + 'static,
    R: Fn(&T) -> StoredResponse + Send + Sync + 'static,
{
    run_once(state, request, use_case, render)
        .await
        .map(Ran::answer)
}

/// [`once_for_key`], saying whether this submission ran the use case (and its result: a
/// page that shows something only once, such as a new secret, shows it then only).
///
/// # Errors
/// As [`once_for_key`].
pub async fn run_once<T, F, R>(
    state: &web::Data<AppState>,
    request: KeyedRequest,
    use_case: F,
    render: R,
) -> Result<Ran<T>, ApiError>
where
    T: Send + 'static,
    F: FnOnce(Answer<T>) -> Result<T, DomainError> + Send + 'static,
    R: Fn(&T) -> StoredResponse + Send + Sync + 'static,
{
    let KeyedRequest {
        owner,
        key,
        fingerprint,
    } = request;
    let waited_until = std::time::Instant::now() + PATIENCE;
    loop {
        let now = state.clock.now();
        match begin(state, &owner, &key, &fingerprint, now).await? {
            IdempotencyBegin::Proceed => break,
            IdempotencyBegin::Replay(stored) => return Ok(Ran::Before(stored)),
            IdempotencyBegin::Mismatch => return Err(key_reused()),
            IdempotencyBegin::InFlight if std::time::Instant::now() < waited_until => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            IdempotencyBegin::InFlight => return Err(key_in_use()),
        }
    }
    let claim = Claim {
        owner: owner.clone(),
        key: key.clone(),
    };
    match CLAIM.scope(claim, effect_answer(use_case, render)).await {
        Ok((stored, value)) => {
            // Stored with the effect already; this only covers a use case without one.
            complete(state, &owner, &key, &stored, state.clock.now()).await;
            Ok(Ran::Now(value, stored))
        }
        Err(e) => {
            release(state, owner, key).await;
            Err(e)
        }
    }
}
