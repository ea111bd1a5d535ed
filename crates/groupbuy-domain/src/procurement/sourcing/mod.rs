//! Sourcing a pool (Procurement II): the RFQ sent to vendors, their sealed responses, what
//! each viewer may see of them, and the award that turns them into an allocation. Mirrors
//! the store's `procurement/sourcing/`; the settlement that follows lives in `settle.rs`.

pub(super) mod award;
pub(super) mod ports;
#[cfg(test)]
mod proptests;
pub(super) mod refusal;
pub(super) mod rfq;
pub(super) mod rfq_response;
pub(super) mod rfq_view;
