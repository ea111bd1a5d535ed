//! Campaigns in the console.
