//! One payment of a checkout session, decided completely: the debit, the seats, the
//! buyer's participation, the purchase record, the paid session and, when the payment
//! fills the group, its completion with one order per ACTIVE participant.
//!
//! Paying alone, in a SQLite batch and in a PostgreSQL set-based batch all call
//! [`pay`]; the store only reads the state before and writes what it returns.

use super::checkout::{CheckoutSession, CheckoutStatus};
use super::instance::{GroupInstance, Participant, ParticipantStatus, PurchaseRecord};
use super::lifecycle::{Completion, OpenGroup, Seller};
use super::refusal::GroupPurchaseRefusal as Refused;
use crate::error::DomainError;
use crate::money::{currency_mismatch, Money};
use crate::platform::DomainEvent;
use crate::wallet::{self, LedgerEntry, LedgerKind};
use time::OffsetDateTime;
use uuid::Uuid;

/// Where the paid seats go.
pub enum PayInto<'a> {
    /// An existing group, as it was before this payment.
    Join {
        /// The group before the payment's seats.
        group: &'a GroupInstance,
        /// The group's ACTIVE participants and the shop's owner, given when the caller
        /// knows this payment fills the group (the hot path learns it from its seat
        /// UPDATE): without them a filling payment is decided without its completion,
        /// which the caller then completes itself.
        completing: Option<Members<'a>>,
    },
    /// A new group the buyer initiates (`group.created`).
    Open(OpenGroup<'a>),
}

/// What a completion needs beyond the group: who holds seats, who hears of it and the
/// commission its orders are charged.
#[derive(Clone, Copy)]
pub struct Members<'a> {
    /// The group's ACTIVE participants before this payment (the buyer's own
    /// participation among them is replaced by its state after the payment).
    pub active: &'a [Participant],
    /// The shop's owner and commission rate.
    pub seller: Seller<'a>,
}

/// Ids the caller generates (the domain makes none itself; the store makes them random).
#[derive(Debug, Clone, Copy)]
pub struct PayIds {
    /// The debit's ledger entry, also the payment's transaction id.
    pub debit: Uuid,
    /// The purchase record.
    pub purchase: Uuid,
    /// The buyer's participation, when this payment creates it.
    pub participant: Uuid,
}

/// Everything one payment is decided from.
pub struct PayRequest<'a> {
    /// The session being paid (must still be pending).
    pub session: &'a CheckoutSession,
    /// The group before, or the new group's request.
    pub into: PayInto<'a>,
    /// The buyer's participation in the group before, whatever its status.
    pub participation: Option<&'a Participant>,
    /// The buyer's wallet balance before, in the wallet's currency (zero in the
    /// session's currency for a buyer without a wallet).
    pub wallet: Money,
    /// The buyer's display name, for a new participation.
    pub buyer_name: &'a str,
    /// The buyer's picture, for a new participation.
    pub buyer_picture: Option<&'a str>,
    /// Ids for what the payment creates.
    pub ids: PayIds,
    /// When the payment happens (the injected clock).
    pub now: OffsetDateTime,
}

/// The whole outcome of a payment, for the store to write.
#[derive(Debug, Clone)]
pub struct Payment {
    /// The session, paid.
    pub session: CheckoutSession,
    /// The group with the payment's seats (before any completion).
    pub group: GroupInstance,
    /// The buyer's participation after the payment.
    pub participant: Participant,
    /// Whether that participation is new (inserted rather than updated).
    pub new_participant: bool,
    /// The purchase record's id.
    pub purchase_id: Uuid,
    /// The purchase record.
    pub purchase: PurchaseRecord,
    /// The wallet's debit.
    pub debit: LedgerEntry,
    /// The group's completion when this payment filled it and the members were given.
    pub completion: Option<Completion>,
    /// What the payment tells: `group.created` for a new group, `group.completed` when it
    /// completes it.
    pub events: Vec<DomainEvent>,
}

/// Decides one payment: the session must be pending, the wallet must hold the total in
/// the session's currency, the group must take the seats at the session's price (or the
/// new group must open). Order ids for a completion come from `order_id`.
///
/// # Errors
/// `PaidElsewhere` for a session no longer pending; `currency-mismatch` and
/// `insufficient-balance` from the wallet; the join or open refusals of seed 001,
/// including `SessionPriceDiffers` / `GroupPriceChanged` for a changed price.
pub fn pay(req: PayRequest<'_>, order_id: impl FnMut() -> Uuid) -> Result<Payment, DomainError> {
    let PayRequest {
        session: s,
        into,
        participation,
        wallet: balance,
        buyer_name,
        buyer_picture,
        ids,
        now,
    } = req;
    if s.status != CheckoutStatus::PendingPayment {
        return Err(Refused::PaidElsewhere.into());
    }
    let amount = s.total_amount;
    if balance.currency() != amount.currency() {
        return Err(currency_mismatch(balance.currency(), amount.currency()));
    }
    let delta = amount.negated();
    let balance_after = wallet::post(balance, delta)?;
    let held = participation
        .filter(|p| p.status == ParticipantStatus::Active)
        .map_or(0, |p| p.quantity);
    let (group, mut events, completing) = match into {
        PayInto::Join { group, completing } => (
            group.join(s.quantity, held, s.unit_price, now)?,
            Vec::new(),
            completing,
        ),
        PayInto::Open(o) => {
            let seller = Seller {
                audience: o.audience,
                commission: o.commission,
            };
            let opened = GroupInstance::open(o, now)?;
            // A new group has no other member: completing it needs no read.
            let completing = Some(Members {
                active: &[],
                seller,
            });
            (opened.state, opened.events, completing)
        }
    };
    let participant = match participation {
        Some(p) => grown(p, s)?,
        None => Participant {
            id: ids.participant,
            group_id: group.id,
            user_id: s.user_id.clone(),
            user_name: buyer_name.to_owned(),
            user_picture: buyer_picture.map(str::to_owned),
            quantity: s.quantity,
            total_paid: s.total_amount,
            status: ParticipantStatus::Active,
            joined_at: now,
            purchase_count: 1,
            has_transferred: false,
            checkout_session_id: Some(s.id),
        },
    };
    let debit = LedgerEntry {
        id: ids.debit,
        account: wallet::Account::wallet(s.user_id.clone()),
        kind: LedgerKind::Purchase,
        amount: delta,
        balance_after,
        reference: format!("checkout:{}", s.id),
        created_at: now,
    };
    let purchase = PurchaseRecord {
        participant_id: participant.id,
        checkout_session_id: s.id,
        quantity: s.quantity,
        amount_paid: amount,
        purchased_at: now,
        transaction_id: debit.id,
    };
    let completion = completing.and_then(|m| {
        let mut active: Vec<Participant> = m
            .active
            .iter()
            .filter(|p| p.id != participant.id)
            .cloned()
            .collect();
        active.push(participant.clone());
        group.complete(&active, order_id, m.seller, now)
    });
    if let Some(done) = &completion {
        events.extend(done.events.iter().cloned());
    }
    let session = CheckoutSession {
        status: CheckoutStatus::Completed,
        completed_at: Some(now),
        group_instance_id: Some(group.id),
        group_code: Some(group.code.as_str().to_owned()),
        transaction_id: Some(debit.id),
        ..s.clone()
    };
    Ok(Payment {
        session,
        new_participant: participation.is_none(),
        participant,
        purchase_id: ids.purchase,
        purchase,
        debit,
        completion,
        events,
        group,
    })
}

/// An existing participation after the payment: grown, or reactivated (coming back after
/// transferring out starts it afresh).
fn grown(p: &Participant, s: &CheckoutSession) -> Result<Participant, DomainError> {
    let mut p = p.clone();
    if p.status == ParticipantStatus::Active {
        p.quantity += s.quantity;
        p.total_paid = p.total_paid.plus(s.total_amount)?;
    } else {
        p.quantity = s.quantity;
        p.total_paid = s.total_amount;
    }
    p.status = ParticipantStatus::Active;
    p.purchase_count += 1;
    Ok(p)
}

#[cfg(test)]
#[path = "pay_tests.rs"]
mod tests;
