//! Tenancy: who sees a group buy, who may act on it, and what each viewer is shown.
//! Nothing here reveals one member's identity, quantity or price ceiling to another.

use super::commitment::Commitment;
use super::group_buy::{GroupBuy, GroupBuyStats};
use super::lifecycle::acting_org;
use super::refusal::ProcurementRefusal;
use super::rules::Visibility;
use crate::money::Money;
use crate::principal::Principal;
pub use crate::principal::{SCOPE_READ, SCOPE_WRITE};
use serde::Serialize;

/// A read: the token must hold `groupbuy:read`.
///
/// # Errors
/// `MissingScope` (403).
pub fn require_read(caller: &Principal) -> Result<(), ProcurementRefusal> {
    require_scope(caller, SCOPE_READ)
}

/// A write: the token must hold `groupbuy:write` and name its organisation, which it returns.
///
/// # Errors
/// `MissingScope` or `OrganisationRequired` (403).
pub fn require_write(caller: &Principal) -> Result<&str, ProcurementRefusal> {
    require_scope(caller, SCOPE_WRITE)?;
    acting_org(caller)
}

/// The token must hold `scope`.
///
/// # Errors
/// `MissingScope` (403) naming it.
pub fn require_scope(caller: &Principal, scope: &'static str) -> Result<(), ProcurementRefusal> {
    if caller.has_scope(scope) {
        Ok(())
    } else {
        Err(ProcurementRefusal::MissingScope(scope))
    }
}

/// How a caller stands toward one group buy (the first that applies, in this order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    /// The caller's organisation organises it.
    Organiser(String),
    /// A platform admin (sees everything), with its organisation if the token names one.
    PlatformAdmin(Option<String>),
    /// The caller's organisation has an ACTIVE commitment.
    Member(String),
    /// The caller's organisation is named in `rules.eligible_orgs`.
    Eligible(String),
    /// Anyone else, with its organisation if the token names one.
    Outsider(Option<String>),
}

/// Which commitments a viewer may list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitmentsScope {
    /// Every commitment (the organiser, a platform admin).
    All,
    /// Only this organisation's own.
    OnlyOf(String),
    /// None (a caller without an organisation).
    Nothing,
}

impl Viewer {
    /// How `caller` stands toward `g`, given whether its organisation has an ACTIVE
    /// commitment to it.
    pub fn of(caller: &Principal, g: &GroupBuy, has_active_commitment: bool) -> Self {
        let org = caller.org_id.clone().filter(|o| !o.trim().is_empty());
        match org {
            Some(org) if g.is_organised_by(&org) => Self::Organiser(org),
            org if caller.is_platform_admin() => Self::PlatformAdmin(org),
            Some(org) if has_active_commitment => Self::Member(org),
            Some(org) if g.rules.lists(&org) => Self::Eligible(org),
            org => Self::Outsider(org),
        }
    }

    /// The viewer's organisation, if any.
    pub fn org_id(&self) -> Option<&str> {
        match self {
            Self::Organiser(o) | Self::Member(o) | Self::Eligible(o) => Some(o),
            Self::PlatformAdmin(o) | Self::Outsider(o) => o.as_deref(),
        }
    }

    /// Whether it sees `g`: a public one, everyone; a private one, all but outsiders.
    pub fn can_see(&self, g: &GroupBuy) -> bool {
        g.rules.visibility == Visibility::Public || !matches!(self, Self::Outsider(_))
    }

    /// Whether it sees every commitment, their summary and the audit trail.
    pub fn is_organiser_or_admin(&self) -> bool {
        matches!(self, Self::Organiser(_) | Self::PlatformAdmin(_))
    }

    /// `g` must be visible to it.
    ///
    /// # Errors
    /// `GroupBuyNotFound` (404): an invisible pool is not revealed to exist.
    pub fn require_visible(&self, g: &GroupBuy) -> Result<(), ProcurementRefusal> {
        if self.can_see(g) {
            Ok(())
        } else {
            Err(ProcurementRefusal::GroupBuyNotFound)
        }
    }

    /// Only the organiser (or a platform admin) may do `what` (`cancel this group buy`).
    ///
    /// # Errors
    /// `GroupBuyNotFound` (404) when it cannot see `g`, else `OrganiserOnly` (403).
    pub fn require_organiser(
        &self,
        g: &GroupBuy,
        what: &'static str,
    ) -> Result<(), ProcurementRefusal> {
        self.require_visible(g)?;
        if self.is_organiser_or_admin() {
            Ok(())
        } else {
            Err(ProcurementRefusal::OrganiserOnly(what))
        }
    }

    /// Reading `g`'s audit trail: the organiser and platform admins.
    ///
    /// # Errors
    /// As [`Viewer::require_organiser`].
    pub fn require_audit_reader(&self, g: &GroupBuy) -> Result<(), ProcurementRefusal> {
        self.require_organiser(g, "read the audit trail of this group buy")
    }

    /// Which commitments it may list (once it can see the group buy).
    pub fn commitments_scope(&self) -> CommitmentsScope {
        match (self.is_organiser_or_admin(), self.org_id()) {
            (true, _) => CommitmentsScope::All,
            (false, Some(org)) => CommitmentsScope::OnlyOf(org.to_owned()),
            (false, None) => CommitmentsScope::Nothing,
        }
    }
}

/// Whether `caller` sees `g` (see [`Viewer::can_see`]).
pub fn can_see(g: &GroupBuy, caller: &Principal, has_active_commitment: bool) -> bool {
    Viewer::of(caller, g, has_active_commitment).can_see(g)
}

/// The organiser's aggregate view of the ACTIVE commitments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitmentsSummary {
    /// ACTIVE commitments.
    pub count: i64,
    /// Their units.
    pub total_quantity: i64,
    /// The lowest price ceiling (None without commitments).
    pub lowest_price_ceiling: Option<Money>,
    /// The highest price ceiling.
    pub highest_price_ceiling: Option<Money>,
}

impl CommitmentsSummary {
    /// The summary of the ACTIVE ones among `commitments`.
    pub fn of(commitments: &[Commitment]) -> Self {
        let active = || commitments.iter().filter(|c| c.is_active());
        let ceilings = || active().map(|c| c.price_ceiling);
        Self {
            count: active().count() as i64,
            total_quantity: active().map(|c| c.quantity).sum(),
            lowest_price_ceiling: ceilings().min_by_key(Money::minor),
            highest_price_ceiling: ceilings().max_by_key(Money::minor),
        }
    }
}

/// A group buy as one viewer may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupBuyView {
    /// The group buy (public facts).
    pub group_buy: GroupBuy,
    /// Its progress.
    pub stats: GroupBuyStats,
    /// The viewer's organisation's ACTIVE commitment, if any.
    pub my_commitment: Option<Commitment>,
    /// For the organiser and platform admins only.
    pub commitments_summary: Option<CommitmentsSummary>,
}

impl GroupBuyView {
    /// What `viewer` is shown of `g`: `my_commitment` only when it is ACTIVE and the
    /// viewer's own; `summary` and the number of committed organisations only for the
    /// organiser and platform admins. Anyone else sees its own commitment and the progress
    /// toward the target: with the count, a member of a pool with one other member would
    /// read that member's quantity as the total less its own.
    pub fn new(
        g: GroupBuy,
        viewer: &Viewer,
        my_commitment: Option<Commitment>,
        summary: Option<CommitmentsSummary>,
    ) -> Self {
        let mine = my_commitment
            .filter(|c| c.is_active() && Some(c.member_id.as_str()) == viewer.org_id());
        let organiser = viewer.is_organiser_or_admin();
        let mut stats = g.stats();
        stats.members = stats.members.filter(|_| organiser);
        Self {
            stats,
            group_buy: g,
            my_commitment: mine,
            commitments_summary: summary.filter(|_| organiser),
        }
    }
}

impl Serialize for CommitmentsSummary {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Wire {
            count: i64,
            total_quantity: i64,
            lowest_price_ceiling: Option<rust_decimal::Decimal>,
            highest_price_ceiling: Option<rust_decimal::Decimal>,
        }
        Wire {
            count: self.count,
            total_quantity: self.total_quantity,
            lowest_price_ceiling: self.lowest_price_ceiling.map(|m| m.to_decimal()),
            highest_price_ceiling: self.highest_price_ceiling.map(|m| m.to_decimal()),
        }
        .serialize(s)
    }
}

#[cfg(test)]
#[path = "access_tests.rs"]
mod tests;
