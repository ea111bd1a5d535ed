//! The request for quotation: the organiser invites vendors to quote for the committed
//! total by a due date. Checked before its job is queued ([`check_can_open_rfq`]), opened
//! by the job ([`open_rfq`]): OPEN -> SOURCING, commitments close, `rfq.opened`.

use super::refusal::SourcingRefusal;
use crate::error::DomainError;
use crate::names::closed_set;
use crate::platform::{rfc3339, ChangeContext, DomainEvent, EventType};
pub use crate::principal::SCOPE_PROCUREMENT_WRITE;
use crate::procurement::access::Viewer;
use crate::procurement::draft::text;
use crate::procurement::events::organiser;
use crate::procurement::group_buy::{Action, GroupBuy, GroupBuyStatus};
use crate::procurement::ids::{GroupBuyId, RfqId};
use crate::procurement::lifecycle::{check_if_match, Transition};
use crate::procurement::notify::rfq_invitations;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// The most vendors one RFQ invites.
pub const MAX_VENDORS: usize = 50;
/// The longest vendor id, name or contact.
pub const MAX_VENDOR_TEXT: usize = 200;

/// A vendor the RFQ invites; its `vendor_id` is the `sub` of the vendor's tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitedVendor {
    /// The vendor's id (its tokens' `sub`), unique within the RFQ.
    pub vendor_id: String,
    /// Display name (1-200 characters), printed on its payable.
    pub name: String,
    /// How to reach it (at most 200 characters), when given.
    #[serde(default)]
    pub contact: Option<String>,
}

/// A validated RFQ request: also the payload of its job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RfqDraft {
    /// 1-50 vendors, unique ids, trimmed texts.
    pub vendors: Vec<InvitedVendor>,
    /// When responses close; in the future when asked.
    #[serde(with = "time::serde::rfc3339")]
    pub due_date: OffsetDateTime,
}

impl RfqDraft {
    /// Validates `POST /groupbuy/{id}/rfq` at `now`, naming the first bad field
    /// (`vendors`, `vendors[i].vendor_id`, `vendors[i].name`, `vendors[i].contact`,
    /// `due_date`).
    ///
    /// # Errors
    /// `Validation` (422).
    pub fn parse(
        vendors: Vec<InvitedVendor>,
        due_date: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Self, DomainError> {
        if vendors.is_empty() || vendors.len() > MAX_VENDORS {
            return Err(DomainError::invalid(
                "vendors",
                format!("vendors must list between 1 and {MAX_VENDORS} vendors"),
            ));
        }
        let mut parsed: Vec<InvitedVendor> = Vec::with_capacity(vendors.len());
        for (i, v) in vendors.into_iter().enumerate() {
            let field = format!("vendors[{i}].vendor_id");
            let vendor_id = text(&field, &v.vendor_id, MAX_VENDOR_TEXT)?;
            if let Some(j) = parsed.iter().position(|p| p.vendor_id == vendor_id) {
                return Err(DomainError::invalid(
                    &field,
                    format!("{field} {vendor_id} is already vendors[{j}]; each vendor_id must be unique"),
                ));
            }
            let name = text(&format!("vendors[{i}].name"), &v.name, MAX_VENDOR_TEXT)?;
            let contact = v
                .contact
                .filter(|c| !c.trim().is_empty())
                .map(|c| text(&format!("vendors[{i}].contact"), &c, MAX_VENDOR_TEXT))
                .transpose()?;
            parsed.push(InvitedVendor {
                vendor_id,
                name,
                contact,
            });
        }
        if due_date <= now {
            return Err(DomainError::invalid(
                "due_date",
                "due_date must be in the future",
            ));
        }
        Ok(Self {
            vendors: parsed,
            due_date,
        })
    }

    /// The job's payload.
    pub fn to_payload(&self) -> Value {
        // Strings and an RFC 3339 instant: serializing cannot fail.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The draft a job's payload holds.
    ///
    /// # Errors
    /// `Internal` when the payload is not one (a bug: only [`RfqDraft::to_payload`] writes it).
    pub fn from_payload(payload: &Value) -> Result<Self, DomainError> {
        serde_json::from_value(payload.clone())
            .map_err(|e| DomainError::Internal(format!("RFQ job payload: {e}")))
    }
}

closed_set! {
    /// Whether an RFQ takes responses.
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "UPPERCASE")]
    #[strum(serialize_all = "UPPERCASE")]
    pub enum RfqStatus {
        /// Before its due date, while the group buy is SOURCING.
        Open,
        /// Past its due date, or the group buy left SOURCING.
        Closed,
    }
}

/// An opened RFQ (one per group buy). Its status is not stored: it follows from the due
/// date and the group buy's status ([`Rfq::status`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rfq {
    /// `rfq_<uuid simple hex>`, given when the RFQ is opened.
    pub id: RfqId,
    /// The group buy it sources.
    pub groupbuy_id: GroupBuyId,
    /// The invited vendors, in the request's order.
    pub vendors: Vec<InvitedVendor>,
    /// When responses close.
    pub due_date: OffsetDateTime,
    /// When the job opened it.
    pub opened_at: OffsetDateTime,
}

impl Rfq {
    /// OPEN while `g` is SOURCING and `now` is before the due date; CLOSED otherwise.
    pub fn status(&self, g: &GroupBuy, now: OffsetDateTime) -> RfqStatus {
        if g.status == GroupBuyStatus::Sourcing && now < self.due_date {
            RfqStatus::Open
        } else {
            RfqStatus::Closed
        }
    }

    /// The invited vendor of `vendor_id`, if invited.
    pub fn invited(&self, vendor_id: &str) -> Option<&InvitedVendor> {
        self.vendors.iter().find(|v| v.vendor_id == vendor_id)
    }

    /// Display names by vendor id, as settlement documents print them.
    pub fn vendor_names(&self) -> BTreeMap<String, String> {
        self.vendors
            .iter()
            .map(|v| (v.vendor_id.clone(), v.name.clone()))
            .collect()
    }
}

/// Whether `g`'s facts allow an RFQ now: OPEN, with a commitment, and the target reached
/// unless `rules.allow_partial`.
///
/// # Errors
/// `InvalidTransition`, `NoCommitments`, `TargetNotReached` (409).
fn check_sourceable(g: &GroupBuy) -> Result<(), SourcingRefusal> {
    g.check_action(Action::Rfq)?;
    if g.members == 0 || g.committed_quantity == 0 {
        return Err(SourcingRefusal::NoCommitments);
    }
    if g.committed_quantity < g.target_quantity && !g.rules.allow_partial {
        return Err(SourcingRefusal::TargetNotReached {
            committed: g.committed_quantity,
            target: g.target_quantity,
        });
    }
    Ok(())
}

/// Checks `POST /groupbuy/{id}/rfq` before its job is queued, in this order: visible
/// (404), organiser (403), `If-Match` (412), OPEN (409 naming the status), a commitment
/// (409), target reached unless `rules.allow_partial` (409). An RFQ may open before the
/// deadline once the target is reached (the organiser closes commitments early).
///
/// # Errors
/// The refusals above.
pub fn check_can_open_rfq(
    g: &GroupBuy,
    viewer: &Viewer,
    if_match: Option<&str>,
) -> Result<(), SourcingRefusal> {
    viewer.require_organiser(g, "open an RFQ for this group buy")?;
    check_if_match(g.version, if_match)?;
    check_sourceable(g)
}

/// `data` of `rfq.opened`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RfqOpenedData {
    /// `gb_...`.
    pub groupbuy_id: String,
    /// `rfq_...`.
    pub rfq_id: String,
    /// The group buy's status now (`SOURCING`).
    pub status: String,
    /// The invited vendors.
    pub vendors: Vec<InvitedVendor>,
    /// RFC 3339: when responses close.
    pub due_date: String,
    /// Units the vendors quote for.
    pub committed_quantity: i64,
    /// Committed organisations.
    pub members: i64,
    /// The group buy's version after the change.
    pub version: i64,
    /// RFC 3339: when it happened.
    pub at: String,
}

/// Opens the RFQ `id` of `draft` for `g` (the job, acting for the organising `org_id`):
/// SOURCING, commitments closed, `rfq.opened`, audit `rfq`. The facts are checked again,
/// as they may have changed since the job was queued; the job fails with the text.
///
/// # Errors
/// `InvalidTransition`, `NoCommitments`, `TargetNotReached` (409); `Validation` on
/// `due_date` when it passed while the job waited.
pub fn open_rfq(
    g: &GroupBuy,
    org_id: &str,
    draft: RfqDraft,
    id: RfqId,
    ctx: &ChangeContext,
) -> Result<(Rfq, Transition), DomainError> {
    check_sourceable(g)?;
    if draft.due_date <= ctx.now {
        return Err(DomainError::invalid(
            "due_date",
            "due_date must be in the future",
        ));
    }
    let rfq = Rfq {
        id,
        groupbuy_id: g.id,
        vendors: draft.vendors,
        due_date: draft.due_date,
        opened_at: ctx.now,
    };
    let details = json!({
        "rfq_id": rfq.id.to_string(),
        "vendors": rfq.vendors.iter().map(|v| v.vendor_id.as_str()).collect::<Vec<_>>(),
        "due_date": rfc3339(rfq.due_date),
        "committed_quantity": g.committed_quantity,
        "members": g.members,
    });
    let (next, entry) = g
        .advance(Action::Rfq, Some(org_id), details, ctx)
        .map_err(DomainError::from)?;
    let data = RfqOpenedData {
        groupbuy_id: next.id.to_string(),
        rfq_id: rfq.id.to_string(),
        status: next.status.as_str().to_owned(),
        vendors: rfq.vendors.clone(),
        due_date: rfc3339(rfq.due_date),
        committed_quantity: next.committed_quantity,
        members: next.members,
        version: next.version,
        at: rfc3339(ctx.now),
    };
    let said = DomainEvent::new(
        EventType::RfqOpened,
        next.subject(),
        organiser(&next),
        &data,
    );
    let mut events = vec![said];
    events.extend(rfq_invitations(&next, &rfq, ctx));
    Ok((
        rfq,
        Transition {
            group_buy: next,
            events,
            audit: vec![entry],
        },
    ))
}

#[cfg(test)]
#[path = "rfq_tests.rs"]
pub(crate) mod tests;
