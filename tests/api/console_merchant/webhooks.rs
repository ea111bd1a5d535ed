//! Webhooks in the console.
