//! Liveness and readiness.

use crate::envelope::{ok, Envelope};
use crate::error::Problem;
use crate::state::{blocking, AppState};
use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

/// Health status.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthView {
    /// `up` from /healthz, `ready` from /readyz; a failed readiness check answers 503 instead.
    #[schema(value_type = crate::openapi::enums::HealthStatus)]
    pub status: String,
}

/// The process is up.
#[utoipa::path(operation_id = "platform.getHealth", tag = "platform", responses((status = 200, description = "Process up", body = Envelope<HealthView>)))]
#[get("/healthz")]
async fn healthz() -> HttpResponse {
    ok(
        "Service is up",
        HealthView {
            status: "up".into(),
        },
    )
}

/// The database answers and, with an identity provider, its keys have loaded.
#[utoipa::path(operation_id = "platform.getReadiness", tag = "platform", responses(
    (status = 200, description = "Database reachable", body = Envelope<HealthView>),
    (status = 503, description = "Database unreachable, or the identity provider's keys not loaded yet", body = Problem, content_type = "application/problem+json"),
))]
#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, crate::error::ApiError> {
    if !state.jwt.ready() {
        return Err(groupbuy_domain::platform::provider_keys_not_loaded().into());
    }
    let health = state.health.clone();
    blocking(move || health.ping()).await?;
    Ok(ok(
        "Service is ready",
        HealthView {
            status: "ready".into(),
        },
    ))
}

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(healthz).service(readyz);
}

crate::payload!(HealthView);
