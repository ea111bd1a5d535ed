//! The product catalogue behind seed 001: shops and their products.

mod ports;
mod product;
mod shop;

pub use ports::CatalogStore;
#[cfg(feature = "mock")]
pub use ports::MockCatalogStore;
pub use product::{
    stock_below_reserved, GroupTimeLimit, Product, ProductDraft, ProductFields, ProductPatch,
};
pub use shop::{Shop, ShopDraft};
