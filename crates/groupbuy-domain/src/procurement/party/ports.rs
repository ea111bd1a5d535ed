//! The storage port of parties: one method per use case, each its own transaction.

use super::{CounterpartyView, PartyProfile, PartyRecord, PartyRef};
use crate::error::DomainError;
use crate::platform::ChangeContext;
use crate::principal::Principal;

/// What a caller reads of a party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartyReading {
    /// The party itself or a platform admin: everything, at its version.
    Whole(PartyRecord),
    /// A counterparty sharing a pool with it: legal name and country.
    Counterparty(CounterpartyView),
}

/// Storage of parties' legal data.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait PartyStore: Send + Sync {
    /// `party` as `caller` may read it: whole for itself and platform admins (version 0
    /// and nothing filled in before its first change), legal name and country for an
    /// organisation or vendor that shares a pool with it.
    ///
    /// # Errors
    /// `NotFound` (`Party not found`) for anyone else, and for a counterparty when the
    /// party has filled in nothing.
    fn party(&self, caller: &Principal, party: &PartyRef) -> Result<PartyReading, DomainError>;

    /// Replaces `party`'s data by `profile` (If-Match honoured), audited on the party's
    /// own chain (`organisation:<id>` / `vendor:<id>`, action `party.update`).
    ///
    /// # Errors
    /// `Forbidden` (not the party, nor an admin), `PreconditionFailed` (stale If-Match),
    /// `Conflict` (a concurrent change).
    fn put_party(
        &self,
        caller: &Principal,
        party: &PartyRef,
        profile: PartyProfile,
        if_match: Option<String>,
        ctx: &ChangeContext,
    ) -> Result<PartyRecord, DomainError>;
}
