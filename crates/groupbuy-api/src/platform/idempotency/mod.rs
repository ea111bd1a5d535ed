//! Idempotency-Key on POST: the same key and request replays the stored answer, a
//! different request with the key is 422, a concurrent duplicate is 409. Records live
//! in the database per caller, so every instance sees them.

use crate::envelope::send;
use crate::error::ApiError;
use crate::platform::auth::{caller, verified_visitor};
use crate::state::{blocking, AppState};
use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use groupbuy_domain::platform::{Answer, IdempotencyBegin, StoredResponse};
use groupbuy_domain::DomainError;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use time::Duration;

mod form;
pub use form::{form_fingerprint, once_for_key, run_once, KeyedRequest, Ran};

/// The request header.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Set on replayed responses.
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// How long a request may hold its key before a retry may take it over. Short: an effect
/// and its answer commit together, conditionally on the key still being in flight, so a
/// retry that takes over a slow (not dead) request's key can never apply it twice; the
/// lease only keeps two attempts from running side by side.
pub const LEASE: Duration = Duration::seconds(15);
/// How long keys are kept.
pub const RETENTION: Duration = Duration::hours(24);

/// Parses the key, bare or as the draft's quoted structured-field string.
pub fn parse_key(value: &HeaderValue) -> Result<String, ApiError> {
    let raw = value.to_str().map_err(|_| bad_key())?.trim();
    let key = raw
        .strip_prefix('"')
        .and_then(|k| k.strip_suffix('"'))
        .unwrap_or(raw);
    if key.is_empty() || key.len() > 255 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(bad_key());
    }
    Ok(key.to_owned())
}

fn bad_key() -> ApiError {
    ApiError::bad_request("Idempotency-Key must be 1-255 visible ASCII characters")
}

/// What makes two requests the same request: method, path and query, body, and the
/// organisation the token acts for, so one user's key reused under another organisation
/// is a mismatch (422), never a replay of the first organisation's answer.
fn fingerprint(method: &Method, path_and_query: &str, org: Option<&str>, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_str().as_bytes());
    h.update(b"\n");
    h.update(path_and_query.as_bytes());
    h.update(b"\n");
    // Only when present, so the fingerprints of requests without an organisation (and the
    // keys stored for them) stay as they were.
    if let Some(org) = org {
        h.update(b"org:");
        h.update(org.as_bytes());
        h.update(b"\n");
    }
    h.update(body);
    hex::encode(h.finalize())
}

fn payload_of(bytes: web::Bytes) -> actix_web::dev::Payload {
    let (_, mut payload) = actix_http::h1::Payload::create(true);
    payload.unread_data(bytes);
    actix_web::dev::Payload::from(payload)
}

/// Who owns a key: the token's subject, else the anonymous visitor of a validly signed
/// cookie. `None` (no idempotency at all) for a present but invalid token, whose 401 must
/// never be stored, and for an anonymous caller without a visitor cookie: scoping by
/// address would let two visitors behind one NAT replay each other's answers.
fn key_owner(req: &ServiceRequest, state: &AppState) -> Option<String> {
    match caller(req.request()) {
        Ok(Some(p)) => Some(format!("user:{}", p.user_id)),
        Err(_) => None,
        Ok(None) => verified_visitor(req.request(), state.jwt.visitor_key())
            .map(|id| format!("visitor:{id}")),
    }
}

/// The key a request holds while its handler runs.
#[derive(Debug, Clone)]
struct Claim {
    owner: String,
    key: String,
}

tokio::task_local! {
    static CLAIM: Claim;
}

/// Test failpoint (`GROUPBUY_FAILPOINT_ABORT_AFTER_COMMIT=1`): the process dies right after
/// an idempotent request's effect and answer commit, before the response is sent, as a
/// `kill -9` at the worst moment would.
static ABORT_AFTER_COMMIT: AtomicBool = AtomicBool::new(false);

/// Arms or disarms the abort-after-commit failpoint.
pub fn set_abort_after_commit(on: bool) {
    ABORT_AFTER_COMMIT.store(on, Ordering::Relaxed);
}

/// Runs a use case with effects on the blocking pool and answers with `render`'s output.
/// When the request holds an Idempotency-Key, the use case receives the key's [`Answer`]
/// and passes it to the write transaction of its effect, which stores the rendered answer
/// on the key before COMMIT: a crash between COMMIT and the response leaves a key that
/// replays the answer instead of one that runs the request again. Without a key it
/// receives [`Answer::none`].
///
/// # Errors
/// The use case's refusal, mapped to HTTP.
pub async fn answer_with_effect<T, F, R>(use_case: F, render: R) -> Result<HttpResponse, ApiError>
where
    T: Send + 'static,
    F: FnOnce(Answer<T>) -> Result<T, DomainError> + Send + 'static,
    R: Fn(&T) -> StoredResponse + Send + Sync + 'static,
{
    effect_answer(use_case, render)
        .await
        .map(|(stored, _)| send(stored))
}

/// [`answer_with_effect`]'s answer before it becomes a response: the stored answer when
/// the request holds a key (the one that committed with the effect), else `render`'s.
async fn effect_answer<T, F, R>(use_case: F, render: R) -> Result<(StoredResponse, T), ApiError>
where
    T: Send + 'static,
    F: FnOnce(Answer<T>) -> Result<T, DomainError> + Send + 'static,
    R: Fn(&T) -> StoredResponse + Send + Sync + 'static,
{
    let claim = CLAIM.try_with(Claim::clone).ok();
    let render = Arc::new(render);
    let answer = match claim {
        Some(c) => {
            let render = render.clone();
            Answer::on_key(c.owner, c.key, move |t: &T| render(t))
        }
        None => Answer::none(),
    };
    blocking(move || {
        let value = use_case(answer.clone())?;
        match answer.stored() {
            Some(stored) => {
                if ABORT_AFTER_COMMIT.load(Ordering::Relaxed) {
                    tracing::error!("failpoint: aborting between COMMIT and the response");
                    std::process::abort();
                }
                Ok((stored, value))
            }
            None => Ok((render(&value), value)),
        }
    })
    .await
}

/// Claims `key` of `owner` for a request of `fingerprint`, or says what to do instead.
async fn begin(
    state: &web::Data<AppState>,
    owner: &str,
    key: &str,
    fingerprint: &str,
    now: time::OffsetDateTime,
) -> Result<IdempotencyBegin, ApiError> {
    let (state, owner, key, fp) = (
        state.clone(),
        owner.to_owned(),
        key.to_owned(),
        fingerprint.to_owned(),
    );
    blocking(move || state.idempotency.begin(&owner, &key, &fp, now, LEASE)).await
}

fn key_reused() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency-key-reused",
        "Idempotency-Key was already used for a different request",
    )
}

fn key_in_use() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "idempotency-key-in-use",
        "A request with this Idempotency-Key is still being processed; retry later",
    )
    .with_header(header::RETRY_AFTER, "1")
}

/// The middleware: refusals are answered here as problem responses.
pub async fn idempotency(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    guarded(req, next).await
}

async fn guarded(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(value) = req.headers().get(&IDEMPOTENCY_KEY).cloned() else {
        return pass(req, next).await;
    };
    if req.method() != Method::POST {
        return pass(req, next).await;
    }
    let key = match parse_key(&value) {
        Ok(k) => k,
        // An unauthenticated caller hears 401 from the handler before any complaint
        // about the key.
        Err(_) if !matches!(caller(req.request()), Ok(Some(_))) => return pass(req, next).await,
        Err(e) => return Ok(req.error_response(e)),
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(req.error_response(ApiError::internal("application state missing")));
    };
    let Some(owner) = key_owner(&req, &state) else {
        return pass(req, next).await;
    };
    let body = match req.extract::<web::Bytes>().await {
        Ok(b) => b,
        Err(e) => return Ok(req.error_response(e)),
    };
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let org = caller(req.request()).ok().flatten().and_then(|p| p.org_id);
    let fp = fingerprint(req.method(), &path, org.as_deref(), &body);
    req.set_payload(payload_of(body));

    let now = state.clock.now();
    let begin = match begin(&state, &owner, &key, &fp, now).await {
        Ok(b) => b,
        Err(e) => return Ok(req.error_response(e)),
    };
    match begin {
        IdempotencyBegin::Proceed => {}
        IdempotencyBegin::Replay(stored) => {
            let mut res = crate::envelope::send(stored);
            res.headers_mut()
                .insert(REPLAYED, header::HeaderValue::from_static("true"));
            return Ok(req.into_response(res));
        }
        IdempotencyBegin::Mismatch => return Ok(req.error_response(key_reused())),
        IdempotencyBegin::InFlight => return Ok(req.error_response(key_in_use())),
    }

    let claim = Claim {
        owner: owner.clone(),
        key: key.clone(),
    };
    let res = match CLAIM.scope(claim, next.call(req)).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(err) => {
            release(&state, owner, key).await;
            return Err(err);
        }
    };
    let status = res.status();
    // Answers worth replaying: anything but server errors and throttling, which a retry
    // should get a fresh chance at, and refused authentication or authorization, which
    // says nothing about the request and must not be served to a later, valid caller.
    if status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::UNAUTHORIZED
        || status == StatusCode::FORBIDDEN
    {
        release(&state, owner, key).await;
        return Ok(res);
    }
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_owned();
    // What a replay must repeat besides the body.
    let headers: Vec<(String, String)> = [header::LOCATION, header::ETAG]
        .iter()
        .filter_map(|name| {
            let value = res.headers().get(name)?.to_str().ok()?;
            Some((name.as_str().to_owned(), value.to_owned()))
        })
        .collect();
    let (http_req, response) = res.into_parts();
    let (head, body) = response.into_parts();
    let bytes = match to_bytes(body).await {
        Ok(b) => b,
        Err(_) => {
            release(&state, owner, key).await;
            let res = ServiceResponse::new(
                http_req,
                actix_web::ResponseError::error_response(&ApiError::internal(
                    "could not buffer the response",
                )),
            );
            return Ok(res);
        }
    };
    let stored = StoredResponse {
        status: status.as_u16(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
        content_type,
        headers,
    };
    complete(&state, &owner, &key, &stored, now).await;
    let response = head.set_body(BoxBody::new(bytes));
    Ok(ServiceResponse::new(http_req, response))
}

/// Stores `stored` as the answer of `owner`'s `key` (unless an answer committed with the
/// effect already). A lost connection (a restarted or terminated database backend) must
/// not leave the key in flight: tried again on a fresh connection before giving up.
async fn complete(
    state: &web::Data<AppState>,
    owner: &str,
    key: &str,
    stored: &StoredResponse,
    now: time::OffsetDateTime,
) {
    let mut attempts = 0;
    loop {
        let done = {
            let (state, owner, key, stored) = (
                state.clone(),
                owner.to_owned(),
                key.to_owned(),
                stored.clone(),
            );
            blocking(move || state.idempotency.complete(&owner, &key, stored, now)).await
        };
        match done {
            Ok(()) => break,
            Err(e) if attempts < 3 => {
                attempts += 1;
                tracing::warn!(error = %e, attempts, "storing the idempotent response failed; retrying");
                tokio::time::sleep(std::time::Duration::from_millis(50 * attempts)).await;
            }
            Err(e) => {
                tracing::error!(error = %e, "could not store the idempotent response");
                break;
            }
        }
    }
}

async fn pass(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

async fn release(state: &web::Data<AppState>, owner: String, key: String) {
    for attempt in 0..4_u64 {
        let (state, owner, key) = (state.clone(), owner.clone(), key.clone());
        match blocking(move || state.idempotency.release(&owner, &key)).await {
            Ok(()) => return,
            Err(e) if attempt < 3 => {
                tracing::warn!(error = %e, "releasing an idempotency key failed; retrying");
                tokio::time::sleep(std::time::Duration::from_millis(50 * (attempt + 1))).await;
            }
            Err(e) => tracing::error!(error = %e, "could not release an idempotency key"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_bare_and_quoted_keys() {
        assert_eq!(
            parse_key(&HeaderValue::from_static("abc")).expect("bare"),
            "abc"
        );
        assert_eq!(
            parse_key(&HeaderValue::from_static("\"abc\"")).expect("quoted"),
            "abc"
        );
        assert!(parse_key(&HeaderValue::from_static("")).is_err());
        assert!(parse_key(&HeaderValue::from_static("a b")).is_err());
    }

    #[test]
    fn fingerprint_covers_method_path_organisation_and_body() {
        let a = fingerprint(&Method::POST, "/a", None, b"{}");
        assert_ne!(a, fingerprint(&Method::POST, "/b", None, b"{}"));
        assert_ne!(a, fingerprint(&Method::POST, "/a", None, b"{\"x\":1}"));
        assert_eq!(a, fingerprint(&Method::POST, "/a", None, b"{}"));
        let org_a = fingerprint(&Method::POST, "/a", Some("org_a"), b"{}");
        assert_ne!(a, org_a);
        assert_ne!(
            org_a,
            fingerprint(&Method::POST, "/a", Some("org_b"), b"{}")
        );
    }
}
