//! Bearer JWT authentication (HS256) and the caller extractors.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::HttpMessage;
use actix_web::{web, FromRequest, HttpRequest};
use groupbuy_domain::Principal;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::future::{ready, Ready};

/// The development secret used when `GROUPBUY_JWT_SECRET` is not set (serve warns loudly).
pub const DEV_SECRET: &str = "groupbuy-development-secret-do-not-use-in-production";

/// Scope needed to read.
pub const SCOPE_READ: &str = "groupbuy:read";
/// Scope needed to change anything.
pub const SCOPE_WRITE: &str = "groupbuy:write";

/// The claims groupbuy reads from a token (DESIGN.md section 5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Profile picture URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// Space-separated scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// Expiry (seconds since the epoch); required.
    pub exp: i64,
    /// Issued at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Issuer, checked only when configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Audience, checked only when configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
}

impl Claims {
    fn into_principal(self) -> Principal {
        Principal {
            user_id: self.sub,
            name: self.name,
            picture: self.picture,
            scopes: self
                .scope
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            roles: self.roles,
            org_id: self.org_id,
        }
    }
}

/// Signing and verification keys.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    visitor: actix_web::cookie::Key,
}

impl JwtKeys {
    /// Keys for an HS256 secret; `issuer`/`audience` are enforced when given.
    pub fn new(secret: &str, issuer: Option<&str>, audience: Option<&str>) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "sub"]);
        validation.leeway = 5;
        if let Some(iss) = issuer {
            validation.set_issuer(&[iss]);
        }
        match audience {
            Some(aud) => validation.set_audience(&[aud]),
            None => validation.validate_aud = false,
        }
        Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
            visitor: visitor_key(secret),
        }
    }

    /// The key signing the anonymous visitor cookie ([`VISITOR_COOKIE`]).
    pub fn visitor_key(&self) -> &actix_web::cookie::Key {
        &self.visitor
    }

    /// Signs claims into a token.
    ///
    /// # Errors
    /// When signing fails (never for HS256 with valid claims).
    pub fn mint(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
    }

    /// Verifies a token into the caller.
    pub fn verify(&self, token: &str) -> Option<Principal> {
        match decode::<Claims>(token, &self.decoding, &self.validation) {
            Ok(data) => Some(data.claims.into_principal()),
            Err(e) => {
                tracing::debug!(error = %e, "token refused");
                None
            }
        }
    }
}

/// The caller of a request from its Authorization header: `Ok(None)` when no header,
/// `Err` when a token is present but not valid.
pub fn caller(req: &HttpRequest) -> Result<Option<Principal>, ApiError> {
    // The idempotency middleware and the handler both ask: verify the token once.
    if let Some(Verified(principal)) = req.extensions().get::<Verified>() {
        return Ok(Some(principal.clone()));
    }
    let principal = verify(req)?;
    if let Some(p) = &principal {
        req.extensions_mut().insert(Verified(p.clone()));
    }
    Ok(principal)
}

/// A caller already verified for this request.
#[derive(Clone)]
struct Verified(Principal);

fn verify(req: &HttpRequest) -> Result<Option<Principal>, ApiError> {
    let Some(value) = req.headers().get(actix_web::http::header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or_else(ApiError::unauthenticated)?;
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("application state missing"))?;
    state
        .jwt
        .verify(token)
        .map(Some)
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
            Err(ApiError::forbidden(format!(
                "Missing required scope: {scope}"
            )))
        }
    }

    /// 403 unless the caller holds `role`.
    pub fn require_role(&self, role: &str) -> Result<&Principal, ApiError> {
        if self.0.has_role(role) {
            Ok(&self.0)
        } else {
            Err(ApiError::forbidden(format!(
                "Missing required role: {role}"
            )))
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

/// The visitor cookie key: SHA-512 of the token secret (64 bytes, as `Key` needs).
fn visitor_key(secret: &str) -> actix_web::cookie::Key {
    use sha2::{Digest, Sha512};
    let digest = Sha512::new()
        .chain_update(b"groupbuy visitor cookie\0")
        .chain_update(secret.as_bytes())
        .finalize();
    actix_web::cookie::Key::from(&digest[..])
}
