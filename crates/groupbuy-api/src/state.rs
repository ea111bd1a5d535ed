//! What every handler can reach: the ports, the clock and the keys.

use crate::error::ApiError;
use crate::platform::auth::JwtKeys;
use actix_web::web;
use groupbuy_domain::campaign::CampaignStore;
use groupbuy_domain::catalog::CatalogStore;
use groupbuy_domain::group_purchase::GroupPurchaseStore;
use groupbuy_domain::ledger::LedgerStore;
use groupbuy_domain::order::OrderStore;
use groupbuy_domain::platform::{HealthCheck, IdempotencyStore, RateLimitStore};
use groupbuy_domain::procurement::{ProcurementStore, SourcingStore};
use groupbuy_domain::wallet::WalletStore;
use groupbuy_domain::webhook::WebhookStore;
use groupbuy_domain::{Clock, DomainError};
use std::sync::Arc;
use time::OffsetDateTime;

/// Where the public pages say they live when `GROUPBUY_PUBLIC_URL` is unset.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// Shared application state; ports are trait objects so tests can mock them.
#[derive(Clone)]
pub struct AppState {
    /// Shops and products.
    pub catalog: Arc<dyn CatalogStore>,
    /// Users' wallets: balances, ledgers and the admin credit.
    pub wallets: Arc<dyn WalletStore>,
    /// Group purchases.
    pub group_purchases: Arc<dyn GroupPurchaseStore>,
    /// Orders: the buyer's, and the merchant's to ship, deliver or cancel.
    pub orders: Arc<dyn OrderStore>,
    /// The merchant ledger: shops' balances and statements, payouts, commission rates.
    pub ledger: Arc<dyn LedgerStore>,
    /// Campaigns (`/v2`).
    pub campaigns: Arc<dyn CampaignStore>,
    /// Campaign pre-orders: pledgers' payment sessions and their sweep.
    pub preorders: Arc<dyn groupbuy_domain::campaign::PreorderStore>,
    /// Idempotency records.
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// Rate-limit counters shared by every instance.
    pub rate_limits: Arc<dyn RateLimitStore>,
    /// Database health.
    pub health: Arc<dyn HealthCheck>,
    /// Procurement group buys and commitments (`/groupbuy`).
    pub procurement: Arc<dyn ProcurementStore>,
    /// RFQs, vendors' responses, allocations, settlements and their durable jobs.
    pub sourcing: Arc<dyn SourcingStore>,
    /// Parties' legal data (organisations and vendors).
    pub parties: Arc<dyn groupbuy_domain::procurement::party::PartyStore>,
    /// Webhook endpoints and deliveries.
    pub webhooks: Arc<dyn WebhookStore>,
    /// `GROUPBUY_WEBHOOK_ALLOW_PRIVATE=1`: endpoints may point at loopback/private addresses.
    pub webhook_allow_private: bool,
    /// `GROUPBUY_OCDS_PREFIX`: the prefix of every pool's OCDS `ocid`.
    pub ocds_prefix: String,
    /// `GROUPBUY_PUBLIC_URL` without a trailing slash: canonical URLs of the public pages.
    pub public_url: String,
    /// `GROUPBUY_JOIN_URL`: the platform's own join link (`{code}` replaced by the group
    /// code); when set, the hosted join's button sends shoppers there instead.
    pub join_url: Option<String>,
    /// The injected clock: handlers take the time from here, never from the system.
    pub clock: Arc<dyn Clock>,
    /// Token keys.
    pub jwt: JwtKeys,
    /// Browser sign-in (`/auth/*`); `None` when no mode offers it.
    pub web: Option<Arc<crate::web::WebAuth>>,
    /// The read model's versioned reads (strong `ETag`s, 304 before any body work);
    /// `None` when the state was built without one (every read then asks its port).
    pub views: Option<Arc<crate::read_model::Views>>,
    /// Live updates' subscribers and listener; `None` (streams answer 503) when the
    /// state was built without a running instance (unit tests).
    pub live: Option<Arc<crate::live::LiveHub>>,
}

/// The wall clock, truncated to microseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        groupbuy_domain::clock::truncate_micros(OffsetDateTime::now_utc())
    }
}

/// Runs a synchronous store call on actix's blocking pool, never on the executor.
pub async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, DomainError> + Send + 'static,
    T: Send + 'static,
{
    // The request's span (with its request id) follows the work onto the blocking thread,
    // so the store's log lines carry the request id too.
    let span = tracing::Span::current();
    let call = crate::platform::pool_metrics::BlockingCall::start();
    // A caller who just wrote reads from the primary (with a replica; see
    // `platform::read_your_writes`): the mark follows the work onto the blocking thread.
    let primary = crate::platform::read_your_writes::primary_reads();
    web::block(move || {
        let mut call = call;
        call.running();
        span.in_scope(|| {
            if primary {
                groupbuy_store::reads_on_primary(f)
            } else {
                f()
            }
        })
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::from)
}
