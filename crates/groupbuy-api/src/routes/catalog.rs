//! Shops and products (`/api/v1/shops`, `/api/v1/products`).

use crate::envelope::render;
use crate::envelope::{ok, rfc3339, Envelope};
use crate::error::{ApiError, Problem};
use crate::platform::auth::Auth;
use crate::platform::extract::{json_number, optional_json_number, JsonBody};
use crate::platform::idempotency::answer_with_effect;
use crate::state::{blocking, AppState};
use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpResponse};
use groupbuy_domain::catalog::{
    Product, ProductDraft, ProductFields, ProductPatch, Shop, ShopDraft,
};
use groupbuy_domain::principal::ROLE_MERCHANT;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// Body of `POST /api/v1/shops`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateShopRequest {
    /// Shop name, 1-120 characters.
    #[schema(min_length = 1, max_length = 120, pattern = r"\S")]
    pub shop_name: String,
    /// Logo URL.
    pub shop_logo: Option<String>,
}

/// A shop.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShopView {
    /// Shop id.
    pub shop_id: Uuid,
    /// Shop name as the merchant gave it, trimmed, 1 to 120 characters.
    pub shop_name: String,
    /// Logo URL.
    pub shop_logo: Option<String>,
    /// Owning merchant's user id.
    pub owner_id: String,
    /// Creation time.
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<Shop> for ShopView {
    fn from(s: Shop) -> Self {
        Self {
            shop_id: s.id,
            shop_name: s.name,
            shop_logo: s.logo,
            owner_id: s.owner_id,
            created_at: rfc3339(s.created_at),
        }
    }
}

/// Body of `POST /api/v1/shops/{shopId}/products`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"productName": "Premium Wireless Headphones", "regularPrice": 150000,
    "groupPrice": 80000, "currency": "TZS", "stockQuantity": 1000, "groupBuyingEnabled": true,
    "groupMaxSize": 10, "groupTimeLimitHours": 24, "maxPerCustomer": 10}))]
pub struct CreateProductRequest {
    /// Product name, 1 to 200 characters once trimmed.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub product_name: String,
    /// Image URL.
    pub product_image: Option<String>,
    /// Price bought alone (> 0, at most the currency's decimals).
    #[serde(deserialize_with = "json_number")]
    #[schema(value_type = crate::openapi::scalars::PositiveMoney, example = 150000)]
    pub regular_price: Decimal,
    /// Group price per unit (> 0, < regularPrice).
    #[serde(deserialize_with = "json_number")]
    #[schema(value_type = crate::openapi::scalars::PositiveMoney, example = 80000)]
    pub group_price: Decimal,
    /// ISO 4217 currency (default TZS).
    #[schema(value_type = Option<crate::openapi::enums::Currency>, example = "TZS")]
    pub currency: Option<String>,
    /// Units in stock (>= 0).
    #[schema(minimum = 0)]
    pub stock_quantity: i64,
    /// Whether groups may be opened.
    pub group_buying_enabled: bool,
    /// Seats per group (>= 1).
    #[schema(minimum = 1)]
    pub group_max_size: i32,
    /// Group lifetime in decimal hours: at least one second (0.00027778, the schema's
    /// decimal spelling of 1/3600), at most 8760.
    #[serde(deserialize_with = "json_number")]
    #[schema(value_type = f64, example = 24, minimum = 0.00027778, maximum = 8760)]
    pub group_time_limit_hours: Decimal,
    /// Most seats per customer per group (>= 1).
    #[schema(minimum = 1)]
    pub max_per_customer: Option<i32>,
}

/// Body of `PATCH /api/v1/products/{productId}`: only the fields to change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateProductRequest {
    /// New name.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub product_name: Option<String>,
    /// New image URL (null clears it).
    #[serde(default, deserialize_with = "crate::platform::extract::nullable")]
    #[schema(value_type = Option<String>)]
    pub product_image: Option<Option<String>>,
    /// New regular price.
    #[serde(default, deserialize_with = "optional_json_number")]
    #[schema(value_type = Option<crate::openapi::scalars::PositiveMoney>)]
    pub regular_price: Option<Decimal>,
    /// New group price.
    #[serde(default, deserialize_with = "optional_json_number")]
    #[schema(value_type = Option<crate::openapi::scalars::PositiveMoney>)]
    pub group_price: Option<Decimal>,
    /// New stock (>= 0, not below units held by open groups).
    #[schema(minimum = 0)]
    pub stock_quantity: Option<i64>,
    /// New switch.
    pub group_buying_enabled: Option<bool>,
    /// New seats per group, >= 1 (open groups keep theirs).
    #[schema(minimum = 1)]
    pub group_max_size: Option<i32>,
    /// New lifetime in hours, 0.00027778 (one second) to 8760 (open groups keep theirs).
    #[serde(default, deserialize_with = "optional_json_number")]
    #[schema(value_type = Option<f64>, minimum = 0.00027778, maximum = 8760)]
    pub group_time_limit_hours: Option<Decimal>,
    /// New cap, >= 1 (null removes it).
    #[serde(default, deserialize_with = "crate::platform::extract::nullable")]
    #[schema(value_type = Option<i32>, minimum = 1)]
    pub max_per_customer: Option<Option<i32>>,
}

/// A product as shoppers and merchants see it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProductView {
    /// Product id.
    pub product_id: Uuid,
    /// Shop id.
    pub shop_id: Uuid,
    /// Product name, trimmed, 1 to 200 characters.
    pub product_name: String,
    /// Image URL.
    pub product_image: Option<String>,
    /// Regular price.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub regular_price: Decimal,
    /// Group price.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub group_price: Decimal,
    /// ISO 4217 code of both prices; TZS when the merchant named none.
    #[schema(value_type = crate::openapi::enums::Currency)]
    pub currency: String,
    /// Units in stock, including those held by open groups.
    pub stock_quantity: i64,
    /// Units that can still be bought.
    pub available_quantity: i64,
    /// Units held by open groups.
    pub reserved_quantity: i64,
    /// Whether groups may be opened.
    pub group_buying_enabled: bool,
    /// Seats per group.
    pub group_max_size: i32,
    /// Group lifetime in hours.
    #[schema(value_type = f64)]
    pub group_time_limit_hours: Decimal,
    /// Most seats per customer per group.
    pub max_per_customer: Option<i32>,
    /// Creation time.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last change.
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<Product> for ProductView {
    fn from(p: Product) -> Self {
        Self {
            product_id: p.id,
            shop_id: p.shop_id,
            available_quantity: p.available_quantity(),
            product_name: p.name,
            product_image: p.image,
            regular_price: p.regular_price.to_decimal(),
            group_price: p.group_price.to_decimal(),
            currency: p.group_price.currency().code().to_owned(),
            stock_quantity: p.stock_quantity,
            reserved_quantity: p.reserved_quantity,
            group_buying_enabled: p.group_buying_enabled,
            group_max_size: p.group_max_size,
            group_time_limit_hours: p.group_time_limit.hours(),
            max_per_customer: p.max_per_customer,
            created_at: rfc3339(p.created_at),
            updated_at: rfc3339(p.updated_at),
        }
    }
}

/// Opens a shop owned by the calling merchant.
#[utoipa::path(operation_id = "shops.create", tag = "catalog", security(("bearer" = [])), request_body = CreateShopRequest, responses(
    (status = 201, description = "Shop created", body = Envelope<ShopView>),
    crate::openapi::responses::MalformedBody,
    crate::openapi::responses::Unauthenticated,
    (status = 403, description = "Missing role merchant or scope", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::InvalidField,
))]
#[post("/api/v1/shops")]
async fn create_shop(
    state: web::Data<AppState>,
    auth: Auth,
    body: JsonBody<CreateShopRequest>,
) -> Result<HttpResponse, ApiError> {
    auth.writer()?;
    let owner = auth.require_role(ROLE_MERCHANT)?.clone();
    let draft = ShopDraft::parse(&body.0.shop_name, body.0.shop_logo)?;
    let now = state.clock.now();
    let catalog = state.catalog.clone();
    answer_with_effect(
        move |answer| catalog.create_shop(&owner, draft, now, answer),
        |shop| {
            render(
                StatusCode::CREATED,
                "Shop created successfully",
                ShopView::from(shop.clone()),
            )
        },
    )
    .await
}

/// A shop (public).
#[utoipa::path(operation_id = "shops.getById", tag = "catalog", params(("shopId" = Uuid, Path, description = "Shop id")), responses(
    (status = 200, description = "The shop", body = Envelope<ShopView>),
    (status = 400, description = "Bad shop id", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Shop not found", body = Problem, content_type = "application/problem+json"),
))]
#[get("/api/v1/shops/{shopId}")]
async fn get_shop(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let catalog = state.catalog.clone();
    let shop = blocking(move || catalog.shop(id)).await?;
    Ok(ok("Shop retrieved successfully", ShopView::from(shop)))
}

/// Adds a product to a shop the caller owns.
#[utoipa::path(operation_id = "products.create", tag = "catalog", security(("bearer" = [])), params(("shopId" = Uuid, Path, description = "Shop id")),
    request_body = CreateProductRequest, responses(
    (status = 201, description = "Product created", body = Envelope<ProductView>),
    crate::openapi::responses::MalformedBody,
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingMerchantRole,
    (status = 404, description = "Shop not found (or not yours)", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::InvalidField,
))]
#[post("/api/v1/shops/{shopId}/products")]
async fn create_product(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<Uuid>,
    body: JsonBody<CreateProductRequest>,
) -> Result<HttpResponse, ApiError> {
    let owner = auth.merchant_writer()?.clone();
    let b = body.0;
    let draft = ProductDraft::parse(ProductFields {
        name: b.product_name,
        image: b.product_image,
        regular_price: b.regular_price,
        group_price: b.group_price,
        currency: b.currency,
        stock_quantity: b.stock_quantity,
        group_buying_enabled: b.group_buying_enabled,
        group_max_size: b.group_max_size,
        group_time_limit_hours: b.group_time_limit_hours,
        max_per_customer: b.max_per_customer,
    })?;
    let shop_id = path.into_inner();
    let now = state.clock.now();
    let catalog = state.catalog.clone();
    answer_with_effect(
        move |answer| catalog.create_product(&owner, shop_id, draft, now, answer),
        |product| {
            render(
                StatusCode::CREATED,
                "Product created successfully",
                ProductView::from(product.clone()),
            )
        },
    )
    .await
}

/// A product with its available and reserved quantities (public).
#[utoipa::path(operation_id = "products.getById", tag = "catalog", params(("productId" = Uuid, Path, description = "Product id")), responses(
    (status = 200, description = "The product", body = Envelope<ProductView>),
    (status = 400, description = "Bad product id", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Product not found", body = Problem, content_type = "application/problem+json"),
))]
#[get("/api/v1/products/{productId}")]
async fn get_product(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let catalog = state.catalog.clone();
    let product = blocking(move || catalog.product(id)).await?;
    Ok(ok(
        "Product retrieved successfully",
        ProductView::from(product),
    ))
}

/// Changes a product of the caller's shop.
#[utoipa::path(operation_id = "products.update", tag = "catalog", security(("bearer" = [])), params(("productId" = Uuid, Path, description = "Product id")),
    request_body = UpdateProductRequest, responses(
    (status = 200, description = "Product updated", body = Envelope<ProductView>),
    crate::openapi::responses::MalformedBody,
    crate::openapi::responses::Unauthenticated,
    crate::openapi::responses::MissingMerchantRole,
    (status = 404, description = "Product not found (or not yours)", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Stock below units held by open groups", body = Problem, content_type = "application/problem+json"),
    crate::openapi::responses::InvalidField,
))]
#[patch("/api/v1/products/{productId}")]
async fn update_product(
    state: web::Data<AppState>,
    auth: Auth,
    path: web::Path<Uuid>,
    body: JsonBody<UpdateProductRequest>,
) -> Result<HttpResponse, ApiError> {
    let owner = auth.merchant_writer()?.clone();
    let b = body.0;
    let patch = ProductPatch {
        name: b.product_name,
        image: b.product_image,
        regular_price: b.regular_price,
        group_price: b.group_price,
        stock_quantity: b.stock_quantity,
        group_buying_enabled: b.group_buying_enabled,
        group_max_size: b.group_max_size,
        group_time_limit_hours: b.group_time_limit_hours,
        max_per_customer: b.max_per_customer,
    };
    let id = path.into_inner();
    let now = state.clock.now();
    let catalog = state.catalog.clone();
    let product = blocking(move || catalog.update_product(&owner, id, patch, now)).await?;
    Ok(ok(
        "Product updated successfully",
        ProductView::from(product),
    ))
}

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_shop)
        .service(get_shop)
        .service(create_product)
        .service(get_product)
        .service(update_product);
}

crate::payload!(ShopView, ProductView);
