//! Moving seats, and the money held for them, out of one OPEN group into another.

use super::events;
use super::instance::{GroupInstance, GroupStatus, Participant, ParticipantStatus};
use super::refusal::GroupPurchaseRefusal as Refused;
use super::rules::{check_transfer, TransferCheck};
use crate::money::Money;
use crate::platform::{Audience, DomainEvent, EventType};

/// What a transfer decided.
#[derive(Debug, Clone, PartialEq)]
pub struct TransferPlan {
    /// Money that moves with the seats: their price, never more than the caller holds.
    pub moved: Money,
    /// The source group after: seats released, DELETED when nobody is left.
    pub source: GroupInstance,
    /// The target group after: seats taken.
    pub target: GroupInstance,
    /// The caller's participation in the source after: TRANSFERRED_OUT when emptied.
    pub mine: Participant,
    /// `seats.transferred` (about the source), then `group.deleted` if it emptied it.
    pub events: Vec<DomainEvent>,
}

impl TransferPlan {
    /// Whether the transfer emptied (and so deleted) the source group.
    pub fn empties_source(&self) -> bool {
        self.source.status == GroupStatus::Deleted
    }
}

/// Decides a transfer of `c.quantity` seats from `c.source` to `c.target` at `c.now`.
///
/// # Errors
/// The transfer refusals of seed 001.
pub fn transfer(c: TransferCheck<'_>, audience: &Audience) -> Result<TransferPlan, Refused> {
    check_transfer(c)?;
    let mine = c.mine_in_source.ok_or(Refused::NotParticipant)?;
    let (q, now) = (c.quantity, c.now);
    let price = c.source.unit_price.times(i64::from(q)).ok();
    let moved = match price {
        Some(p) if p.minor() < mine.total_paid.minor() => p,
        _ => mine.total_paid,
    };
    let left = mine.quantity - q;
    let mine_after = Participant {
        quantity: left,
        total_paid: Money::from_minor(mine.total_paid.minor() - moved.minor(), moved.currency()),
        status: if left == 0 {
            ParticipantStatus::TransferredOut
        } else {
            ParticipantStatus::Active
        },
        has_transferred: true,
        ..mine.clone()
    };
    let mut source = GroupInstance {
        seats_occupied: c.source.seats_occupied - q,
        updated_at: now,
        ..c.source.clone()
    };
    let target = GroupInstance {
        seats_occupied: c.target.seats_occupied + q,
        updated_at: now,
        ..c.target.clone()
    };
    let mut said = vec![events::transferred(
        c.source,
        c.target,
        &mine.user_id,
        q,
        moved,
        audience,
    )];
    if source.seats_occupied == 0 {
        // Everyone moved out: the group is soft-deleted, owing nobody anything.
        source.status = GroupStatus::Deleted;
        said.push(events::closed(
            EventType::GroupDeleted,
            &source,
            &[],
            audience,
        ));
    }
    Ok(TransferPlan {
        moved,
        source,
        target,
        mine: mine_after,
        events: said,
    })
}
