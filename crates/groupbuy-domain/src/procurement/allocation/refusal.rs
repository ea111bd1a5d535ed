//! Every refusal of an allocation: its `Display` is the one place its text is written, and its
//! kind names its RFC 9457 problem type.

use super::wording::units;
use crate::error::{DomainError, Refusal};
use crate::money::Money;
use thiserror::Error;

/// Why an allocation cannot be made (each known before the job starts).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AllocationRefusal {
    /// No member committed any units.
    #[error("Nothing to allocate: no member has committed any units")]
    NothingCommitted,
    /// No vendor response offers any units.
    #[error("No valid vendor response to allocate from")]
    NoValidResponse,
    /// `single_vendor`, and no one vendor has the supply at a price within every ceiling.
    #[error(
        "single_vendor: no vendor can supply all {} within every member's price ceiling (the lowest is {lowest_ceiling})",
        units(*total)
    )]
    SingleVendorImpossible {
        /// Units committed in all.
        total: i64,
        /// The lowest member ceiling, which the price must not pass.
        lowest_ceiling: Money,
    },
    /// `lowest_price_pro_rata`, and every offer is above every member's ceiling.
    #[error(
        "lowest_price_pro_rata: no vendor's price is within any member's price ceiling (the highest is {highest_ceiling})"
    )]
    NothingWithinCeilings {
        /// The highest member ceiling.
        highest_ceiling: Money,
    },
    /// A quantity or amount beyond what groupbuy stores.
    #[error("Allocation is too large: its quantities or amounts exceed what groupbuy stores")]
    TooLarge,
}

impl AllocationRefusal {
    /// The slug of the refusal's problem type (`https://groupbuy.dev/problems/<kind>`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NothingCommitted => "nothing-committed",
            Self::NoValidResponse => "no-valid-response",
            Self::SingleVendorImpossible { .. } | Self::NothingWithinCeilings { .. } => {
                "allocation-conflict"
            }
            Self::TooLarge => "amount-too-large",
        }
    }
}

/// The one conversion into the crate's error: every allocation refusal is a 409, known before
/// a job is queued.
impl From<AllocationRefusal> for DomainError {
    fn from(r: AllocationRefusal) -> Self {
        DomainError::Conflict(Refusal::new(r.kind(), r.to_string()))
    }
}
