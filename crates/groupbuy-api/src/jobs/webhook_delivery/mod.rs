//! The webhook delivery job inside `serve`: fans outbox events out, sends due
//! deliveries signed per Standard Webhooks 1.0, records every attempt. Safe on every
//! instance (claims are leased in the database); a restart or a kill loses nothing.

mod outbox;
mod resolve;

pub use outbox::{OutboxMetrics, NAMED_ENDPOINTS, OTHER_ENDPOINTS};
pub use resolve::HostLookup;

use crate::jobs::JobRegistry;
use crate::state::{blocking, AppState};
use actix_web::web;
use base64::Engine;
use groupbuy_domain::platform::JobQueue;
use groupbuy_domain::webhook::{
    is_internal_ip, AttemptOutcome, DeliveryAttempt, DueDelivery, RetrySchedule, SECRET_PREFIX,
};
use hmac::{Hmac, Mac};
use prometheus::{IntCounterVec, Opts, Registry};
use rand::Rng;
use sha2::Sha256;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How the worker delivers (from `GROUPBUY_WEBHOOK_*`).
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// Delays between attempts.
    pub schedule: RetrySchedule,
    /// Per-attempt timeout.
    pub timeout: Duration,
    /// How often the worker looks for work.
    pub poll: Duration,
    /// Whether loopback/private targets are allowed (development, tests).
    pub allow_private: bool,
    /// How target names are resolved (the system's resolver; tests inject their own).
    pub lookup: HostLookup,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            schedule: RetrySchedule::standard(),
            timeout: Duration::from_millis(15_000),
            poll: Duration::from_millis(500),
            allow_private: false,
            lookup: HostLookup::system(),
        }
    }
}

/// Deliveries by outcome and the outbox per endpoint, on `/metrics`.
#[derive(Clone)]
pub struct DeliveryMetrics {
    outcomes: IntCounterVec,
    outbox: OutboxMetrics,
}

impl DeliveryMetrics {
    /// Registers the collectors: `groupbuy_webhook_deliveries_total{outcome}` and the
    /// outbox's lag and pending deliveries per endpoint ([`OutboxMetrics`]).
    ///
    /// # Errors
    /// When the registry refuses them.
    pub fn register(registry: &Registry) -> Result<Self, String> {
        let outcomes = IntCounterVec::new(
            Opts::new(
                "groupbuy_webhook_deliveries_total",
                "Webhook delivery attempts by outcome",
            ),
            &["outcome"],
        )
        .map_err(|e| e.to_string())?;
        registry
            .register(Box::new(outcomes.clone()))
            .map_err(|e| e.to_string())?;
        let outbox = OutboxMetrics::register(registry)?;
        Ok(Self { outcomes, outbox })
    }
}

/// Rounds one pass may drain back to back, so a shutdown waits for at most this many.
const MAX_ROUNDS_PER_PASS: usize = 50;

/// Registers the worker: every `poll`, a pass sends what is due, and keeps sending while
/// there is work, so a burst drains without waiting a poll.
pub fn register(
    registry: JobRegistry,
    settings: DeliverySettings,
    metrics: Option<DeliveryMetrics>,
) -> JobRegistry {
    let client = match client(&settings) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhook delivery disabled: no HTTP client");
            return registry;
        }
    };
    let every = settings.poll;
    let settings = Arc::new(settings);
    registry.draining(
        "webhook-delivery",
        every,
        JobQueue::WebhookDelivery,
        Box::new(move |state| {
            let (client, settings, metrics) = (client.clone(), settings.clone(), metrics.clone());
            Box::pin(async move {
                for _ in 0..MAX_ROUNDS_PER_PASS {
                    if deliver_once(&state, &client, &settings, metrics.as_ref()).await == 0 {
                        break;
                    }
                }
                if let Some(m) = &metrics {
                    m.outbox.measure(&state).await;
                }
            })
        }),
    )
}

/// The delivery client: no redirects, no proxy (a proxy would resolve the name itself),
/// names resolved by the checking resolver and connected to at exactly the addresses
/// it checked.
///
/// # Errors
/// When the TLS backend cannot be set up.
pub fn client(settings: &DeliverySettings) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(settings.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(resolve::CheckedResolver {
            lookup: settings.lookup.clone(),
            allow_private: settings.allow_private,
        }))
        .build()
}

/// One pass: fan out new events, send what is due; returns how many were sent.
pub async fn deliver_once(
    state: &web::Data<AppState>,
    client: &reqwest::Client,
    settings: &DeliverySettings,
    metrics: Option<&DeliveryMetrics>,
) -> usize {
    let now = state.clock.now();
    let store = state.webhooks.clone();
    if let Err(e) = blocking(move || store.dispatch(now, 200)).await {
        tracing::warn!(error = %e, "webhook dispatch failed; retrying next pass");
    }
    let store = state.webhooks.clone();
    let lease = time::Duration::try_from(settings.timeout).unwrap_or(time::Duration::SECOND * 15)
        + time::Duration::seconds(30);
    let due = match blocking(move || store.claim_due(now, 32, lease)).await {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "claiming webhook deliveries failed");
            return 0;
        }
    };
    let sent = due.len();
    let attempts = due
        .into_iter()
        .map(|d| attempt(state, client, settings, metrics, d));
    futures_util::future::join_all(attempts).await;
    sent
}

/// Sends one delivery and records what came of it.
async fn attempt(
    state: &web::Data<AppState>,
    client: &reqwest::Client,
    settings: &DeliverySettings,
    metrics: Option<&DeliveryMetrics>,
    due: DueDelivery,
) {
    let at = state.clock.now();
    let started = Instant::now();
    let (status, retry_after, error) = match send(client, settings, &due, at).await {
        Ok((status, retry_after)) => (Some(status), retry_after, None),
        Err(e) => (None, None, Some(e)),
    };
    let outcome = AttemptOutcome::of(status, retry_after);
    let made = u32::try_from(due.attempts_made + 1).unwrap_or(u32::MAX);
    let jitter = rand::thread_rng().gen_range(-1.0..=1.0);
    let (next_state, next_at) = outcome.next(made, &settings.schedule, jitter, state.clock.now());
    let disable = (outcome == AttemptOutcome::Gone)
        .then(|| "The endpoint answered 410 Gone; re-enable it to resume deliveries".to_owned());
    if let Some(m) = metrics {
        m.outcomes.with_label_values(&[next_state.as_str()]).inc();
    }
    let record = DeliveryAttempt {
        attempt: due.attempts_made + 1,
        status_code: status.map(i32::from),
        error,
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        at,
    };
    let store = state.webhooks.clone();
    let id = due.id.clone();
    if let Err(e) =
        blocking(move || store.record_attempt(&due, record, next_state, next_at, disable)).await
    {
        // The lease runs out and the delivery is sent again: at-least-once.
        tracing::warn!(error = %e, delivery = %id, "could not record a webhook attempt");
    }
}

/// POSTs the event; the status and any Retry-After, or why there was no answer.
async fn send(
    client: &reqwest::Client,
    settings: &DeliverySettings,
    due: &DueDelivery,
    at: time::OffsetDateTime,
) -> Result<(u16, Option<time::Duration>), String> {
    let url = reqwest::Url::parse(&due.url).map_err(|e| format!("invalid url: {e}"))?;
    if !settings.allow_private {
        refuse_internal(&url)?;
    }
    let timestamp = at.unix_timestamp().to_string();
    let mut signatures = vec![sign(&due.secret, &due.event_id, &timestamp, &due.body)?];
    if let Some(previous) = &due.previous_secret {
        signatures.push(sign(previous, &due.event_id, &timestamp, &due.body)?);
    }
    let res = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &due.event_id)
        .header("webhook-timestamp", &timestamp)
        .header("webhook-signature", signatures.join(" "))
        .header("x-request-id", &due.request_id)
        .header("user-agent", "groupbuy-webhooks/1")
        .body(due.body.clone())
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                "timed out".to_owned()
            } else {
                // The causes say why (a refused resolution, a refused connection).
                let mut why = format!("request failed: {e}");
                let mut cause = std::error::Error::source(&e);
                while let Some(c) = cause {
                    why.push_str(&format!(": {c}"));
                    cause = c.source();
                }
                why
            }
        })?;
    let retry_after = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|s| *s >= 0)
        .map(time::Duration::seconds);
    Ok((res.status().as_u16(), retry_after))
}

/// Refuses an IP-literal target that is internal (names are checked by the client's
/// resolver, on the very addresses it connects to).
fn refuse_internal(url: &reqwest::Url) -> Result<(), String> {
    let ip = match url.host() {
        Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
        Some(url::Host::Domain(_)) => return Ok(()),
        None => return Err("url has no host".into()),
    };
    if is_internal_ip(&ip) {
        return Err(format!(
            "refused: {ip} is a loopback, private or other special-purpose address"
        ));
    }
    Ok(())
}

/// `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` keyed with the decoded secret.
pub fn sign(secret: &str, id: &str, timestamp: &str, body: &str) -> Result<String, String> {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
        .map_err(|e| format!("undecodable secret: {e}"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|e| e.to_string())?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Ok(format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    ))
}

#[cfg(test)]
mod tests {
    use super::sign;

    /// The example of the Standard Webhooks specification, byte for byte.
    #[test]
    fn signs_like_the_standard_webhooks_reference() {
        let sig = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "1614265330",
            r#"{"test": 2432232314}"#,
        )
        .expect("sign");
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}
