//! Configuration, read once from the environment and validated at start.

pub mod auth;
pub mod database;

use crate::jobs::webhook_delivery::DeliverySettings;
use crate::platform::auth::{ClaimMap, DEFAULT_JWT_MAX_TTL_SECONDS, DEV_SECRET};
use crate::platform::rate_limit::RateLimitConfig;
use groupbuy_domain::ledger::CommissionRate;
use groupbuy_domain::webhook::RetrySchedule;
use std::time::Duration;

/// Everything `serve` needs to know.
#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: `postgres://...` or a SQLite path (default `groupbuy.db`).
    pub database_url: String,
    /// `DATABASE_READ_URL`, `DATABASE_DIRECT_URL`, `GROUPBUY_PG_STATEMENT_CACHE`,
    /// `GROUPBUY_READ_AFTER_WRITE_MS` ([`database::DatabaseSettings`]).
    pub database: database::DatabaseSettings,
    /// `GROUPBUY_BIND` (default `127.0.0.1:8080`).
    pub bind: String,
    /// `GROUPBUY_ENV` (default development): production refuses the development secret.
    pub environment: auth::Environment,
    /// `GROUPBUY_JWT_SECRET` or the contents of `GROUPBUY_JWT_SECRET_FILE` (at least 32
    /// bytes); `None` means the development secret.
    pub jwt_secret: Option<String>,
    /// The identity provider whose keys also verify tokens (`GROUPBUY_OIDC_ISSUER` or
    /// `GROUPBUY_JWKS_URL`); with no secret set, HS256 is then off.
    pub provider: Option<auth::ProviderSettings>,
    /// The browser sign-in's client (`GROUPBUY_OIDC_CLIENT_ID`, `..._CLIENT_SECRET`,
    /// `GROUPBUY_PUBLIC_URL`, `GROUPBUY_OIDC_SCOPES`).
    pub web: Option<auth::WebSettings>,
    /// `GROUPBUY_SESSION_TTL_SECONDS` (default 28800): how long a browser session lasts.
    pub session_seconds: i64,
    /// `GROUPBUY_JWT_*_CLAIM`: where tokens keep roles, organisation, scopes, name, picture.
    pub claim_map: ClaimMap,
    /// `GROUPBUY_COOKIE_SECRET` (at least 32 bytes): signs the visitor cookie when HS256
    /// is off, and seals browser sessions; unset, derived from the HS256 secret, else a
    /// random one per instance.
    pub cookie_secret: Option<String>,
    /// `GROUPBUY_JWT_ISSUER`, enforced when set.
    pub jwt_issuer: Option<String>,
    /// `GROUPBUY_JWT_AUDIENCE`, enforced when set.
    pub jwt_audience: Option<String>,
    /// `GROUPBUY_JWT_MAX_TTL_SECONDS` (default 86400): tokens expiring later than this
    /// from now are refused, and `groupbuy token` mints no longer.
    pub jwt_max_ttl_seconds: i64,
    /// `GROUPBUY_METRICS_TOKEN`: the bearer token `/metrics` asks for; unset, `/metrics`
    /// is not served (404).
    pub metrics_token: Option<String>,
    /// `GROUPBUY_OCDS_PREFIX` (default `ocds-groupbuy-`): the OCDS package's `ocid` is this
    /// prefix and the pool id.
    pub ocds_prefix: String,
    /// `GROUPBUY_PUBLIC_URL` (default `http://127.0.0.1:8080`, no trailing slash): the
    /// origin of the public pages' canonical and Open Graph URLs.
    pub public_url: String,
    /// `GROUPBUY_JOIN_URL` (unset by default): the platform's own join page, such as
    /// `https://shop.example/join?code={code}`; the group pages' join button links there
    /// (`{code}` replaced, URL-encoded) instead of showing the hosted join form.
    pub join_url: Option<String>,
    /// `GROUPBUY_SWEEP_INTERVAL_MS` (default 5000): how often background sweeps run.
    pub sweep_interval: Duration,
    /// `GROUPBUY_DB_POOL_SIZE` (default 8).
    pub pool_size: u32,
    /// `GROUPBUY_DB_TIMEOUT_MS` (default 3000): wait for a connection before 503.
    pub pool_timeout: Duration,
    /// `GROUPBUY_WORKERS` (default: number of CPUs).
    pub workers: Option<usize>,
    /// `GROUPBUY_FAILPOINT_ABORT_AFTER_COMMIT=1`: tests only; the process aborts between an
    /// idempotent request's COMMIT and its response.
    pub abort_after_commit: bool,
    /// `GROUPBUY_RATE_LIMIT_*`, `GROUPBUY_DAILY_WRITE_QUOTA`, `GROUPBUY_RATE_LIMITS=off`.
    pub rate_limits: RateLimitConfig,
    /// `GROUPBUY_SHUTDOWN_TIMEOUT_SECONDS` (default 30): how long in-flight requests may
    /// take to finish after SIGTERM/SIGINT.
    pub shutdown_timeout: Duration,
    /// `GROUPBUY_BODY_TIMEOUT_MS` (default 10000): how long a request body may take to
    /// arrive after its head; later, 408 and the connection is closed.
    pub body_timeout: Duration,
    /// `GROUPBUY_MAX_CONNECTIONS` (default 768): open connections the instance accepts,
    /// shared among its workers; keep it under the open-file limit, which the database
    /// pool and webhook deliveries also draw on. Beyond it, new connections wait in the
    /// listen backlog.
    pub max_connections: usize,
    /// `GROUPBUY_WEBHOOK_RETRY_SCHEDULE`, `GROUPBUY_WEBHOOK_TIMEOUT_MS` (15000),
    /// `GROUPBUY_WEBHOOK_POLL_MS` (500), `GROUPBUY_WEBHOOK_ALLOW_PRIVATE=1`.
    pub webhooks: DeliverySettings,
    /// `GROUPBUY_COMMISSION_BPS` (default 0, at most 10000): the platform's commission on
    /// the completed orders of shops without a rate of their own, in basis points.
    pub commission: CommissionRate,
    /// Live updates: `GROUPBUY_LIVE_MAX_SUBSCRIBERS`, `GROUPBUY_LIVE_HEARTBEAT_MS`,
    /// `GROUPBUY_LIVE_RETRY_MS`.
    pub live: crate::live::LiveSettings,
    /// The group read model: `GROUPBUY_READ_MODEL_MAX_AGE_MS` (default 2000),
    /// `GROUPBUY_READ_MODEL_CAPACITY` (default 10000); either zero turns it off.
    pub read_model: crate::read_model::ReadModelSettings,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "groupbuy.db".into(),
            database: database::DatabaseSettings::default(),
            bind: "127.0.0.1:8080".into(),
            environment: auth::Environment::Development,
            jwt_secret: None,
            provider: None,
            web: None,
            session_seconds: auth::DEFAULT_SESSION_SECONDS,
            claim_map: ClaimMap::default(),
            cookie_secret: None,
            jwt_issuer: None,
            jwt_audience: None,
            jwt_max_ttl_seconds: DEFAULT_JWT_MAX_TTL_SECONDS,
            metrics_token: None,
            ocds_prefix: groupbuy_domain::procurement::ocds::DEFAULT_OCDS_PREFIX.into(),
            public_url: crate::state::DEFAULT_PUBLIC_URL.into(),
            join_url: None,
            sweep_interval: Duration::from_millis(5000),
            pool_size: 8,
            pool_timeout: Duration::from_millis(3000),
            workers: None,
            abort_after_commit: false,
            rate_limits: RateLimitConfig::default(),
            shutdown_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_millis(10_000),
            max_connections: 768,
            webhooks: DeliverySettings::default(),
            commission: CommissionRate::ZERO,
            live: crate::live::LiveSettings::default(),
            read_model: crate::read_model::ReadModelSettings::default(),
        }
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn number<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match var(name) {
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| format!("{name} must be a positive number, got {v:?}")),
        None => Ok(default),
    }
}

/// `GROUPBUY_JOIN_URL`: an absolute http(s) URL holding `{code}`, else start-up stops.
fn join_url(value: Option<String>) -> Result<Option<String>, String> {
    let Some(v) = value.map(|v| v.trim().to_owned()) else {
        return Ok(None);
    };
    let absolute = v.starts_with("https://") || v.starts_with("http://");
    if !absolute || !v.contains("{code}") || url::Url::parse(&v).is_err() {
        return Err(format!(
            "GROUPBUY_JOIN_URL must be an http(s) URL containing {{code}}, got {v:?}"
        ));
    }
    Ok(Some(v))
}

/// `GROUPBUY_COMMISSION_BPS`, refused outside 0-10000.
fn commission() -> Result<CommissionRate, String> {
    const NAME: &str = "GROUPBUY_COMMISSION_BPS";
    let bps: i64 = number(NAME, 0)?;
    CommissionRate::from_bps(bps, NAME).map_err(|e| e.to_string())
}

/// The live updates' limits from the environment (all above zero).
fn live_settings() -> Result<crate::live::LiveSettings, String> {
    let d = crate::live::LiveSettings::default();
    let max_subscribers = number("GROUPBUY_LIVE_MAX_SUBSCRIBERS", d.max_subscribers)?;
    let heartbeat_ms: u64 = number("GROUPBUY_LIVE_HEARTBEAT_MS", 15_000)?;
    let retry_ms: u64 = number("GROUPBUY_LIVE_RETRY_MS", 3_000)?;
    if max_subscribers == 0 || heartbeat_ms == 0 || retry_ms == 0 {
        return Err(
            "GROUPBUY_LIVE_MAX_SUBSCRIBERS, GROUPBUY_LIVE_HEARTBEAT_MS and \
                    GROUPBUY_LIVE_RETRY_MS must be > 0"
                .into(),
        );
    }
    Ok(crate::live::LiveSettings {
        max_subscribers,
        heartbeat: Duration::from_millis(heartbeat_ms),
        retry: Duration::from_millis(retry_ms),
    })
}

/// The read model's bounds from the environment (zero turns it off).
fn read_model_settings() -> Result<crate::read_model::ReadModelSettings, String> {
    let d = crate::read_model::ReadModelSettings::default();
    let max_age_ms: u64 = number(
        "GROUPBUY_READ_MODEL_MAX_AGE_MS",
        u64::try_from(d.max_age.as_millis()).unwrap_or(u64::MAX),
    )?;
    Ok(crate::read_model::ReadModelSettings {
        max_age: Duration::from_millis(max_age_ms),
        capacity: number("GROUPBUY_READ_MODEL_CAPACITY", d.capacity)?,
    })
}

/// The webhook delivery settings from the environment.
fn webhook_settings() -> Result<DeliverySettings, String> {
    let d = DeliverySettings::default();
    let schedule = match var("GROUPBUY_WEBHOOK_RETRY_SCHEDULE") {
        Some(text) => RetrySchedule::parse(&text)
            .map_err(|e| format!("GROUPBUY_WEBHOOK_RETRY_SCHEDULE {e}"))?,
        None => d.schedule,
    };
    let timeout_ms: u64 = number("GROUPBUY_WEBHOOK_TIMEOUT_MS", 15_000)?;
    let poll_ms: u64 = number("GROUPBUY_WEBHOOK_POLL_MS", 500)?;
    if timeout_ms == 0 || poll_ms == 0 {
        return Err("GROUPBUY_WEBHOOK_TIMEOUT_MS and GROUPBUY_WEBHOOK_POLL_MS must be > 0".into());
    }
    Ok(DeliverySettings {
        schedule,
        timeout: Duration::from_millis(timeout_ms),
        poll: Duration::from_millis(poll_ms),
        allow_private: var("GROUPBUY_WEBHOOK_ALLOW_PRIVATE").as_deref() == Some("1"),
        lookup: d.lookup,
    })
}

impl Config {
    /// Reads the environment; a malformed value is an error naming the variable.
    ///
    /// # Errors
    /// A message naming the bad variable.
    pub fn from_env() -> Result<Self, String> {
        let d = Self::default();
        let sweep_ms: u64 = number("GROUPBUY_SWEEP_INTERVAL_MS", 5000)?;
        let pool_size: u32 = number("GROUPBUY_DB_POOL_SIZE", d.pool_size)?;
        let timeout_ms: u64 = number("GROUPBUY_DB_TIMEOUT_MS", 3000)?;
        if sweep_ms == 0 || pool_size == 0 {
            return Err("GROUPBUY_SWEEP_INTERVAL_MS and GROUPBUY_DB_POOL_SIZE must be > 0".into());
        }
        let jwt_max_ttl_seconds: i64 =
            number("GROUPBUY_JWT_MAX_TTL_SECONDS", d.jwt_max_ttl_seconds)?;
        if jwt_max_ttl_seconds <= 0 {
            return Err("GROUPBUY_JWT_MAX_TTL_SECONDS must be > 0".into());
        }
        let body_timeout_ms: u64 = number("GROUPBUY_BODY_TIMEOUT_MS", 10_000)?;
        let max_connections: usize = number("GROUPBUY_MAX_CONNECTIONS", d.max_connections)?;
        if body_timeout_ms == 0 || max_connections == 0 {
            return Err("GROUPBUY_BODY_TIMEOUT_MS and GROUPBUY_MAX_CONNECTIONS must be > 0".into());
        }
        let workers = match var("GROUPBUY_WORKERS") {
            Some(_) => Some(number("GROUPBUY_WORKERS", 1usize)?),
            None => None,
        };
        let environment = match var("GROUPBUY_ENV") {
            Some(v) => auth::Environment::parse(&v)?,
            None => d.environment,
        };
        let database_url = var("DATABASE_URL").unwrap_or(d.database_url);
        let config = Self {
            database: database::DatabaseSettings::from_lookup(&database_url, var)?,
            database_url,
            environment,
            jwt_secret: auth::secret_from(
                var("GROUPBUY_JWT_SECRET"),
                var("GROUPBUY_JWT_SECRET_FILE"),
            )?,
            provider: auth::provider_from(var)?,
            web: auth::web_from(var)?,
            session_seconds: number("GROUPBUY_SESSION_TTL_SECONDS", d.session_seconds)?,
            claim_map: ClaimMap::from_lookup(var)?,
            cookie_secret: var("GROUPBUY_COOKIE_SECRET"),
            bind: var("GROUPBUY_BIND").unwrap_or(d.bind),
            jwt_issuer: var("GROUPBUY_JWT_ISSUER"),
            jwt_audience: var("GROUPBUY_JWT_AUDIENCE"),
            jwt_max_ttl_seconds,
            metrics_token: var("GROUPBUY_METRICS_TOKEN"),
            ocds_prefix: var("GROUPBUY_OCDS_PREFIX")
                .unwrap_or_else(|| groupbuy_domain::procurement::ocds::DEFAULT_OCDS_PREFIX.into()),
            public_url: var("GROUPBUY_PUBLIC_URL")
                .map_or(d.public_url, |u| u.trim_end_matches('/').to_owned()),
            join_url: join_url(var("GROUPBUY_JOIN_URL"))?,
            sweep_interval: Duration::from_millis(sweep_ms),
            pool_size,
            pool_timeout: Duration::from_millis(timeout_ms),
            workers,
            abort_after_commit: var("GROUPBUY_FAILPOINT_ABORT_AFTER_COMMIT").as_deref()
                == Some("1"),
            rate_limits: RateLimitConfig::from_lookup(var)?,
            shutdown_timeout: Duration::from_secs(number("GROUPBUY_SHUTDOWN_TIMEOUT_SECONDS", 30)?),
            body_timeout: Duration::from_millis(body_timeout_ms),
            max_connections,
            webhooks: webhook_settings()?,
            commission: commission()?,
            live: live_settings()?,
            read_model: read_model_settings()?,
        };
        config.check_auth()?;
        Ok(config)
    }

    /// Refuses a short secret, and the development secret in production
    /// ([`auth::check_secret`]).
    ///
    /// # Errors
    /// A message saying what to set.
    pub fn check_auth(&self) -> Result<(), String> {
        auth::check_secret(
            self.jwt_secret.as_deref(),
            self.environment,
            self.provider.is_some(),
        )?;
        if self
            .cookie_secret
            .as_ref()
            .is_some_and(|s| s.len() < auth::MIN_SECRET_BYTES)
        {
            return Err(format!(
                "GROUPBUY_COOKIE_SECRET must be at least {} bytes",
                auth::MIN_SECRET_BYTES
            ));
        }
        Ok(())
    }

    /// The primary without a pooler in between (`DATABASE_DIRECT_URL`, else
    /// `DATABASE_URL`): for migrations and seeding, which hold a session.
    pub fn direct_url(&self) -> &str {
        self.database
            .direct_url
            .as_deref()
            .unwrap_or(&self.database_url)
    }

    /// Whether HS256 tokens are accepted: a secret is set, or no provider is (the
    /// development secret then).
    pub fn hs256_enabled(&self) -> bool {
        self.jwt_secret.is_some() || self.provider.is_none()
    }

    /// The secret tokens are signed with (the development one when unset).
    pub fn secret(&self) -> &str {
        self.jwt_secret.as_deref().unwrap_or(DEV_SECRET)
    }
}

#[cfg(test)]
mod tests {
    use super::join_url;

    #[test]
    fn a_join_url_is_an_http_url_with_the_code_placeholder() {
        assert_eq!(join_url(None), Ok(None));
        let good = "https://shop.example/join?code={code}";
        assert_eq!(join_url(Some(good.into())), Ok(Some(good.into())));
        for bad in [
            "https://shop.example/join",
            "shop.example/join?code={code}",
            "javascript:alert(1)//{code}",
        ] {
            let refused = join_url(Some(bad.into())).expect_err(bad);
            assert!(refused.contains("GROUPBUY_JOIN_URL"), "{refused}");
        }
    }
}
