//! The product catalogue behind seed 001: shops and their products.

mod ports;
mod product;
mod shop;

#[cfg(feature = "mock")]
pub use ports::MockCatalogStore;
pub use ports::{CatalogStore, LISTED_MAX};
pub use product::{
    stock_below_reserved, GroupTimeLimit, Product, ProductDraft, ProductFields, ProductPatch,
};
pub use shop::{Shop, ShopDraft};

use crate::DomainError;

/// Seed 001's 404 for a shop that does not exist (another merchant's shop is
/// indistinguishable from none).
pub fn shop_not_found(id: impl std::fmt::Display) -> DomainError {
    DomainError::NotFound(format!("Shop not found with ID: {id}"))
}

/// Whether `caller` may manage a shop owned by `owner_id` (its products, its orders): its
/// owner or a platform admin. Anyone else is told the shop (or its order) does not exist.
pub fn manages_shop(caller: &crate::Principal, owner_id: &str) -> bool {
    caller.user_id == owner_id || caller.is_platform_admin()
}

/// Seed 001's 404 for a product that does not exist or is not the caller's.
pub fn product_not_found() -> DomainError {
    DomainError::NotFound("Product not found".into())
}
