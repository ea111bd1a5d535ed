//! Every refusal of the procurement context: its `Display` is the one place its text is
//! written, its kind names its RFC 9457 problem type, and the conversion into
//! [`DomainError`] picks its HTTP status (400, 403, 404, 409 or 412).

use super::group_buy::{Action, GroupBuyStatus};
use super::ids::GroupBuyId;
use crate::error::{DomainError, Refusal};
use crate::platform::rfc3339;
use std::fmt;
use thiserror::Error;
use time::OffsetDateTime;

/// An instant as refusals print it (RFC 3339 UTC, whole seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At(pub OffsetDateTime);

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&rfc3339(self.0))
    }
}

/// Why a procurement request was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProcurementRefusal {
    /// The group buy does not exist, or the caller may not see it (404).
    #[error("Group buy not found")]
    GroupBuyNotFound,
    /// The caller's organisation has no ACTIVE commitment to withdraw, or a commitment id
    /// names nothing (404).
    #[error("Commitment not found")]
    CommitmentNotFound,
    /// The token lacks the scope the route needs (403).
    #[error("Missing scope: {0}")]
    MissingScope(&'static str),
    /// A write by a token without an `org_id` (403).
    #[error("Organisation required")]
    OrganisationRequired,
    /// The caller's organisation is not in `rules.eligible_orgs` (403).
    #[error("Organisation {0} is not eligible for this group buy")]
    NotEligible(String),
    /// Only the organising organisation (or a platform admin) may do this (403); the text
    /// names what, such as `cancel this group buy`.
    #[error("Only the organising organisation may {0}")]
    OrganiserOnly(&'static str),
    /// `POST /groupbuy` and `POST /groupbuy/{id}/commit` without the header (400).
    #[error("Idempotency-Key header is required")]
    IdempotencyKeyRequired,
    /// The commitment would pass `rules.max_quantity` (with everyone else's) or
    /// `rules.max_per_member`; the number is the most this organisation's commitment may
    /// now hold (409).
    #[error("Capacity exceeded: {0} units remain")]
    CapacityExceeded(i64),
    /// Commitments close at the deadline (409).
    #[error("The deadline of this group buy passed at {0}; commitments are closed")]
    DeadlinePassed(At),
    /// The action is not allowed from the current status (409).
    #[error(
        "Cannot {} a group buy in status {status}; allowed: {}",
        action.verb(),
        allowed_list(allowed)
    )]
    InvalidTransition {
        /// The action asked for.
        action: Action,
        /// The current status.
        status: GroupBuyStatus,
        /// What the current status allows.
        allowed: &'static [Action],
    },
    /// Settling a SETTLED group buy again under another key (409).
    #[error("Group buy already settled")]
    AlreadySettled,
    /// `rules.max_quantity` below `target_quantity`: the target could never be reached (409).
    #[error(
        "Contradictory rules: rules.max_quantity ({max_quantity}) is less than target_quantity ({target_quantity})"
    )]
    MaxQuantityBelowTarget {
        /// The cap.
        max_quantity: i64,
        /// The target.
        target_quantity: i64,
    },
    /// `rules.max_per_member` below `min_commitment`: no commitment could be valid (409).
    #[error(
        "Contradictory rules: rules.max_per_member ({max_per_member}) is less than min_commitment ({min_commitment})"
    )]
    MaxPerMemberBelowMinCommitment {
        /// The per-member cap.
        max_per_member: i64,
        /// The smallest commitment.
        min_commitment: i64,
    },
    /// `min_commitment` above `rules.max_quantity`: no commitment could fit (409).
    #[error(
        "Contradictory rules: min_commitment ({min_commitment}) is greater than rules.max_quantity ({max_quantity})"
    )]
    MinCommitmentAboveMaxQuantity {
        /// The smallest commitment.
        min_commitment: i64,
        /// The cap.
        max_quantity: i64,
    },
    /// `rules.eligible_orgs: []`: no organisation could commit (409).
    #[error("Contradictory rules: rules.eligible_orgs is empty, so no organisation could commit")]
    NoEligibleOrgs,
    /// Another OPEN group buy of the organisation, deadline ahead, already pools a SKU (409).
    #[error("Overlaps group buy {other}, OPEN until {deadline}, which already pools SKU {sku}")]
    OverlapsOpenGroupBuy {
        /// The other pool.
        other: GroupBuyId,
        /// Its deadline.
        deadline: At,
        /// The first SKU both pool.
        sku: String,
    },
    /// `If-Match` names another version than the current one (412).
    #[error("Precondition failed: the group buy's current ETag is \"{0}\"")]
    StaleEtag(i64),
    /// The group buy changed between the read and the conditional write, more often than
    /// the store retries (409).
    #[error("The group buy changed concurrently; retry")]
    ChangedConcurrently,
}

fn allowed_list(allowed: &[Action]) -> String {
    if allowed.is_empty() {
        return "none".to_owned();
    }
    allowed
        .iter()
        .map(Action::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

impl ProcurementRefusal {
    /// The slug of the refusal's problem type (`https://groupbuy.dev/problems/<kind>`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::GroupBuyNotFound | Self::CommitmentNotFound => "not-found",
            Self::MissingScope(_) => "missing-scope",
            Self::OrganisationRequired => "organisation-required",
            Self::NotEligible(_) => "not-eligible",
            Self::OrganiserOnly(_) => "organiser-only",
            Self::IdempotencyKeyRequired => "idempotency-key-required",
            Self::CapacityExceeded(_) => "capacity-exceeded",
            Self::DeadlinePassed(_) => "deadline-passed",
            Self::InvalidTransition { .. } => "invalid-transition",
            Self::AlreadySettled => "already-settled",
            Self::MaxQuantityBelowTarget { .. }
            | Self::MaxPerMemberBelowMinCommitment { .. }
            | Self::MinCommitmentAboveMaxQuantity { .. }
            | Self::NoEligibleOrgs => "contradictory-rules",
            Self::OverlapsOpenGroupBuy { .. } => "overlapping-group-buy",
            Self::StaleEtag(_) => "precondition-failed",
            Self::ChangedConcurrently => "concurrent-change",
        }
    }

    /// The HTTP status the refusal answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::GroupBuyNotFound | Self::CommitmentNotFound => 404,
            Self::MissingScope(_)
            | Self::OrganisationRequired
            | Self::NotEligible(_)
            | Self::OrganiserOnly(_) => 403,
            Self::IdempotencyKeyRequired => 400,
            Self::StaleEtag(_) => 412,
            _ => 409,
        }
    }
}

/// The one conversion into the crate's error, by [`ProcurementRefusal::status`].
impl From<ProcurementRefusal> for DomainError {
    fn from(r: ProcurementRefusal) -> Self {
        let refusal = || Refusal::new(r.kind(), r.to_string());
        match r.status() {
            404 => DomainError::NotFound(r.to_string()),
            403 => DomainError::Forbidden(refusal()),
            400 => DomainError::Rule(refusal()),
            412 => DomainError::PreconditionFailed(r.to_string()),
            _ => DomainError::Conflict(refusal()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use uuid::Uuid;

    /// Every variant once, with its text, kind and status.
    fn every() -> Vec<(ProcurementRefusal, &'static str, &'static str, u16)> {
        use ProcurementRefusal::*;
        let at = At(datetime!(2026-11-30 12:00:00.5 UTC));
        vec![
            (GroupBuyNotFound, "Group buy not found", "not-found", 404),
            (CommitmentNotFound, "Commitment not found", "not-found", 404),
            (MissingScope("groupbuy:write"), "Missing scope: groupbuy:write", "missing-scope", 403),
            (MissingScope("groupbuy:read"), "Missing scope: groupbuy:read", "missing-scope", 403),
            (OrganisationRequired, "Organisation required", "organisation-required", 403),
            (
                NotEligible("org_z".into()),
                "Organisation org_z is not eligible for this group buy",
                "not-eligible",
                403,
            ),
            (
                OrganiserOnly("cancel this group buy"),
                "Only the organising organisation may cancel this group buy",
                "organiser-only",
                403,
            ),
            (
                IdempotencyKeyRequired,
                "Idempotency-Key header is required",
                "idempotency-key-required",
                400,
            ),
            (CapacityExceeded(3), "Capacity exceeded: 3 units remain", "capacity-exceeded", 409),
            (
                DeadlinePassed(at),
                "The deadline of this group buy passed at 2026-11-30T12:00:00Z; commitments are closed",
                "deadline-passed",
                409,
            ),
            (
                InvalidTransition {
                    action: Action::Rfq,
                    status: GroupBuyStatus::Expired,
                    allowed: GroupBuyStatus::Expired.allowed_actions(),
                },
                "Cannot open an RFQ for a group buy in status EXPIRED; allowed: none",
                "invalid-transition",
                409,
            ),
            (AlreadySettled, "Group buy already settled", "already-settled", 409),
            (
                MaxQuantityBelowTarget { max_quantity: 1, target_quantity: 2 },
                "Contradictory rules: rules.max_quantity (1) is less than target_quantity (2)",
                "contradictory-rules",
                409,
            ),
            (
                MaxPerMemberBelowMinCommitment { max_per_member: 1, min_commitment: 2 },
                "Contradictory rules: rules.max_per_member (1) is less than min_commitment (2)",
                "contradictory-rules",
                409,
            ),
            (
                MinCommitmentAboveMaxQuantity { min_commitment: 2, max_quantity: 1 },
                "Contradictory rules: min_commitment (2) is greater than rules.max_quantity (1)",
                "contradictory-rules",
                409,
            ),
            (
                NoEligibleOrgs,
                "Contradictory rules: rules.eligible_orgs is empty, so no organisation could commit",
                "contradictory-rules",
                409,
            ),
            (
                OverlapsOpenGroupBuy {
                    other: GroupBuyId::new(Uuid::from_u128(5)),
                    deadline: at,
                    sku: "SKU-1".into(),
                },
                "Overlaps group buy gb_00000000000000000000000000000005, OPEN until 2026-11-30T12:00:00Z, which already pools SKU SKU-1",
                "overlapping-group-buy",
                409,
            ),
            (
                StaleEtag(4),
                "Precondition failed: the group buy's current ETag is \"4\"",
                "precondition-failed",
                412,
            ),
            (
                ChangedConcurrently,
                "The group buy changed concurrently; retry",
                "concurrent-change",
                409,
            ),
        ]
    }

    #[test]
    fn every_refusal_has_its_text_kind_and_status() {
        for (r, text, kind, status) in every() {
            assert_eq!(r.to_string(), text);
            assert_eq!(r.kind(), kind, "{text}");
            assert_eq!(r.status(), status, "{text}");
            let err = DomainError::from(r);
            assert_eq!(err.to_string(), text);
            let category_matches = match (&err, status) {
                (DomainError::NotFound(_), 404) | (DomainError::PreconditionFailed(_), 412) => true,
                (DomainError::Forbidden(r), 403)
                | (DomainError::Rule(r), 400)
                | (DomainError::Conflict(r), 409) => r.kind() == kind,
                _ => false,
            };
            assert!(category_matches, "{text} -> {err:?}");
        }
    }
}
