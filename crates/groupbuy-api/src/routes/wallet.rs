//! Wallets (`/api/v1/wallet`) and the platform-admin credit.

use crate::envelope::render;
use crate::envelope::{ok, rfc3339, Envelope, PageView};
use crate::error::{ApiError, Problem};
use crate::platform::auth::Auth;
use crate::platform::extract::JsonBody;
use crate::platform::extract::{page_limit, PageQuery};
use crate::platform::idempotency::answer_with_effect;
use crate::state::{blocking, AppState};
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use groupbuy_domain::principal::ROLE_PLATFORM_ADMIN;
use groupbuy_domain::wallet::{LedgerEntry, Wallet};
use groupbuy_domain::{Currency, Money, Page};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// A wallet's balance.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WalletView {
    /// The owner's user id (the token's `sub`); callers see only their own wallet.
    pub user_id: String,
    /// Current balance, never negative; 0 before any money arrived.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub balance: Decimal,
    /// ISO 4217 code the wallet holds, fixed by its first credit (TZS before any).
    #[schema(value_type = crate::openapi::enums::Currency)]
    pub currency: String,
    /// Last change.
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<Wallet> for WalletView {
    fn from(w: Wallet) -> Self {
        Self {
            user_id: w.user_id,
            balance: w.balance.to_decimal(),
            currency: w.balance.currency().code().to_owned(),
            updated_at: rfc3339(w.updated_at),
        }
    }
}

/// One ledger entry.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntryView {
    /// Entry (transaction) id.
    pub transaction_id: Uuid,
    /// CREDIT, PURCHASE or REFUND.
    #[schema(value_type = crate::openapi::enums::LedgerKind)]
    pub kind: String,
    /// Signed amount (debits negative).
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub amount: Decimal,
    /// Balance right after.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub balance_after: Decimal,
    /// ISO 4217 code of the amount and balance: the wallet's currency.
    #[schema(value_type = crate::openapi::enums::Currency)]
    pub currency: String,
    /// The admin's credit reference, or the system's (checkout session, group code).
    pub reference: String,
    /// When the money moved (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<LedgerEntry> for LedgerEntryView {
    fn from(e: LedgerEntry) -> Self {
        Self {
            transaction_id: e.id,
            kind: e.kind.as_str().to_owned(),
            amount: e.amount.to_decimal(),
            balance_after: e.balance_after.to_decimal(),
            currency: e.amount.currency().code().to_owned(),
            reference: e.reference,
            created_at: rfc3339(e.created_at),
        }
    }
}

/// A page of ledger entries (documented as `PageView_LedgerEntryView`).
#[derive(Debug, Serialize)]
pub struct LedgerPage {
    /// Entries, newest first.
    pub items: Vec<LedgerEntryView>,
    /// Cursor of the next page, null on the last.
    pub next_cursor: Option<String>,
}

impl From<Page<LedgerEntry>> for LedgerPage {
    fn from(p: Page<LedgerEntry>) -> Self {
        Self {
            items: p.items.into_iter().map(Into::into).collect(),
            next_cursor: p.next_cursor,
        }
    }
}

/// Body of the admin credit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreditRequest {
    /// Amount to add (> 0).
    #[schema(value_type = crate::openapi::scalars::PositiveMoney)]
    #[serde(deserialize_with = "crate::platform::extract::json_number")]
    pub amount: Decimal,
    /// Why (shown in the ledger), 1-200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub reference: String,
    /// Currency (default TZS; must match the wallet's).
    #[schema(value_type = Option<crate::openapi::enums::Currency>, example = "TZS")]
    pub currency: Option<String>,
}

/// The caller's wallet.
#[utoipa::path(operation_id = "wallet.get", tag = "wallet", security(("bearer" = [])), responses(
    (status = 200, description = "The wallet", body = Envelope<WalletView>),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingScope,
))]
#[get("/api/v1/wallet")]
async fn get_wallet(state: web::Data<AppState>, auth: Auth) -> Result<HttpResponse, ApiError> {
    let user = auth.reader()?.user_id.clone();
    let now = state.clock.now();
    let wallets = state.wallets.clone();
    let wallet = blocking(move || wallets.wallet(&user, now)).await?;
    Ok(ok(
        "Wallet retrieved successfully",
        WalletView::from(wallet),
    ))
}

/// The caller's ledger, newest first.
#[utoipa::path(operation_id = "wallet.listTransactions", tag = "wallet", security(("bearer" = [])), params(PageQuery), responses(
    (status = 200, description = "Ledger page", body = Envelope<PageView<LedgerEntryView>>),
    (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingScope,
    (status = 422, description = "Limit outside 1-100", body = Problem, content_type = "application/problem+json"),
))]
#[get("/api/v1/wallet/transactions")]
async fn list_transactions(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let user = auth.reader()?.user_id.clone();
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let wallets = state.wallets.clone();
    let page = blocking(move || wallets.transactions(&user, q.cursor, limit)).await?;
    Ok(ok(
        "Wallet transactions retrieved successfully",
        LedgerPage::from(page),
    ))
}

/// Credits a user's wallet (platform admins; send an Idempotency-Key to make retries safe).
#[utoipa::path(operation_id = "wallet.adminCredit", tag = "wallet", security(("bearer" = [])),
    params(("userId" = String, Path, description = "User to credit"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = CreditRequest, responses(
    (status = 201, description = "Credited", body = Envelope<LedgerEntryView>),
    crate::openapi::responses::MalformedBody,
    crate::openapi::responses::Unauthenticated,
    (status = 403, description = "Missing role platform-admin", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Currency differs from the wallet's, or key in use", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid amount, or key reused", body = Problem, content_type = "application/problem+json"),
))]
#[post("/api/v1/platform-admin/wallets/{userId}/credit")]
async fn credit_wallet(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<String>,
    body: JsonBody<CreditRequest>,
) -> Result<HttpResponse, ApiError> {
    auth.writer()?;
    auth.require_role(ROLE_PLATFORM_ADMIN)?;
    let user = path.into_inner();
    let b = body.0;
    let currency = match b.currency.as_deref() {
        Some(c) => Currency::parse(c)?,
        None => Currency::TZS,
    };
    let amount = Money::positive(b.amount, currency, "amount")?;
    let reference = b.reference.trim().to_owned();
    if reference.is_empty() || reference.len() > 200 {
        return Err(ApiError::invalid_field(
            "reference",
            "reference must be between 1 and 200 characters",
        ));
    }
    let now = state.clock.now();
    let wallets = state.wallets.clone();
    answer_with_effect(
        move |answer| wallets.credit(&user, amount, &reference, now, answer),
        |entry| {
            render(
                StatusCode::CREATED,
                "Wallet credited successfully",
                LedgerEntryView::from(entry.clone()),
            )
        },
    )
    .await
}

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_wallet)
        .service(list_transactions)
        .service(credit_wallet);
}

crate::payload!(WalletView, LedgerEntryView);
