//! The storage port of the catalogue: one method per use case, each its own transaction.

use super::{Product, ProductDraft, ProductPatch, Shop, ShopDraft};
use crate::error::DomainError;
use crate::platform::Answer;
use crate::principal::Principal;
use time::OffsetDateTime;
use uuid::Uuid;

/// Storage of shops and products.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait CatalogStore: Send + Sync {
    /// Opens a shop owned by `owner`.
    ///
    /// # Errors
    /// `Unavailable`/`Internal` on storage failure.
    fn create_shop(
        &self,
        owner: &Principal,
        draft: ShopDraft,
        now: OffsetDateTime,
        answer: Answer<Shop>,
    ) -> Result<Shop, DomainError>;

    /// A shop by id (public).
    ///
    /// # Errors
    /// `NotFound` when it does not exist.
    fn shop(&self, shop_id: Uuid) -> Result<Shop, DomainError>;

    /// Adds a product to a shop the caller owns.
    ///
    /// # Errors
    /// `NotFound` when the shop does not exist or is not the caller's.
    fn create_product(
        &self,
        owner: &Principal,
        shop_id: Uuid,
        draft: ProductDraft,
        now: OffsetDateTime,
        answer: Answer<Product>,
    ) -> Result<Product, DomainError>;

    /// A product by id (public).
    ///
    /// # Errors
    /// `NotFound` when it does not exist.
    fn product(&self, product_id: Uuid) -> Result<Product, DomainError>;

    /// Changes a product of a shop the caller owns.
    ///
    /// # Errors
    /// `NotFound` when it is not the caller's; validation and conflict errors from the patch.
    fn update_product(
        &self,
        owner: &Principal,
        product_id: Uuid,
        patch: ProductPatch,
        now: OffsetDateTime,
    ) -> Result<Product, DomainError>;

    /// The shops `owner` owns, newest first, at most [`LISTED_MAX`]: the console's list
    /// of a merchant's shops (the API has no listing; this is the same ownership rule).
    ///
    /// # Errors
    /// `Unavailable`/`Internal` on storage failure.
    fn owned_shops(&self, owner: &Principal) -> Result<Vec<Shop>, DomainError>;

    /// The products of a shop the caller manages, newest first, at most [`LISTED_MAX`].
    ///
    /// # Errors
    /// `NotFound` when the shop does not exist or is not the caller's.
    fn shop_products(&self, owner: &Principal, shop_id: Uuid) -> Result<Vec<Product>, DomainError>;
}

/// The most shops or products one listing returns (a console page, not an export).
pub const LISTED_MAX: i64 = 200;
