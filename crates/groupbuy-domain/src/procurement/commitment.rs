//! An organisation's commitment to a group buy and the two decisions about it: commit
//! (an upsert: one commitment per organisation) and withdraw. Capacity is decided here
//! on the counters read; the store enforces it under contention with one conditional
//! update of the group buy's counters and, when that matches no row, re-reads and asks
//! [`GroupBuy::capacity_refusal`] for the same text.

use super::access::Viewer;
use super::events::{audit, commitment_event, AuditAction};
use super::group_buy::{Action, GroupBuy, GroupBuyStatus};
use super::ids::{CommitmentId, GroupBuyId};
use super::lifecycle::{acting_org, check_if_match};
use super::refusal::ProcurementRefusal;
use super::rules::MAX_UNITS;
use crate::error::DomainError;
use crate::money::Money;
use crate::names::closed_set;
use crate::platform::{AuditDraft, ChangeContext, DomainEvent, EventType};
use crate::principal::Principal;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;

closed_set! {
    /// Whether a commitment counts; its list and names are derived (`strum`, serde with the
    /// same case).
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "UPPERCASE")]
    #[strum(serialize_all = "UPPERCASE", ascii_case_insensitive)]
    pub enum CommitmentStatus {
        /// Counted in the pool.
        Active,
        /// Withdrawn by its organisation; kept for history, not counted.
        Withdrawn,
    }
}

impl CommitmentStatus {
    /// Parses a stored name.
    ///
    /// # Errors
    /// `Validation` on field `status`.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        s.trim()
            .parse()
            .map_err(|_| DomainError::invalid("status", format!("Unknown commitment status {s}")))
    }
}

/// One organisation's commitment to a group buy (at most one per organisation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commitment {
    /// Id (kept when a withdrawn commitment is renewed).
    pub id: CommitmentId,
    /// The group buy.
    pub group_buy_id: GroupBuyId,
    /// The committing organisation.
    pub member_id: String,
    /// Units committed, from the group buy's `min_commitment` to [`MAX_UNITS`]; a withdrawn
    /// commitment keeps its last quantity.
    pub quantity: i64,
    /// The most it pays per unit, in the group buy's currency.
    pub price_ceiling: Money,
    /// The member's purchase order reference: its invoice's buyer reference (the pool's
    /// id when none).
    pub purchase_order_ref: Option<String>,
    /// Whether it counts.
    pub status: CommitmentStatus,
    /// First commitment.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

impl Commitment {
    /// Whether it counts in the pool.
    pub fn is_active(&self) -> bool {
        self.status == CommitmentStatus::Active
    }
}

/// `POST /groupbuy/{id}/commit` as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitRequest {
    /// Units (at least the group buy's `min_commitment`).
    pub quantity: i64,
    /// Price ceiling per unit in the currency's decimals (> 0).
    pub price_ceiling: Decimal,
    /// Purchase order reference, 1-200 characters; blank is none.
    pub purchase_order_ref: Option<String>,
}

/// The longest purchase order reference.
pub const MAX_PURCHASE_ORDER_REF: usize = 200;

/// What committing decided.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitDecision {
    /// No ACTIVE commitment existed (201); otherwise it was replaced (200).
    pub created: bool,
    /// Whether anything changed; an update to the same quantity and ceiling changes
    /// nothing (no version, no event, no audit entry).
    pub changed: bool,
    /// Units the pool's `committed_quantity` moves by.
    pub delta_quantity: i64,
    /// Organisations the pool's `members` moves by (0 or 1).
    pub delta_members: i64,
    /// The commitment as it now is.
    pub commitment: Commitment,
    /// The group buy after the change (counters moved, version + 1).
    pub group_buy: GroupBuy,
    /// `commitment.created`/`updated`, then `groupbuy.target_reached` when reached now.
    pub events: Vec<DomainEvent>,
    /// `commitment.create`/`update`, then `target_reached` when reached now.
    pub audit: Vec<AuditDraft>,
    /// Whether this commitment reached the target for the first time.
    pub target_reached_now: bool,
}

/// What withdrawing decided.
#[derive(Debug, Clone, PartialEq)]
pub struct WithdrawDecision {
    /// The commitment, WITHDRAWN (its last quantity kept).
    pub commitment: Commitment,
    /// Units the pool's `committed_quantity` moves by (negative).
    pub delta_quantity: i64,
    /// -1.
    pub delta_members: i64,
    /// The group buy after the change.
    pub group_buy: GroupBuy,
    /// `commitment.withdrawn`.
    pub events: Vec<DomainEvent>,
    /// `commitment.withdraw`.
    pub audit: Vec<AuditDraft>,
}

/// What a commit or withdraw needs besides the group buy and the context.
#[derive(Debug, Clone, Copy)]
pub struct CommitmentChange<'a> {
    /// The caller.
    pub caller: &'a Principal,
    /// The caller's organisation's commitment, in any status, if it has one.
    pub existing: Option<&'a Commitment>,
    /// The `If-Match` header.
    pub if_match: Option<&'a str>,
}

impl GroupBuy {
    /// The most the commitment of an organisation holding `own_quantity` ACTIVE units may
    /// hold now: what the others leave under `rules.max_quantity`, bounded by
    /// `rules.max_per_member`, never negative. `None` when neither caps it.
    pub fn capacity_for(&self, own_quantity: i64) -> Option<i64> {
        let pool = self
            .rules
            .max_quantity
            .map(|max| max - (self.committed_quantity - own_quantity));
        let limit = match (pool, self.rules.max_per_member) {
            (Some(pool), Some(member)) => Some(pool.min(member)),
            (pool, member) => pool.or(member),
        };
        limit.map(|l| l.max(0))
    }

    /// `Capacity exceeded: <n> units remain` for an organisation holding `own_quantity`
    /// ACTIVE units, with these counters (the store's text when its conditional update of
    /// the counters matched no row and it read them again).
    pub fn capacity_refusal(&self, own_quantity: i64) -> ProcurementRefusal {
        ProcurementRefusal::CapacityExceeded(self.capacity_for(own_quantity).unwrap_or(0))
    }

    /// Decides the caller's organisation's commitment of `request` (an upsert), checked
    /// in this order: organisation (403), visible (404), eligible (403), `If-Match`
    /// (412), OPEN (409), before the deadline (409), the request's values (422),
    /// capacity (409). A WITHDRAWN commitment is renewed (same id, `created`).
    ///
    /// # Errors
    /// The refusals above, each with its text.
    pub fn commit(
        &self,
        change: CommitmentChange<'_>,
        request: CommitRequest,
        new_id: CommitmentId,
        ctx: &ChangeContext,
    ) -> Result<CommitDecision, DomainError> {
        let member = acting_org(change.caller)?;
        let active = change.existing.filter(|c| c.is_active());
        let viewer = Viewer::of(change.caller, self, active.is_some());
        viewer.require_visible(self)?;
        if !self.rules.is_eligible(member) {
            return Err(ProcurementRefusal::NotEligible(member.to_owned()).into());
        }
        check_if_match(self.version, change.if_match)?;
        self.check_commitments_open(Action::Commit, ctx.now)?;
        if request.quantity < self.min_commitment || request.quantity > MAX_UNITS {
            return Err(DomainError::invalid(
                "quantity",
                format!(
                    "quantity must be an integer from min_commitment ({}) to {MAX_UNITS}",
                    self.min_commitment
                ),
            ));
        }
        let price_ceiling = Money::positive(request.price_ceiling, self.currency, "price_ceiling")?;
        let purchase_order_ref = request
            .purchase_order_ref
            .filter(|r| !r.trim().is_empty())
            .map(|r| super::draft::text("purchase_order_ref", &r, MAX_PURCHASE_ORDER_REF))
            .transpose()?;
        let own = active.map_or(0, |c| c.quantity);
        if self
            .capacity_for(own)
            .is_some_and(|limit| request.quantity > limit)
        {
            return Err(self.capacity_refusal(own).into());
        }
        if let Some(c) = active {
            if c.quantity == request.quantity
                && c.price_ceiling == price_ceiling
                && c.purchase_order_ref == purchase_order_ref
            {
                return Ok(self.unchanged(c.clone()));
            }
        }
        let commitment = match change.existing {
            Some(c) => Commitment {
                quantity: request.quantity,
                price_ceiling,
                purchase_order_ref,
                status: CommitmentStatus::Active,
                updated_at: ctx.now,
                ..c.clone()
            },
            None => Commitment {
                id: new_id,
                group_buy_id: self.id,
                member_id: member.to_owned(),
                quantity: request.quantity,
                price_ceiling,
                purchase_order_ref,
                status: CommitmentStatus::Active,
                created_at: ctx.now,
                updated_at: ctx.now,
            },
        };
        let created = active.is_none();
        let delta_quantity = request.quantity - own;
        let delta_members = i64::from(created);
        let counted = GroupBuy {
            committed_quantity: self.committed_quantity + delta_quantity,
            members: self.members + delta_members,
            ..self.touched(ctx)
        };
        let previous = active.map(|c| c.quantity);
        let (kind, action) = if created {
            (EventType::CommitmentCreated, AuditAction::CommitmentCreate)
        } else {
            (EventType::CommitmentUpdated, AuditAction::CommitmentUpdate)
        };
        let mut events = vec![commitment_event(kind, &counted, &commitment, previous, ctx)];
        let details = commitment_details(&commitment, previous, &counted);
        let from = Some(GroupBuyStatus::Open);
        let mut entries = vec![audit(&counted, action, from, Some(member), details, ctx)];
        let reached = counted.mark_target_reached(ctx);
        let target_reached_now = reached.is_some();
        let group_buy = match reached {
            Some(t) => {
                events.extend(t.events);
                entries.extend(t.audit);
                t.group_buy
            }
            None => counted,
        };
        Ok(CommitDecision {
            created,
            changed: true,
            delta_quantity,
            delta_members,
            commitment,
            group_buy,
            events,
            audit: entries,
            target_reached_now,
        })
    }

    fn unchanged(&self, commitment: Commitment) -> CommitDecision {
        CommitDecision {
            created: false,
            changed: false,
            delta_quantity: 0,
            delta_members: 0,
            commitment,
            group_buy: self.clone(),
            events: Vec::new(),
            audit: Vec::new(),
            target_reached_now: false,
        }
    }

    /// Decides withdrawing the caller's organisation's ACTIVE commitment, checked in this
    /// order: organisation (403), visible (404), an ACTIVE commitment (404), `If-Match`
    /// (412), OPEN (409), before the deadline (409: once commitments close, the organiser
    /// sources on them).
    ///
    /// # Errors
    /// The refusals above.
    pub fn withdraw(
        &self,
        change: CommitmentChange<'_>,
        ctx: &ChangeContext,
    ) -> Result<WithdrawDecision, DomainError> {
        let member = acting_org(change.caller)?;
        let active = change.existing.filter(|c| c.is_active());
        Viewer::of(change.caller, self, active.is_some()).require_visible(self)?;
        let active = active.ok_or(ProcurementRefusal::CommitmentNotFound)?;
        check_if_match(self.version, change.if_match)?;
        self.check_commitments_open(Action::Withdraw, ctx.now)?;
        let commitment = Commitment {
            status: CommitmentStatus::Withdrawn,
            updated_at: ctx.now,
            ..active.clone()
        };
        let group_buy = GroupBuy {
            committed_quantity: self.committed_quantity - active.quantity,
            members: self.members - 1,
            ..self.touched(ctx)
        };
        let kind = EventType::CommitmentWithdrawn;
        let said = commitment_event(kind, &group_buy, &commitment, Some(active.quantity), ctx);
        let details = commitment_details(&commitment, Some(active.quantity), &group_buy);
        let from = Some(GroupBuyStatus::Open);
        let entry = audit(
            &group_buy,
            AuditAction::CommitmentWithdraw,
            from,
            Some(member),
            details,
            ctx,
        );
        Ok(WithdrawDecision {
            commitment,
            delta_quantity: -active.quantity,
            delta_members: -1,
            group_buy,
            events: vec![said],
            audit: vec![entry],
        })
    }
}

/// Audit details of a commitment change (money as a decimal string, so it hashes the
/// same after any JSON round trip).
fn commitment_details(c: &Commitment, previous: Option<i64>, g: &GroupBuy) -> serde_json::Value {
    json!({
        "commitment_id": c.id.to_string(),
        "member_id": c.member_id,
        "quantity": c.quantity,
        "previous_quantity": previous,
        "price_ceiling": c.price_ceiling.to_decimal().to_string(),
        "currency": c.price_ceiling.currency().code(),
        "status": c.status.as_str(),
        "committed_quantity": g.committed_quantity,
        "members": g.members,
    })
}

#[cfg(test)]
#[path = "commitment_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "capacity_tests.rs"]
mod capacity_tests;
