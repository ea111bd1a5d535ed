//! Prometheus metrics of every request, served at `GET /metrics` only to the bearer of
//! `GROUPBUY_METRICS_TOKEN`. Without a configured token `/metrics` answers 404 like any
//! unknown route: route patterns and traffic are nobody's business by default.

use crate::error::ApiError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web;
use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};
use sha2::{Digest, Sha256};

/// Where the metrics are served.
pub const METRICS_PATH: &str = "/metrics";

/// Request metrics (count and latency by route pattern, method and status) and who may
/// read them.
#[derive(Clone)]
pub struct HttpMetrics {
    /// The middleware counting requests and serving the text format.
    pub prometheus: PrometheusMetrics,
    /// The token `/metrics` asks for.
    pub access: web::Data<MetricsAccess>,
}

/// The digest of the configured metrics token, if any.
#[derive(Debug, Clone)]
pub struct MetricsAccess(Option<[u8; 32]>);

impl MetricsAccess {
    /// Access for bearers of `token`; `None` serves `/metrics` to no one.
    pub fn new(token: Option<&str>) -> Self {
        Self(token.map(digest))
    }

    /// Whether the request may read the metrics.
    fn allows(&self, req: &ServiceRequest) -> Result<(), ApiError> {
        let Some(expected) = &self.0 else {
            return Err(ApiError::not_found(format!(
                "No route for {} {}",
                req.method(),
                req.path()
            )));
        };
        let presented = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        // Digests compare in time independent of where the tokens differ.
        match presented {
            Some(t) if digest(t) == *expected => Ok(()),
            _ => Err(ApiError::unauthenticated()),
        }
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The metrics middleware and its access rule.
///
/// # Errors
/// When the metrics registry refuses the collectors.
pub fn http_metrics(token: Option<&str>) -> Result<HttpMetrics, String> {
    let prometheus = PrometheusMetricsBuilder::new("groupbuy")
        .endpoint(METRICS_PATH)
        .mask_unmatched_patterns("UNMATCHED")
        .build()
        .map_err(|e| format!("metrics: {e}"))?;
    Ok(HttpMetrics {
        prometheus,
        access: web::Data::new(MetricsAccess::new(token)),
    })
}

/// Wraps the metrics middleware (outside it): `/metrics` passes only with the token.
pub async fn metrics_guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.path() == METRICS_PATH {
        let verdict = match req.app_data::<web::Data<MetricsAccess>>() {
            Some(access) => access.allows(&req),
            None => Err(ApiError::internal("metrics access missing")),
        };
        if let Err(e) = verdict {
            return Ok(req.error_response(e));
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}
