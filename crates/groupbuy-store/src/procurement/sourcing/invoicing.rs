//! What settling reads besides the award: every party's data as it stands in the settling
//! transaction, the VAT each vendor's latest response stated, the members' purchase order
//! references and the items' unit code; the domain copies them into the documents.

use super::{commitments_in_order, responses_of};
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::procurement::party::profiles;
use groupbuy_domain::procurement::party::{PartyRef, UnitCode};
use groupbuy_domain::procurement::settlement::{invoice_step, InvoicingInput};
use groupbuy_domain::procurement::{latest_responses, Award, GroupBuy, Rfq};
use std::collections::BTreeSet;

/// The unit of the goods lines: the code every item names, when they name one and the same;
/// `C62` (one committed unit) otherwise.
fn unit_code(g: &GroupBuy) -> UnitCode {
    let codes: BTreeSet<Option<&str>> = g.items.iter().map(|i| i.unit_code.as_deref()).collect();
    match codes.into_iter().collect::<Vec<_>>().as_slice() {
        [Some(code)] => UnitCode::parse("unit_code", code).unwrap_or_else(|_| UnitCode::one()),
        _ => UnitCode::one(),
    }
}

/// The invoicing input of settling `award` of `g`.
pub(super) fn invoicing_input(
    conn: &mut DbConnection,
    g: &GroupBuy,
    award: &Award,
    rfq: &Rfq,
) -> Result<InvoicingInput, StoreError> {
    let mut wanted = BTreeSet::from([PartyRef::organisation(g.org_id.clone())]);
    for line in &award.plan.results {
        wanted.insert(PartyRef::organisation(line.member_id.clone()));
        wanted.insert(PartyRef::vendor(line.vendor_id.clone()));
    }
    let responses = responses_of(conn, g, rfq)?;
    let response_vat = latest_responses(&responses)
        .into_iter()
        .filter_map(|r| r.vat.map(|v| (r.vendor_id.clone(), v)))
        .collect();
    let buyer_references = commitments_in_order(conn, g)?
        .into_iter()
        .filter_map(|c| c.purchase_order_ref.map(|r| (c.member_id, r)))
        .collect();
    Ok(InvoicingInput {
        organiser: g.org_id.clone(),
        profiles: profiles(conn, &wanted)?,
        response_vat,
        fee_vat: g.rules.organiser_fee_vat,
        unit_code: unit_code(g),
        buyer_references,
        default_buyer_reference: g.id.to_string(),
        step: invoice_step(g.currency),
    })
}
