//! Procurement (seed 002, `/groupbuy`): group buys organisations pool commitments into.

pub mod schema;
