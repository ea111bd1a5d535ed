//! Per-request context: the X-Request-Id (accepted or generated, echoed, in every log
//! line) and the guarantee that every failure leaves as problem JSON.

use crate::error::{ApiError, PROBLEM_JSON};
use crate::platform::text;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use groupbuy_domain::platform::ChangeContext;
use tracing::Instrument;

/// The request id header.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Clone)]
struct RequestInfo {
    id: String,
    path: String,
}

tokio::task_local! {
    static CURRENT: RequestInfo;
}

/// The current request's id and path (empty outside a request).
pub fn current_request() -> (String, String) {
    CURRENT
        .try_with(|r| (r.id.clone(), r.path.clone()))
        .unwrap_or_default()
}

/// Who changes what in this request, at `now`: the context audit entries and outbox
/// events carry.
pub fn change(actor: String, now: time::OffsetDateTime) -> ChangeContext {
    ChangeContext::new(actor, current_request().0, now)
}

/// A client's request id is kept when it is short printable ASCII; otherwise a new one.
fn accepted_id(value: Option<&HeaderValue>) -> String {
    value
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// The outermost middleware: request id, request span, access log, problem bodies.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let info = RequestInfo {
        id: accepted_id(req.headers().get(&REQUEST_ID)),
        path: req.path().to_owned(),
    };
    let span = tracing::info_span!("request", request_id = %info.id, method = %req.method(), path = %info.path);
    let started = std::time::Instant::now();
    let id = info.id.clone();
    let res = CURRENT
        .scope(info.clone(), async move {
            // Control characters in a path segment or query value would reach handlers
            // (and PostgreSQL, which refuses NUL): refuse them once, here.
            let target = text::refused_target_part(req.path(), req.uri().query());
            if target.is_some() && crate::pages::is_page_path(req.path()) {
                return Ok(req.into_response(crate::pages::damaged_link()));
            }
            if let Some(part) = target {
                let e = ApiError::bad_request(format!(
                    "The request {part} must not contain control characters or Unicode noncharacters"
                ));
                return Ok(req.error_response(e));
            }
            // Inner layers answer errors as responses; an Err here is left to actix.
            next.call(req)
                .await
                .map(|res| as_problem(res.map_into_boxed_body()))
        })
        .instrument(span.clone())
        .await;
    let mut res = res?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    span.in_scope(|| {
        tracing::info!(
            status = res.status().as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "request done"
        );
    });
    Ok(res)
}

/// Rewrites any error response not already problem JSON (actix's own 404, 413, payload
/// and path errors, panics turned 500) into the problem body; a public page's own HTML
/// error page (its 404) stays the page a browser shows.
fn as_problem(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let kept = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON) || v.starts_with("text/html"));
    if kept {
        return res;
    }
    let message = match (status, res.response().error()) {
        (s, _) if s.is_server_error() => {
            if let Some(e) = res.response().error() {
                tracing::error!(error = %e, "unhandled error");
            }
            "Internal server error".to_owned()
        }
        (StatusCode::PAYLOAD_TOO_LARGE, _) => {
            "Request body is larger than the 1 MiB limit".to_owned()
        }
        (StatusCode::NOT_FOUND, _) => format!(
            "No route for {} {}",
            res.request().method(),
            res.request().path()
        ),
        (_, Some(e)) => e.to_string(),
        (s, None) => s.canonical_reason().unwrap_or("Error").to_owned(),
    };
    let kind = match status.as_u16() {
        404 => "not-found",
        413 => "payload-too-large",
        s if s >= 500 => "internal",
        _ => "bad-request",
    };
    let error = ApiError::new(status, kind, message);
    let (req, old) = res.into_parts();
    let mut new = actix_web::ResponseError::error_response(&error);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().insert(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(req, new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_sane_ids_and_replaces_others() {
        assert_eq!(
            accepted_id(Some(&HeaderValue::from_static("abc-123"))),
            "abc-123"
        );
        assert_ne!(
            accepted_id(Some(&HeaderValue::from_static("has space"))),
            "has space"
        );
        assert_eq!(accepted_id(None).len(), 36);
        let long = "x".repeat(200);
        assert_ne!(
            accepted_id(Some(&HeaderValue::from_str(&long).expect("header"))),
            long
        );
    }
}
