//! The transitions of a group instance: open, join, complete, fail, delete, rename and a
//! participant's refund. Each takes the current state, the input and `now`, and returns
//! the new state with the events that describe it, or a typed refusal. The store writes
//! what they decide with conditional statements, which enforce it under contention.

use super::events::{self, Refund};
use super::instance::{GroupCode, GroupInstance, GroupStatus, Participant, ParticipantStatus};
use super::refusal::GroupPurchaseRefusal as Refused;
use super::rules::{check_join, check_new_group, check_rename, parse_group_name, JoinCheck};
use crate::catalog::Product;
use crate::ledger::CommissionRate;
use crate::money::Money;
use crate::order::{Order, OrderOrigin, OrderStatus};
use crate::platform::{Audience, DomainEvent, EventType};
use crate::wallet::Posting;
use time::OffsetDateTime;
use uuid::Uuid;

/// A new state and the events that say how it came about.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition<T> {
    /// The state after the transition.
    pub state: T,
    /// What happened, for the outbox.
    pub events: Vec<DomainEvent>,
}

/// A group that filled: COMPLETED, with one order per ACTIVE participant.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// The group, COMPLETED.
    pub group: GroupInstance,
    /// The orders to create.
    pub orders: Vec<Order>,
    /// The orders' money moved out of "held": into the shop's merchant balance, less the
    /// commission into the platform's revenue ([`crate::ledger::settle`] of each order).
    pub settlement: Vec<Posting>,
    /// `group.completed`.
    pub events: Vec<DomainEvent>,
}

/// Who sells what a completing group's orders are for: who hears of the completion and
/// what commission its orders are charged.
#[derive(Debug, Clone, Copy)]
pub struct Seller<'a> {
    /// The shop's owner, told `group.completed`.
    pub audience: &'a Audience,
    /// The shop's commission rate now ([`crate::ledger::ShopCommission::effective`]).
    pub commission: CommissionRate,
}

/// A group that failed or was deleted, with the refunds it owes.
#[derive(Debug, Clone, PartialEq)]
pub struct Closure {
    /// The group, FAILED or DELETED.
    pub group: GroupInstance,
    /// One refund per ACTIVE participant, of everything they hold.
    pub refunds: Vec<Refund>,
    /// `group.failed` or `group.deleted`.
    pub events: Vec<DomainEvent>,
}

/// What opening a group needs besides the product.
#[derive(Debug, Clone)]
pub struct OpenGroup<'a> {
    /// The new group's id.
    pub id: Uuid,
    /// Its code (the caller brings the randomness).
    pub code: GroupCode,
    /// The product, as read now.
    pub product: &'a Product,
    /// The buyer who opens it.
    pub initiator_id: &'a str,
    /// The buyer's display name.
    pub initiator_name: String,
    /// Seats the buyer pays for.
    pub quantity: i32,
    /// The unit price the checkout session agreed.
    pub session_price: Money,
    /// Who hears about it: the shop's owner.
    pub audience: &'a Audience,
    /// The shop's commission rate, charged if this payment alone fills the group.
    pub commission: CommissionRate,
}

impl GroupInstance {
    /// Opens a group whose initiator holds `quantity` seats: `group.created`.
    ///
    /// # Errors
    /// The new-group refusals of seed 001, or `GroupPriceChanged` when the product's group
    /// price is no longer the session's.
    pub fn open(o: OpenGroup<'_>, now: OffsetDateTime) -> Result<Transition<Self>, Refused> {
        let p = o.product;
        check_new_group(p, o.quantity)?;
        if p.group_price != o.session_price {
            return Err(Refused::GroupPriceChanged(p.group_price));
        }
        let group = GroupInstance {
            id: o.id,
            name: format!("{}-{}", o.code.as_str(), p.name),
            code: o.code,
            product_id: p.id,
            shop_id: p.shop_id,
            initiator_id: o.initiator_id.to_owned(),
            initiator_name: o.initiator_name,
            unit_price: p.group_price,
            regular_price: p.regular_price,
            total_seats: p.group_max_size,
            seats_occupied: o.quantity,
            status: GroupStatus::Open,
            duration_hours: p.group_time_limit.hours(),
            max_per_customer: p.max_per_customer,
            created_at: now,
            expires_at: now + p.group_time_limit.duration(),
            completed_at: None,
            updated_at: now,
        };
        let events = vec![events::created(&group, o.audience)];
        Ok(Transition {
            state: group,
            events,
        })
    }

    /// Takes `quantity` more seats for a buyer holding `already_held`, at the session's
    /// `unit_price`. Joining says nothing by itself; filling the group does ([`Self::complete`]).
    ///
    /// # Errors
    /// The join refusals of seed 001, or `SessionPriceDiffers`.
    pub fn join(
        &self,
        quantity: i32,
        already_held: i32,
        unit_price: Money,
        now: OffsetDateTime,
    ) -> Result<Self, Refused> {
        check_join(JoinCheck {
            group: self,
            quantity,
            already_held,
            now,
        })?;
        if self.unit_price != unit_price {
            return Err(Refused::SessionPriceDiffers);
        }
        Ok(Self {
            seats_occupied: self.seats_occupied + quantity,
            updated_at: now,
            ..self.clone()
        })
    }

    /// Completes an OPEN group whose every seat is taken: one CONFIRMED order per ACTIVE
    /// participant (ids from `order_id`) for what they hold, each charged the shop's
    /// `commission` once (settled by [`crate::ledger::settle`]), and `group.completed`.
    /// `None` when the group is not OPEN or not full: nothing to do.
    pub fn complete(
        &self,
        participants: &[Participant],
        mut order_id: impl FnMut() -> Uuid,
        seller: Seller<'_>,
        now: OffsetDateTime,
    ) -> Option<Completion> {
        if self.status != GroupStatus::Open || !self.is_full() {
            return None;
        }
        let group = Self {
            status: GroupStatus::Completed,
            completed_at: Some(now),
            updated_at: now,
            ..self.clone()
        };
        let orders: Vec<Order> = participants
            .iter()
            .filter(|p| p.status == ParticipantStatus::Active && p.group_id == self.id)
            .map(|p| Order {
                id: order_id(),
                origin: OrderOrigin::Group {
                    group_instance_id: self.id,
                    group_code: self.code.as_str().to_owned(),
                    participant_id: p.id,
                    product_id: self.product_id,
                    shop_id: self.shop_id,
                },
                user_id: p.user_id.clone(),
                quantity: p.quantity,
                unit_price: self.unit_price,
                total_amount: p.total_paid,
                commission: seller.commission.on(p.total_paid),
                status: OrderStatus::Confirmed,
                carrier: None,
                tracking_number: None,
                created_at: now,
                shipped_at: None,
                delivered_at: None,
                cancelled_at: None,
                cancel_reason: None,
            })
            .collect();
        let settlement = orders.iter().flat_map(crate::ledger::settle).collect();
        let events = vec![events::completed(&group, &orders, seller.audience)];
        Some(Completion {
            group,
            orders,
            settlement,
            events,
        })
    }

    /// Fails an OPEN group at or past its expiry: every ACTIVE participant is owed what
    /// they hold, and `group.failed` lists it. `None` when not OPEN or not yet expired.
    pub fn fail(
        &self,
        participants: &[Participant],
        audience: &Audience,
        now: OffsetDateTime,
    ) -> Option<Closure> {
        if self.status != GroupStatus::Open || now < self.expires_at {
            return None;
        }
        Some(self.close(GroupStatus::Failed, participants, audience, now))
    }

    /// Deletes a group (a platform admin): an OPEN one owes every ACTIVE participant a
    /// refund; a FAILED one's refunds were already owed when it failed.
    ///
    /// # Errors
    /// `DeleteClosed` for a COMPLETED group, `AlreadyDeleted` for a DELETED one.
    pub fn delete(
        &self,
        participants: &[Participant],
        audience: &Audience,
        now: OffsetDateTime,
    ) -> Result<Closure, Refused> {
        match self.status {
            GroupStatus::Completed => Err(Refused::DeleteClosed(self.status)),
            GroupStatus::Deleted => Err(Refused::AlreadyDeleted),
            GroupStatus::Open => Ok(self.close(GroupStatus::Deleted, participants, audience, now)),
            GroupStatus::Failed => Ok(self.close(GroupStatus::Deleted, &[], audience, now)),
        }
    }

    fn close(
        &self,
        to: GroupStatus,
        participants: &[Participant],
        audience: &Audience,
        now: OffsetDateTime,
    ) -> Closure {
        let group = Self {
            status: to,
            updated_at: now,
            ..self.clone()
        };
        let refunds: Vec<Refund> = participants
            .iter()
            .filter(|p| p.group_id == self.id)
            .filter_map(Participant::refund)
            .collect();
        let kind = match to {
            GroupStatus::Failed => EventType::GroupFailed,
            _ => EventType::GroupDeleted,
        };
        let events = vec![events::closed(kind, &group, &refunds, audience)];
        Closure {
            group,
            refunds,
            events,
        }
    }

    /// Renames the group to `name` (trimmed): the initiator only, while OPEN and unexpired.
    ///
    /// # Errors
    /// The rename refusals of seed 001 (uniqueness is the store's to check).
    pub fn rename(&self, user_id: &str, name: &str, now: OffsetDateTime) -> Result<Self, Refused> {
        check_rename(self, user_id, now)?;
        Ok(Self {
            name: parse_group_name(name)?,
            updated_at: now,
            ..self.clone()
        })
    }
}

impl Participant {
    /// What an ACTIVE participant of a failed or deleted group gets back: everything it
    /// holds. `None` for a participant that already left or was refunded.
    pub fn refund(&self) -> Option<Refund> {
        (self.status == ParticipantStatus::Active).then(|| Refund {
            participant_id: self.id,
            user_id: self.user_id.clone(),
            amount: self.total_paid,
        })
    }
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
