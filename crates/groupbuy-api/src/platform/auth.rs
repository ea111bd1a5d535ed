//! Bearer JWT authentication (HS256) and the caller extractors.

use crate::error::ApiError;
use crate::platform::text;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::HttpMessage;
use actix_web::{web, FromRequest, HttpRequest};
use groupbuy_domain::principal::ROLE_MERCHANT;
pub use groupbuy_domain::principal::{SCOPE_READ, SCOPE_WRITE};
use groupbuy_domain::Principal;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
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
    /// Why these (signature-checked) claims are refused, if they are: a blank `sub`, a
    /// control character in any claim ([`text`]), or an `exp` later than `max_ttl`
    /// seconds after `now` (plus the clock leeway).
    pub fn refusal(&self, now: i64, max_ttl: i64) -> Option<&'static str> {
        if self.sub.trim().is_empty() {
            return Some("empty sub");
        }
        let texts = [Some(&self.sub), self.name.as_ref(), self.picture.as_ref()]
            .into_iter()
            .chain([self.scope.as_ref(), self.org_id.as_ref()])
            .chain([self.iss.as_ref(), self.aud.as_ref()])
            .flatten()
            .chain(&self.roles);
        if texts.into_iter().any(|t| text::has_refused_char(t, false)) {
            return Some("control character in a claim");
        }
        let long = |t: Option<&String>, max: usize| t.is_some_and(|t| t.chars().count() > max);
        let ids = [Some(&self.sub), self.org_id.as_ref(), self.iss.as_ref()]
            .into_iter()
            .chain([self.aud.as_ref()])
            .chain(self.roles.iter().map(Some));
        let texts = [
            self.name.as_ref(),
            self.picture.as_ref(),
            self.scope.as_ref(),
        ];
        if self.roles.len() > MAX_ROLES
            || ids.into_iter().any(|t| long(t, MAX_ID_CLAIM_CHARS))
            || texts.into_iter().any(|t| long(t, MAX_TEXT_CLAIM_CHARS))
        {
            return Some("claim too long");
        }
        if self.exp.saturating_sub(now) > max_ttl.saturating_add(LEEWAY_SECONDS as i64) {
            return Some("lifetime longer than the configured maximum");
        }
        None
    }

    /// The caller these claims name. Scopes are split on ASCII spaces only (RFC 6749
    /// section 3.3), so `"x\u{3000}groupbuy:read"` is one unknown scope. A blank `org_id`
    /// (`""`, `"   "`) is no organisation: normalised here once, so no surface can treat
    /// blank as one organisation shared by every such token.
    fn into_principal(self) -> Principal {
        Principal {
            user_id: self.sub,
            name: self.name,
            picture: self.picture,
            scopes: self
                .scope
                .unwrap_or_default()
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            roles: self.roles,
            org_id: self.org_id.filter(|o| !o.trim().is_empty()),
        }
    }
}

/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 5;

/// Signing and verification keys.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    max_ttl: i64,
    visitor: actix_web::cookie::Key,
}

impl JwtKeys {
    /// Keys for an HS256 secret; `issuer`/`audience` are enforced when given.
    pub fn new(secret: &str, issuer: Option<&str>, audience: Option<&str>) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "sub"]);
        validation.leeway = LEEWAY_SECONDS;
        // A token is not valid before its `nbf`, when it carries one.
        validation.validate_nbf = true;
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
            max_ttl: DEFAULT_JWT_MAX_TTL_SECONDS,
            visitor: visitor_key(secret),
        }
    }

    /// The same keys refusing tokens that expire more than `seconds` from now.
    pub fn with_max_ttl(mut self, seconds: i64) -> Self {
        self.max_ttl = seconds;
        self
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

    /// Verifies a token into the caller: signature, `exp`, `nbf`, issuer and audience,
    /// then [`Claims::refusal`].
    pub fn verify(&self, token: &str) -> Option<Principal> {
        let claims = match decode::<Claims>(token, &self.decoding, &self.validation) {
            Ok(data) => data.claims,
            Err(e) => {
                tracing::debug!(error = %e, "token refused");
                return None;
            }
        };
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        match claims.refusal(now, self.max_ttl) {
            None => Some(claims.into_principal()),
            Some(reason) => {
                tracing::debug!(reason, "token refused");
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
    if value.len() > MAX_AUTHORIZATION_BYTES {
        tracing::debug!(bytes = value.len(), "token refused: header too large");
        return Err(ApiError::unauthenticated());
    }
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

/// The visitor cookie key: SHA-512 of the token secret (64 bytes, as `Key` needs).
fn visitor_key(secret: &str) -> actix_web::cookie::Key {
    use sha2::{Digest, Sha512};
    let digest = Sha512::new()
        .chain_update(b"groupbuy visitor cookie\0")
        .chain_update(secret.as_bytes())
        .finalize();
    actix_web::cookie::Key::from(&digest[..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(sub: &str, exp: i64) -> Claims {
        Claims {
            sub: sub.into(),
            name: Some("Alice".into()),
            picture: None,
            scope: Some("groupbuy:read".into()),
            roles: vec!["merchant".into()],
            org_id: None,
            exp,
            iat: None,
            iss: None,
            aud: None,
        }
    }

    #[test]
    fn claims_need_a_subject_clean_text_and_a_bounded_lifetime() {
        let now = 1_000_000;
        assert_eq!(claims("alice", now + 60).refusal(now, 3600), None);
        assert_eq!(claims("alice", now + 3600).refusal(now, 3600), None);
        assert!(claims("alice", now + 3606).refusal(now, 3600).is_some());
        assert!(claims("alice", i64::MAX).refusal(now, 3600).is_some());
        assert!(claims("", now + 60).refusal(now, 3600).is_some());
        assert!(claims(" \t", now + 60).refusal(now, 3600).is_some());
        assert!(claims("al\0ice", now + 60).refusal(now, 3600).is_some());
        let mut c = claims("alice", now + 60);
        c.roles.push("x\u{85}".into());
        assert!(c.refusal(now, 3600).is_some());
        let mut c = claims("alice", now + 60);
        c.name = Some("A\nB".into());
        assert!(c.refusal(now, 3600).is_some());
    }

    #[test]
    fn claims_are_bounded_in_length() {
        let now = 1_000_000;
        let long = |n: usize| "x".repeat(n);
        assert_eq!(claims(&long(255), now + 60).refusal(now, 3600), None);
        assert!(claims(&long(256), now + 60).refusal(now, 3600).is_some());
        let mut c = claims("alice", now + 60);
        c.org_id = Some(long(256));
        assert!(c.refusal(now, 3600).is_some());
        let mut c = claims("alice", now + 60);
        c.name = Some(long(2049));
        assert!(c.refusal(now, 3600).is_some());
        let mut c = claims("alice", now + 60);
        c.roles = vec!["r".into(); 33];
        assert!(c.refusal(now, 3600).is_some());
    }

    #[test]
    fn scopes_split_on_ascii_spaces_and_a_blank_org_is_none() {
        let mut c = claims("alice", 0);
        c.scope = Some("x\u{3000}groupbuy:read  groupbuy:write\u{a0}y".into());
        c.org_id = Some(" \u{3000} ".into());
        let p = c.clone().into_principal();
        assert_eq!(
            p.scopes,
            ["x\u{3000}groupbuy:read", "groupbuy:write\u{a0}y"]
        );
        assert!(!p.has_scope(SCOPE_READ));
        assert_eq!(p.org_id, None);
        c.org_id = Some(String::new());
        assert_eq!(c.clone().into_principal().org_id, None);
        c.org_id = Some("org_a".into());
        assert_eq!(c.into_principal().org_id.as_deref(), Some("org_a"));
    }

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
