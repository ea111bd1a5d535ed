//! The refusal rules of seed 001, each producing the spec's exact message, once.

use super::instance::{GroupInstance, GroupStatus, Participant, ParticipantStatus};
use crate::catalog::Product;
use crate::error::DomainError;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// `Group has expired at: 2025-10-02T20:30:45Z`.
pub fn expired_message(expires_at: OffsetDateTime) -> String {
    let t = expires_at.replace_nanosecond(0).unwrap_or(expires_at);
    format!(
        "Group has expired at: {}",
        t.format(&Rfc3339).unwrap_or_default()
    )
}

fn rule(message: impl Into<String>) -> DomainError {
    DomainError::Rule(message.into())
}

fn check_cap(cap: Option<i32>, held: i32, quantity: i32) -> Result<(), DomainError> {
    match cap {
        Some(cap) if held + quantity > cap => Err(rule(format!(
            "Maximum seats per customer is {cap}. You have: {held}, requested: {quantity}"
        ))),
        _ => Ok(()),
    }
}

/// Whether a new group may be opened for `product` with `quantity` seats bought by its initiator.
pub fn check_new_group(product: &Product, quantity: i32) -> Result<(), DomainError> {
    if !product.group_buying_enabled {
        return Err(rule("Group buying is not enabled for this product"));
    }
    if quantity > product.group_max_size {
        return Err(rule(format!(
            "Quantity ({quantity}) exceeds group max size ({})",
            product.group_max_size
        )));
    }
    check_cap(product.max_per_customer, 0, quantity)?;
    let seats = i64::from(product.group_max_size);
    if product.available_quantity() < seats {
        return Err(rule(format!(
            "Insufficient stock to open a group. Available: {}, required: {seats}",
            product.available_quantity()
        )));
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
    /// Now.
    pub now: OffsetDateTime,
}

/// Whether the buyer may take `quantity` more seats in the group.
pub fn check_join(c: JoinCheck<'_>) -> Result<(), DomainError> {
    let g = c.group;
    match g.status {
        GroupStatus::Deleted => return Err(rule("Group has been deleted")),
        GroupStatus::Failed => return Err(rule(expired_message(g.expires_at))),
        GroupStatus::Open if c.now >= g.expires_at => {
            return Err(rule(expired_message(g.expires_at)))
        }
        _ => {}
    }
    if c.quantity > g.total_seats {
        return Err(rule(format!(
            "Quantity ({}) exceeds group max size ({})",
            c.quantity, g.total_seats
        )));
    }
    if g.status == GroupStatus::Completed || g.is_full() {
        return Err(rule(format!(
            "Group is full. Seats occupied: {}/{}",
            g.seats_occupied, g.total_seats
        )));
    }
    if c.quantity > g.seats_remaining() {
        return Err(rule(format!(
            "Not enough seats available. Requested: {}, Available: {}",
            c.quantity,
            g.seats_remaining()
        )));
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
    /// Now.
    pub now: OffsetDateTime,
}

fn check_open(g: &GroupInstance, direction: &str, now: OffsetDateTime) -> Result<(), DomainError> {
    if g.status != GroupStatus::Open {
        return Err(rule(format!(
            "Cannot transfer {direction} a group with status: {}",
            g.status.as_str()
        )));
    }
    if now >= g.expires_at {
        return Err(rule(expired_message(g.expires_at)));
    }
    Ok(())
}

/// Whether the caller may move `quantity` seats from source to target.
pub fn check_transfer(c: TransferCheck<'_>) -> Result<(), DomainError> {
    if c.source.id == c.target.id {
        return Err(rule("Source and target groups must be different"));
    }
    let mine = c
        .mine_in_source
        .filter(|p| p.status == ParticipantStatus::Active)
        .ok_or_else(|| {
            DomainError::NotFound("You are not a participant in the source group".into())
        })?;
    if c.quantity > mine.quantity {
        return Err(rule(format!(
            "Not enough seats to transfer. You have: {}, requested: {}",
            mine.quantity, c.quantity
        )));
    }
    check_open(c.source, "from", c.now)?;
    check_open(c.target, "to", c.now)?;
    if c.source.product_id != c.target.product_id {
        return Err(rule(
            "Cannot transfer between groups with different products",
        ));
    }
    if c.source.shop_id != c.target.shop_id {
        return Err(rule("Cannot transfer between groups from different shops"));
    }
    if c.source.unit_price != c.target.unit_price {
        return Err(rule(format!(
            "Cannot transfer. Price mismatch: {} vs {}",
            c.source.unit_price, c.target.unit_price
        )));
    }
    if c.quantity > c.target.seats_remaining() {
        return Err(rule(format!(
            "Not enough seats available. Requested: {}, Available: {}",
            c.quantity,
            c.target.seats_remaining()
        )));
    }
    check_cap(c.target.max_per_customer, c.held_in_target, c.quantity)
}

/// Whether `user_id` may rename the group now (name rules come after).
pub fn check_rename(
    group: &GroupInstance,
    user_id: &str,
    now: OffsetDateTime,
) -> Result<(), DomainError> {
    if group.initiator_id != user_id {
        return Err(rule("Only the group initiator can change the group name"));
    }
    if group.status == GroupStatus::Deleted {
        return Err(rule("Cannot rename deleted group"));
    }
    if group.status != GroupStatus::Open {
        return Err(rule(format!(
            "Cannot rename group with status: {}",
            group.status.as_str()
        )));
    }
    if now >= group.expires_at {
        return Err(rule("Cannot rename expired group"));
    }
    Ok(())
}

/// A group name: trimmed, 3-100 characters.
pub fn parse_group_name(name: &str) -> Result<String, DomainError> {
    let name = name.trim();
    let len = name.chars().count();
    if !(3..=100).contains(&len) {
        return Err(rule("Group name must be between 3 and 100 characters"));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests;
