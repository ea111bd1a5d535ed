//! Open data: a pool as an OCDS 1.1 release package (`GET /groupbuy/{id}/ocds`), built
//! from what the store read in one transaction. One release per stage the pool reached
//! (tender, award, contract), each with an id and a date derived from the pool and the
//! stage, so two reads of an unchanged pool answer the same package. Everything stays
//! inside the core schema (no extension).
//!
//! What the public learns follows the pool's own reads: the tender release carries no
//! price at all (bids stay sealed; the RFQ is read by its organiser and vendors only);
//! vendors, prices and values appear with the award, when the allocation has already
//! unsealed them.

mod parts;

use crate::money::Money;
use crate::platform::rfc3339;
use crate::procurement::access::Viewer;
use crate::procurement::group_buy::{GroupBuy, GroupBuyStatus};
use crate::procurement::party::{PartyProfile, PartyRef};
use crate::procurement::refusal::ProcurementRefusal;
use crate::procurement::rules::Visibility;
use crate::procurement::settle::SettlementRecord;
use crate::procurement::sourcing::award::Award;
use crate::procurement::sourcing::rfq::Rfq;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// The `GROUPBUY_OCDS_PREFIX` when unset: an `ocid` is this prefix and the pool id. A
/// publisher registers its own prefix with the OCDS Helpdesk (`ocds-` and six characters).
pub const DEFAULT_OCDS_PREFIX: &str = "ocds-groupbuy-";

/// The OCDS version the package follows (`version` of the package).
pub const OCDS_VERSION: &str = "1.1";

/// Whether `viewer` may read `g`'s package: a public pool, whoever may read pools; a
/// private one, its organiser (or a platform admin) only, even when the caller is a
/// member.
///
/// # Errors
/// `GroupBuyNotFound` (404): a pool the caller may not publish is not revealed to exist.
pub fn require_ocds_reader(viewer: &Viewer, g: &GroupBuy) -> Result<(), ProcurementRefusal> {
    viewer.require_visible(g)?;
    if g.rules.visibility == Visibility::Public || viewer.is_organiser_or_admin() {
        Ok(())
    } else {
        Err(ProcurementRefusal::GroupBuyNotFound)
    }
}

/// Everything a pool's package is built from, read in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct OcdsSource {
    /// The pool.
    pub group_buy: GroupBuy,
    /// The organisations with an ACTIVE commitment, in commitment order (ids only:
    /// quantities and ceilings stay private).
    pub members: Vec<String>,
    /// Its RFQ, once opened.
    pub rfq: Option<Rfq>,
    /// The vendors that responded to the RFQ (any version), by id.
    pub respondents: Vec<String>,
    /// Its allocation, once written.
    pub award: Option<Award>,
    /// Its settlement, once written.
    pub settlement: Option<SettlementRecord>,
    /// The party data of every party to the pool that has any.
    pub parties: BTreeMap<PartyRef, PartyProfile>,
}

/// The stages a package has a release for; each release's id is `<pool id>-<stage>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The pool and its call for quotes.
    Tender,
    /// The allocation: one award per vendor.
    Award,
    /// The settlement: one contract per payable.
    Contract,
}

impl Stage {
    /// The stage's part of a release id.
    pub fn name(self) -> &'static str {
        match self {
            Self::Tender => "tender",
            Self::Award => "award",
            Self::Contract => "contract",
        }
    }
}

impl OcdsSource {
    /// `<prefix><pool id>`.
    pub fn ocid(&self, prefix: &str) -> String {
        format!("{prefix}{}", self.group_buy.id)
    }

    /// The stages reached, in order, each with the instant that dates its release: the
    /// RFQ's opening (the pool's creation before one), the allocation, the settlement.
    pub fn stages(&self) -> Vec<(Stage, OffsetDateTime)> {
        let g = &self.group_buy;
        let tender_date = self.rfq.as_ref().map_or(g.created_at, |r| r.opened_at);
        let mut stages = vec![(Stage::Tender, tender_date)];
        if let Some(award) = &self.award {
            stages.push((Stage::Award, award.created_at));
        }
        if let (Some(_), Some(s)) = (&self.award, &self.settlement) {
            stages.push((Stage::Contract, s.created_at));
        }
        stages
    }

    /// The release id of `stage`: stable for the pool's life.
    pub fn release_id(&self, stage: Stage) -> String {
        format!("{}-{}", self.group_buy.id, stage.name())
    }

    /// The release package: `uri` is where it is served, `publisher` who publishes it.
    /// `publishedDate` is the latest release's date, so it too is stable between reads.
    pub fn release_package(&self, prefix: &str, uri: &str, publisher: &str) -> Value {
        let stages = self.stages();
        let published = stages.iter().map(|(_, at)| *at).max();
        let releases: Vec<Value> = stages
            .iter()
            .map(|(stage, at)| self.release(prefix, *stage, *at))
            .collect();
        json!({
            "uri": uri,
            "version": OCDS_VERSION,
            "publishedDate": rfc3339(published.unwrap_or(self.group_buy.created_at)),
            "publisher": {"name": publisher},
            "releases": releases,
        })
    }

    /// One release of `stage`, dated `at`.
    pub fn release(&self, prefix: &str, stage: Stage, at: OffsetDateTime) -> Value {
        let g = &self.group_buy;
        let organiser = self.party_ref(&PartyRef::organisation(&g.org_id));
        let mut release = json!({
            "ocid": self.ocid(prefix),
            "id": self.release_id(stage),
            "date": rfc3339(at),
            "language": "en",
            "initiationType": "tender",
            "buyer": organiser,
            "parties": self.parties_at(stage),
        });
        let tag = match stage {
            Stage::Tender => {
                release["tender"] = self.tender();
                json!(["tender"])
            }
            Stage::Award => {
                release["tender"] = self.tender_outcome();
                release["awards"] = json!(self.awards());
                json!(["award"])
            }
            Stage::Contract => {
                release["awards"] = json!(self.awards());
                release["contracts"] = json!(self.contracts());
                json!(["contract"])
            }
        };
        release["tag"] = tag;
        release
    }

    /// The OCDS tender status the pool's status stands for.
    fn tender_status(&self) -> &'static str {
        match self.group_buy.status {
            // Collecting demand: the call for quotes is still to come.
            GroupBuyStatus::Open => "planned",
            GroupBuyStatus::Sourcing => "active",
            GroupBuyStatus::Allocated | GroupBuyStatus::Settled => "complete",
            GroupBuyStatus::Cancelled => "cancelled",
            GroupBuyStatus::Expired => "unsuccessful",
        }
    }

    /// `{amount, currency}` of `minor` in the pool's currency.
    fn value(&self, minor: i64) -> Value {
        let money = Money::from_minor(minor, self.group_buy.currency);
        json!({"amount": money.to_decimal(), "currency": self.group_buy.currency.code()})
    }
}

#[cfg(test)]
mod tests;
