//! What procurement transitions say: events for the organising organisation's webhook
//! endpoints (subject `groupbuy:<id>`) and the audit entries of the group buy's chain.

use super::commitment::Commitment;
use super::group_buy::{Action, GroupBuy, GroupBuyStatus};
use crate::names::closed_set;
use crate::platform::{rfc3339, Audience, AuditDraft, ChangeContext, DomainEvent, EventType};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `data` of `groupbuy.created`, `groupbuy.target_reached`, `groupbuy.cancelled` and
/// `groupbuy.expired`: the group buy as it now stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupBuyEventData {
    /// `gb_...`.
    pub groupbuy_id: String,
    /// The group buy's title as its organiser set it (1 to 200 characters).
    pub title: String,
    /// Status now.
    pub status: String,
    /// Status before (None on creation and for `target_reached`).
    pub previous_status: Option<String>,
    /// The organising organisation.
    pub org_id: String,
    /// Target units.
    pub target_quantity: i64,
    /// Smallest commitment.
    pub min_commitment: i64,
    /// Capacity, when capped.
    pub max_quantity: Option<i64>,
    /// Units committed.
    pub committed_quantity: i64,
    /// Committed organisations.
    pub members: i64,
    /// Currency code.
    pub currency: String,
    /// RFC 3339.
    pub deadline: String,
    /// The group buy's version after the change.
    pub version: i64,
    /// RFC 3339: when it happened.
    pub at: String,
}

/// `data` of `commitment.created`, `commitment.updated` and `commitment.withdrawn`. Only
/// the organiser receives it (members never learn each other's commitments).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommitmentEventData {
    /// `gb_...`.
    pub groupbuy_id: String,
    /// `cmt_...`.
    pub commitment_id: String,
    /// The committing organisation.
    pub member_id: String,
    /// Units now committed by it (its last quantity when withdrawn).
    pub quantity: i64,
    /// Units before the change (None for a new commitment).
    pub previous_quantity: Option<i64>,
    /// Its price ceiling per unit, in the currency's decimals.
    pub price_ceiling: Decimal,
    /// Currency code.
    pub currency: String,
    /// `ACTIVE` or `WITHDRAWN`.
    pub status: String,
    /// The pool's committed units after the change.
    pub committed_quantity: i64,
    /// The pool's committed organisations after the change.
    pub members: i64,
    /// RFC 3339: when it happened.
    pub at: String,
}

pub(crate) fn organiser(g: &GroupBuy) -> Audience {
    Audience::Organisation(g.org_id.clone())
}

/// A group-buy event about `g` as it now stands, `before` being its previous status.
pub(crate) fn group_buy_event(
    kind: EventType,
    g: &GroupBuy,
    before: Option<GroupBuyStatus>,
    ctx: &ChangeContext,
) -> DomainEvent {
    let data = GroupBuyEventData {
        groupbuy_id: g.id.to_string(),
        title: g.title.clone(),
        status: g.status.as_str().to_owned(),
        previous_status: before.map(|s| s.as_str().to_owned()),
        org_id: g.org_id.clone(),
        target_quantity: g.target_quantity,
        min_commitment: g.min_commitment,
        max_quantity: g.rules.max_quantity,
        committed_quantity: g.committed_quantity,
        members: g.members,
        currency: g.currency.code().to_owned(),
        deadline: rfc3339(g.deadline),
        version: g.version,
        at: rfc3339(ctx.now),
    };
    DomainEvent::new(kind, g.subject(), organiser(g), &data)
}

/// A commitment event: `c` as it now is, in `g` as it now stands.
pub(crate) fn commitment_event(
    kind: EventType,
    g: &GroupBuy,
    c: &Commitment,
    previous_quantity: Option<i64>,
    ctx: &ChangeContext,
) -> DomainEvent {
    let data = CommitmentEventData {
        groupbuy_id: g.id.to_string(),
        commitment_id: c.id.to_string(),
        member_id: c.member_id.clone(),
        quantity: c.quantity,
        previous_quantity,
        price_ceiling: c.price_ceiling.to_decimal(),
        currency: c.price_ceiling.currency().code().to_owned(),
        status: c.status.as_str().to_owned(),
        committed_quantity: g.committed_quantity,
        members: g.members,
        at: rfc3339(ctx.now),
    };
    DomainEvent::new(kind, g.subject(), organiser(g), &data)
}

closed_set! {
    /// What a group buy's audit chain records; its list and wire names are derived.
    pub enum AuditAction {
        /// The pool was created.
        #[strum(serialize = "create")]
        Create,
        /// An organisation committed for the first time.
        #[strum(serialize = "commitment.create")]
        CommitmentCreate,
        /// An organisation changed its commitment.
        #[strum(serialize = "commitment.update")]
        CommitmentUpdate,
        /// An organisation withdrew its commitment.
        #[strum(serialize = "commitment.withdraw")]
        CommitmentWithdraw,
        /// The committed quantity reached the target.
        #[strum(serialize = "target_reached")]
        TargetReached,
        /// The organiser cancelled.
        #[strum(serialize = "cancel")]
        Cancel,
        /// The sweep expired the pool below target.
        #[strum(serialize = "expire")]
        Expire,
        /// The organiser opened an RFQ.
        #[strum(serialize = "rfq")]
        Rfq,
        /// A vendor answered the RFQ.
        #[strum(serialize = "rfq.response")]
        RfqResponse,
        /// The organiser allocated supply.
        #[strum(serialize = "allocate")]
        Allocate,
        /// The organiser settled.
        #[strum(serialize = "settle")]
        Settle,
    }
}

impl From<Action> for AuditAction {
    /// The entry a lifecycle action leaves (committing is recorded as a commitment
    /// change, withdrawing as a withdrawal).
    fn from(action: Action) -> Self {
        match action {
            Action::Commit => Self::CommitmentUpdate,
            Action::Withdraw => Self::CommitmentWithdraw,
            Action::Cancel => Self::Cancel,
            Action::Rfq => Self::Rfq,
            Action::Allocate => Self::Allocate,
            Action::Settle => Self::Settle,
            Action::Expire => Self::Expire,
        }
    }
}

/// An audit entry of `g`'s chain: `action` by the context's actor for `org_id`, moving
/// from `from` to `g`'s status now.
pub(crate) fn audit(
    g: &GroupBuy,
    action: AuditAction,
    from: Option<GroupBuyStatus>,
    org_id: Option<&str>,
    details: serde_json::Value,
    ctx: &ChangeContext,
) -> AuditDraft {
    AuditDraft {
        subject: g.subject(),
        actor: ctx.actor.clone(),
        org_id: org_id.map(str::to_owned),
        action: action.as_str().to_owned(),
        from_status: from.map(|s| s.as_str().to_owned()),
        to_status: Some(g.status.as_str().to_owned()),
        request_id: ctx.request_id.clone(),
        details,
        at: ctx.now,
    }
}
