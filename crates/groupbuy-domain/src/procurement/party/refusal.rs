//! Every refusal of party data: its `Display` is the one place its text is written, its
//! kind names its RFC 9457 problem type, and the conversion into [`DomainError`] picks
//! its HTTP status.

use super::PartyRef;
use crate::error::{DomainError, Refusal};
use thiserror::Error;

/// Why a party request was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PartyRefusal {
    /// No such party the caller may read: unknown, or a counterparty sharing no pool (404).
    #[error("Party not found")]
    NotFound,
    /// Only the party itself (with `groupbuy:write`) or a platform admin may change it (403).
    #[error("Only {0} itself or a platform admin may change its party data")]
    NotThisParty(PartyRef),
    /// `If-Match` names another version than the current one (412).
    #[error("Precondition failed: the party's current ETag is \"{0}\"")]
    StaleEtag(i64),
    /// Another change of the party committed between the read and the write (409).
    #[error("The party changed concurrently; retry")]
    ChangedConcurrently,
}

impl PartyRefusal {
    /// The slug of the refusal's problem type.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotFound => "not-found",
            Self::NotThisParty(_) => "not-this-party",
            Self::StaleEtag(_) => "precondition-failed",
            Self::ChangedConcurrently => "concurrent-change",
        }
    }
}

/// The one conversion into the crate's error.
impl From<PartyRefusal> for DomainError {
    fn from(r: PartyRefusal) -> Self {
        match r {
            PartyRefusal::NotFound => DomainError::NotFound(r.to_string()),
            PartyRefusal::NotThisParty(_) => {
                DomainError::Forbidden(Refusal::new(r.kind(), r.to_string()))
            }
            PartyRefusal::StaleEtag(_) => DomainError::PreconditionFailed(r.to_string()),
            PartyRefusal::ChangedConcurrently => {
                DomainError::Conflict(Refusal::new(r.kind(), r.to_string()))
            }
        }
    }
}
