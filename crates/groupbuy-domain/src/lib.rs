//! The pure domain model of groupbuy: money, identifiers, state machines and the ports
//! (repository and clock traits) that storage implements. No I/O, no async, no SQL.

pub mod campaign;
pub mod catalog;
pub mod clock;
pub mod error;
pub mod group_purchase;
pub mod ledger;
pub mod money;
pub mod names;
pub mod order;
pub mod page;
pub mod platform;
pub mod principal;
pub mod procurement;
pub mod wallet;
pub mod webhook;

/// Brings `iter()` of every closed set (statuses, kinds, actions, event types) into scope:
/// each derives its list with `strum::EnumIter`, so no list is kept by hand.
pub use strum::IntoEnumIterator;

pub use clock::Clock;
pub use error::{DomainError, DomainResult, Refusal};
pub use money::{Currency, Money};
pub use page::Page;
pub use principal::Principal;
