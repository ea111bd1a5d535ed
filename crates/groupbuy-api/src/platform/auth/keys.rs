//! The token verifier: HS256 with the shared secret, the identity provider's keys
//! ([`Jwks`]), or both; each token goes to the one its header's algorithm belongs to, and
//! whichever verified it, the same [`ClaimMap`] and [`Claims::refusal`] apply.

use super::claims::{ClaimMap, Claims, LEEWAY_SECONDS};
use super::jwks::{Jwks, Outcome};
use super::DEFAULT_JWT_MAX_TTL_SECONDS;
use groupbuy_domain::Principal;
use jsonwebtoken::{decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header};
use jsonwebtoken::{errors::ErrorKind, Validation};
use serde_json::Value;
use std::sync::Arc;

/// HS256 signing and verification with the shared secret.
#[derive(Clone)]
struct Hs256 {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

/// Signing and verification keys.
#[derive(Clone)]
pub struct JwtKeys {
    hs256: Option<Hs256>,
    jwks: Option<Arc<Jwks>>,
    claims: ClaimMap,
    max_ttl: i64,
    visitor: actix_web::cookie::Key,
}

impl JwtKeys {
    /// Keys for an HS256 secret; `issuer`/`audience` are enforced when given: a token
    /// must then carry them (one without `iss` or `aud` is refused, not waved through, so a
    /// token minted for another service sharing the secret does not work here).
    pub fn new(secret: &str, issuer: Option<&str>, audience: Option<&str>) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        let mut required = vec!["exp", "sub"];
        required.extend(issuer.map(|_| "iss"));
        required.extend(audience.map(|_| "aud"));
        validation.set_required_spec_claims(&required);
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
            hs256: Some(Hs256 {
                encoding: EncodingKey::from_secret(secret.as_bytes()),
                decoding: DecodingKey::from_secret(secret.as_bytes()),
                validation,
            }),
            jwks: None,
            claims: ClaimMap::default(),
            max_ttl: DEFAULT_JWT_MAX_TTL_SECONDS,
            visitor: visitor_key(secret.as_bytes()),
        }
    }

    /// Keys verifying only the identity provider's tokens: no HS256 token is accepted.
    /// `cookie_secret` signs the visitor cookie (shared by every instance).
    pub fn provider_only(jwks: Arc<Jwks>, cookie_secret: &[u8]) -> Self {
        Self {
            hs256: None,
            jwks: Some(jwks),
            claims: ClaimMap::default(),
            max_ttl: DEFAULT_JWT_MAX_TTL_SECONDS,
            visitor: visitor_key(cookie_secret),
        }
    }

    /// The same keys also accepting the identity provider's tokens.
    pub fn with_jwks(mut self, jwks: Arc<Jwks>) -> Self {
        self.jwks = Some(jwks);
        self
    }

    /// The same keys reading claims where `claims` says.
    pub fn with_claim_map(mut self, claims: ClaimMap) -> Self {
        self.claims = claims;
        self
    }

    /// The same keys refusing tokens that expire more than `seconds` from now.
    pub fn with_max_ttl(mut self, seconds: i64) -> Self {
        self.max_ttl = seconds;
        self
    }

    /// The key signing the anonymous visitor cookie ([`super::VISITOR_COOKIE`]).
    pub fn visitor_key(&self) -> &actix_web::cookie::Key {
        &self.visitor
    }

    /// The identity provider's keys, when configured.
    pub fn jwks(&self) -> Option<&Arc<Jwks>> {
        self.jwks.as_ref()
    }

    /// Whether tokens can be verified: the provider's keys, when configured, have loaded.
    pub fn ready(&self) -> bool {
        self.jwks.as_ref().is_none_or(|j| j.ready())
    }

    /// Signs claims into an HS256 token, in the layout of the claim map.
    ///
    /// # Errors
    /// When HS256 is off (provider-only keys) or signing fails.
    pub fn mint(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        let hs256 = self
            .hs256
            .as_ref()
            .ok_or_else(|| jsonwebtoken::errors::Error::from(ErrorKind::InvalidKeyFormat))?;
        encode(
            &Header::new(Algorithm::HS256),
            &self.claims.write(claims),
            &hs256.encoding,
        )
    }

    /// Verifies a token with the keys at hand (no fetching): signature, `exp`, `nbf`,
    /// issuer and audience, then the claim map and [`Claims::refusal`].
    pub fn verify(&self, token: &str) -> Option<Principal> {
        match self.payload(token) {
            Ok(payload) => self.principal(&payload),
            Err(Unknown::Key) => {
                tracing::debug!("token refused: unknown kid");
                None
            }
            Err(Unknown::Refused) => None,
        }
    }

    /// [`JwtKeys::verify`], refetching the provider's keys once (rate-limited) when the
    /// token names a `kid` they do not hold: a key the provider just rotated in.
    pub async fn verify_fetching(&self, token: &str) -> Option<Principal> {
        match self.payload(token) {
            Ok(payload) => self.principal(&payload),
            Err(Unknown::Key) => {
                let jwks = self.jwks.as_ref()?;
                jwks.refresh_for_unknown_kid().await;
                self.verify(token)
            }
            Err(Unknown::Refused) => None,
        }
    }

    /// The verified payload: HS256 headers go to the secret, every other algorithm to
    /// the provider's keys (which allow only their own algorithms).
    fn payload(&self, token: &str) -> Result<Value, Unknown> {
        let hs256_payload = |hs256: &Hs256| {
            decode::<Value>(token, &hs256.decoding, &hs256.validation)
                .map(|d| d.claims)
                .map_err(|e| {
                    tracing::debug!(error = %e, "token refused");
                    Unknown::Refused
                })
        };
        let (hs256, jwks) = match (&self.hs256, &self.jwks) {
            // The secret alone: `decode` reads the header itself and refuses any other
            // algorithm, so it is not parsed twice (about 11,000 instructions a request).
            (Some(hs256), None) => return hs256_payload(hs256),
            (hs256, Some(jwks)) => (hs256, jwks),
            (None, None) => return Err(Unknown::Refused),
        };
        let header = decode_header(token).map_err(|e| {
            tracing::debug!(error = %e, "token refused");
            Unknown::Refused
        })?;
        if header.alg == Algorithm::HS256 {
            return hs256_payload(hs256.as_ref().ok_or(Unknown::Refused)?);
        }
        match jwks.verify(token, &header) {
            Outcome::Verified(payload) => Ok(payload),
            Outcome::UnknownKey => Err(Unknown::Key),
            Outcome::Refused(reason) => {
                tracing::debug!(reason, "token refused");
                Err(Unknown::Refused)
            }
        }
    }

    /// The caller of a verified payload, when its claims are acceptable (the claim map,
    /// then [`Claims::refusal`]): for ID tokens of the browser sign-in too.
    pub fn principal(&self, payload: &Value) -> Option<Principal> {
        let claims = match self.claims.read(payload) {
            Ok(claims) => claims,
            Err(reason) => {
                tracing::debug!(reason, "token refused");
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

/// Why a token was not verified.
enum Unknown {
    /// Its `kid` is not among the provider's cached keys.
    Key,
    /// Anything else.
    Refused,
}

/// The visitor cookie key: SHA-512 of the secret (64 bytes, as `Key` needs).
fn visitor_key(secret: &[u8]) -> actix_web::cookie::Key {
    use sha2::{Digest, Sha512};
    let digest = Sha512::new()
        .chain_update(b"groupbuy visitor cookie\0")
        .chain_update(secret)
        .finalize();
    actix_web::cookie::Key::from(&digest[..])
}
