//! A vendor's response to an RFQ: its quote for the committed total, revisable until the
//! due date while the group buy is SOURCING. Each revision is a new version of the same
//! response (same id); the store keeps every version, and the latest one counts.

use super::refusal::SourcingRefusal;
use super::rfq::Rfq;
use crate::error::DomainError;
use crate::money::Money;
use crate::platform::{rfc3339, AuditDraft, ChangeContext, DomainEvent, EventType};
use crate::principal::Principal;
use crate::procurement::access::Viewer;
use crate::procurement::draft::units;
use crate::procurement::events::{audit, organiser, AuditAction};
use crate::procurement::group_buy::{GroupBuy, GroupBuyStatus};
use crate::procurement::ids::{ResponseId, RfqId};
use crate::procurement::party::Vat;
use crate::procurement::refusal::At;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// The role of a vendor's tokens (their `sub` is its `vendor_id`).
pub const ROLE_VENDOR: &str = "vendor";
/// The longest lead time a vendor may quote, in days.
pub const MAX_LEAD_TIME_DAYS: i64 = 365;
/// The longest notes of a response, in characters.
pub const MAX_NOTES: usize = 2000;

/// `POST /groupbuy/{id}/rfq/responses` as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseFields {
    /// Price per committed unit, in the currency's decimals (> 0).
    pub unit_price: Decimal,
    /// Units the vendor can supply (at least 1).
    pub available_quantity: i64,
    /// Until when the quote holds (in the future).
    pub valid_until: OffsetDateTime,
    /// Days from order to delivery (0-365), when it says.
    pub lead_time_days: Option<i64>,
    /// Free text (at most 2000 characters); blank is none.
    pub notes: Option<String>,
    /// The VAT category (UNCL5305) and rate (percent) of the price, when it says.
    pub vat: Option<(String, Option<Decimal>)>,
}

/// A validated response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseDraft {
    /// Price per committed unit, in the group buy's currency.
    pub unit_price: Money,
    /// Units offered.
    pub available_quantity: i64,
    /// Until when the quote holds.
    pub valid_until: OffsetDateTime,
    /// Days from order to delivery.
    pub lead_time_days: Option<i64>,
    /// Free text.
    pub notes: Option<String>,
    /// The VAT of the price.
    pub vat: Option<Vat>,
}

impl ResponseDraft {
    /// Validates a response in `g`'s currency at `now`, naming the first bad field. A
    /// quote may lapse before the due date (`valid_until` need only be in the future): it
    /// then simply stops counting for the allocation.
    ///
    /// # Errors
    /// `Validation` (422) on `unit_price`, `available_quantity`, `valid_until`,
    /// `lead_time_days` or `notes`.
    pub fn parse(
        f: ResponseFields,
        g: &GroupBuy,
        now: OffsetDateTime,
    ) -> Result<Self, DomainError> {
        let unit_price = Money::positive(f.unit_price, g.currency, "unit_price")?;
        let available_quantity = units("available_quantity", f.available_quantity)?;
        if f.valid_until <= now {
            return Err(DomainError::invalid(
                "valid_until",
                "valid_until must be in the future",
            ));
        }
        if f.lead_time_days
            .is_some_and(|d| !(0..=MAX_LEAD_TIME_DAYS).contains(&d))
        {
            return Err(DomainError::invalid(
                "lead_time_days",
                format!("lead_time_days must be an integer from 0 to {MAX_LEAD_TIME_DAYS}"),
            ));
        }
        let notes = f.notes.filter(|n| !n.trim().is_empty());
        if notes
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_NOTES)
        {
            return Err(DomainError::invalid(
                "notes",
                format!("notes must be at most {MAX_NOTES} characters"),
            ));
        }
        let vat = f.vat.map(|(c, r)| Vat::parse("vat", &c, r)).transpose()?;
        Ok(Self {
            unit_price,
            available_quantity,
            valid_until: f.valid_until,
            lead_time_days: f.lead_time_days,
            notes,
            vat,
        })
    }
}

/// One version of a vendor's response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorResponse {
    /// Id, the same for every version.
    pub id: ResponseId,
    /// The RFQ.
    pub rfq_id: RfqId,
    /// The responding vendor.
    pub vendor_id: String,
    /// 1 for the first, + 1 per revision.
    pub version: i64,
    /// Price per committed unit.
    pub unit_price: Money,
    /// Units offered.
    pub available_quantity: i64,
    /// Until when the quote holds.
    pub valid_until: OffsetDateTime,
    /// Days from order to delivery.
    pub lead_time_days: Option<i64>,
    /// Free text.
    pub notes: Option<String>,
    /// The VAT of the price (the vendor's `default_vat` applies when none).
    pub vat: Option<Vat>,
    /// When this version arrived.
    pub submitted_at: OffsetDateTime,
}

impl VendorResponse {
    /// Whether the quote still holds at `now` (`valid_until` not passed).
    pub fn is_valid_at(&self, now: OffsetDateTime) -> bool {
        now <= self.valid_until
    }
}

/// The latest version of each vendor's response among `all` (any versions, any order),
/// by vendor id.
pub fn latest_responses(all: &[VendorResponse]) -> Vec<&VendorResponse> {
    let mut latest: BTreeMap<&str, &VendorResponse> = BTreeMap::new();
    for r in all {
        let newer = latest
            .get(r.vendor_id.as_str())
            .is_none_or(|seen| r.version > seen.version);
        if newer {
            latest.insert(&r.vendor_id, r);
        }
    }
    latest.into_values().collect()
}

/// What a response decided.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseDecision {
    /// The new version.
    pub response: VendorResponse,
    /// The vendor's first response (201); a revision otherwise (200).
    pub created: bool,
    /// `vendor.response.received`, for the organiser.
    pub events: Vec<DomainEvent>,
    /// `rfq.response` on the group buy's chain.
    pub audit: Vec<AuditDraft>,
}

/// `data` of `vendor.response.received`. With `rules.sealed_bids` the price stays out
/// until the due date (the organiser receives this event).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseReceivedData {
    /// `gb_...`.
    pub groupbuy_id: String,
    /// `rfq_...`.
    pub rfq_id: String,
    /// `rsp_...`.
    pub response_id: String,
    /// The vendor.
    pub vendor_id: String,
    /// Its name as invited.
    pub vendor_name: String,
    /// This version.
    pub version: i64,
    /// Price per unit, none while bids are sealed.
    pub unit_price: Option<Decimal>,
    /// Currency code.
    pub currency: String,
    /// Units offered.
    pub available_quantity: i64,
    /// RFC 3339.
    pub valid_until: String,
    /// Days from order to delivery.
    pub lead_time_days: Option<i64>,
    /// RFC 3339: when it arrived.
    pub at: String,
}

/// The invited vendor that `caller` is: role `vendor`, `sub` among `rfq`'s vendors.
///
/// # Errors
/// `VendorOnly` (403) without the role; `RfqNotFound` (404) when not invited.
pub fn invited_vendor<'a>(rfq: &'a Rfq, caller: &Principal) -> Result<&'a str, SourcingRefusal> {
    if !caller.has_role(ROLE_VENDOR) {
        return Err(SourcingRefusal::VendorOnly);
    }
    rfq.invited(&caller.user_id)
        .map(|v| v.vendor_id.as_str())
        .ok_or(SourcingRefusal::RfqNotFound)
}

/// The RFQ of `g` that `caller` (seeing `g` as `viewer`) may respond to. A caller that
/// cannot see `g` and is not one of its invited vendors learns nothing more than for a
/// missing pool: no 403 for the role, no `RFQ not found`.
///
/// # Errors
/// `GroupBuyNotFound` (404) as above; else `RfqNotFound` (404) without an RFQ.
pub fn respondable<'a>(
    rfq: Option<&'a Rfq>,
    g: &GroupBuy,
    viewer: &Viewer,
    caller: &Principal,
) -> Result<&'a Rfq, SourcingRefusal> {
    let invited = rfq.is_some_and(|r| invited_vendor(r, caller).is_ok());
    if !invited {
        viewer.require_visible(g)?;
    }
    rfq.ok_or(SourcingRefusal::RfqNotFound)
}

/// Records `caller`'s response to `rfq` of `g`, its first (`previous` none, id `new_id`)
/// or a revision of `previous` (its latest version; same id, version + 1). Checked in this
/// order: vendor role (403), invited (404), `g` still SOURCING (409), before the due date
/// (409), the fields (422).
///
/// # Errors
/// The refusals above.
pub fn submit_response(
    rfq: &Rfq,
    g: &GroupBuy,
    caller: &Principal,
    fields: ResponseFields,
    previous: Option<&VendorResponse>,
    new_id: ResponseId,
    ctx: &ChangeContext,
) -> Result<ResponseDecision, DomainError> {
    let vendor_id = invited_vendor(rfq, caller)?;
    if g.status != GroupBuyStatus::Sourcing {
        return Err(SourcingRefusal::NoLongerSourcing(g.status).into());
    }
    if ctx.now >= rfq.due_date {
        return Err(SourcingRefusal::RfqClosed(At(rfq.due_date)).into());
    }
    let draft = ResponseDraft::parse(fields, g, ctx.now)?;
    let previous = previous.filter(|p| p.vendor_id == vendor_id && p.rfq_id == rfq.id);
    let response = VendorResponse {
        id: previous.map_or(new_id, |p| p.id),
        rfq_id: rfq.id,
        vendor_id: vendor_id.to_owned(),
        version: previous.map_or(1, |p| p.version + 1),
        unit_price: draft.unit_price,
        available_quantity: draft.available_quantity,
        valid_until: draft.valid_until,
        lead_time_days: draft.lead_time_days,
        notes: draft.notes,
        vat: draft.vat,
        submitted_at: ctx.now,
    };
    let sealed = g.rules.sealed_bids;
    let data = ResponseReceivedData {
        groupbuy_id: g.id.to_string(),
        rfq_id: rfq.id.to_string(),
        response_id: response.id.to_string(),
        vendor_id: response.vendor_id.clone(),
        vendor_name: rfq
            .invited(vendor_id)
            .map_or_else(|| vendor_id.to_owned(), |v| v.name.clone()),
        version: response.version,
        unit_price: (!sealed).then(|| response.unit_price.to_decimal()),
        currency: g.currency.code().to_owned(),
        available_quantity: response.available_quantity,
        valid_until: rfc3339(response.valid_until),
        lead_time_days: response.lead_time_days,
        at: rfc3339(ctx.now),
    };
    let said = DomainEvent::new(
        EventType::VendorResponseReceived,
        g.subject(),
        organiser(g),
        &data,
    );
    // The chain is readable by the organiser: it records that a quote arrived, never its
    // price (the versions themselves keep that), so sealed bids stay sealed.
    let details = json!({
        "rfq_id": rfq.id.to_string(),
        "response_id": response.id.to_string(),
        "vendor_id": response.vendor_id,
        "version": response.version,
        "available_quantity": response.available_quantity,
        "valid_until": rfc3339(response.valid_until),
    });
    let entry = audit(
        g,
        AuditAction::RfqResponse,
        Some(g.status),
        None,
        details,
        ctx,
    );
    Ok(ResponseDecision {
        created: response.version == 1,
        response,
        events: vec![said],
        audit: vec![entry],
    })
}

#[cfg(test)]
#[path = "rfq_response_tests.rs"]
pub(crate) mod tests;
