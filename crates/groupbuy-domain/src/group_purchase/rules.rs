//! The refusal rules of seed 001: guards that say which [`GroupPurchaseRefusal`] applies.

use super::instance::{GroupInstance, GroupStatus, Participant, ParticipantStatus};
use super::refusal::{GroupPurchaseRefusal as Refused, TransferSide};
use crate::catalog::Product;
use time::OffsetDateTime;

fn check_cap(cap: Option<i32>, held: i32, quantity: i32) -> Result<(), Refused> {
    match cap {
        Some(cap) if held + quantity > cap => Err(Refused::CustomerCap {
            cap,
            held,
            requested: quantity,
        }),
        _ => Ok(()),
    }
}

/// Whether a new group may be opened for `product` with `quantity` seats bought by its initiator.
pub fn check_new_group(product: &Product, quantity: i32) -> Result<(), Refused> {
    if !product.group_buying_enabled {
        return Err(Refused::GroupBuyingDisabled);
    }
    if quantity > product.group_max_size {
        return Err(Refused::ExceedsGroupSize {
            requested: quantity,
            max: product.group_max_size,
        });
    }
    check_cap(product.max_per_customer, 0, quantity)?;
    let seats = i64::from(product.group_max_size);
    if product.available_quantity() < seats {
        return Err(Refused::InsufficientStock {
            available: product.available_quantity(),
            required: seats,
        });
    }
    Ok(())
}

/// What joining a group depends on.
#[derive(Debug, Clone, Copy)]
pub struct JoinCheck<'a> {
    /// The group as it is now.
    pub group: &'a GroupInstance,
    /// Seats wanted.
    pub quantity: i32,
    /// Seats the buyer already holds in it.
    pub already_held: i32,
    /// The instant of the check (injected clock): an OPEN group at or past expiry refuses.
    pub now: OffsetDateTime,
}

/// Whether the buyer may take `quantity` more seats in the group.
pub fn check_join(c: JoinCheck<'_>) -> Result<(), Refused> {
    let g = c.group;
    match g.status {
        GroupStatus::Deleted => return Err(Refused::GroupDeleted),
        GroupStatus::Failed => {
            return Err(Refused::GroupExpired {
                expires_at: g.expires_at,
            })
        }
        GroupStatus::Open if c.now >= g.expires_at => {
            return Err(Refused::GroupExpired {
                expires_at: g.expires_at,
            })
        }
        _ => {}
    }
    if c.quantity > g.total_seats {
        return Err(Refused::ExceedsGroupSize {
            requested: c.quantity,
            max: g.total_seats,
        });
    }
    if g.status == GroupStatus::Completed || g.is_full() {
        return Err(Refused::GroupFull {
            occupied: g.seats_occupied,
            total: g.total_seats,
        });
    }
    if c.quantity > g.seats_remaining() {
        return Err(Refused::NotEnoughSeats {
            requested: c.quantity,
            available: g.seats_remaining(),
        });
    }
    check_cap(g.max_per_customer, c.already_held, c.quantity)
}

/// What a transfer depends on.
#[derive(Debug, Clone, Copy)]
pub struct TransferCheck<'a> {
    /// Source group.
    pub source: &'a GroupInstance,
    /// Target group.
    pub target: &'a GroupInstance,
    /// The caller's participation in the source.
    pub mine_in_source: Option<&'a Participant>,
    /// Seats the caller already holds in the target.
    pub held_in_target: i32,
    /// Seats to move.
    pub quantity: i32,
    /// The instant of the check (injected clock): both groups must be OPEN and unexpired.
    pub now: OffsetDateTime,
}

fn check_open(g: &GroupInstance, side: TransferSide, now: OffsetDateTime) -> Result<(), Refused> {
    if g.status != GroupStatus::Open {
        return Err(Refused::TransferNotOpen {
            side,
            status: g.status,
        });
    }
    if now >= g.expires_at {
        return Err(Refused::GroupExpired {
            expires_at: g.expires_at,
        });
    }
    Ok(())
}

/// Whether the caller may move `quantity` seats from source to target.
pub fn check_transfer(c: TransferCheck<'_>) -> Result<(), Refused> {
    if c.source.id == c.target.id {
        return Err(Refused::SameGroup);
    }
    let mine = c
        .mine_in_source
        .filter(|p| p.status == ParticipantStatus::Active)
        .ok_or(Refused::NotParticipant)?;
    if c.quantity > mine.quantity {
        return Err(Refused::NotEnoughSeatsToTransfer {
            held: mine.quantity,
            requested: c.quantity,
        });
    }
    check_open(c.source, TransferSide::From, c.now)?;
    check_open(c.target, TransferSide::To, c.now)?;
    if c.source.product_id != c.target.product_id {
        return Err(Refused::DifferentProducts);
    }
    if c.source.shop_id != c.target.shop_id {
        return Err(Refused::DifferentShops);
    }
    if c.source.unit_price != c.target.unit_price {
        return Err(Refused::PriceMismatch {
            source_price: c.source.unit_price,
            target_price: c.target.unit_price,
        });
    }
    if c.quantity > c.target.seats_remaining() {
        return Err(Refused::NotEnoughSeats {
            requested: c.quantity,
            available: c.target.seats_remaining(),
        });
    }
    check_cap(c.target.max_per_customer, c.held_in_target, c.quantity)
}

/// Whether `user_id` may rename the group now (name rules come after).
pub fn check_rename(
    group: &GroupInstance,
    user_id: &str,
    now: OffsetDateTime,
) -> Result<(), Refused> {
    if group.initiator_id != user_id {
        return Err(Refused::NotInitiator);
    }
    if group.status == GroupStatus::Deleted {
        return Err(Refused::RenameDeleted);
    }
    if group.status != GroupStatus::Open {
        return Err(Refused::RenameClosed(group.status));
    }
    if now >= group.expires_at {
        return Err(Refused::RenameExpired);
    }
    Ok(())
}

/// A group name: trimmed, 3-100 characters.
pub fn parse_group_name(name: &str) -> Result<String, Refused> {
    let name = name.trim();
    let len = name.chars().count();
    if !(3..=100).contains(&len) {
        return Err(Refused::NameLength);
    }
    Ok(name.to_owned())
}

#[cfg(test)]
pub(super) mod tests;
