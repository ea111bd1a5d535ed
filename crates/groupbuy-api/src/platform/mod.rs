//! The API platform shared by every surface: request ids, errors for everything,
//! authentication, idempotency, body parsing, HEAD as GET and the 404/405 fallback.

pub mod auth;
pub mod extract;
pub mod fallback;
pub mod head;
pub mod idempotency;
pub mod request;
