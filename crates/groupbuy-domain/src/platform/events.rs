//! Domain events: facts a transition decided, written to the outbox in the transaction
//! that made them true and delivered to webhook endpoints afterwards.

use serde::Serialize;
use std::fmt;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// An instant as JSON and messages show it: RFC 3339 UTC, whole seconds
/// (`2025-10-02T14:30:45Z`).
pub fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

/// Every event type groupbuy emits, with its wire name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum EventType {
    /// A group instance was opened by its first payment.
    #[serde(rename = "group.created")]
    GroupCreated,
    /// A group filled: COMPLETED, with one order per ACTIVE participant.
    #[serde(rename = "group.completed")]
    GroupCompleted,
    /// A group expired: FAILED, with every participant's refund.
    #[serde(rename = "group.failed")]
    GroupFailed,
    /// A platform admin deleted a group; its participants were refunded.
    #[serde(rename = "group.deleted")]
    GroupDeleted,
    /// Seats moved from one group to another.
    #[serde(rename = "seats.transferred")]
    SeatsTransferred,
    /// A campaign group-buy was published.
    #[serde(rename = "campaign.published")]
    CampaignPublished,
    /// A campaign group-buy was paused.
    #[serde(rename = "campaign.paused")]
    CampaignPaused,
    /// A campaign group-buy was closed.
    #[serde(rename = "campaign.closed")]
    CampaignClosed,
    /// A published campaign group-buy met all its close thresholds for the first time.
    #[serde(rename = "campaign.threshold_reached")]
    CampaignThresholdReached,
    /// A procurement group buy was created (OPEN).
    #[serde(rename = "groupbuy.created")]
    GroupBuyCreated,
    /// An organisation committed to a procurement group buy for the first time (or again
    /// after withdrawing).
    #[serde(rename = "commitment.created")]
    CommitmentCreated,
    /// An organisation changed the quantity or price ceiling of its commitment.
    #[serde(rename = "commitment.updated")]
    CommitmentUpdated,
    /// An organisation withdrew its commitment.
    #[serde(rename = "commitment.withdrawn")]
    CommitmentWithdrawn,
    /// A procurement group buy's commitments reached its target quantity for the first time.
    #[serde(rename = "groupbuy.target_reached")]
    GroupBuyTargetReached,
    /// A procurement group buy was cancelled by its organiser.
    #[serde(rename = "groupbuy.cancelled")]
    GroupBuyCancelled,
    /// A procurement group buy's deadline passed below target: EXPIRED.
    #[serde(rename = "groupbuy.expired")]
    GroupBuyExpired,
    /// The organiser's RFQ opened: the group buy is SOURCING.
    #[serde(rename = "rfq.opened")]
    RfqOpened,
    /// An invited vendor responded to an RFQ (or revised its response).
    #[serde(rename = "vendor.response.received")]
    VendorResponseReceived,
    /// Supply was allocated to members: the group buy is ALLOCATED.
    #[serde(rename = "allocation.created")]
    AllocationCreated,
    /// The allocation was settled into payables and receivables: SETTLED.
    #[serde(rename = "settlement.completed")]
    SettlementCompleted,
    /// A test delivery asked for by the endpoint's owner.
    #[serde(rename = "webhook.test")]
    WebhookTest,
}

impl EventType {
    /// Every type, in catalogue order.
    pub const ALL: [EventType; 21] = [
        Self::GroupCreated,
        Self::GroupCompleted,
        Self::GroupFailed,
        Self::GroupDeleted,
        Self::SeatsTransferred,
        Self::CampaignPublished,
        Self::CampaignPaused,
        Self::CampaignClosed,
        Self::CampaignThresholdReached,
        Self::GroupBuyCreated,
        Self::CommitmentCreated,
        Self::CommitmentUpdated,
        Self::CommitmentWithdrawn,
        Self::GroupBuyTargetReached,
        Self::GroupBuyCancelled,
        Self::GroupBuyExpired,
        Self::RfqOpened,
        Self::VendorResponseReceived,
        Self::AllocationCreated,
        Self::SettlementCompleted,
        Self::WebhookTest,
    ];

    /// The wire name (`group.completed`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::GroupCreated => "group.created",
            Self::GroupCompleted => "group.completed",
            Self::GroupFailed => "group.failed",
            Self::GroupDeleted => "group.deleted",
            Self::SeatsTransferred => "seats.transferred",
            Self::CampaignPublished => "campaign.published",
            Self::CampaignPaused => "campaign.paused",
            Self::CampaignClosed => "campaign.closed",
            Self::CampaignThresholdReached => "campaign.threshold_reached",
            Self::GroupBuyCreated => "groupbuy.created",
            Self::CommitmentCreated => "commitment.created",
            Self::CommitmentUpdated => "commitment.updated",
            Self::CommitmentWithdrawn => "commitment.withdrawn",
            Self::GroupBuyTargetReached => "groupbuy.target_reached",
            Self::GroupBuyCancelled => "groupbuy.cancelled",
            Self::GroupBuyExpired => "groupbuy.expired",
            Self::RfqOpened => "rfq.opened",
            Self::VendorResponseReceived => "vendor.response.received",
            Self::AllocationCreated => "allocation.created",
            Self::SettlementCompleted => "settlement.completed",
            Self::WebhookTest => "webhook.test",
        }
    }

    /// The type with this wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// One line for the event catalogue.
    pub fn description(&self) -> &'static str {
        match self {
            Self::GroupCreated => "A group instance was opened by its first payment.",
            Self::GroupCompleted => {
                "A group filled its last seat: COMPLETED, with one order per participant."
            }
            Self::GroupFailed => {
                "A group expired before filling: FAILED, every participant refunded."
            }
            Self::GroupDeleted => {
                "A platform admin deleted a group; its participants were refunded."
            }
            Self::SeatsTransferred => "Seats moved from one group to another of the same product.",
            Self::CampaignPublished => "A campaign group-buy was published.",
            Self::CampaignPaused => "A campaign group-buy was paused.",
            Self::CampaignClosed => "A campaign group-buy was closed.",
            Self::CampaignThresholdReached => {
                "A published campaign group-buy met all its close thresholds for the first time."
            }
            Self::GroupBuyCreated => "A procurement group buy was created and is OPEN.",
            Self::CommitmentCreated => "An organisation committed to a procurement group buy.",
            Self::CommitmentUpdated => {
                "An organisation changed the quantity or price ceiling of its commitment."
            }
            Self::CommitmentWithdrawn => "An organisation withdrew its commitment.",
            Self::GroupBuyTargetReached => {
                "A procurement group buy's commitments reached its target quantity for the first time."
            }
            Self::GroupBuyCancelled => "A procurement group buy was cancelled by its organiser.",
            Self::GroupBuyExpired => {
                "A procurement group buy's deadline passed below target: EXPIRED."
            }
            Self::RfqOpened => {
                "A procurement group buy's RFQ opened to its invited vendors: SOURCING."
            }
            Self::VendorResponseReceived => {
                "An invited vendor responded to an RFQ, or revised its response."
            }
            Self::AllocationCreated => {
                "Vendors' supply was allocated to the members of a procurement group buy: ALLOCATED."
            }
            Self::SettlementCompleted => {
                "A procurement group buy was settled into payables and receivables: SETTLED."
            }
            Self::WebhookTest => "A test delivery requested through the API.",
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whose webhook endpoints receive an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Endpoints created by this user (a shop's or a handle's owner).
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

    #[test]
    fn every_type_round_trips_through_its_wire_name() {
        for t in EventType::ALL {
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
