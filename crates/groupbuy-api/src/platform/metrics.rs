//! Prometheus metrics of every request, served at `GET /metrics` only to the bearer of
//! `GROUPBUY_METRICS_TOKEN`. Without a configured token `/metrics` answers 404 like any
//! unknown route: route patterns and traffic are nobody's business by default.
//!
//! Every label value comes from a closed set, so no client can add series (each one is
//! memory held for the life of the process): the route pattern or `UNMATCHED`, one of the
//! standard methods or `OTHER` (actix accepts any method token, `M123` included), and the
//! status the application chose. actix-web-prom, used before, labelled requests with the
//! method as sent and has no option to map it.

use crate::error::ApiError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};
use sha2::{Digest, Sha256};
use std::time::Instant;

/// Where the metrics are served.
pub const METRICS_PATH: &str = "/metrics";

/// The endpoint label of a request no route matched.
const UNMATCHED: &str = "UNMATCHED";

/// Request metrics (count and latency by route pattern, method and status), their
/// registry, and who may read them.
#[derive(Clone)]
pub struct HttpMetrics {
    /// Every collector served at `/metrics` (others, such as deliveries', register here).
    pub registry: Registry,
    /// The request collectors, for the middleware.
    pub requests: web::Data<RequestMetrics>,
    /// The token `/metrics` asks for.
    pub access: web::Data<MetricsAccess>,
}

/// The request collectors.
#[derive(Clone)]
pub struct RequestMetrics {
    registry: Registry,
    total: IntCounterVec,
    duration: HistogramVec,
}

impl RequestMetrics {
    fn observe(&self, endpoint: &str, method: &Method, status: u16, started: Instant) {
        let status = status.to_string();
        let labels = [endpoint, method_label(method), status.as_str()];
        self.total.with_label_values(&labels).inc();
        self.duration
            .with_label_values(&labels)
            .observe(started.elapsed().as_secs_f64());
    }

    fn render(&self) -> Result<String, ApiError> {
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .map_err(|e| ApiError::internal(format!("metrics: {e}")))?;
        String::from_utf8(out).map_err(|e| ApiError::internal(format!("metrics: {e}")))
    }
}

/// The method label: a standard method's name, else `OTHER`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "OTHER",
    }
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

/// The request collectors, registered in a new registry, and the access rule.
///
/// # Errors
/// When the registry refuses the collectors.
pub fn http_metrics(token: Option<&str>) -> Result<HttpMetrics, String> {
    let failed = |e: prometheus::Error| format!("metrics: {e}");
    let labels = ["endpoint", "method", "status"];
    let total = IntCounterVec::new(
        Opts::new("http_requests_total", "Total number of HTTP requests").namespace("groupbuy"),
        &labels,
    )
    .map_err(failed)?;
    let duration = HistogramVec::new(
        HistogramOpts::new(
            "http_requests_duration_seconds",
            "HTTP request duration in seconds, until the response head",
        )
        .namespace("groupbuy"),
        &labels,
    )
    .map_err(failed)?;
    let registry = Registry::new();
    registry.register(Box::new(total.clone())).map_err(failed)?;
    registry
        .register(Box::new(duration.clone()))
        .map_err(failed)?;
    Ok(HttpMetrics {
        requests: web::Data::new(RequestMetrics {
            registry: registry.clone(),
            total,
            duration,
        }),
        registry,
        access: web::Data::new(MetricsAccess::new(token)),
    })
}

/// Counts every request and serves `GET /metrics`, which passes only with the token.
pub async fn metrics_guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(metrics) = req.app_data::<web::Data<RequestMetrics>>().cloned() else {
        return Ok(req.error_response(ApiError::internal("request metrics missing")));
    };
    let started = Instant::now();
    let res = if req.path() == METRICS_PATH {
        let verdict = match req.app_data::<web::Data<MetricsAccess>>() {
            Some(access) => access.allows(&req),
            None => Err(ApiError::internal("metrics access missing")),
        };
        match verdict {
            Err(e) => req.error_response(e),
            Ok(()) if req.method() == Method::GET => match metrics.render() {
                Ok(text) => req.into_response(
                    HttpResponse::Ok()
                        .content_type("text/plain; version=0.0.4; charset=utf-8")
                        .body(text),
                ),
                Err(e) => req.error_response(e),
            },
            Ok(()) => next.call(req).await?.map_into_boxed_body(),
        }
    } else {
        next.call(req).await?.map_into_boxed_body()
    };
    let endpoint = match res.request().match_pattern() {
        Some(pattern) => pattern,
        None if res.request().path() == METRICS_PATH => METRICS_PATH.to_owned(),
        None => UNMATCHED.to_owned(),
    };
    metrics.observe(
        &endpoint,
        res.request().method(),
        res.status().as_u16(),
        started,
    );
    Ok(res)
}
