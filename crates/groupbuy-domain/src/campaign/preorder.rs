//! Campaign pre-orders (issue 20): a campaign created with pre-order terms turns each
//! signed-in visitor's interest into a pledge, and closing it (thresholds met) opens one
//! payment session per pledge, at the campaign's unit price times the pledged quantity,
//! open for the terms' payment window. Anonymous interests are counted, never charged: there
//! is no wallet to charge. A session is paid once, from the pledger's wallet, or expires.
//!
//! Everything here is decided purely; the store writes the sessions in the transaction that
//! closes the campaign, so a campaign is never CLOSED without its sessions (or the reverse).

use super::group_buy::{GroupBuy, GroupBuyStatus};
use super::interest::Interest;
use super::refusal::CampaignRefusal;
use crate::error::DomainError;
use crate::money::{too_large, Money};
use crate::names::closed_set;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// The longest payment window: 30 days. A pledge older than that is a promise nobody
/// remembers making, and held stock (at the merchant) should not wait longer.
pub const MAX_PAYMENT_WINDOW_HOURS: i64 = 720;

/// How a pre-order campaign takes payment once it closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreorderTerms {
    payment_window_hours: i64,
}

impl PreorderTerms {
    /// Parses `preorder.paymentWindowHours`: 1 to [`MAX_PAYMENT_WINDOW_HOURS`].
    ///
    /// # Errors
    /// `Validation` on `preorder.paymentWindowHours`.
    pub fn parse(payment_window_hours: i64) -> Result<Self, DomainError> {
        if !(1..=MAX_PAYMENT_WINDOW_HOURS).contains(&payment_window_hours) {
            return Err(DomainError::invalid(
                "preorder.paymentWindowHours",
                format!(
                    "preorder.paymentWindowHours must be between 1 and {MAX_PAYMENT_WINDOW_HOURS}"
                ),
            ));
        }
        Ok(Self {
            payment_window_hours,
        })
    }

    /// Terms read back from storage (validated when written).
    pub fn stored(payment_window_hours: i64) -> Self {
        Self {
            payment_window_hours,
        }
    }

    /// Hours a pledger has to pay once the campaign closes.
    pub fn payment_window_hours(&self) -> i64 {
        self.payment_window_hours
    }

    /// When sessions opened at `opened_at` expire unpaid.
    pub fn deadline(&self, opened_at: OffsetDateTime) -> OffsetDateTime {
        opened_at + Duration::hours(self.payment_window_hours)
    }
}

closed_set! {
    /// Where a pre-order's payment session stands; its list and names are derived (`strum`).
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    pub enum PreorderStatus {
        /// Opened when the campaign closed; the pledger may pay until it expires.
        PendingPayment,
        /// Paid from the pledger's wallet: an order of the campaign's merchant.
        Paid,
        /// The payment window passed unpaid; nothing was charged.
        Expired,
    }
}

/// One pledge's payment session (`sessionType: CAMPAIGN_PREORDER`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preorder {
    /// The session's id (paid with `POST /api/v1/checkout-sessions/{id}/process-payment`).
    pub id: Uuid,
    /// The campaign that closed into it.
    pub group_buy_id: Uuid,
    /// The pledger: the user whose wallet pays.
    pub user_id: String,
    /// Units pledged.
    pub quantity: i64,
    /// The campaign's unit price when it closed.
    pub unit_price: Money,
    /// `unit_price` x `quantity`: what the payment debits.
    pub total_amount: Money,
    /// Where it stands.
    pub status: PreorderStatus,
    /// When it was opened (the campaign's close).
    pub created_at: OffsetDateTime,
    /// When it expires unpaid.
    pub expires_at: OffsetDateTime,
    /// When it was paid or expired.
    pub settled_at: Option<OffsetDateTime>,
    /// The order it became, once PAID.
    pub order_id: Option<Uuid>,
    /// The wallet's debit, once PAID (the ledger line's id).
    pub transaction_id: Option<Uuid>,
}

impl Preorder {
    /// The session paid at `now`.
    ///
    /// # Errors
    /// `Conflict` when it is no longer PENDING_PAYMENT or its window has passed (the sweep
    /// may not have marked it yet: the deadline decides, not the sweep).
    pub fn pay(&self, now: OffsetDateTime) -> Result<Preorder, DomainError> {
        match self.status {
            PreorderStatus::PendingPayment if now < self.expires_at => Ok(Preorder {
                status: PreorderStatus::Paid,
                settled_at: Some(now),
                ..self.clone()
            }),
            PreorderStatus::PendingPayment | PreorderStatus::Expired => {
                Err(CampaignRefusal::PreorderExpired(self.expires_at).into())
            }
            PreorderStatus::Paid => Err(CampaignRefusal::PreorderPaid.into()),
        }
    }

    /// The session expired at `now`, when it is unpaid and its window has passed; `None`
    /// otherwise (nothing for the sweep to do).
    pub fn expire(&self, now: OffsetDateTime) -> Option<Preorder> {
        (self.status == PreorderStatus::PendingPayment && now >= self.expires_at).then(|| {
            Preorder {
                status: PreorderStatus::Expired,
                settled_at: Some(now),
                ..self.clone()
            }
        })
    }
}

/// What closing a pre-order campaign opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreordersOpened {
    /// One session per signed-in pledge, in the order the interests were given.
    pub preorders: Vec<Preorder>,
    /// Units pledged by signed-in visitors (the sessions' quantities).
    pub pledged_quantity: i64,
    /// Interests of anonymous visitors: counted toward the thresholds, given no session.
    pub anonymous_interests: i64,
}

/// The sessions a just-CLOSED pre-order campaign opens for its `interests`, each expiring
/// after the terms' window; ids from `session_id`.
///
/// # Errors
/// `Rule` (`amount-too-large`) when a pledge's total (its quantity times the unit price)
/// passes the money bound; nothing is opened then, so the close is refused as a whole.
pub fn open_preorders(
    campaign: &GroupBuy,
    terms: PreorderTerms,
    interests: &[Interest],
    now: OffsetDateTime,
    mut session_id: impl FnMut() -> Uuid,
) -> Result<PreordersOpened, DomainError> {
    debug_assert_eq!(campaign.status, GroupBuyStatus::Closed);
    let expires_at = terms.deadline(now);
    let mut opened = PreordersOpened {
        preorders: Vec::new(),
        pledged_quantity: 0,
        anonymous_interests: 0,
    };
    for interest in interests.iter().filter(|i| i.group_buy_id == campaign.id) {
        let Some(user_id) = interest.visitor.user_id() else {
            opened.anonymous_interests += 1;
            continue;
        };
        opened.preorders.push(Preorder {
            id: session_id(),
            group_buy_id: campaign.id,
            user_id: user_id.to_owned(),
            quantity: interest.quantity,
            unit_price: campaign.unit_price,
            total_amount: total_of(campaign.unit_price, interest.quantity)?,
            status: PreorderStatus::PendingPayment,
            created_at: now,
            expires_at,
            settled_at: None,
            order_id: None,
            transaction_id: None,
        });
        opened.pledged_quantity += interest.quantity;
    }
    Ok(opened)
}

/// `unit_price` x `quantity`, within the bound every amount of the ledger keeps.
fn total_of(unit_price: Money, quantity: i64) -> Result<Money, DomainError> {
    let total = unit_price.times(quantity)?;
    if total.is_within_bounds() {
        Ok(total)
    } else {
        Err(too_large())
    }
}

#[cfg(test)]
#[path = "preorder_tests.rs"]
mod tests;
