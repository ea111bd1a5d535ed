//! Who may sign tokens: the HS256 secret (from the environment or a file), the deployment
//! environment, and the checks `serve` and `token` run before using them.

use crate::platform::auth::jwks::KeySource;
use crate::platform::auth::DEV_SECRET;
use std::path::PathBuf;
use std::time::Duration;

/// The shortest HS256 secret accepted, in bytes: a shorter one can be brute-forced from any
/// token it signed (RFC 7518 section 3.2 asks for at least the hash size, 256 bits).
pub const MIN_SECRET_BYTES: usize = 32;

/// `GROUPBUY_ENV`: what the process may fall back on when a secret is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Environment {
    /// `development` (the default): with no secret, the public development secret is used
    /// and `serve` warns.
    #[default]
    Development,
    /// `production`: `serve` and `token` refuse to start on the development secret.
    Production,
}

impl Environment {
    /// Parses `GROUPBUY_ENV` (`development`, `production`; any case).
    ///
    /// # Errors
    /// A message naming the variable and the accepted values.
    pub fn parse(value: &str) -> Result<Self, String> {
        match value.trim().to_ascii_lowercase().as_str() {
            "development" | "dev" => Ok(Self::Development),
            "production" | "prod" => Ok(Self::Production),
            _ => Err(format!(
                "GROUPBUY_ENV must be development or production, got {value:?}"
            )),
        }
    }
}

/// The HS256 secret from `GROUPBUY_JWT_SECRET` or the file named by
/// `GROUPBUY_JWT_SECRET_FILE` (one of the two; the file's trailing line break is not part of
/// the secret), `None` when neither is set.
///
/// # Errors
/// Both set, or the file unreadable.
pub fn secret_from(value: Option<String>, file: Option<String>) -> Result<Option<String>, String> {
    match (value, file) {
        (Some(_), Some(_)) => {
            Err("set GROUPBUY_JWT_SECRET or GROUPBUY_JWT_SECRET_FILE, not both".into())
        }
        (Some(v), None) => Ok(Some(v)),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("GROUPBUY_JWT_SECRET_FILE {path:?} cannot be read: {e}"))?;
            let secret = text.trim_end_matches(['\r', '\n']).to_owned();
            if secret.is_empty() {
                return Err(format!("GROUPBUY_JWT_SECRET_FILE {path:?} is empty"));
            }
            Ok(Some(secret))
        }
        (None, None) => Ok(None),
    }
}

/// Why this secret setup is refused, if it is: a configured secret shorter than
/// [`MIN_SECRET_BYTES`]; in production, the development secret (unset while no provider
/// verifies tokens instead, or set to its public value).
///
/// # Errors
/// A message saying what to set.
pub fn check_secret(
    secret: Option<&str>,
    environment: Environment,
    provider_configured: bool,
) -> Result<(), String> {
    if let Some(secret) = secret {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(format!(
                "GROUPBUY_JWT_SECRET is {} bytes; it must be at least {MIN_SECRET_BYTES} \
                 (generate one with `openssl rand -hex 32`)",
                secret.len()
            ));
        }
    }
    if environment == Environment::Production {
        if secret == Some(DEV_SECRET) {
            return Err(
                "GROUPBUY_ENV=production refuses the public development secret as \
                        GROUPBUY_JWT_SECRET"
                    .into(),
            );
        }
        if secret.is_none() && !provider_configured {
            return Err("GROUPBUY_ENV=production needs GROUPBUY_JWT_SECRET (or \
                        GROUPBUY_JWT_SECRET_FILE), or an identity provider \
                        (GROUPBUY_OIDC_ISSUER or GROUPBUY_JWKS_URL); it will not run on the \
                        public development secret"
                .into());
        }
    }
    Ok(())
}

/// The identity provider whose keys verify tokens (`GROUPBUY_OIDC_ISSUER` or
/// `GROUPBUY_JWKS_URL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSettings {
    /// Discovery, a key set URL or a key set file.
    pub source: KeySource,
    /// The `iss` every provider token carries: `GROUPBUY_OIDC_ISSUER`, or
    /// `GROUPBUY_JWT_ISSUER` with `GROUPBUY_JWKS_URL`.
    pub issuer: String,
    /// `GROUPBUY_JWT_AUDIENCE`, which a provider token's `aud` must contain.
    pub audience: String,
    /// `GROUPBUY_OIDC_TIMEOUT_MS` (default 5000): the longest one request to the provider
    /// may take.
    pub timeout: Duration,
}

/// The provider settings from looked-up variables; `None` when neither
/// `GROUPBUY_OIDC_ISSUER` nor `GROUPBUY_JWKS_URL` is set.
///
/// # Errors
/// A message naming what is missing or malformed.
pub fn provider_from(
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Option<ProviderSettings>, String> {
    let oidc_issuer = lookup("GROUPBUY_OIDC_ISSUER");
    let jwks_url = lookup("GROUPBUY_JWKS_URL");
    if oidc_issuer.is_none() && jwks_url.is_none() {
        return Ok(None);
    }
    let issuer = oidc_issuer
        .clone()
        .or_else(|| lookup("GROUPBUY_JWT_ISSUER"))
        .ok_or(
            "GROUPBUY_JWKS_URL needs GROUPBUY_JWT_ISSUER: the iss the provider's tokens carry",
        )?;
    let audience = lookup("GROUPBUY_JWT_AUDIENCE").ok_or(
        "GROUPBUY_OIDC_ISSUER and GROUPBUY_JWKS_URL need GROUPBUY_JWT_AUDIENCE: the aud \
         the provider puts in tokens for groupbuy",
    )?;
    let is_url = |u: &str| u.starts_with("https://") || u.starts_with("http://");
    if oidc_issuer.as_deref().is_some_and(|i| !is_url(i)) {
        return Err("GROUPBUY_OIDC_ISSUER must be an http(s) URL".into());
    }
    let source = match jwks_url {
        Some(url) if is_url(&url) => KeySource::Url(url),
        Some(path) => KeySource::File(PathBuf::from(path)),
        None => KeySource::Discovery,
    };
    let timeout_ms = match lookup("GROUPBUY_OIDC_TIMEOUT_MS") {
        Some(v) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|ms| *ms > 0)
            .ok_or_else(|| {
                format!("GROUPBUY_OIDC_TIMEOUT_MS must be a positive number, got {v:?}")
            })?,
        None => 5000,
    };
    Ok(Some(ProviderSettings {
        source,
        issuer,
        audience,
        timeout: Duration::from_millis(timeout_ms),
    }))
}

/// The browser sign-in's client settings (`GROUPBUY_OIDC_CLIENT_ID` and friends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSettings {
    /// `GROUPBUY_OIDC_CLIENT_ID`.
    pub client_id: String,
    /// `GROUPBUY_OIDC_CLIENT_SECRET`; unset for a public client.
    pub client_secret: Option<String>,
    /// `GROUPBUY_PUBLIC_URL` (without a trailing slash): the redirect URI's origin;
    /// `https://` makes cookies `Secure`.
    pub public_url: String,
    /// `GROUPBUY_OIDC_SCOPES` (default `openid profile groupbuy:read groupbuy:write`).
    pub scopes: String,
}

/// `GROUPBUY_SESSION_TTL_SECONDS` (default 8 hours): how long a browser session lasts.
pub const DEFAULT_SESSION_SECONDS: i64 = 8 * 3600;

/// The browser sign-in settings; `None` without `GROUPBUY_OIDC_CLIENT_ID`.
///
/// # Errors
/// A client id without `GROUPBUY_OIDC_ISSUER` (or with `GROUPBUY_JWKS_URL`, which skips
/// discovery), or without an http(s) `GROUPBUY_PUBLIC_URL`.
pub fn web_from(lookup: impl Fn(&str) -> Option<String>) -> Result<Option<WebSettings>, String> {
    let Some(client_id) = lookup("GROUPBUY_OIDC_CLIENT_ID") else {
        return Ok(None);
    };
    if lookup("GROUPBUY_OIDC_ISSUER").is_none() {
        return Err(
            "GROUPBUY_OIDC_CLIENT_ID needs GROUPBUY_OIDC_ISSUER (its discovery \
                    names the sign-in endpoints)"
                .into(),
        );
    }
    if lookup("GROUPBUY_JWKS_URL").is_some() {
        return Err(
            "GROUPBUY_OIDC_CLIENT_ID needs discovery for the sign-in endpoints: \
                    unset GROUPBUY_JWKS_URL"
                .into(),
        );
    }
    let public_url = lookup("GROUPBUY_PUBLIC_URL")
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .ok_or("GROUPBUY_OIDC_CLIENT_ID needs GROUPBUY_PUBLIC_URL, an http(s) URL (for the redirect URI)")?;
    Ok(Some(WebSettings {
        client_id,
        client_secret: lookup("GROUPBUY_OIDC_CLIENT_SECRET"),
        public_url: public_url.trim_end_matches('/').to_owned(),
        scopes: lookup("GROUPBUY_OIDC_SCOPES")
            .unwrap_or_else(|| "openid profile groupbuy:read groupbuy:write".into()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_secret_is_refused_naming_the_minimum() {
        let short = "x".repeat(31);
        let error = check_secret(Some(&short), Environment::Development, false).unwrap_err();
        assert!(error.contains("at least 32"), "{error}");
        assert!(check_secret(Some(&"x".repeat(32)), Environment::Development, false).is_ok());
        assert!(check_secret(Some("abc"), Environment::Production, true).is_err());
    }

    #[test]
    fn production_refuses_the_development_secret_in_both_forms() {
        assert!(check_secret(None, Environment::Development, false).is_ok());
        let unset = check_secret(None, Environment::Production, false).unwrap_err();
        assert!(unset.contains("GROUPBUY_ENV=production"), "{unset}");
        assert!(check_secret(Some(DEV_SECRET), Environment::Production, false).is_err());
        assert!(check_secret(Some(DEV_SECRET), Environment::Development, false).is_ok());
        // a provider alone is enough in production
        assert!(check_secret(None, Environment::Production, true).is_ok());
        assert!(check_secret(Some(&"s".repeat(40)), Environment::Production, false).is_ok());
    }

    #[test]
    fn the_environment_is_development_or_production() {
        assert_eq!(
            Environment::parse("Production"),
            Ok(Environment::Production)
        );
        assert_eq!(
            Environment::parse("development"),
            Ok(Environment::Development)
        );
        assert!(Environment::parse("staging").is_err());
    }

    #[test]
    fn a_provider_needs_an_issuer_and_an_audience() {
        let with = |vars: &'static [(&'static str, &'static str)]| {
            provider_from(|name| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            })
        };
        assert_eq!(with(&[]), Ok(None));
        let no_audience = with(&[("GROUPBUY_OIDC_ISSUER", "https://idp/realms/shop")]);
        assert!(no_audience.unwrap_err().contains("GROUPBUY_JWT_AUDIENCE"));
        let discovery = with(&[
            ("GROUPBUY_OIDC_ISSUER", "https://idp/realms/shop"),
            ("GROUPBUY_JWT_AUDIENCE", "groupbuy"),
        ])
        .expect("valid")
        .expect("configured");
        assert_eq!(discovery.source, KeySource::Discovery);
        assert_eq!(discovery.issuer, "https://idp/realms/shop");
        let no_issuer = with(&[
            ("GROUPBUY_JWKS_URL", "https://idp/keys"),
            ("GROUPBUY_JWT_AUDIENCE", "groupbuy"),
        ]);
        assert!(no_issuer.unwrap_err().contains("GROUPBUY_JWT_ISSUER"));
        let file = with(&[
            ("GROUPBUY_JWKS_URL", "/etc/groupbuy/jwks.json"),
            ("GROUPBUY_JWT_ISSUER", "https://idp"),
            ("GROUPBUY_JWT_AUDIENCE", "groupbuy"),
        ])
        .expect("valid")
        .expect("configured");
        assert_eq!(
            file.source,
            KeySource::File(PathBuf::from("/etc/groupbuy/jwks.json"))
        );
    }

    #[test]
    fn the_browser_sign_in_needs_discovery_and_a_public_url() {
        fn with(vars: &[(&str, &str)]) -> Result<Option<WebSettings>, String> {
            web_from(|name| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            })
        }
        assert_eq!(with(&[]), Ok(None));
        assert!(with(&[("GROUPBUY_OIDC_CLIENT_ID", "web")]).is_err());
        let issuer = ("GROUPBUY_OIDC_ISSUER", "https://idp");
        let public = ("GROUPBUY_PUBLIC_URL", "https://shop.example/");
        let client = ("GROUPBUY_OIDC_CLIENT_ID", "web");
        assert!(with(&[client, issuer]).is_err());
        assert!(with(&[client, public]).is_err());
        assert!(with(&[client, issuer, public, ("GROUPBUY_JWKS_URL", "/k.json")]).is_err());
        let web = with(&[client, issuer, public]).expect("valid").expect("on");
        assert_eq!(web.public_url, "https://shop.example");
        assert_eq!(web.client_secret, None);
    }

    #[test]
    fn the_secret_comes_from_the_variable_or_a_file_never_both() {
        assert_eq!(secret_from(Some("a".into()), None), Ok(Some("a".into())));
        assert_eq!(secret_from(None, None), Ok(None));
        assert!(secret_from(Some("a".into()), Some("/x".into())).is_err());
        let path = std::env::temp_dir().join(format!("gb-secret-{}", uuid::Uuid::new_v4()));
        std::fs::write(&path, "s3cr3t-from-a-file\n").expect("write");
        let file = Some(path.to_string_lossy().into_owned());
        assert_eq!(
            secret_from(None, file.clone()),
            Ok(Some("s3cr3t-from-a-file".into()))
        );
        std::fs::write(&path, "\n").expect("write");
        assert!(secret_from(None, file).is_err());
        let _ = std::fs::remove_file(path);
        assert!(secret_from(None, Some("/nonexistent/secret".into())).is_err());
    }
}
