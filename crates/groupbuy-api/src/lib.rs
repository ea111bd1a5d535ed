//! The HTTP API of groupbuy: routes, envelope, errors, auth, idempotency, jobs.

pub mod config;
pub mod envelope;
pub mod error;
pub mod jobs;
pub mod live;
pub mod openapi;
pub mod pages;
pub mod platform;
pub mod read_model;
pub mod routes;
pub mod startup;
pub mod state;
pub mod web;

pub use config::Config;
pub use startup::{app, Application};
pub use state::AppState;
