//! Building the application from configuration: database, state, routes, server, sweeps.

use crate::config::Config;
use crate::jobs::spawn_sweeps;
use crate::openapi::ApiDoc;
use crate::platform::auth::JwtKeys;
use crate::platform::extract::{path_error, query_error, MAX_BODY_BYTES};
use crate::platform::fallback::{fallback, RouteTable};
use crate::platform::head::head_as_get;
use crate::platform::idempotency::idempotency;
use crate::platform::request::request_context;
use crate::state::{AppState, SystemClock};
use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpResponse, HttpServer};
use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};
use groupbuy_domain::Clock;
use groupbuy_store::{Database, PoolSettings};
use std::net::TcpListener;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

impl AppState {
    /// State backed by one database for every port.
    pub fn from_database(db: Database, clock: Arc<dyn Clock>, jwt: JwtKeys) -> Self {
        let db = Arc::new(db);
        Self {
            catalog: db.clone(),
            wallets: db.clone(),
            group_purchases: db.clone(),
            campaigns: db.clone(),
            idempotency: db.clone(),
            health: db,
            clock,
            jwt,
        }
    }
}

/// The application with every route, middleware and error handler.
pub fn app(
    state: web::Data<AppState>,
    routes: web::Data<RouteTable>,
    metrics: PrometheusMetrics,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .app_data(routes)
        .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .wrap(from_fn(idempotency))
        .wrap(metrics)
        .wrap(from_fn(head_as_get))
        .wrap(from_fn(request_context))
        .default_service(web::to(fallback))
        .route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::Found()
                    .insert_header(("Location", "/docs/"))
                    .finish()
            }),
        )
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .openapi_service(|api| {
            SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", crate::openapi::finish(api))
        })
        .into_app()
}

/// Prometheus metrics of every request (count and latency by route pattern, method and
/// status), served as text at `GET /metrics`.
///
/// # Errors
/// When the metrics registry refuses the collectors.
pub fn http_metrics() -> Result<PrometheusMetrics, String> {
    PrometheusMetricsBuilder::new("groupbuy")
        .endpoint("/metrics")
        .mask_unmatched_patterns("UNMATCHED")
        .build()
        .map_err(|e| format!("metrics: {e}"))
}

/// A running server and the port it listens on.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Connects, migrates, binds and starts the sweeps.
    ///
    /// # Errors
    /// A message when the database or the address cannot be used.
    pub async fn build(config: Config) -> Result<Self, String> {
        let db = Database::connect(
            &config.database_url,
            PoolSettings {
                max_size: config.pool_size,
                checkout_timeout: config.pool_timeout,
            },
        )
        .map_err(|e| e.to_string())?;
        let migrated = db.migrate().map_err(|e| e.to_string())?;
        if !migrated.is_empty() {
            tracing::info!(migrations = ?migrated, "migrations applied");
        }
        if config.jwt_secret.is_none() {
            tracing::warn!(
                "GROUPBUY_JWT_SECRET is not set: using the PUBLIC DEVELOPMENT SECRET. Anyone can mint tokens. \
                 Set GROUPBUY_JWT_SECRET before exposing this service."
            );
        }
        let jwt = JwtKeys::new(
            config.secret(),
            config.jwt_issuer.as_deref(),
            config.jwt_audience.as_deref(),
        );
        let state = web::Data::new(AppState::from_database(db, Arc::new(SystemClock), jwt));
        let routes = web::Data::new(RouteTable::from_openapi(&crate::openapi::document()));
        let listener = TcpListener::bind(&config.bind)
            .map_err(|e| format!("cannot bind {}: {e}", config.bind))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let factory_state = state.clone();
        let metrics = http_metrics()?;
        let mut server =
            HttpServer::new(move || app(factory_state.clone(), routes.clone(), metrics.clone()))
                .listen(listener)
                .map_err(|e| e.to_string())?;
        if let Some(workers) = config.workers {
            server = server.workers(workers);
        }
        crate::platform::idempotency::set_abort_after_commit(config.abort_after_commit);
        spawn_sweeps(state, config.sweep_interval);
        tracing::info!(port, database = %redact(&config.database_url), "groupbuy listening");
        Ok(Self {
            port,
            server: server.run(),
        })
    }

    /// The bound port (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until stopped; in-flight requests finish on shutdown.
    ///
    /// # Errors
    /// Server I/O failures.
    pub async fn run(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// A database URL without its password, for logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***{}", &url[..s], &url[at..]),
        _ => url.to_owned(),
    }
}
