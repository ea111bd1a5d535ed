//! The merchant's words on an order, parsed once: a shipment's carrier and tracking
//! number, a cancellation's reason. Each is trimmed, non-empty, bounded and one line (no
//! control character, NUL included: PostgreSQL refuses NUL in text, and these are shown
//! to the buyer).

use crate::error::DomainError;

/// Longest carrier name.
pub const MAX_CARRIER: usize = 100;
/// Longest tracking number.
pub const MAX_TRACKING_NUMBER: usize = 100;
/// Longest cancellation reason.
pub const MAX_REASON: usize = 500;

/// `value` trimmed, 1..=`max` characters without a control character, or a validation
/// error naming `field`.
fn line(field: &str, value: &str, max: usize) -> Result<String, DomainError> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("{field} must be between 1 and {max} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            field,
            format!("{field} must be one line without control characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Who carries a shipped order and its tracking number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    carrier: String,
    tracking_number: String,
}

impl Shipment {
    /// Parses the body of a shipment (fields `carrier`, `trackingNumber`).
    ///
    /// # Errors
    /// `Validation` naming the first field out of its rules.
    pub fn parse(carrier: &str, tracking_number: &str) -> Result<Self, DomainError> {
        Ok(Self {
            carrier: line("carrier", carrier, MAX_CARRIER)?,
            tracking_number: line("trackingNumber", tracking_number, MAX_TRACKING_NUMBER)?,
        })
    }

    /// The carrier, trimmed.
    pub fn carrier(&self) -> &str {
        &self.carrier
    }

    /// The tracking number, trimmed.
    pub fn tracking_number(&self) -> &str {
        &self.tracking_number
    }
}

/// Why a merchant cancels an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelReason(String);

impl CancelReason {
    /// Parses the body of a cancellation (field `reason`).
    ///
    /// # Errors
    /// `Validation` on `reason`.
    pub fn parse(reason: &str) -> Result<Self, DomainError> {
        line("reason", reason, MAX_REASON).map(Self)
    }

    /// The reason, trimmed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
