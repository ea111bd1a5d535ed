//! Rate limits per caller (the token's subject when the bearer token verifies, else the
//! client IP) and per route class: a per-instance burst limit for reads, writes and
//! public interest (governor's keyed GCRA limiter), and counters in the database, shared
//! by every instance, for support reports and the daily write quota. Every limited
//! response carries `X-RateLimit-*` and the IETF draft's `RateLimit-Policy`/`RateLimit`;
//! a refusal is 429 problem JSON with `Retry-After`.

use crate::error::ApiError;
use crate::platform::auth::caller;
use crate::state::{blocking, AppState};
use actix_governor::governor::clock::{Clock as _, DefaultClock};
use actix_governor::governor::middleware::StateInformationMiddleware;
use actix_governor::governor::state::keyed::DefaultKeyedStateStore;
use actix_governor::governor::{Quota, RateLimiter as Gcra};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, RETRY_AFTER};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web;
use groupbuy_domain::platform::rate_limit::DAY;
use groupbuy_domain::platform::{RateDecision, RateLimitStore, RateQuota};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// The route classes, each with its own quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateClass {
    /// GET, HEAD and OPTIONS.
    Reads,
    /// Every other method, outside the classes below.
    Writes,
    /// Registering or withdrawing interest on the public campaign pages
    /// (`PUT`/`DELETE /v2/public/...`, and the forms of `/c/...`), open to anonymous
    /// visitors.
    Interest,
    /// `POST /v2/support/report`, open to anonymous visitors.
    Support,
}

impl RateClass {
    /// The policy name in `RateLimit-Policy` and `RateLimit`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Reads => "reads",
            Self::Writes => "writes",
            Self::Interest => "interest",
            Self::Support => "support",
        }
    }

    fn is_write(self) -> bool {
        self != Self::Reads
    }
}

/// The policy name of the daily write quota.
pub const DAILY_WRITES: &str = "daily-writes";

/// The class of a request, or `None` for routes never limited (health, readiness,
/// metrics, the OpenAPI document and the docs), which probes and tools poll.
pub fn classify(method: &Method, path: &str) -> Option<RateClass> {
    let exempt = matches!(path, "/healthz" | "/readyz" | "/metrics" | "/openapi.json")
        || path == "/docs"
        || path.starts_with("/docs/");
    if exempt {
        return None;
    }
    let read = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    Some(if read {
        RateClass::Reads
    } else if *method == Method::POST && path == "/v2/support/report" {
        RateClass::Support
    } else if path.starts_with("/v2/public/") || is_campaign_form(method, path) {
        RateClass::Interest
    } else {
        RateClass::Writes
    })
}

/// The public campaign pages' forms (`POST /c/{handle}/{slug}/...`: interest, its
/// withdrawal, a pre-order's payment), open to anonymous visitors like `/v2/public`.
fn is_campaign_form(method: &Method, path: &str) -> bool {
    *method == Method::POST && path.starts_with("/c/")
}

/// Each class's quota (`None`: not limited) and the daily write quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// `GROUPBUY_RATE_LIMIT_READS` (default `1200/60s`), per instance.
    pub reads: Option<RateQuota>,
    /// `GROUPBUY_RATE_LIMIT_WRITES` (default `600/60s`), per instance.
    pub writes: Option<RateQuota>,
    /// `GROUPBUY_RATE_LIMIT_INTEREST` (default `120/60s`), per instance.
    pub interest: Option<RateQuota>,
    /// `GROUPBUY_RATE_LIMIT_SUPPORT` (default `5/60s`), shared by all instances.
    pub support: Option<RateQuota>,
    /// `GROUPBUY_DAILY_WRITE_QUOTA` (default 10000) writes per caller per UTC day,
    /// shared by all instances.
    pub daily_writes: Option<RateQuota>,
}

fn quota(limit: u32, window: Duration) -> Option<RateQuota> {
    RateQuota::new(limit, window)
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            reads: quota(1200, Duration::MINUTE),
            writes: quota(600, Duration::MINUTE),
            interest: quota(120, Duration::MINUTE),
            support: quota(5, Duration::MINUTE),
            daily_writes: quota(10_000, DAY),
        }
    }
}

impl RateLimitConfig {
    /// No limit at all (`GROUPBUY_RATE_LIMITS=off`).
    pub fn disabled() -> Self {
        Self {
            reads: None,
            writes: None,
            interest: None,
            support: None,
            daily_writes: None,
        }
    }

    /// Reads the settings through `var` (the environment in production); unset
    /// variables keep their defaults.
    ///
    /// # Errors
    /// A message naming the malformed variable.
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        if var("GROUPBUY_RATE_LIMITS").is_some_and(|v| v.trim().eq_ignore_ascii_case("off")) {
            return Ok(Self::disabled());
        }
        let d = Self::default();
        let class = |name: &str, default: Option<RateQuota>| match var(name) {
            Some(text) => RateQuota::parse(name, &text).map_err(|e| e.to_string()),
            None => Ok(default),
        };
        let daily = match var("GROUPBUY_DAILY_WRITE_QUOTA") {
            Some(text) if text.trim().eq_ignore_ascii_case("off") => None,
            Some(text) => {
                let n: u32 = text.trim().parse().map_err(|_| {
                    format!(
                        "GROUPBUY_DAILY_WRITE_QUOTA must be a number of writes per caller per UTC day, or off; got {text:?}"
                    )
                })?;
                RateQuota::new(n, DAY)
            }
            None => d.daily_writes,
        };
        Ok(Self {
            reads: class("GROUPBUY_RATE_LIMIT_READS", d.reads)?,
            writes: class("GROUPBUY_RATE_LIMIT_WRITES", d.writes)?,
            interest: class("GROUPBUY_RATE_LIMIT_INTEREST", d.interest)?,
            support: class("GROUPBUY_RATE_LIMIT_SUPPORT", d.support)?,
            daily_writes: daily,
        })
    }
}

type Keyed = Gcra<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// One class's per-instance limiter.
struct Burst {
    quota: RateQuota,
    /// Time for one request's allowance to come back (window / limit).
    per_request: std::time::Duration,
    limiter: Keyed,
}

impl Burst {
    fn new(quota: RateQuota) -> Self {
        let window = std::time::Duration::from_secs(quota.window_seconds().unsigned_abs());
        let per_request = (window / quota.limit).max(std::time::Duration::from_nanos(1));
        let gcra = Quota::with_period(per_request)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
            .allow_burst(NonZeroU32::new(quota.limit).unwrap_or(NonZeroU32::MIN));
        Self {
            quota,
            per_request,
            limiter: Gcra::keyed(gcra).with_middleware::<StateInformationMiddleware>(),
        }
    }

    /// Takes one request of `who` from the bucket; the decision in the domain's terms.
    fn check(&self, who: &str, now: OffsetDateTime) -> RateDecision {
        let key = who.to_owned();
        match self.limiter.check_key(&key) {
            Ok(state) => {
                let remaining = state.remaining_burst_capacity();
                let used = self.quota.limit.saturating_sub(remaining);
                // Time until the bucket is full again (to within one request's allowance).
                let full_in = self.per_request.saturating_mul(used);
                RateDecision {
                    limit: self.quota.limit,
                    remaining,
                    reset_at: now + full_in,
                    allowed: true,
                }
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.limiter.clock().now());
                RateDecision {
                    limit: self.quota.limit,
                    remaining: 0,
                    reset_at: now + wait,
                    allowed: false,
                }
            }
        }
    }
}

/// Forget callers idle for a whole window every this many checks, so the per-instance
/// tables hold only recent callers.
const FORGET_EVERY: u64 = 4096;

/// The limits of one instance: its burst limiters and the shared counters.
pub struct RateLimiter {
    config: RateLimitConfig,
    reads: Option<Burst>,
    writes: Option<Burst>,
    interest: Option<Burst>,
    checks: AtomicU64,
}

/// One policy that applied to a request and what it decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// The policy name.
    pub policy: &'static str,
    /// Its quota.
    pub quota: RateQuota,
    /// Its decision for this request.
    pub decision: RateDecision,
}

impl RateLimiter {
    /// Limiters for `config`.
    pub fn new(config: RateLimitConfig) -> Self {
        Self {
            config,
            reads: config.reads.map(Burst::new),
            writes: config.writes.map(Burst::new),
            interest: config.interest.map(Burst::new),
            checks: AtomicU64::new(0),
        }
    }

    fn burst(&self, class: RateClass) -> Option<&Burst> {
        match class {
            RateClass::Reads => self.reads.as_ref(),
            RateClass::Writes => self.writes.as_ref(),
            RateClass::Interest => self.interest.as_ref(),
            // Reports are rare and every one is stored: counted in the database, so the
            // limit holds across instances.
            RateClass::Support => None,
        }
    }

    fn forget_idle(&self) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % FORGET_EVERY == FORGET_EVERY - 1 {
            for burst in [&self.reads, &self.writes, &self.interest]
                .into_iter()
                .flatten()
            {
                burst.limiter.retain_recent();
            }
        }
    }

    /// Counts one request of class `class` by `who` against every policy that applies,
    /// stopping at the first refusal (a refused request uses up nothing further); the
    /// shared quotas are counted in `store`.
    ///
    /// # Errors
    /// The store's failure (503 when the database is unavailable).
    pub async fn check(
        &self,
        store: &Arc<dyn RateLimitStore>,
        class: RateClass,
        who: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<Verdict>, ApiError> {
        self.forget_idle();
        let mut verdicts = Vec::new();
        if let Some(burst) = self.burst(class) {
            let decision = burst.check(who, now);
            verdicts.push(Verdict {
                policy: class.name(),
                quota: burst.quota,
                decision,
            });
            if !decision.allowed {
                return Ok(verdicts);
            }
        }
        let mut shared = Vec::new();
        if let (RateClass::Support, Some(q)) = (class, self.config.support) {
            shared.push((class.name(), q));
        }
        if let (true, Some(q)) = (class.is_write(), self.config.daily_writes) {
            shared.push((DAILY_WRITES, q));
        }
        if shared.is_empty() {
            return Ok(verdicts);
        }
        let store = store.clone();
        let who = who.to_owned();
        let counted = blocking(move || {
            let mut out = Vec::new();
            for (policy, quota) in shared {
                let decision = store.hit(&format!("{policy}:{who}"), quota, now)?;
                out.push(Verdict {
                    policy,
                    quota,
                    decision,
                });
                if !decision.allowed {
                    break;
                }
            }
            Ok(out)
        })
        .await?;
        verdicts.extend(counted);
        Ok(verdicts)
    }
}

/// The headers describing `verdicts`: `X-RateLimit-Limit/Remaining/Reset` (Unix
/// seconds) of the binding policy, every policy in `RateLimit-Policy` and `RateLimit`
/// (draft-ietf-httpapi-ratelimit-headers), and `Retry-After` on a refusal.
pub fn headers(verdicts: &[Verdict], now: OffsetDateTime) -> Vec<(HeaderName, String)> {
    let decisions: Vec<RateDecision> = verdicts.iter().map(|v| v.decision).collect();
    let Some(binding) = RateDecision::binding(&decisions) else {
        return Vec::new();
    };
    let policy = verdicts
        .iter()
        .map(|v| {
            format!(
                "\"{}\";q={};w={}",
                v.policy,
                v.quota.limit,
                v.quota.window_seconds()
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let current = verdicts
        .iter()
        .map(|v| {
            format!(
                "\"{}\";r={};t={}",
                v.policy,
                v.decision.remaining,
                v.decision.reset_in(now)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = vec![
        (
            HeaderName::from_static("x-ratelimit-limit"),
            binding.limit.to_string(),
        ),
        (
            HeaderName::from_static("x-ratelimit-remaining"),
            binding.remaining.to_string(),
        ),
        (
            HeaderName::from_static("x-ratelimit-reset"),
            binding.reset_at.unix_timestamp().to_string(),
        ),
        (HeaderName::from_static("ratelimit-policy"), policy),
        (HeaderName::from_static("ratelimit"), current),
    ];
    if !binding.allowed {
        out.push((RETRY_AFTER, binding.retry_after(now).to_string()));
    }
    out
}

/// The 429 answer for a refused request.
fn refusal(verdicts: &[Verdict], now: OffsetDateTime) -> Option<ApiError> {
    let refused = verdicts.iter().find(|v| !v.decision.allowed)?;
    let retry = refused.decision.retry_after(now);
    let window = refused.quota.window_seconds();
    Some(ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        format!(
            "Too many requests: the {} limit is {} per {window} s; retry in {retry} s",
            refused.policy, refused.quota.limit
        ),
    ))
}

/// Who is counted: the token's subject when it verifies, else the client address
/// ([`address_key`]).
fn caller_key(req: &ServiceRequest) -> String {
    match caller(req.request()) {
        Ok(Some(p)) => format!("user:{}", p.user_id),
        _ => req
            .peer_addr()
            .map_or_else(|| "ip:unknown".into(), |a| address_key(a.ip())),
    }
}

/// The anonymous counter of an address: an IPv4 address itself (also when it arrives
/// IPv4-mapped, `::ffff:a.b.c.d`), an IPv6 address by its /64, the smallest block one
/// subscriber is usually given: counting each of its 2^64 addresses apart would let one
/// client rotate addresses past every limit.
pub fn address_key(ip: std::net::IpAddr) -> String {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => format!("ip:{v4}"),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("ip:{v4}"),
            None => {
                let s = v6.segments();
                let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("ip:{net}/64")
            }
        },
    }
}

/// The middleware: counts the request, refuses it with 429 beyond a limit, and adds the
/// rate-limit headers to whatever answers (errors included).
pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limiter = req.app_data::<web::Data<RateLimiter>>().cloned();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let class = classify(req.method(), req.path());
    let (Some(limiter), Some(state), Some(class)) = (limiter, state, class) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let now = state.clock.now();
    let who = caller_key(&req);
    let verdicts = match limiter.check(&state.rate_limits, class, &who, now).await {
        Ok(v) => v,
        Err(e) => return Ok(req.error_response(e)),
    };
    let mut res = match refusal(&verdicts, now) {
        // A person's browser gets a page in words, a program the problem document.
        Some(_) if crate::pages::is_page_path(req.path()) => {
            let wait = verdicts
                .iter()
                .find(|v| !v.decision.allowed)
                .map_or(1, |v| v.decision.retry_after(now));
            req.into_response(crate::pages::too_many_requests(wait))
        }
        Some(err) => req.error_response(err),
        // Inner layers answer errors as responses (which get the headers); an Err is
        // left to actix, as in `request_context`.
        None => next.call(req).await?.map_into_boxed_body(),
    };
    for (name, value) in headers(&verdicts, now) {
        if let Ok(v) = HeaderValue::from_str(&value) {
            res.headers_mut().insert(name, v);
        }
    }
    Ok(res)
}

#[cfg(test)]
mod tests;
