//! What every context shares: idempotency keys and the health check, the event outbox,
//! rate-limit windows, cursor paging, the hash-chained audit log and the count of every
//! background job's queue. Mirrors the domain's and the API's `platform` folders.

pub(crate) mod answer;
pub(crate) mod as_text;
pub(crate) mod audit;
mod backlog;
mod idempotency;
pub mod outbox;
pub(crate) mod paging;
pub(crate) mod rate_limit;
pub(crate) mod schema;

pub(crate) use idempotency::{DONE, IN_FLIGHT};
