//! Procurement: organisations pool commitments, vendors quote, the award is shared fairly and settled.

pub mod allocation;
pub mod settlement;
