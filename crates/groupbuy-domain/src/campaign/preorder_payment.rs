//! Paying a campaign pre-order, decided whole: the session paid, the order of the
//! campaign's handle it becomes, every posting (the pledger's debit, the order settled
//! into the handle's merchant balance, the platform's commission) and `order.created`.
//! The store claims the session and writes this in one transaction; the ledger's
//! conditional move refuses a wallet that cannot cover the debit, rolling back the claim.
//! Also `campaign.preorders_opened`, which the close says when it opens the sessions.

use super::events::campaign_subject;
use super::group_buy::GroupBuy;
use super::preorder::{Preorder, PreordersOpened};
use crate::error::DomainError;
use crate::ledger::CommissionRate;
use crate::money::too_large;
use crate::order::{order_created, Order, OrderOrigin, OrderStatus};
use crate::platform::{rfc3339, Audience, DomainEvent, EventType};
use crate::wallet::{Account, LedgerKind, Posting};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// The ledger reference of a pre-order's debit: `preorder:<session id>`.
pub fn preorder_reference(preorder_id: Uuid) -> String {
    format!("preorder:{preorder_id}")
}

/// Everything a pre-order's payment writes.
#[derive(Debug, Clone, PartialEq)]
pub struct PreorderPayment {
    /// The session, PAID.
    pub preorder: Preorder,
    /// The CONFIRMED order of the campaign's handle.
    pub order: Order,
    /// The pledger's debit, then the order's settlement (in the ledger's lock order once
    /// posted together).
    pub postings: Vec<Posting>,
    /// `order.created`, to the handle's owner.
    pub events: Vec<DomainEvent>,
}

impl Preorder {
    /// Pays this session of `campaign` at `now`: the platform takes `commission` of it.
    ///
    /// # Errors
    /// The `Conflict` of [`Preorder::pay`] (paid already, or its window passed), or
    /// `amount-too-large` for a quantity an order cannot hold.
    pub fn pay_into_order(
        &self,
        campaign: &GroupBuy,
        commission: CommissionRate,
        order_id: Uuid,
        owner: &Audience,
        now: OffsetDateTime,
    ) -> Result<PreorderPayment, DomainError> {
        let paid = self.pay(now)?;
        let order = Order {
            id: order_id,
            origin: OrderOrigin::Preorder {
                group_buy_id: campaign.id,
                handle: campaign.handle.clone(),
                preorder_id: self.id,
            },
            user_id: self.user_id.clone(),
            quantity: i32::try_from(self.quantity).map_err(|_| too_large())?,
            unit_price: self.unit_price,
            total_amount: self.total_amount,
            commission: commission.on(self.total_amount),
            status: OrderStatus::Confirmed,
            carrier: None,
            tracking_number: None,
            created_at: now,
            shipped_at: None,
            delivered_at: None,
            cancelled_at: None,
            cancel_reason: None,
        };
        let mut postings = vec![Posting {
            account: Account::wallet(self.user_id.clone()),
            kind: LedgerKind::Purchase,
            amount: self.total_amount.negated(),
            reference: preorder_reference(self.id),
        }];
        postings.extend(crate::ledger::settle(&order));
        let events = vec![order_created(&order, owner, now)];
        Ok(PreorderPayment {
            preorder: Preorder {
                order_id: Some(order_id),
                ..paid
            },
            order,
            postings,
            events,
        })
    }
}

/// `data` of `campaign.preorders_opened`.
#[derive(Debug, Serialize)]
struct Opened<'a> {
    group_buy_id: Uuid,
    handle: &'a str,
    slug: &'a str,
    sessions: usize,
    pledged_quantity: i64,
    anonymous_interests: i64,
    total: rust_decimal::Decimal,
    currency: &'a str,
    expires_at: Option<String>,
    at: String,
}

impl PreordersOpened {
    /// `campaign.preorders_opened` for `campaign`, to its handle's `owner`: the counts and
    /// the money the sessions ask for (never who pledged: that is the pledgers' business).
    pub fn event(&self, campaign: &GroupBuy, owner: &Audience, now: OffsetDateTime) -> DomainEvent {
        let total = self
            .preorders
            .iter()
            .map(|p| p.total_amount.minor())
            .sum::<i64>();
        let currency = campaign.unit_price.currency();
        let data = Opened {
            group_buy_id: campaign.id,
            handle: campaign.handle.as_str(),
            slug: campaign.slug.as_str(),
            sessions: self.preorders.len(),
            pledged_quantity: self.pledged_quantity,
            anonymous_interests: self.anonymous_interests,
            total: crate::money::Money::from_minor(total, currency).to_decimal(),
            currency: currency.code(),
            expires_at: self.preorders.first().map(|p| rfc3339(p.expires_at)),
            at: rfc3339(now),
        };
        DomainEvent::new(
            EventType::CampaignPreordersOpened,
            campaign_subject(campaign),
            owner.clone(),
            &data,
        )
    }
}
