//! A group-buy campaign under a handle and its lifecycle:
//! DRAFT -> PUBLISHED <-> PAUSED -> CLOSED (close only when every threshold is met).

use super::handle::{Handle, Slug};
use super::preorder::PreorderTerms;
use super::refusal::CampaignRefusal;
use crate::error::DomainError;
use crate::money::Money;
use crate::names::closed_set;
use crate::names::listed;
use time::OffsetDateTime;
use uuid::Uuid;

closed_set! {
    /// Where a group-buy is in its lifecycle; its list and names are derived (`strum`).
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE", ascii_case_insensitive)]
    pub enum GroupBuyStatus {
        /// Being prepared; visible to its owner only.
        Draft,
        /// Public and taking interest.
        Published,
        /// Public, not taking interest.
        Paused,
        /// Final: thresholds were met and the campaign closed.
        Closed,
    }
}

impl GroupBuyStatus {
    /// Parses a name (case-insensitive); `Validation` on field `status` otherwise.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        s.trim().parse().map_err(|_| {
            DomainError::invalid(
                "status",
                format!("Unknown status {s}; use {}", listed::<Self>(" or ")),
            )
        })
    }

    /// Whether the public may see it (everything but DRAFT).
    pub fn is_public(&self) -> bool {
        !matches!(self, Self::Draft)
    }

    /// The actions allowed from this status.
    pub fn allowed_actions(&self) -> &'static [Action] {
        match self {
            Self::Draft => &[Action::Publish],
            Self::Published => &[Action::Pause, Action::Close],
            Self::Paused => &[Action::Publish, Action::Close],
            Self::Closed => &[],
        }
    }
}

closed_set! {
    /// An owner's lifecycle action; its list and verbs are derived (`strum`).
    #[strum(serialize_all = "lowercase")]
    pub enum Action {
        /// DRAFT or PAUSED -> PUBLISHED.
        Publish,
        /// PUBLISHED -> PAUSED.
        Pause,
        /// PUBLISHED or PAUSED -> CLOSED, when every threshold is met.
        Close,
    }
}

impl Action {
    /// The status the action leads to.
    pub fn target(&self) -> GroupBuyStatus {
        match self {
            Self::Publish => GroupBuyStatus::Published,
            Self::Pause => GroupBuyStatus::Paused,
            Self::Close => GroupBuyStatus::Closed,
        }
    }
}

/// What must be reached before a group-buy may close: at least one of the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    min_participants: Option<i64>,
    min_quantity: Option<i64>,
}

impl Thresholds {
    /// Parses thresholds: at least one given, each >= 1.
    pub fn parse(
        min_participants: Option<i64>,
        min_quantity: Option<i64>,
    ) -> Result<Self, DomainError> {
        if min_participants.is_none() && min_quantity.is_none() {
            return Err(DomainError::invalid(
                "thresholds",
                "thresholds must set minParticipants and/or minQuantity",
            ));
        }
        for (value, field) in [
            (min_participants, "thresholds.minParticipants"),
            (min_quantity, "thresholds.minQuantity"),
        ] {
            if value.is_some_and(|v| v < 1) {
                return Err(DomainError::invalid(
                    field,
                    format!("{field} must be at least 1"),
                ));
            }
        }
        Ok(Self {
            min_participants,
            min_quantity,
        })
    }

    /// Minimum number of participants, if any.
    pub fn min_participants(&self) -> Option<i64> {
        self.min_participants
    }

    /// Minimum total quantity, if any.
    pub fn min_quantity(&self) -> Option<i64> {
        self.min_quantity
    }
}

/// Progress toward one threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThresholdProgress {
    /// The threshold.
    pub target: i64,
    /// The current count.
    pub current: i64,
    /// `current >= target`.
    pub met: bool,
}

impl ThresholdProgress {
    fn of(target: i64, current: i64) -> Self {
        Self {
            target,
            current,
            met: current >= target,
        }
    }
}

/// Progress toward every threshold of a group-buy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Toward `minParticipants`, when set.
    pub participants: Option<ThresholdProgress>,
    /// Toward `minQuantity`, when set.
    pub quantity: Option<ThresholdProgress>,
    /// Every set threshold is met.
    pub met: bool,
}

/// A group-buy campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupBuy {
    /// Random UUID the store gives it at creation; internal, never changes.
    pub id: Uuid,
    /// Owning handle.
    pub handle: Handle,
    /// Slug, unique per handle.
    pub slug: Slug,
    /// Trimmed title, 1 to 200 characters.
    pub title: String,
    /// Free text up to 10000 characters; empty when none was given.
    pub description: String,
    /// Price per unit.
    pub unit_price: Money,
    /// Close conditions.
    pub thresholds: Thresholds,
    /// Cap on the total quantity of interest, if any.
    pub max_quantity: Option<i64>,
    /// When interest stops being accepted.
    pub closes_at: OffsetDateTime,
    /// Lifecycle state.
    pub status: GroupBuyStatus,
    /// Visitors with an interest.
    pub participants: i64,
    /// Sum of their quantities.
    pub quantity: i64,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// Last publish.
    pub published_at: Option<OffsetDateTime>,
    /// Last pause.
    pub paused_at: Option<OffsetDateTime>,
    /// When it was closed; `None` until then (CLOSED is final, so it is set once).
    pub closed_at: Option<OffsetDateTime>,
    /// Last change of the campaign itself.
    pub updated_at: OffsetDateTime,
    /// When it first met all its close thresholds while PUBLISHED (its tipping point).
    pub threshold_reached_at: Option<OffsetDateTime>,
    /// Pre-order terms: with them, signed-in interest is a pledge and closing opens one
    /// payment session per pledge ([`super::open_preorders`]); without, interest is interest.
    pub preorder: Option<PreorderTerms>,
}

impl GroupBuy {
    /// Progress toward each threshold.
    pub fn progress(&self) -> Progress {
        let participants = self
            .thresholds
            .min_participants
            .map(|t| ThresholdProgress::of(t, self.participants));
        let quantity = self
            .thresholds
            .min_quantity
            .map(|t| ThresholdProgress::of(t, self.quantity));
        let met = participants.is_none_or(|p| p.met) && quantity.is_none_or(|q| q.met);
        Progress {
            participants,
            quantity,
            met,
        }
    }

    /// Whether interest is open: PUBLISHED and before `closes_at`.
    pub fn accepts_interest(&self, now: OffsetDateTime) -> Result<(), DomainError> {
        if self.status != GroupBuyStatus::Published {
            return Err(CampaignRefusal::NotAcceptingInterest(self.status).into());
        }
        if now >= self.closes_at {
            return Err(CampaignRefusal::InterestAfterClose.into());
        }
        Ok(())
    }

    /// Whether an existing interest may be withdrawn (anything but CLOSED).
    pub fn allows_withdrawal(&self) -> Result<(), DomainError> {
        if self.status == GroupBuyStatus::Closed {
            return Err(CampaignRefusal::InterestFrozen.into());
        }
        Ok(())
    }

    /// Whether adding `delta` units stays within `max_quantity`.
    pub fn check_capacity(&self, delta: i64) -> Result<(), DomainError> {
        match self.max_quantity {
            Some(max) if delta > 0 && self.quantity + delta > max => {
                Err(CampaignRefusal::MaxQuantityExceeded {
                    quantity: self.quantity,
                    delta,
                    max,
                }
                .into())
            }
            _ => Ok(()),
        }
    }

    /// Applies `action` at `now`: the group-buy in its new state, or a `Conflict` naming
    /// the current state and the allowed next actions (or every unmet threshold).
    pub fn apply(&self, action: Action, now: OffsetDateTime) -> Result<GroupBuy, DomainError> {
        if !self.status.allowed_actions().contains(&action) {
            return Err(CampaignRefusal::InvalidTransition {
                action,
                status: self.status,
                allowed: self.status.allowed_actions(),
            }
            .into());
        }
        let mut next = self.clone();
        match action {
            Action::Publish => {
                if now >= self.closes_at {
                    return Err(CampaignRefusal::PublishAfterClose.into());
                }
                next.published_at = Some(now);
            }
            Action::Pause => next.paused_at = Some(now),
            Action::Close => {
                let unmet = self.unmet_thresholds();
                if !unmet.is_empty() {
                    return Err(CampaignRefusal::ThresholdsNotMet(unmet).into());
                }
                next.closed_at = Some(now);
            }
        }
        next.status = action.target();
        next.updated_at = now;
        Ok(next)
    }

    /// `participants 12/50`, `quantity 30/100`: each threshold not yet met.
    pub fn unmet_thresholds(&self) -> Vec<String> {
        let p = self.progress();
        let mut unmet = Vec::new();
        if let Some(t) = p.participants.filter(|t| !t.met) {
            unmet.push(format!("participants {}/{}", t.current, t.target));
        }
        if let Some(t) = p.quantity.filter(|t| !t.met) {
            unmet.push(format!("quantity {}/{}", t.current, t.target));
        }
        unmet
    }
}

/// Rebuilds thresholds read back from storage (already validated when written).
pub fn stored_thresholds(min_participants: Option<i64>, min_quantity: Option<i64>) -> Thresholds {
    Thresholds {
        min_participants,
        min_quantity,
    }
}

#[cfg(test)]
#[path = "group_buy_tests.rs"]
pub(super) mod tests;
