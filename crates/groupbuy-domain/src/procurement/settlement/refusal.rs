//! Every refusal of a settlement: its `Display` is the one place its text is written, and its
//! kind names its RFC 9457 problem type.

use super::invoicing::MissingData;
use crate::error::{DomainError, Refusal};
use thiserror::Error;

/// `organisation org_acme: legal_name, vat_id; vendor vendor_mills: electronic_address`.
fn listed(missing: &[MissingData]) -> String {
    missing
        .iter()
        .map(|m| format!("{}: {}", m.party, m.fields.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why an allocation cannot be settled into documents.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SettlementRefusal {
    /// The allocation awarded nothing, so nobody pays or is paid.
    #[error("Nothing to settle: the allocation has no lines")]
    NothingAllocated,
    /// `rules.organiser_fee_bps` outside 0-1000 (rules are validated earlier; this guards).
    #[error("organiser_fee_bps must be between 0 and 1000, got {0}")]
    FeeOutOfRange(u32),
    /// `issue_date + payment_terms_days` is past the last representable date.
    #[error("payment_terms_days {0} puts the due date out of range")]
    DueDateOutOfRange(u32),
    /// An allocation line with no units or a negative price: a bug upstream.
    #[error("Allocation line for member {member_id} from vendor {vendor_id} has a quantity below 1 or a negative price")]
    InvalidLine {
        /// The line's member.
        member_id: String,
        /// The line's vendor.
        vendor_id: String,
    },
    /// An amount or total beyond what groupbuy stores.
    #[error("Settlement is too large: its amounts exceed what groupbuy stores")]
    TooLarge,
    /// The document number sequence would pass `u64::MAX`.
    #[error("Document number sequence exhausted")]
    SequenceExhausted,
    /// Parties lack data their invoices need: every party and field, at once (409).
    #[error("Cannot settle: the invoices need party data that is missing: {}", listed(.0))]
    MissingPartyData(Vec<MissingData>),
    /// A document would mix VAT category O with another, which EN 16931 forbids (BR-O-11) (409).
    #[error("Cannot settle: document {0} would mix VAT category O (not subject to VAT) with another category; an invoice with O lines has only O lines")]
    NotSubjectMixed(String),
}

impl SettlementRefusal {
    /// The slug of the refusal's problem type (`https://groupbuy.dev/problems/<kind>`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NothingAllocated => "nothing-allocated",
            Self::FeeOutOfRange(_) | Self::DueDateOutOfRange(_) => "validation",
            Self::InvalidLine { .. } | Self::SequenceExhausted => "internal",
            Self::TooLarge => "amount-too-large",
            Self::MissingPartyData(_) => "party-data-missing",
            Self::NotSubjectMixed(_) => "vat-categories-incompatible",
        }
    }
}

/// The one conversion into the crate's error: nothing to settle is a 409, a bad rule a 422
/// naming it, an oversized settlement a 400, and a malformed line or sequence a bug (500).
impl From<SettlementRefusal> for DomainError {
    fn from(r: SettlementRefusal) -> Self {
        let message = r.to_string();
        match r {
            SettlementRefusal::NothingAllocated
            | SettlementRefusal::MissingPartyData(_)
            | SettlementRefusal::NotSubjectMixed(_) => {
                DomainError::Conflict(Refusal::new(r.kind(), message))
            }
            SettlementRefusal::FeeOutOfRange(_) => {
                DomainError::invalid("rules.organiser_fee_bps", message)
            }
            SettlementRefusal::DueDateOutOfRange(_) => {
                DomainError::invalid("rules.payment_terms_days", message)
            }
            SettlementRefusal::TooLarge => DomainError::Rule(Refusal::new(r.kind(), message)),
            SettlementRefusal::InvalidLine { .. } | SettlementRefusal::SequenceExhausted => {
                DomainError::Internal(message)
            }
        }
    }
}
