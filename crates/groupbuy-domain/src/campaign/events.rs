//! The events campaigns emit: lifecycle transitions and the first time a published
//! group-buy meets all its close thresholds (its "tipping point").

use super::group_buy::{Action, GroupBuy, GroupBuyStatus};
use crate::error::DomainError;
use crate::platform::{rfc3339, Audience, DomainEvent, EventType};
use rust_decimal::Decimal;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// The subject of every event about a group-buy: `campaign:<handle>/<slug>`.
pub fn campaign_subject(g: &GroupBuy) -> String {
    format!("campaign:{}/{}", g.handle, g.slug)
}

/// `data` of every campaign event: the group-buy as it now stands.
#[derive(Debug, Serialize)]
struct CampaignData<'a> {
    group_buy_id: Uuid,
    handle: &'a str,
    slug: &'a str,
    title: &'a str,
    status: &'a str,
    previous_status: Option<&'a str>,
    unit_price: Decimal,
    currency: &'a str,
    participants: i64,
    quantity: i64,
    min_participants: Option<i64>,
    min_quantity: Option<i64>,
    closes_at: String,
    at: String,
}

fn event(
    t: EventType,
    g: &GroupBuy,
    before: Option<GroupBuyStatus>,
    owner: &Audience,
    now: OffsetDateTime,
) -> DomainEvent {
    let data = CampaignData {
        group_buy_id: g.id,
        handle: g.handle.as_str(),
        slug: g.slug.as_str(),
        title: &g.title,
        status: g.status.as_str(),
        previous_status: before.map(|s| s.as_str()),
        unit_price: g.unit_price.to_decimal(),
        currency: g.unit_price.currency().code(),
        participants: g.participants,
        quantity: g.quantity,
        min_participants: g.thresholds.min_participants(),
        min_quantity: g.thresholds.min_quantity(),
        closes_at: rfc3339(g.closes_at),
        at: rfc3339(now),
    };
    DomainEvent::new(t, campaign_subject(g), owner.clone(), &data)
}

impl GroupBuy {
    /// Applies `action` ([`GroupBuy::apply`]) and says so: `campaign.published`,
    /// `campaign.paused` or `campaign.closed`, addressed to the handle's `owner`.
    ///
    /// # Errors
    /// The `Conflict` of [`GroupBuy::apply`].
    pub fn transition(
        &self,
        action: Action,
        owner: &Audience,
        now: OffsetDateTime,
    ) -> Result<(GroupBuy, Vec<DomainEvent>), DomainError> {
        let next = self.apply(action, now)?;
        let kind = match action {
            Action::Publish => EventType::CampaignPublished,
            Action::Pause => EventType::CampaignPaused,
            Action::Close => EventType::CampaignClosed,
        };
        let said = event(kind, &next, Some(self.status), owner, now);
        Ok((next, vec![said]))
    }

    /// Whether it is PUBLISHED, meets every close threshold and never did before.
    pub fn reaches_tipping_point(&self) -> bool {
        self.threshold_reached_at.is_none()
            && self.status == GroupBuyStatus::Published
            && self.progress().met
    }

    /// Its tipping point: when this group-buy (counters as they now are) is PUBLISHED,
    /// meets every close threshold and never did before, the group-buy marked reached at
    /// `now` and `campaign.threshold_reached`; `None` otherwise, so it fires once.
    pub fn tipping_point(
        &self,
        owner: &Audience,
        now: OffsetDateTime,
    ) -> Option<(GroupBuy, DomainEvent)> {
        self.reaches_tipping_point().then(|| {
            let reached = GroupBuy {
                threshold_reached_at: Some(now),
                ..self.clone()
            };
            let said = event(
                EventType::CampaignThresholdReached,
                &reached,
                None,
                owner,
                now,
            );
            (reached, said)
        })
    }
}

#[cfg(test)]
#[path = "events_tests.rs"]
mod tests;
