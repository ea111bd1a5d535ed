//! Building the application from configuration: database, state, routes, server, sweeps.

use crate::config::auth::Environment;
use crate::config::Config;
use crate::jobs::webhook_delivery::DeliveryMetrics;
use crate::live::LiveHub;
use crate::openapi::ApiDoc;
use crate::platform::auth::authenticate;
use crate::platform::auth::jwks::Jwks;
use crate::platform::auth::{JwtKeys, DEV_SECRET};
use crate::platform::body_deadline::{body_deadline, BodyDeadline};
use crate::platform::extract::{path_error, query_error, MAX_BODY_BYTES};
use crate::platform::fallback::{fallback, RouteTable};
use crate::platform::head::head_as_get;
use crate::platform::idempotency::idempotency;
use crate::platform::metrics::{http_metrics, metrics_guard, HttpMetrics};
use crate::platform::rate_limit::{rate_limit, RateLimiter};
use crate::platform::request::request_context;
use crate::read_model::{CachedCampaigns, CachedGroups, ReadModel, Views};
use crate::state::{AppState, SystemClock};
use crate::web::{Mode, ProviderClient, WebAuth};
use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpResponse, HttpServer};
use groupbuy_domain::Clock;
use groupbuy_store::{Database, PoolSettings};
use std::net::TcpListener;
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinHandle;
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
            orders: db.clone(),
            ledger: db.clone(),
            campaigns: db.clone(),
            preorders: db.clone(),
            procurement: db.clone(),
            sourcing: db.clone(),
            parties: db.clone(),
            idempotency: db.clone(),
            rate_limits: db.clone(),
            webhooks: db.clone(),
            webhook_allow_private: false,
            ocds_prefix: groupbuy_domain::procurement::ocds::DEFAULT_OCDS_PREFIX.into(),
            public_url: crate::state::DEFAULT_PUBLIC_URL.into(),
            join_url: None,
            health: db,
            clock,
            jwt,
            web: None,
            views: None,
            live: None,
        }
    }
}

/// The application with every route, middleware and error handler.
pub fn app(
    state: web::Data<AppState>,
    routes: web::Data<RouteTable>,
    metrics: HttpMetrics,
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
        .app_data(metrics.access)
        .app_data(metrics.requests)
        .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        // Inside idempotency: a replay repeats a stored answer without counting against
        // any rate limit or quota; a refused (429) request releases the key it claimed.
        // Innermost: tags exactly the bytes the handler answered.
        .wrap(from_fn(crate::platform::conditional::conditional_get))
        .wrap(from_fn(crate::pages::provider_form_action))
        .wrap(from_fn(rate_limit))
        .wrap(from_fn(idempotency))
        // Outside every store call of the request, inside authentication (knows the caller).
        .wrap(from_fn(crate::platform::read_your_writes::read_your_writes))
        // Before every reader of the caller: may fetch a provider's rotated keys.
        .wrap(from_fn(authenticate))
        // Outside every reader of the body (idempotency, extractors).
        .wrap(from_fn(body_deadline))
        .wrap(from_fn(metrics_guard))
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
        // The document with its top-level `webhooks`, which utoipa cannot hold; the
        // route is not an operation of the document itself.
        .route(
            "/openapi.json",
            web::get().to(|| async {
                HttpResponse::Ok()
                    .content_type("application/json")
                    .body(crate::openapi::served_json())
            }),
        )
        .configure(crate::web::configure)
        // Public HTML pages: outside the OpenAPI document, like the sign-in pages.
        .configure(crate::pages::configure)
        .service(
            SwaggerUi::new("/docs/{_:.*}").config(utoipa_swagger_ui::Config::from("/openapi.json")),
        )
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .into_app()
}

/// A running server, the port it listens on and its background sweeps.
pub struct Application {
    port: u16,
    server: Server,
    sweeps: Vec<JoinHandle<()>>,
    stop_sweeps: watch::Sender<bool>,
}

impl Application {
    /// Connects, migrates, binds and starts the sweeps.
    ///
    /// # Errors
    /// A message when the database or the address cannot be used.
    pub async fn build(config: Config) -> Result<Self, String> {
        let mut db = Database::connect(
            &config.database_url,
            PoolSettings {
                max_size: config.pool_size,
                checkout_timeout: config.pool_timeout,
                statement_cache: config.database.statement_cache,
            },
        )
        .map_err(|e| e.to_string())?
        .with_default_commission(config.commission)
        .with_session_url(config.direct_url());
        if let Some(read_url) = &config.database.read_url {
            db = db
                .with_replica(read_url, config.pool_size)
                .map_err(|e| e.to_string())?;
            tracing::info!(replica = %redact(read_url), "lag-tolerant reads go to the replica");
        }
        let writers = config.database.read_url.as_ref().map(|_| {
            web::Data::new(crate::platform::read_your_writes::RecentWriters::new(
                config.database.read_after_write,
            ))
        });
        let migrated = db.migrate().map_err(|e| e.to_string())?;
        if !migrated.is_empty() {
            tracing::info!(migrations = ?migrated, "migrations applied");
        }
        if config.database.warm_pool {
            let open = db.warm().map_err(|e| e.to_string())?;
            tracing::info!(connections = open, "connection pool opened");
        }
        config.check_auth()?;
        let (jwt, jwks) = token_keys(&config)?;
        let web = web_auth(&config, jwks.as_ref());
        let pool = db.clone();
        let read_model = ReadModel::new(config.read_model)?;
        // One listener for the instance: it drops changed groups and campaigns, then feeds the
        // live pages.
        let live = LiveHub::start(&db, config.live, read_model.on_change())?;
        let mut state = AppState::from_database(db, Arc::new(SystemClock), jwt);
        let groups = Arc::new(CachedGroups::new(
            state.group_purchases.clone(),
            read_model.clone(),
        ));
        let campaigns = Arc::new(CachedCampaigns::new(
            state.campaigns.clone(),
            read_model.clone(),
        ));
        state.group_purchases = groups.clone();
        state.campaigns = campaigns.clone();
        state.views = Some(Arc::new(Views { groups, campaigns }));
        state.web = web;
        state.live = Some(live.clone());
        state.webhook_allow_private = config.webhooks.allow_private;
        state.ocds_prefix = config.ocds_prefix.clone();
        state.public_url = config.public_url.clone();
        state.join_url = config.join_url.clone();
        let state = web::Data::new(state);
        let routes = web::Data::new(RouteTable::from_openapi(&crate::openapi::document()));
        let listener = TcpListener::bind(&config.bind)
            .map_err(|e| format!("cannot bind {}: {e}", config.bind))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let factory_state = state.clone();
        let metrics = http_metrics(config.metrics_token.as_deref())?;
        let delivery_metrics = DeliveryMetrics::register(&metrics.registry)?;
        let job_metrics =
            crate::jobs::JobMetrics::register(&metrics.registry, Arc::new(pool.clone()))?;
        crate::live::LiveMetrics::register(&metrics.registry, live.clone())?;
        crate::platform::join_metrics::JoinBatchMetrics::register(&metrics.registry, pool.clone())?;
        crate::platform::replica_metrics::ReplicaMetrics::register(
            &metrics.registry,
            pool.clone(),
        )?;
        crate::platform::pool_metrics::PoolMetrics::register(&metrics.registry, pool)?;
        read_model.register(&metrics.registry)?;
        // One limiter per instance, shared by its workers.
        let limiter = web::Data::new(RateLimiter::new(config.rate_limits));
        let deadline = web::Data::new(BodyDeadline(config.body_timeout));
        let workers = config.workers.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        let server = HttpServer::new(move || {
            let app = app(factory_state.clone(), routes.clone(), metrics.clone())
                .app_data(limiter.clone())
                .app_data(deadline.clone());
            match &writers {
                Some(writers) => app.app_data(writers.clone()),
                None => app,
            }
        })
        .workers(workers)
        // The connection cap is for the instance; each worker accepts its share.
        .max_connections((config.max_connections / workers).max(1))
        .shutdown_timeout(config.shutdown_timeout.as_secs())
        .listen(listener)
        .map_err(|e| e.to_string())?;
        crate::platform::idempotency::set_abort_after_commit(config.abort_after_commit);
        let (stop_sweeps, shutdown) = watch::channel(false);
        close_live_on_signal(live);
        let keys_task = jwks.map(|jwks| {
            let stop = shutdown.clone();
            tokio::spawn(async move { jwks.keep_fresh(stop).await })
        });
        let mut sweeps = crate::jobs::registry(
            config.sweep_interval,
            config.webhooks.clone(),
            Some(delivery_metrics),
        )
        .with_metrics(job_metrics)
        .spawn(state, shutdown);
        sweeps.extend(keys_task);
        tracing::info!(port, database = %redact(&config.database_url), "groupbuy listening");
        Ok(Self {
            port,
            server: server.run(),
            sweeps,
            stop_sweeps,
        })
    }

    /// The bound port (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until stopped (SIGTERM or SIGINT): the server stops accepting and lets
    /// in-flight requests finish (up to the shutdown timeout), then the sweeps stop
    /// between passes and a running pass is awaited.
    ///
    /// # Errors
    /// Server I/O failures.
    pub async fn run(self) -> std::io::Result<()> {
        let served = self.server.await;
        // The receiver is gone only if the sweep task already ended: nothing to stop.
        let _ = self.stop_sweeps.send(true);
        for job in self.sweeps {
            if let Err(e) = job.await {
                tracing::error!(error = %e, "a background job ended abnormally");
            }
        }
        tracing::info!("groupbuy stopped");
        served
    }
}

/// Ends every live stream when the process is asked to stop (SIGTERM, SIGINT): the server
/// then waits for in-flight requests, and an open stream would otherwise hold it until
/// the shutdown timeout.
fn close_live_on_signal(live: Arc<LiveHub>) {
    actix_web::rt::spawn(async move {
        #[cfg(unix)]
        {
            use actix_web::rt::signal::unix::{signal, SignalKind};
            let (Ok(mut term), Ok(mut int)) = (
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            ) else {
                return;
            };
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            if actix_web::rt::signal::ctrl_c().await.is_err() {
                return;
            }
        }
        tracing::info!(subscribers = live.subscribers(), "closing live streams");
        live.close();
    });
}

/// The token verifier the configuration asks for: HS256 (the development secret when
/// none is set and no provider is), the provider's keys (kept fresh by a task the caller
/// spawns), or both; claims read by the configured map.
fn token_keys(config: &Config) -> Result<(JwtKeys, Option<Arc<Jwks>>), String> {
    let jwks = match &config.provider {
        Some(p) => Some(Arc::new(Jwks::new(
            p.source.clone(),
            &p.issuer,
            &p.audience,
            p.timeout,
        )?)),
        None => None,
    };
    let keys = match (&jwks, config.hs256_enabled()) {
        (Some(jwks), false) => {
            let cookie = match &config.cookie_secret {
                Some(secret) => secret.as_bytes().to_vec(),
                None => {
                    tracing::warn!(
                        "GROUPBUY_COOKIE_SECRET is not set: this instance signs visitor cookies \
                         with a random key, which other instances and restarts do not share"
                    );
                    rand::random::<[u8; 32]>().to_vec()
                }
            };
            JwtKeys::provider_only(jwks.clone(), &cookie)
        }
        (jwks, _) => {
            if config.jwt_secret.is_none() {
                tracing::warn!(
                    "GROUPBUY_JWT_SECRET is not set: using the PUBLIC DEVELOPMENT SECRET. Anyone can mint tokens. \
                     Set GROUPBUY_JWT_SECRET before exposing this service."
                );
            }
            let keys = JwtKeys::new(
                config.secret(),
                config.jwt_issuer.as_deref(),
                config.jwt_audience.as_deref(),
            );
            match jwks {
                Some(jwks) => keys.with_jwks(jwks.clone()),
                None => keys,
            }
        }
    };
    let keys = keys
        .with_claim_map(config.claim_map.clone())
        .with_max_ttl(config.jwt_max_ttl_seconds);
    Ok((keys, jwks))
}

/// The browser sign-in the configuration offers: the provider's (with a client id), the
/// development page (development secret, no provider), or none.
fn web_auth(config: &Config, jwks: Option<&Arc<Jwks>>) -> Option<Arc<WebAuth>> {
    let secure = config
        .web
        .as_ref()
        .is_some_and(|w| w.public_url.starts_with("https://"));
    let mode = match (jwks, &config.web) {
        (Some(jwks), Some(w)) => Mode::Provider(ProviderClient {
            jwks: jwks.clone(),
            client_id: w.client_id.clone(),
            client_secret: w.client_secret.clone(),
            public_url: w.public_url.clone(),
            scopes: w.scopes.clone(),
        }),
        (None, _)
            if config.jwt_secret.is_none() && config.environment == Environment::Development =>
        {
            Mode::Development
        }
        _ => return None,
    };
    // Cookies sealed with the cookie secret, else the HS256 one, else a random key.
    let secret = match (&config.cookie_secret, &config.jwt_secret, &mode) {
        (Some(s), _, _) | (None, Some(s), _) => s.as_bytes().to_vec(),
        (None, None, Mode::Development) => DEV_SECRET.as_bytes().to_vec(),
        (None, None, Mode::Provider(_)) => rand::random::<[u8; 32]>().to_vec(),
    };
    Some(Arc::new(WebAuth::new(
        mode,
        &secret,
        secure,
        config.session_seconds,
    )))
}

/// A database URL without its password, for logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***{}", &url[..s], &url[at..]),
        _ => url.to_owned(),
    }
}
