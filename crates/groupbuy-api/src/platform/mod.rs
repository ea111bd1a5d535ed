//! The API platform shared by every surface: request ids, errors for everything,
//! authentication, idempotency, rate limits, body deadline and parsing, the text policy, metrics,
//! HEAD as GET, conditional GETs and the 404/405 fallback.

pub mod auth;
pub mod body;
pub mod body_deadline;
pub mod conditional;
pub mod extract;
pub mod fallback;
pub mod head;
pub mod idempotency;
pub mod integral;
pub mod join_metrics;
pub mod metrics;
pub mod pool_metrics;
pub mod rate_limit;
pub mod read_your_writes;
pub mod replica_metrics;
pub mod request;
pub mod text;
