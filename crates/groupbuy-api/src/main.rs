//! The `groupbuy` binary: serve (default), migrate, token, openapi, seed.

use clap::{Parser, Subcommand};
use groupbuy_api::platform::auth::{Claims, JwtKeys};
use groupbuy_api::{Application, Config};
use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: a profile of the SQLite hot join spent about 15 % of
/// the server's time in glibc's allocator (per-request JSON, SQL text, rows); mimalloc's
/// thread-local free lists make those short-lived allocations cheap (docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "groupbuy", version, about = "Group buying backend")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print a signed HS256 token that `serve` accepts (same GROUPBUY_JWT_SECRET).
    Token {
        /// User id (`sub`).
        #[arg(long)]
        sub: String,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
        /// Profile picture URL.
        #[arg(long)]
        picture: Option<String>,
        /// Space-separated scopes.
        #[arg(long, default_value = "groupbuy:read groupbuy:write")]
        scope: String,
        /// A role; repeat for several (merchant, platform-admin, vendor).
        #[arg(long = "role")]
        roles: Vec<String>,
        /// Organisation id.
        #[arg(long)]
        org: Option<String>,
        /// Lifetime in seconds (default and maximum: GROUPBUY_JWT_MAX_TTL_SECONDS, 86400).
        #[arg(long)]
        ttl: Option<i64>,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Fill an empty database with benchmark data (migrations first): shops, products,
    /// groups (mostly OPEN, 1 in 20 COMPLETED, 1 in 20 FAILED) and their participants with
    /// wallets, ledger entries, checkout sessions, purchase records, orders and events.
    Seed {
        /// Groups in total.
        #[arg(long)]
        groups: u64,
        /// Participants in total, spread evenly over the groups (at least one per group).
        #[arg(long)]
        participants: u64,
        /// OPEN groups already past expiry, for the expiry sweep to fail and refund.
        #[arg(long, default_value_t = 0)]
        expired: u64,
    },
}

/// Logs to stderr (stdout stays for what a command prints): human-readable by default,
/// one JSON object per line (with the request span's fields, request_id included) when
/// `GROUPBUY_LOG_FORMAT=json`.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr);
    if std::env::var("GROUPBUY_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        builder.init();
    }
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            init_tracing();
            match Application::build(config).await {
                Ok(app) => match app.run().await {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => {
                        tracing::error!(error = %e, "server failed");
                        ExitCode::FAILURE
                    }
                },
                Err(e) => {
                    tracing::error!(error = %e, "cannot start");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Migrate => {
            init_tracing();
            let result = groupbuy_store::Database::connect(
                config.direct_url(),
                groupbuy_store::PoolSettings::default(),
            )
            .and_then(|db| db.migrate());
            match result {
                Ok(applied) => {
                    println!(
                        "applied {} migration(s): {}",
                        applied.len(),
                        applied.join(", ")
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Token {
            sub,
            name,
            picture,
            scope,
            roles,
            org,
            ttl,
        } => {
            if !config.hs256_enabled() {
                eprintln!(
                    "HS256 is off (an identity provider is configured and GROUPBUY_JWT_SECRET is not set): \
                     set GROUPBUY_JWT_SECRET to mint tokens"
                );
                return ExitCode::FAILURE;
            }
            if config.jwt_secret.is_none() {
                eprintln!(
                    "warning: GROUPBUY_JWT_SECRET is not set; signing with the development secret"
                );
            }
            // `serve` refuses tokens living longer than the maximum: never mint one.
            let max = config.jwt_max_ttl_seconds;
            let ttl = ttl.unwrap_or(max);
            if ttl <= 0 || ttl > max {
                eprintln!(
                    "--ttl must be between 1 and {max} seconds (GROUPBUY_JWT_MAX_TTL_SECONDS)"
                );
                return ExitCode::FAILURE;
            }
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let claims = Claims {
                sub,
                name,
                picture,
                scope: Some(scope),
                roles,
                org_id: org,
                exp: now + ttl,
                iat: Some(now),
                iss: config.jwt_issuer.clone(),
                aud: config.jwt_audience.clone(),
            };
            let keys = JwtKeys::new(
                config.secret(),
                config.jwt_issuer.as_deref(),
                config.jwt_audience.as_deref(),
            )
            .with_claim_map(config.claim_map.clone());
            match keys.mint(&claims) {
                Ok(token) => {
                    println!("{token}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("cannot sign: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Seed {
            groups,
            participants,
            expired,
        } => seed(&config, groups, participants, expired),
        Command::Openapi => {
            print!("{}", groupbuy_api::openapi::document_json());
            ExitCode::SUCCESS
        }
    }
}

/// `groupbuy seed`: migrates, seeds, and prints what it made and how long it took.
fn seed(config: &Config, groups: u64, participants: u64, expired: u64) -> ExitCode {
    init_tracing();
    let plan = groupbuy_store::seed::SeedPlan {
        groups,
        participants,
        expired,
    };
    let db = match groupbuy_store::Database::connect(
        config.direct_url(),
        groupbuy_store::PoolSettings::default(),
    )
    .and_then(|db| db.migrate().map(|_| db))
    {
        Ok(db) => db,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    match groupbuy_store::seed::seed(&db, &plan, time::OffsetDateTime::now_utc()) {
        Ok(r) => {
            println!(
                "seeded in {:.1} s: {} shops, {} products, {} groups ({} OPEN of which {} past \
                 expiry, {} COMPLETED, {} FAILED), {} participants of {} buyers (wallets), \
                 {} ledger entries, {} orders, {} events",
                r.elapsed.as_secs_f64(),
                r.shops,
                r.products,
                r.open + r.completed + r.failed,
                r.open,
                r.expired,
                r.completed,
                r.failed,
                r.participants,
                r.users,
                r.ledger_entries,
                r.orders,
                r.events,
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("seed failed: {e}");
            ExitCode::FAILURE
        }
    }
}
