//! Bearer JWT authentication (HS256 with the shared secret, and the identity provider's
//! keys by JWKS/OIDC discovery) and the caller extractors.

pub mod claims;
pub mod jwks;
pub mod keys;

pub use claims::{ClaimMap, Claims};
pub use keys::JwtKeys;

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use actix_web::{web, FromRequest, HttpRequest};
use groupbuy_domain::principal::ROLE_MERCHANT;
pub use groupbuy_domain::principal::{SCOPE_READ, SCOPE_WRITE};
use groupbuy_domain::Principal;
use std::future::{ready, Ready};

/// The development secret used when `GROUPBUY_JWT_SECRET` is not set (serve warns loudly).
pub const DEV_SECRET: &str = "groupbuy-development-secret-do-not-use-in-production";

/// The longest a token may still be valid, by default (24 hours): a leaked token is
/// useful for a day at most.
pub const DEFAULT_JWT_MAX_TTL_SECONDS: i64 = 86_400;

/// The longest `Authorization` header accepted (8 KiB): a larger one is a 401 before any
/// decoding, so a hostile 100 KB token costs no base64 or JSON work.
pub const MAX_AUTHORIZATION_BYTES: usize = 8 * 1024;

/// The longest `sub`, `org_id`, `iss`, `aud` and each role, in characters: ids, not
/// documents.
pub const MAX_ID_CLAIM_CHARS: usize = 255;

/// The longest `name`, `picture` and `scope`, in characters.
pub const MAX_TEXT_CLAIM_CHARS: usize = 2048;

/// The most roles a token may carry.
pub const MAX_ROLES: usize = 32;

/// The caller of a request from its Authorization header: `Ok(None)` when no header,
/// `Err` when a token is present but not valid.
pub fn caller(req: &HttpRequest) -> Result<Option<Principal>, ApiError> {
    // The authenticate middleware, the idempotency middleware and the handler all ask:
    // verify the token once.
    match req.extensions().get::<Verdict>() {
        Some(Verdict::Verified(principal)) => return Ok(Some(principal.clone())),
        Some(Verdict::Refused) => return Err(ApiError::unauthenticated()),
        None => {}
    }
    let Some(token) = bearer(req)? else {
        return Ok(None);
    };
    let state = keys(req)?;
    let principal = state.jwt.verify(token);
    remember(req, principal)
}

/// Verifies the request's bearer token before any reader of the caller runs, fetching the
/// identity provider's keys when the token names one not yet loaded (which [`caller`],
/// being synchronous, cannot); the verdict is kept in the request's extensions.
///
/// # Errors
/// Those of the rest of the chain.
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if let (Ok(Some(token)), Ok(state)) = (bearer(req.request()), keys(req.request())) {
        let principal = state.jwt.verify_fetching(token).await;
        // An Err here is the 401 every reader of the caller answers.
        let _ = remember(req.request(), principal);
    }
    next.call(req).await
}

/// What verifying this request's token found.
#[derive(Clone)]
enum Verdict {
    Verified(Principal),
    Refused,
}

/// Keeps the verdict on `principal` for the rest of the request.
fn remember(
    req: &HttpRequest,
    principal: Option<Principal>,
) -> Result<Option<Principal>, ApiError> {
    match principal {
        Some(p) => {
            req.extensions_mut().insert(Verdict::Verified(p.clone()));
            Ok(Some(p))
        }
        None => {
            req.extensions_mut().insert(Verdict::Refused);
            Err(ApiError::unauthenticated())
        }
    }
}

fn keys(req: &HttpRequest) -> Result<&web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("application state missing"))
}

/// The bearer token of the Authorization header; `Ok(None)` without one, 401 for an
/// oversized or non-bearer header.
fn bearer(req: &HttpRequest) -> Result<Option<&str>, ApiError> {
    let Some(value) = req.headers().get(actix_web::http::header::AUTHORIZATION) else {
        return Ok(None);
    };
    if value.len() > MAX_AUTHORIZATION_BYTES {
        tracing::debug!(bytes = value.len(), "token refused: header too large");
        return Err(ApiError::unauthenticated());
    }
    value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| Some(t.trim()))
        .ok_or_else(ApiError::unauthenticated)
}

/// An authenticated caller; 401 `User not authenticated` otherwise.
#[derive(Debug, Clone)]
pub struct Auth(pub Principal);

impl Auth {
    /// 403 unless the token carries `scope`.
    pub fn require_scope(&self, scope: &str) -> Result<&Principal, ApiError> {
        if self.0.has_scope(scope) {
            Ok(&self.0)
        } else {
            Err(groupbuy_domain::principal::missing_scope(scope).into())
        }
    }

    /// 403 unless the caller holds `role`.
    pub fn require_role(&self, role: &str) -> Result<&Principal, ApiError> {
        if self.0.has_role(role) {
            Ok(&self.0)
        } else {
            Err(groupbuy_domain::principal::missing_role(role).into())
        }
    }

    /// Write access for a merchant action (products, campaign group-buys): 403 unless the
    /// caller is a merchant or a platform admin. Ownership is still checked by the store.
    pub fn merchant_writer(&self) -> Result<&Principal, ApiError> {
        self.writer()?;
        if self.0.is_platform_admin() {
            Ok(&self.0)
        } else {
            self.require_role(ROLE_MERCHANT)
        }
    }

    /// Read access (`groupbuy:read`).
    pub fn reader(&self) -> Result<&Principal, ApiError> {
        self.require_scope(SCOPE_READ)
    }

    /// Write access (`groupbuy:write`).
    pub fn writer(&self) -> Result<&Principal, ApiError> {
        self.require_scope(SCOPE_WRITE)
    }
}

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(caller(req).and_then(|p| p.map(Auth).ok_or_else(ApiError::unauthenticated)))
    }
}

/// A caller who may be anonymous; a present but invalid token is still a 401.
#[derive(Debug, Clone)]
pub struct MaybeAuth(pub Option<Principal>);

impl FromRequest for MaybeAuth {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(caller(req).map(MaybeAuth))
    }
}

/// The signed cookie naming an anonymous visitor (seed 000's public interest).
pub const VISITOR_COOKIE: &str = "gb_visitor";

/// The anonymous visitor named by a validly signed [`VISITOR_COOKIE`]; `None` when absent
/// or tampered with.
pub fn verified_visitor(req: &HttpRequest, key: &actix_web::cookie::Key) -> Option<uuid::Uuid> {
    let original = req.cookie(VISITOR_COOKIE)?;
    let mut jar = actix_web::cookie::CookieJar::new();
    jar.add_original(original);
    let verified = jar.signed(key).get(VISITOR_COOKIE)?;
    uuid::Uuid::parse_str(verified.value()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merchant_actions_take_a_merchant_or_a_platform_admin() {
        let caller = |roles: &[&str]| {
            Auth(Principal {
                user_id: "u".into(),
                scopes: vec![SCOPE_READ.into(), SCOPE_WRITE.into()],
                roles: roles.iter().map(|r| (*r).to_owned()).collect(),
                ..Principal::default()
            })
        };
        assert!(caller(&["merchant"]).merchant_writer().is_ok());
        assert!(caller(&["platform-admin"]).merchant_writer().is_ok());
        let refused = caller(&["vendor"]).merchant_writer().unwrap_err();
        assert_eq!(refused.message(), "Missing required role: merchant");
    }
}
