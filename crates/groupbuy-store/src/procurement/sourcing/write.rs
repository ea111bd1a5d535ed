//! The synchronous changes of sourcing: a vendor's response, and settling.

use super::invoicing::invoicing_input;
use super::rows::{DocumentRow, ResponseRow, SettlementRow};
use super::schema::{
    procurement_documents as docs, procurement_settlements as stl,
    procurement_vendor_responses as rsp,
};
use super::{award_of, rfq_of};
use crate::convert::to_db_time;
use crate::db::{insert_if_absent, DbConnection};
use crate::error::StoreError;
use crate::procurement::changes::move_status;
use crate::procurement::{lock, record, viewer_of};
use diesel::prelude::*;
use groupbuy_domain::platform::ChangeContext;
use groupbuy_domain::procurement::{
    check_can_settle, document_number_prefix, respondable, settle_transition,
    submit_response as decide, DocumentId, GroupBuyId, ProcurementRefusal, ResponseFields,
    ResponseId, ResponseOutcome, SettlementId, SettlementView, SettlementViewer, SourcingRefusal,
};
use groupbuy_domain::Principal;
use uuid::Uuid;

/// Records the calling vendor's response (a new version of it), under the group buy's
/// row lock so two revisions of one vendor get consecutive versions.
pub(super) fn submit_response(
    conn: &mut DbConnection,
    caller: &Principal,
    id: GroupBuyId,
    fields: ResponseFields,
    ctx: &ChangeContext,
) -> Result<ResponseOutcome, StoreError> {
    let g = lock(conn, id)?;
    let (viewer, _) = viewer_of(conn, caller, &g)?;
    let rfq = rfq_of(conn, &g)?;
    let rfq = respondable(rfq.as_ref(), &g, &viewer, caller)?;
    let previous = rsp::table
        .filter(rsp::rfq_id.eq(rfq.id.to_string()))
        .filter(rsp::vendor_id.eq(&caller.user_id))
        .order(rsp::version.desc())
        .select(ResponseRow::as_select())
        .first(conn)
        .optional()?
        .map(|r| r.into_domain(g.currency))
        .transpose()?;
    let new_id = ResponseId::new(Uuid::new_v4());
    let decision = decide(rfq, &g, caller, fields, previous.as_ref(), new_id, ctx)?;
    let row = ResponseRow::from_domain(&decision.response);
    if insert_if_absent!(conn, rsp::table, &row)? != 1 {
        // Unreachable under the row lock; UNIQUE (rfq, vendor, version) is the backstop.
        return Err(ProcurementRefusal::ChangedConcurrently.into());
    }
    record(conn, decision.audit, &decision.events, ctx)?;
    Ok(ResponseOutcome {
        response: decision.response,
        created: decision.created,
    })
}

/// Settles the group buy's allocation: the settlement and its documents, SETTLED.
pub(super) fn settle(
    conn: &mut DbConnection,
    caller: &Principal,
    id: GroupBuyId,
    ctx: &ChangeContext,
) -> Result<SettlementView, StoreError> {
    let g = lock(conn, id)?;
    let (viewer, _) = viewer_of(conn, caller, &g)?;
    check_can_settle(&g, &viewer, caller)?;
    let award = award_of(conn, &g)?.ok_or(SourcingRefusal::AllocationNotFound)?;
    let rfq = rfq_of(conn, &g)?.ok_or(SourcingRefusal::RfqNotFound)?;
    // Read in the settling transaction, so the documents copy the parties as they stand
    // at COMMIT; a later edit of a party changes no issued document.
    let invoicing = invoicing_input(conn, &g, &award, &rfq)?;
    let mut mint = || DocumentId::new(Uuid::new_v4());
    let (settled, t) = settle_transition(
        &g,
        &g.org_id,
        &award,
        &rfq,
        SettlementId::new(Uuid::new_v4()),
        &document_number_prefix(&g),
        &mut mint,
        &invoicing,
        ctx,
    )?;
    if !move_status(conn, &g, &t.group_buy)? {
        return Err(ProcurementRefusal::ChangedConcurrently.into());
    }
    let row = SettlementRow {
        id: settled.id.to_string(),
        groupbuy_id: g.id.to_string(),
        allocation_id: settled.allocation_id.to_string(),
        currency: settled.currency.code().to_owned(),
        payables_minor: settled.totals.payables_minor,
        receivables_minor: settled.totals.receivables_minor,
        fees_minor: settled.totals.fees_minor,
        created_at: to_db_time(settled.created_at),
    };
    if insert_if_absent!(conn, stl::table, &row)? != 1 {
        // Unreachable past the status UPDATE; UNIQUE (groupbuy_id) is the backstop.
        return Err(ProcurementRefusal::ChangedConcurrently.into());
    }
    for d in &settled.documents {
        diesel::insert_into(docs::table)
            .values(DocumentRow::from_domain(d, settled.id, g.id)?)
            .execute(conn)?;
    }
    record(conn, t.audit, &t.events, ctx)?;
    Ok(SettlementView::new(&settled, &SettlementViewer::All))
}
