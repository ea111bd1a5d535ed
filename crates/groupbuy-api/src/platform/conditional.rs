//! Conditional GETs on every resource: an `ETag` on each successful GET, `If-None-Match`
//! answered `304 Not Modified` without the body, and `Cache-Control` saying who may keep a
//! copy: `public, max-age=2` for a read without credentials (a CDN absorbs a viral link for a
//! second or two), `private, no-cache` for one with a token or a cookie (the answer is
//! someone's: only their own browser may keep it, and revalidates it).
//!
//! The tag is weak (`W/"..."`): an envelope carries `action_time`, the moment of the answer,
//! so two answers of an unchanged resource differ in that one field. The tag hashes the body
//! without it: equal tags mean the same data, which is what a weak validator promises (and
//! `If-None-Match` compares weakly anyway). A handler that sets its own `ETag` (a procurement
//! group buy's version) keeps it. Streams (server-sent events) pass through untouched.

use actix_web::body::{to_bytes, BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::HttpResponse;
use base64::Engine;
use sha2::{Digest, Sha256};

/// Who may keep a copy of a read made without credentials.
const PUBLIC: &str = "public, max-age=2";
/// Who may keep a copy of a read made with a token or a cookie.
const PRIVATE: &str = "private, no-cache";
/// The envelope field that differs between two answers of the same data.
const ANSWER_TIME: &[u8] = b"\"action_time\":\"";

/// The middleware.
pub async fn conditional_get(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let get = req.method() == Method::GET;
    let personal = req.headers().contains_key(header::AUTHORIZATION)
        || req.headers().contains_key(header::COOKIE);
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let res = next.call(req).await?;
    if !get || res.status() != StatusCode::OK {
        return Ok(res.map_into_boxed_body());
    }
    let (http_req, response) = res.into_parts();
    let (mut head, body) = response.into_parts();
    if !matches!(body.size(), BodySize::Sized(_)) {
        return Ok(ServiceResponse::new(
            http_req,
            head.set_body(body).map_into_boxed_body(),
        ));
    }
    let Ok(bytes) = to_bytes(body).await else {
        return Ok(ServiceResponse::new(
            http_req,
            HttpResponse::InternalServerError().finish(),
        ));
    };
    let headers = head.headers_mut();
    if !headers.contains_key(header::ETAG) {
        if let Ok(tag) = HeaderValue::from_str(&tag_of(&bytes)) {
            headers.insert(header::ETAG, tag);
        }
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        let policy = if personal { PRIVATE } else { PUBLIC };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    headers.append(
        header::VARY,
        HeaderValue::from_static("Authorization, Cookie"),
    );
    let unchanged = match (&if_none_match, headers.get(header::ETAG)) {
        (Some(wanted), Some(tag)) => matches(wanted, tag),
        _ => false,
    };
    if unchanged {
        let mut not_modified = head.set_body(BoxBody::new(()));
        *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
        not_modified.headers_mut().remove(header::CONTENT_TYPE);
        return Ok(ServiceResponse::new(http_req, not_modified));
    }
    Ok(ServiceResponse::new(
        http_req,
        head.set_body(BoxBody::new(bytes)),
    ))
}

/// The weak tag of `body`: SHA-256 of the body without the envelope's answer time, 128 bits.
fn tag_of(body: &[u8]) -> String {
    let mut hash = Sha256::new();
    match find(body, ANSWER_TIME) {
        Some(start) => {
            let value = start + ANSWER_TIME.len();
            let end = body[value..]
                .iter()
                .position(|b| *b == b'"')
                .map_or(body.len(), |n| value + n);
            hash.update(&body[..start]);
            hash.update(&body[end..]);
        }
        None => hash.update(body),
    }
    let digest = hash.finalize();
    format!(
        "W/\"{}\"",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
    )
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Whether `If-None-Match: wanted` names `tag` (weak comparison, RFC 9110 13.1.2): `*`,
/// or any listed tag equal once each side's `W/` is dropped.
fn matches(wanted: &HeaderValue, tag: &HeaderValue) -> bool {
    let (Ok(wanted), Ok(tag)) = (wanted.to_str(), tag.to_str()) else {
        return false;
    };
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let tag = opaque(tag);
    wanted
        .split(',')
        .any(|w| w.trim() == "*" || opaque(w) == tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_time_alone_does_not_change_the_tag() {
        let a = br#"{"success":true,"action_time":"2026-12-06T05:00:00Z","data":{"n":1}}"#;
        let b = br#"{"success":true,"action_time":"2026-12-06T05:00:09Z","data":{"n":1}}"#;
        let c = br#"{"success":true,"action_time":"2026-12-06T05:00:09Z","data":{"n":2}}"#;
        assert_eq!(tag_of(a), tag_of(b));
        assert_ne!(tag_of(b), tag_of(c));
        assert!(tag_of(a).starts_with("W/\""));
        assert_ne!(tag_of(b"<html>1</html>"), tag_of(b"<html>2</html>"));
    }

    #[test]
    fn if_none_match_compares_weakly_and_takes_lists_and_star() {
        let tag = HeaderValue::from_static("W/\"abc\"");
        for wanted in ["W/\"abc\"", "\"abc\"", "\"x\", W/\"abc\"", "*"] {
            assert!(matches(&HeaderValue::from_static(wanted), &tag), "{wanted}");
        }
        for wanted in ["W/\"abd\"", "\"\"", "abc"] {
            assert!(
                !matches(&HeaderValue::from_static(wanted), &tag),
                "{wanted}"
            );
        }
    }
}
