//! What `GET /groupbuy/{id}/rfq` shows each caller: the organiser the RFQ and every
//! vendor's latest response (prices sealed until the due date with `rules.sealed_bids`);
//! an invited vendor the items, the committed total and only its own latest response;
//! anyone else nothing (404).

use super::refusal::SourcingRefusal;
use super::rfq::{InvitedVendor, Rfq, RfqStatus};
use super::rfq_response::{latest_responses, VendorResponse, ROLE_VENDOR};
use crate::money::{Currency, Money};
use crate::principal::Principal;
use crate::procurement::access::Viewer;
use crate::procurement::group_buy::{GroupBuy, GroupBuyStatus, Item};
use crate::procurement::ids::{GroupBuyId, ResponseId, RfqId};
use time::OffsetDateTime;

/// How a caller stands toward an RFQ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RfqViewer {
    /// The organising organisation, or a platform admin.
    Organiser,
    /// An invited vendor, by id.
    Vendor(String),
}

impl RfqViewer {
    /// How `caller` stands toward `rfq` of `g`: the organiser first, then an invited vendor
    /// (role `vendor`, `sub` invited).
    ///
    /// # Errors
    /// `RfqNotFound` (404) for anyone else.
    pub fn of(caller: &Principal, g: &GroupBuy, rfq: &Rfq) -> Result<Self, SourcingRefusal> {
        if Viewer::of(caller, g, false).is_organiser_or_admin() {
            return Ok(Self::Organiser);
        }
        if caller.has_role(ROLE_VENDOR) && rfq.invited(&caller.user_id).is_some() {
            return Ok(Self::Vendor(caller.user_id.clone()));
        }
        Err(SourcingRefusal::RfqNotFound)
    }
}

/// Whether the organiser may see vendors' prices of `rfq` at `now`: always without
/// `rules.sealed_bids`; with it, only the due date unseals. Leaving SOURCING does not:
/// an allocation cannot come before the due date ([`crate::procurement::check_can_allocate`]), and a
/// group buy cancelled before it keeps its bids sealed for good (a cancelled group buy
/// never changes again, so `updated_at` is when it was cancelled).
pub fn prices_visible(g: &GroupBuy, rfq: &Rfq, now: OffsetDateTime) -> bool {
    let cancelled_sealed = g.status == GroupBuyStatus::Cancelled && g.updated_at < rfq.due_date;
    !g.rules.sealed_bids || (now >= rfq.due_date && !cancelled_sealed)
}

/// A response as a viewer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseView {
    /// `rsp_<uuid simple hex>`, the same for every version of the response.
    pub id: ResponseId,
    /// The vendor.
    pub vendor_id: String,
    /// Its latest version.
    pub version: i64,
    /// Price per unit; none while sealed.
    pub unit_price: Option<Money>,
    /// Units offered.
    pub available_quantity: i64,
    /// Until when the quote holds.
    pub valid_until: OffsetDateTime,
    /// Whether it still holds now (an allocation counts only these).
    pub valid: bool,
    /// Days from order to delivery.
    pub lead_time_days: Option<i64>,
    /// Free text; none while sealed (notes often repeat the price).
    pub notes: Option<String>,
    /// When this version arrived.
    pub submitted_at: OffsetDateTime,
}

impl ResponseView {
    fn new(r: &VendorResponse, sealed: bool, now: OffsetDateTime) -> Self {
        Self {
            id: r.id,
            vendor_id: r.vendor_id.clone(),
            version: r.version,
            unit_price: (!sealed).then_some(r.unit_price),
            available_quantity: r.available_quantity,
            valid_until: r.valid_until,
            valid: r.is_valid_at(now),
            lead_time_days: r.lead_time_days,
            notes: if sealed { None } else { r.notes.clone() },
            submitted_at: r.submitted_at,
        }
    }
}

/// An RFQ as one viewer may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RfqView {
    /// `rfq_<uuid simple hex>`; a group buy has at most one RFQ.
    pub id: RfqId,
    /// The group buy.
    pub groupbuy_id: GroupBuyId,
    /// OPEN or CLOSED now.
    pub status: RfqStatus,
    /// When responses close.
    pub due_date: OffsetDateTime,
    /// When it opened.
    pub opened_at: OffsetDateTime,
    /// Currency of the prices.
    pub currency: Currency,
    /// What one committed unit contains.
    pub items: Vec<Item>,
    /// Units to quote for.
    pub committed_quantity: i64,
    /// The invited vendors: the organiser only (vendors do not learn their competitors).
    pub vendors: Option<Vec<InvitedVendor>>,
    /// Latest response of each vendor the viewer may see, by vendor id.
    pub responses: Vec<ResponseView>,
    /// Whether prices are hidden from this viewer now.
    pub prices_sealed: bool,
}

impl RfqView {
    /// What `viewer` sees of `rfq` of `g` at `now`, `responses` being every version the
    /// store holds for it.
    pub fn new(
        rfq: &Rfq,
        g: &GroupBuy,
        viewer: &RfqViewer,
        responses: &[VendorResponse],
        now: OffsetDateTime,
    ) -> Self {
        let latest = latest_responses(responses)
            .into_iter()
            .filter(|r| r.rfq_id == rfq.id);
        let (vendors, sealed, shown): (_, bool, Vec<ResponseView>) = match viewer {
            RfqViewer::Organiser => {
                let sealed = !prices_visible(g, rfq, now);
                let shown = latest.map(|r| ResponseView::new(r, sealed, now)).collect();
                (Some(rfq.vendors.clone()), sealed, shown)
            }
            RfqViewer::Vendor(me) => {
                let shown = latest
                    .filter(|r| &r.vendor_id == me)
                    .map(|r| ResponseView::new(r, false, now))
                    .collect();
                (None, false, shown)
            }
        };
        Self {
            id: rfq.id,
            groupbuy_id: rfq.groupbuy_id,
            status: rfq.status(g, now),
            due_date: rfq.due_date,
            opened_at: rfq.opened_at,
            currency: g.currency,
            items: g.items.clone(),
            committed_quantity: g.committed_quantity,
            vendors,
            responses: shown,
            prices_sealed: sealed,
        }
    }
}
