//! Verification by an identity provider's published keys (JWKS): where they come from
//! (OIDC discovery, a URL, a file), which algorithm each key allows (from the key, never
//! from the token), caching by `Cache-Control`, and the rate-limited refetch when a token
//! names an unknown `kid`.

use super::claims::LEEWAY_SECONDS;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyOperations, PublicKeyUse};
use jsonwebtoken::{decode, Algorithm, DecodingKey, Header, Validation};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// The least time between two fetches caused by unknown `kid`s: a flood of tokens naming
/// made-up keys costs the provider one request per this interval at most.
pub const UNKNOWN_KID_REFETCH_INTERVAL: Duration = Duration::from_secs(5);

/// How long keys are kept fresh when the provider sends no `Cache-Control: max-age`.
const DEFAULT_MAX_AGE: Duration = Duration::from_secs(300);

/// Bounds on the provider's `max-age`: not refetched more often than a minute, and at
/// least daily (a rotated key is picked up by the unknown-`kid` refetch anyway).
const MIN_MAX_AGE: Duration = Duration::from_secs(60);
const MAX_MAX_AGE: Duration = Duration::from_secs(86_400);

/// Wait before retrying a failed fetch: quickly until the first keys have loaded (the
/// instance is not ready meanwhile), then gently.
const RETRY_BEFORE_LOADED: Duration = Duration::from_secs(2);
const RETRY_AFTER_LOADED: Duration = Duration::from_secs(30);

/// The largest discovery document or key set read.
const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// Where the keys come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `GROUPBUY_OIDC_ISSUER`: the issuer's discovery document names its `jwks_uri`.
    Discovery,
    /// `GROUPBUY_JWKS_URL` with an `http(s)://` URL.
    Url(String),
    /// `GROUPBUY_JWKS_URL` with a file path: a key set on disk, reread like a URL.
    File(PathBuf),
}

/// One key a token may be verified with.
struct VerifyingKey {
    kid: Option<String>,
    algorithms: Vec<Algorithm>,
    key: DecodingKey,
}

/// The keys last loaded and until when they are fresh.
#[derive(Default)]
struct KeyCache {
    keys: Vec<VerifyingKey>,
    loaded: bool,
}

/// What verifying with the cached keys found.
pub enum Outcome {
    /// A valid token's payload.
    Verified(Value),
    /// The token names a `kid` not (yet) in the key set.
    UnknownKey,
    /// Refused: signature, algorithm, issuer, audience or times.
    Refused(String),
}

/// The provider's endpoints for the browser sign-in, from its discovery document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// `authorization_endpoint`.
    pub authorization: String,
    /// `token_endpoint`.
    pub token: String,
    /// `end_session_endpoint`, when the provider has one (RP-initiated logout).
    pub end_session: Option<String>,
}

/// The provider's keys and the rules every token verified by them must meet.
pub struct Jwks {
    source: KeySource,
    issuer: String,
    validation_base: Validation,
    client: reqwest::Client,
    cache: RwLock<KeyCache>,
    endpoints: RwLock<Option<Endpoints>>,
    last_unknown_kid_fetch: tokio::sync::Mutex<Option<Instant>>,
}

impl Jwks {
    /// Keys from `source`, for tokens whose `iss` is `issuer` and whose `aud` contains
    /// `audience`. Nothing is fetched yet ([`Jwks::refresh`]).
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(
        source: KeySource,
        issuer: &str,
        audience: &str,
        timeout: Duration,
    ) -> Result<Self, String> {
        // Placeholder algorithm; each key sets its own before decoding.
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        // The provider is chosen by the operator (not a tenant): no SSRF guard, but
        // bounded in time, and no pooled connections shared across worker runtimes.
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .pool_max_idle_per_host(0)
            .redirect(reqwest::redirect::Policy::limited(3))
            .build()
            .map_err(|e| format!("identity provider client: {e}"))?;
        Ok(Self {
            source,
            issuer: issuer.to_owned(),
            validation_base: validation,
            client,
            cache: RwLock::new(KeyCache::default()),
            endpoints: RwLock::new(None),
            last_unknown_kid_fetch: tokio::sync::Mutex::new(None),
        })
    }

    /// The issuer tokens must name.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Whether keys have loaded at least once (`/readyz` waits for it).
    pub fn ready(&self) -> bool {
        self.cache.read().map(|c| c.loaded).unwrap_or(false)
    }

    /// The browser sign-in endpoints of the last discovery document (`None` before it
    /// loaded, and without discovery).
    pub fn endpoints(&self) -> Option<Endpoints> {
        self.endpoints.read().ok().and_then(|e| e.clone())
    }

    /// The HTTP client for the provider (bounded in time), for the code exchange too.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Verifies `token` (whose decoded header is `header`) with the cached keys. The
    /// algorithm must be one the key allows: an HS256 header on an RSA key's `kid` is
    /// refused, never verified with the public key as a secret.
    pub fn verify(&self, token: &str, header: &Header) -> Outcome {
        self.verify_with(token, header, &self.validation_base)
    }

    /// An ID token for `client_id` (its `aud`), with the same keys and rules otherwise;
    /// refetches the keys once (rate-limited) for an unknown `kid`.
    ///
    /// # Errors
    /// Why the token is refused.
    pub async fn verify_id_token(&self, token: &str, client_id: &str) -> Result<Value, String> {
        let header = jsonwebtoken::decode_header(token).map_err(|e| e.to_string())?;
        let mut validation = self.validation_base.clone();
        validation.set_audience(&[client_id]);
        let outcome = match self.verify_with(token, &header, &validation) {
            Outcome::UnknownKey => {
                self.refresh_for_unknown_kid().await;
                self.verify_with(token, &header, &validation)
            }
            outcome => outcome,
        };
        match outcome {
            Outcome::Verified(payload) => Ok(payload),
            Outcome::UnknownKey => Err("unknown kid".into()),
            Outcome::Refused(reason) => Err(reason),
        }
    }

    fn verify_with(&self, token: &str, header: &Header, validation: &Validation) -> Outcome {
        let Ok(cache) = self.cache.read() else {
            return Outcome::Refused("key cache poisoned".into());
        };
        let candidates: Vec<&VerifyingKey> = match &header.kid {
            Some(kid) => cache
                .keys
                .iter()
                .filter(|k| k.kid.as_deref() == Some(kid.as_str()))
                .collect(),
            None => cache.keys.iter().collect(),
        };
        if candidates.is_empty() {
            return if header.kid.is_some() {
                Outcome::UnknownKey
            } else {
                Outcome::Refused("no key".into())
            };
        }
        let mut last = String::from("no key allows the token's algorithm");
        for key in candidates
            .into_iter()
            .filter(|k| k.algorithms.contains(&header.alg))
        {
            let mut validation = validation.clone();
            validation.algorithms = vec![header.alg];
            match decode::<Value>(token, &key.key, &validation) {
                Ok(data) => return Outcome::Verified(data.claims),
                Err(e) => last = e.to_string(),
            }
        }
        Outcome::Refused(last)
    }

    /// Fetches the key set now and replaces the cached one; answers how long it stays
    /// fresh. On failure the cached keys stay in use (a provider down for a while does
    /// not stop tokens it signed before).
    ///
    /// # Errors
    /// Why the keys could not be loaded.
    pub async fn refresh(&self) -> Result<Duration, String> {
        let (bytes, max_age) = match &self.source {
            // A small local file: read in place.
            KeySource::File(path) => (
                std::fs::read(path).map_err(|e| format!("JWKS file {}: {e}", path.display()))?,
                DEFAULT_MAX_AGE,
            ),
            KeySource::Url(url) => self.fetch(url).await?,
            KeySource::Discovery => {
                let discovery = format!(
                    "{}/.well-known/openid-configuration",
                    self.issuer.trim_end_matches('/')
                );
                let (document, _) = self.fetch(&discovery).await?;
                let jwks_uri = jwks_uri(&document, &self.issuer)?;
                let endpoints = endpoints(&document);
                if let Ok(mut slot) = self.endpoints.write() {
                    *slot = endpoints;
                }
                self.fetch(&jwks_uri).await?
            }
        };
        let keys = parse_key_set(&bytes)?;
        let count = keys.len();
        let mut cache = self
            .cache
            .write()
            .map_err(|_| "key cache poisoned".to_owned())?;
        cache.keys = keys;
        cache.loaded = true;
        drop(cache);
        tracing::debug!(keys = count, "identity provider keys loaded");
        Ok(max_age)
    }

    /// After a token named an unknown `kid`: refetches the key set unless another
    /// refetch happened less than [`UNKNOWN_KID_REFETCH_INTERVAL`] ago. Concurrent callers
    /// wait for one fetch instead of each making one.
    pub async fn refresh_for_unknown_kid(&self) {
        let mut last = self.last_unknown_kid_fetch.lock().await;
        if last.is_some_and(|at| at.elapsed() < UNKNOWN_KID_REFETCH_INTERVAL) {
            return;
        }
        *last = Some(Instant::now());
        if let Err(e) = self.refresh().await {
            tracing::warn!(error = %e, "identity provider keys could not be refetched");
        }
    }

    /// Keeps the keys fresh until `stop` turns true: refetched when their `max-age` ends,
    /// retried after failures.
    pub async fn keep_fresh(&self, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            let wait = match self.refresh().await {
                Ok(max_age) => max_age,
                Err(e) => {
                    tracing::warn!(error = %e, "identity provider keys could not be loaded");
                    if self.ready() {
                        RETRY_AFTER_LOADED
                    } else {
                        RETRY_BEFORE_LOADED
                    }
                }
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = stop.changed() => return,
            }
            if *stop.borrow() {
                return;
            }
        }
    }

    /// GETs `url`: its body (at most [`MAX_DOCUMENT_BYTES`]) and its freshness.
    async fn fetch(&self, url: &str) -> Result<(Vec<u8>, Duration), String> {
        let response = self
            .client
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        if !response.status().is_success() {
            return Err(format!("GET {url}: status {}", response.status()));
        }
        let max_age = max_age(
            response
                .headers()
                .get(reqwest::header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok()),
        );
        let bytes = response
            .bytes()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        if bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(format!("GET {url}: larger than {MAX_DOCUMENT_BYTES} bytes"));
        }
        Ok((bytes.to_vec(), max_age))
    }
}

/// The `jwks_uri` of a discovery document whose `issuer` is exactly `issuer` (OpenID
/// Connect Discovery section 4.3: a document for another issuer is refused).
fn jwks_uri(document: &[u8], issuer: &str) -> Result<String, String> {
    let document: Value =
        serde_json::from_slice(document).map_err(|e| format!("discovery document: {e}"))?;
    if document.get("issuer").and_then(Value::as_str) != Some(issuer) {
        return Err(format!(
            "the discovery document's issuer is not {issuer:?} (GROUPBUY_OIDC_ISSUER must match it exactly)"
        ));
    }
    document
        .get("jwks_uri")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| "the discovery document has no jwks_uri".into())
}

/// The sign-in endpoints of a discovery document, when it names both required ones.
fn endpoints(document: &[u8]) -> Option<Endpoints> {
    let document: Value = serde_json::from_slice(document).ok()?;
    let url = |name: &str| {
        document
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    Some(Endpoints {
        authorization: url("authorization_endpoint")?,
        token: url("token_endpoint")?,
        end_session: url("end_session_endpoint"),
    })
}

/// How long a response stays fresh by its `Cache-Control`, within the bounds.
fn max_age(cache_control: Option<&str>) -> Duration {
    let Some(value) = cache_control else {
        return DEFAULT_MAX_AGE;
    };
    let mut age = DEFAULT_MAX_AGE;
    for directive in value.split(',').map(|d| d.trim().to_ascii_lowercase()) {
        if directive == "no-cache" || directive == "no-store" {
            return MIN_MAX_AGE;
        }
        if let Some(seconds) = directive
            .strip_prefix("max-age=")
            .and_then(|s| s.trim_matches('"').parse::<u64>().ok())
        {
            age = Duration::from_secs(seconds);
        }
    }
    age.clamp(MIN_MAX_AGE, MAX_MAX_AGE)
}

/// The signing keys of a JWKS document. Keys for encryption (`use: enc`, `key_ops`
/// without `verify`), symmetric keys, unknown key types and unsupported curves are left
/// out: a set with none left is an error, so it never replaces working keys.
///
/// # Errors
/// The document is not a key set, or holds no usable signing key.
fn parse_key_set(bytes: &[u8]) -> Result<Vec<VerifyingKey>, String> {
    let document: Value = serde_json::from_slice(bytes).map_err(|e| format!("JWKS: {e}"))?;
    let keys = document
        .get("keys")
        .and_then(Value::as_array)
        .ok_or("JWKS: no keys array")?;
    let usable: Vec<VerifyingKey> = keys
        .iter()
        .filter_map(|k| serde_json::from_value::<Jwk>(k.clone()).ok())
        .filter_map(|jwk| {
            let algorithms = algorithms(&jwk)?;
            let key = DecodingKey::from_jwk(&jwk).ok()?;
            Some(VerifyingKey {
                kid: jwk.common.key_id,
                algorithms,
                key,
            })
        })
        .collect();
    if usable.is_empty() {
        return Err("JWKS: no usable signing key (RS256, PS256, ES256 or EdDSA)".into());
    }
    Ok(usable)
}

/// The algorithms a key allows: its `alg` when it names one, else those of its type
/// (RSA: RS256 and PS256; P-256: ES256; Ed25519: EdDSA). `None` for keys never used to
/// verify tokens here.
fn algorithms(jwk: &Jwk) -> Option<Vec<Algorithm>> {
    if jwk.common.public_key_use == Some(PublicKeyUse::Encryption) {
        return None;
    }
    if let Some(ops) = &jwk.common.key_operations {
        if !ops.contains(&KeyOperations::Verify) {
            return None;
        }
    }
    let named = jwk.common.key_algorithm;
    let allowed = |of_type: &[Algorithm]| -> Option<Vec<Algorithm>> {
        match named {
            None => Some(of_type.to_vec()),
            Some(alg) => {
                let alg = Algorithm::try_from(alg).ok()?;
                of_type.contains(&alg).then(|| vec![alg])
            }
        }
    };
    match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => allowed(&[Algorithm::RS256, Algorithm::PS256]),
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => {
            allowed(&[Algorithm::ES256])
        }
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => {
            allowed(&[Algorithm::EdDSA])
        }
        _ => None,
    }
}

#[cfg(test)]
#[path = "jwks_tests.rs"]
mod tests;
