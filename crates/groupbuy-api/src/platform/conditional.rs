//! Conditional GETs on every resource: an `ETag` on each successful GET, `If-None-Match`
//! answered `304 Not Modified` without the body, and `Cache-Control` saying who may keep a
//! copy: `public, max-age=2` for a read without credentials (a CDN absorbs a viral link for a
//! second or two), `private, no-cache` for one with a token or a cookie (the answer is
//! someone's: only their own browser may keep it, and revalidates it).
//!
//! Two kinds of tag, each honest about what it promises (RFC 9110 8.8.1):
//! - **Strong** (`"..."`) on the reads served from the read model (a group's detail by id
//!   or code, a public campaign): hashed from the view's [`Version`] and the parts of the
//!   answer that depend on who asks (the viewer's id, whether the group is past expiry
//!   now), and checked by [`versioned`] BEFORE the body is built, so a 304 costs a lookup
//!   and a hash, no serialization. The envelope's `action_time` of such an answer is the
//!   moment the view was read from the store, so every answer with one tag is the same
//!   bytes.
//! - **Weak** (`W/"..."`) on every other GET: its envelope's `action_time` is the moment of
//!   the answer, so two answers of unchanged data differ in that one field and a strong
//!   tag would lie. The tag hashes the body without it: equal tags mean the same data, which
//!   is what a weak validator promises (and `If-None-Match` compares weakly anyway). HTML
//!   pages are weak too: they carry per-request parts (a form's token, a countdown).
//!
//! A handler that sets its own `ETag` (a read-model view, a procurement group buy's version)
//! keeps it, and its body is not hashed. Streams (server-sent events) pass through untouched.

use actix_web::body::{to_bytes, BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::read_model::Version;

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
    let status = res.status();
    if !get || !matches!(status, StatusCode::OK | StatusCode::NOT_MODIFIED) {
        return Ok(res.map_into_boxed_body());
    }
    let (http_req, response) = res.into_parts();
    let (mut head, body) = response.into_parts();
    if status == StatusCode::OK && !matches!(body.size(), BodySize::Sized(_)) {
        return Ok(ServiceResponse::new(
            http_req,
            head.set_body(body).map_into_boxed_body(),
        ));
    }
    let headers = head.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        let policy = if personal { PRIVATE } else { PUBLIC };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    headers.append(
        header::VARY,
        HeaderValue::from_static("Authorization, Cookie"),
    );
    // A handler's own 304 (a versioned read) or tag: its body needs no hashing.
    if status == StatusCode::NOT_MODIFIED || headers.contains_key(header::ETAG) {
        let unchanged = match (&if_none_match, headers.get(header::ETAG)) {
            (Some(wanted), Some(tag)) => matches(wanted, tag),
            _ => false,
        };
        if status == StatusCode::OK && unchanged {
            return Ok(ServiceResponse::new(http_req, not_modified(head)));
        }
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
    let tag = tag_of(&bytes);
    let unchanged = if_none_match
        .as_ref()
        .is_some_and(|wanted| matches_str(wanted, &tag));
    if let Ok(tag) = HeaderValue::from_str(&tag) {
        head.headers_mut().insert(header::ETAG, tag);
    }
    if unchanged {
        return Ok(ServiceResponse::new(http_req, not_modified(head)));
    }
    Ok(ServiceResponse::new(
        http_req,
        head.set_body(BoxBody::new(bytes)),
    ))
}

/// `head` as a 304: its validator and caching headers, no body.
fn not_modified(head: HttpResponse<()>) -> HttpResponse<BoxBody> {
    let mut not_modified = head.set_body(BoxBody::new(()));
    *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
    not_modified.headers_mut().remove(header::CONTENT_TYPE);
    not_modified
}

/// The strong tag of an answer made from the view `version` with the parts that depend on
/// who asks and when (`varying`): 128 bits of SHA-256, unpadded base64url, quoted.
pub fn strong_tag(version: &Version, varying: &[&[u8]]) -> String {
    let mut hash = Sha256::new();
    hash.update(version.tag.as_bytes());
    for part in varying {
        // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    let digest = hash.finalize();
    format!(
        "\"{}\"",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
    )
}

/// The 200 answer of a GET made from a view (`data` builds its payload), or the 304 when
/// `If-None-Match` names its strong tag, decided before `data` is built. Unversioned views
/// (no read model, or a read that raced a change) answer as before: the middleware tags
/// them weakly.
pub fn versioned<T: Serialize>(
    req: &HttpRequest,
    version: Option<&Version>,
    varying: &[&[u8]],
    message: &str,
    data: impl FnOnce() -> T,
) -> HttpResponse {
    let Some(version) = version else {
        return crate::envelope::ok(message, data());
    };
    let tag = strong_tag(version, varying);
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .is_some_and(|wanted| matches_str(wanted, &tag));
    let mut res = if unchanged {
        HttpResponse::NotModified().finish()
    } else {
        crate::envelope::ok_at(message, data(), version.at)
    };
    if let Ok(tag) = HeaderValue::from_str(&tag) {
        res.headers_mut().insert(header::ETAG, tag);
    }
    res
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
    tag.to_str().is_ok_and(|tag| matches_str(wanted, tag))
}

/// [`matches`] of a tag not yet a header value.
fn matches_str(wanted: &HeaderValue, tag: &str) -> bool {
    let Ok(wanted) = wanted.to_str() else {
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
