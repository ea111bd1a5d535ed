//! Domain events: facts a transition decided, written to the outbox in the transaction
//! that made them true and delivered to webhook endpoints afterwards.

use crate::names::closed_set;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// An instant as JSON and messages show it: RFC 3339 UTC, whole seconds
/// (`2025-10-02T14:30:45Z`).
pub fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

closed_set! {
    /// Every event type groupbuy emits. Each variant's wire name is its `strum(serialize)`,
    /// its catalogue description its doc comment ([`EventType::description`]); the catalogue
    /// lists them in declaration order (`EventType::iter()`, from
    /// [`strum::IntoEnumIterator`]), so a new variant is listed,
    /// parsed and described without another edit.
    #[derive(strum::EnumMessage)]
    pub enum EventType {
        /// A group instance was opened by its first payment.
        #[strum(serialize = "group.created")]
        GroupCreated,
        /// A group filled its last seat: COMPLETED, with one order per participant.
        #[strum(serialize = "group.completed")]
        GroupCompleted,
        /// A group expired before filling: FAILED, every participant refunded.
        #[strum(serialize = "group.failed")]
        GroupFailed,
        /// A platform admin deleted a group; its participants were refunded.
        #[strum(serialize = "group.deleted")]
        GroupDeleted,
        /// Seats moved from one group to another of the same product.
        #[strum(serialize = "seats.transferred")]
        SeatsTransferred,
        /// A campaign group-buy was published.
        #[strum(serialize = "campaign.published")]
        CampaignPublished,
        /// A campaign group-buy was paused.
        #[strum(serialize = "campaign.paused")]
        CampaignPaused,
        /// A campaign group-buy was closed.
        #[strum(serialize = "campaign.closed")]
        CampaignClosed,
        /// A pre-order campaign closed: one payment session per signed-in pledge was opened.
        #[strum(serialize = "campaign.preorders_opened")]
        CampaignPreordersOpened,
        /// A published campaign group-buy met all its close thresholds for the first time.
        #[strum(serialize = "campaign.threshold_reached")]
        CampaignThresholdReached,
        /// A procurement group buy was created and is OPEN.
        #[strum(serialize = "groupbuy.created")]
        GroupBuyCreated,
        /// An organisation committed to a procurement group buy.
        #[strum(serialize = "commitment.created")]
        CommitmentCreated,
        /// An organisation changed the quantity or price ceiling of its commitment.
        #[strum(serialize = "commitment.updated")]
        CommitmentUpdated,
        /// An organisation withdrew its commitment.
        #[strum(serialize = "commitment.withdrawn")]
        CommitmentWithdrawn,
        /// A procurement group buy's commitments reached its target quantity for the first time.
        #[strum(serialize = "groupbuy.target_reached")]
        GroupBuyTargetReached,
        /// A procurement group buy was cancelled by its organiser.
        #[strum(serialize = "groupbuy.cancelled")]
        GroupBuyCancelled,
        /// A procurement group buy's deadline passed below target: EXPIRED.
        #[strum(serialize = "groupbuy.expired")]
        GroupBuyExpired,
        /// A procurement group buy's RFQ opened to its invited vendors: SOURCING.
        #[strum(serialize = "rfq.opened")]
        RfqOpened,
        /// An RFQ invited this vendor: the pool, its items, the units to quote for and the
        /// due date (to the vendor's own endpoints only).
        #[strum(serialize = "rfq.invited")]
        RfqInvited,
        /// An invited vendor responded to an RFQ, or revised its response.
        #[strum(serialize = "vendor.response.received")]
        VendorResponseReceived,
        /// Vendors' supply was allocated to the members of a procurement group buy: ALLOCATED.
        #[strum(serialize = "allocation.created")]
        AllocationCreated,
        /// A procurement group buy was settled into payables and receivables: SETTLED.
        #[strum(serialize = "settlement.completed")]
        SettlementCompleted,
        /// A pledger paid a campaign pre-order: a CONFIRMED order of the campaign's handle.
        #[strum(serialize = "order.created")]
        OrderCreated,
        /// A merchant shipped an order: SHIPPED, with its carrier and tracking number.
        #[strum(serialize = "order.shipped")]
        OrderShipped,
        /// A merchant marked a shipped order delivered: DELIVERED.
        #[strum(serialize = "order.delivered")]
        OrderDelivered,
        /// A merchant cancelled an order before shipment: CANCELLED, the buyer refunded.
        #[strum(serialize = "order.cancelled")]
        OrderCancelled,
        /// A platform admin recorded a payout out of a shop's merchant balance.
        #[strum(serialize = "payout.recorded")]
        PayoutRecorded,
        /// A test delivery requested through the API.
        #[strum(serialize = "webhook.test")]
        WebhookTest,
    }
}

impl EventType {
    /// The type with this wire name.
    pub fn parse(name: &str) -> Option<Self> {
        name.parse().ok()
    }

    /// One line for the event catalogue: the variant's doc comment.
    pub fn description(&self) -> &'static str {
        strum::EnumMessage::get_documentation(self).unwrap_or_default()
    }
}

impl Serialize for EventType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Whose webhook endpoints receive an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Endpoints created by this user without an organisation: a shop's or a handle's
    /// owner, or a vendor (whose vendor id is its tokens' `sub`).
    User(String),
    /// Every endpoint of this organisation (procurement).
    Organisation(String),
}

/// One event as the domain decided it; the store adds id, sequence, request id and time.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainEvent {
    /// What happened.
    pub event_type: EventType,
    /// What it happened to, for ordering: `group:<id>`, `campaign:<handle>/<slug>`,
    /// `groupbuy:<id>`. Sequence numbers increase per subject.
    pub subject: String,
    /// Who receives it.
    pub audience: Audience,
    /// The payload's `data`, as receivers see it (snake_case fields).
    pub data: serde_json::Value,
}

impl DomainEvent {
    /// An event whose `data` is `payload` serialized.
    pub fn new<T: Serialize>(
        event_type: EventType,
        subject: impl Into<String>,
        audience: Audience,
        payload: &T,
    ) -> Self {
        Self {
            event_type,
            subject: subject.into(),
            audience,
            // Payloads are plain structs of strings and numbers: serializing cannot fail.
            data: serde_json::to_value(payload).unwrap_or(serde_json::Value::Null),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn every_type_round_trips_through_its_wire_name() {
        for t in EventType::iter() {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
            assert_eq!(
                serde_json::to_value(t).expect("json"),
                serde_json::Value::String(t.as_str().into())
            );
            assert!(!t.description().is_empty());
        }
        assert_eq!(EventType::parse("group.exploded"), None);
    }
}
