//! The procurement group buy ("pool"): organisations commit quantities toward a target by
//! a deadline. OPEN -> SOURCING -> ALLOCATED -> SETTLED; OPEN|SOURCING -> CANCELLED;
//! OPEN -> EXPIRED. Its statuses, actions, items, counters and progress.

use super::ids::GroupBuyId;
use super::refusal::{At, ProcurementRefusal};
use super::rules::Rules;
use crate::error::DomainError;
use crate::money::{percentage, Currency};
use crate::names::closed_set;
use crate::names::listed;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

closed_set! {
    /// Where a group buy is in its lifecycle; its list and names are derived (`strum`, and
    /// serde with the same case).
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "UPPERCASE")]
    #[strum(serialize_all = "UPPERCASE", ascii_case_insensitive)]
    pub enum GroupBuyStatus {
        /// Taking commitments until the deadline.
        Open,
        /// Commitments closed; vendors are quoting (Procurement II).
        Sourcing,
        /// Supply allocated to members (Procurement II).
        Allocated,
        /// Settled into payables and receivables (Procurement II). Final.
        Settled,
        /// Cancelled by its organiser. Final.
        Cancelled,
        /// Its deadline passed below target. Final.
        Expired,
    }
}

impl GroupBuyStatus {
    /// Parses a name (case-insensitive).
    ///
    /// # Errors
    /// `Validation` on field `status`, listing the statuses.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        s.trim().parse().map_err(|_| {
            let all = listed::<Self>(", ");
            DomainError::invalid("status", format!("Unknown status {s}; use one of {all}"))
        })
    }

    /// The actions a caller may take from this status (the sweep's `expire` is not one).
    pub fn allowed_actions(&self) -> &'static [Action] {
        match self {
            Self::Open => &[
                Action::Commit,
                Action::Withdraw,
                Action::Cancel,
                Action::Rfq,
            ],
            Self::Sourcing => &[Action::Cancel, Action::Allocate],
            Self::Allocated => &[Action::Settle],
            Self::Settled | Self::Cancelled | Self::Expired => &[],
        }
    }

    /// Whether nothing can happen to it any more.
    pub fn is_final(&self) -> bool {
        self.allowed_actions().is_empty()
    }
}

closed_set! {
    /// Something done to a group buy; its list and names are derived (`strum`).
    #[strum(serialize_all = "lowercase")]
    pub enum Action {
        /// An organisation commits (or changes its commitment). OPEN only.
        Commit,
        /// An organisation withdraws its commitment. OPEN only.
        Withdraw,
        /// The organiser cancels: OPEN|SOURCING -> CANCELLED.
        Cancel,
        /// The organiser opens an RFQ: OPEN -> SOURCING (Procurement II).
        Rfq,
        /// The organiser allocates supply: SOURCING -> ALLOCATED (Procurement II).
        Allocate,
        /// The organiser settles: ALLOCATED -> SETTLED (Procurement II).
        Settle,
        /// The sweep expires a pool past its deadline below target: OPEN -> EXPIRED.
        Expire,
    }
}

impl Action {
    /// How a sentence says it: `Cannot <verb> a group buy ...`.
    pub fn verb(&self) -> &'static str {
        match self {
            Self::Commit => "commit to",
            Self::Withdraw => "withdraw from",
            Self::Cancel => "cancel",
            Self::Rfq => "open an RFQ for",
            Self::Allocate => "allocate",
            Self::Settle => "settle",
            Self::Expire => "expire",
        }
    }

    /// The status the action leads to; `None` for commitments, which keep it OPEN.
    pub fn target(&self) -> Option<GroupBuyStatus> {
        match self {
            Self::Commit | Self::Withdraw => None,
            Self::Cancel => Some(GroupBuyStatus::Cancelled),
            Self::Rfq => Some(GroupBuyStatus::Sourcing),
            Self::Allocate => Some(GroupBuyStatus::Allocated),
            Self::Settle => Some(GroupBuyStatus::Settled),
            Self::Expire => Some(GroupBuyStatus::Expired),
        }
    }
}

/// One pooled item: what ONE committed unit contains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Stock-keeping unit, unique within the group buy (1-64 characters).
    pub sku: String,
    /// Name (1-200 characters).
    pub name: String,
    /// Unit of measure (`box`, `kg`; 1-32 characters).
    pub unit: String,
    /// How many of `unit` one committed unit holds, when it says.
    #[serde(default)]
    pub quantity_per_unit: Option<i64>,
    /// UN/ECE Recommendation 20 code of the unit (`KGM`, `XBG`, `EA`), when it says: the
    /// unit code its invoices state (`C62` when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_code: Option<String>,
}

/// A group buy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupBuy {
    /// `gb_<uuid simple hex>`, given at creation; the audit subject is `groupbuy:<id>`.
    pub id: GroupBuyId,
    /// Trimmed title, 1 to 200 characters.
    pub title: String,
    /// Free text up to 10000 characters; `None` when absent or blank.
    pub description: Option<String>,
    /// What one unit contains (1-100 items, unique SKUs).
    pub items: Vec<Item>,
    /// Units the pool aims for.
    pub target_quantity: i64,
    /// The smallest commitment a member may make.
    pub min_commitment: i64,
    /// When commitments close.
    pub deadline: OffsetDateTime,
    /// Currency of price ceilings and, later, of settlement.
    pub currency: Currency,
    /// Caps, eligibility, visibility and settlement terms, checked against the quantities.
    pub rules: Rules,
    /// Lifecycle state.
    pub status: GroupBuyStatus,
    /// The organising organisation.
    pub org_id: String,
    /// The user who created it (`sub`).
    pub created_by: String,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// Last change (of the pool or its commitments).
    pub updated_at: OffsetDateTime,
    /// Incremented by every change; the ETag is `"<version>"`.
    pub version: i64,
    /// Sum of ACTIVE commitments' quantities.
    pub committed_quantity: i64,
    /// Number of ACTIVE commitments.
    pub members: i64,
    /// When commitments first reached the target.
    pub target_reached_at: Option<OffsetDateTime>,
}

/// A group buy's progress toward its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GroupBuyStats {
    /// Sum of ACTIVE commitments.
    pub committed_quantity: i64,
    /// ACTIVE commitments; `None` in the views of all but the organiser and platform
    /// admins ([`super::GroupBuyView::new`]).
    pub members: Option<i64>,
    /// `committed / target * 100`, two decimals, half away from zero; not capped, so an
    /// over-subscribed pool shows more than 100.
    pub progress_percentage: Decimal,
    /// Units still free under `rules.max_quantity` (never negative); `None` when uncapped.
    pub remaining_capacity: Option<i64>,
    /// Whether commitments now reach the target.
    pub target_reached: bool,
}

/// `"<version>"`: a group buy's ETag.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

impl GroupBuy {
    /// Progress toward the target.
    pub fn stats(&self) -> GroupBuyStats {
        GroupBuyStats {
            committed_quantity: self.committed_quantity,
            members: Some(self.members),
            progress_percentage: percentage(
                Decimal::from(self.committed_quantity),
                Decimal::from(self.target_quantity),
            ),
            remaining_capacity: self
                .rules
                .max_quantity
                .map(|max| (max - self.committed_quantity).max(0)),
            target_reached: self.committed_quantity >= self.target_quantity,
        }
    }

    /// The ETag of its current version.
    pub fn etag(&self) -> String {
        etag(self.version)
    }

    /// `groupbuy:<id>`: the subject of its events and audit chain.
    pub fn subject(&self) -> String {
        subject(self.id)
    }

    /// Whether `org` organises it.
    pub fn is_organised_by(&self, org: &str) -> bool {
        self.org_id == org
    }

    /// Whether `action` is allowed from the current status.
    ///
    /// # Errors
    /// `AlreadySettled` for settling twice; `InvalidTransition` naming the status and the
    /// allowed actions otherwise.
    pub fn check_action(&self, action: Action) -> Result<(), ProcurementRefusal> {
        let allowed = match action {
            Action::Expire => self.status == GroupBuyStatus::Open,
            _ => self.status.allowed_actions().contains(&action),
        };
        match (allowed, action, self.status) {
            (true, _, _) => Ok(()),
            (false, Action::Settle, GroupBuyStatus::Settled) => {
                Err(ProcurementRefusal::AlreadySettled)
            }
            (false, _, status) => Err(ProcurementRefusal::InvalidTransition {
                action,
                status,
                allowed: status.allowed_actions(),
            }),
        }
    }

    /// Whether commitments may change at `now`: OPEN (naming the status otherwise) and
    /// before the deadline (naming it otherwise).
    ///
    /// # Errors
    /// `InvalidTransition` or `DeadlinePassed`.
    pub fn check_commitments_open(
        &self,
        action: Action,
        now: OffsetDateTime,
    ) -> Result<(), ProcurementRefusal> {
        self.check_action(action)?;
        if now >= self.deadline {
            return Err(ProcurementRefusal::DeadlinePassed(At(self.deadline)));
        }
        Ok(())
    }

    /// Whether its commitments now reach the target and never did before (so the
    /// `groupbuy.target_reached` event fires once, even if withdrawals later dip below).
    pub fn reaches_target(&self) -> bool {
        self.target_reached_at.is_none() && self.committed_quantity >= self.target_quantity
    }

    /// Whether the sweep should expire it at `now`: OPEN, deadline passed and below
    /// target, unless `rules.allow_partial` lets the organiser source what was committed.
    /// A pool with no commitment at all expires even with `allow_partial` (there is
    /// nothing to source). A pool past its deadline that reached its target, or that
    /// may source partially, stays OPEN awaiting the organiser's RFQ (or cancel); it takes
    /// no more commitments.
    pub fn is_due_to_expire(&self, now: OffsetDateTime) -> bool {
        self.status == GroupBuyStatus::Open
            && now >= self.deadline
            && self.committed_quantity < self.target_quantity
            && (!self.rules.allow_partial || self.committed_quantity == 0)
    }
}

/// `groupbuy:<id>`.
pub fn subject(id: GroupBuyId) -> String {
    format!("groupbuy:{id}")
}

/// The first SKU of `items` that `other` pools, when `other` blocks a new group buy of
/// `org_id` at `now`: OPEN, organised by the same organisation, deadline still ahead.
pub fn overlap<'a>(
    org_id: &str,
    items: &'a [Item],
    other: &GroupBuy,
    now: OffsetDateTime,
) -> Option<&'a str> {
    if other.status != GroupBuyStatus::Open || other.org_id != org_id || other.deadline <= now {
        return None;
    }
    items
        .iter()
        .find(|item| other.items.iter().any(|o| o.sku == item.sku))
        .map(|item| item.sku.as_str())
}

/// Whether a new group buy of `org_id` with `items` would overlap `other` at `now`.
pub fn overlaps(org_id: &str, items: &[Item], other: &GroupBuy, now: OffsetDateTime) -> bool {
    overlap(org_id, items, other, now).is_some()
}

/// Refuses a new group buy of `org_id` that overlaps one of `others`, naming the first
/// such pool and SKU.
///
/// # Errors
/// `OverlapsOpenGroupBuy` (409).
pub fn check_overlap(
    org_id: &str,
    items: &[Item],
    others: &[GroupBuy],
    now: OffsetDateTime,
) -> Result<(), ProcurementRefusal> {
    for other in others {
        if let Some(sku) = overlap(org_id, items, other, now) {
            return Err(ProcurementRefusal::OverlapsOpenGroupBuy {
                other: other.id,
                deadline: At(other.deadline),
                sku: sku.to_owned(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "group_buy_tests.rs"]
pub(super) mod tests;
