//! Reads of sourcing, each in one snapshot: a job, the RFQ, the allocation, the
//! settlement and one of its documents, as the caller may see them.

use super::{award_of, commitments_in_order, responses_of, rfq_of, settlement_of};
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::procurement::{find, viewer_of};
use groupbuy_domain::procurement::ocds::{require_ocds_reader, OcdsSource};
use groupbuy_domain::procurement::party::PartyRef;
use groupbuy_domain::procurement::{
    AwardView, AwardViewer, DocumentId, GroupBuy, GroupBuyId, IssuedDocument, Job, JobId, RfqView,
    RfqViewer, SettlementRecord, SettlementView, SettlementViewer, SourcingRefusal,
};
use groupbuy_domain::Principal;
use std::collections::BTreeSet;
use time::OffsetDateTime;

/// One job, for its organising organisation only.
pub(super) fn job(
    conn: &mut DbConnection,
    caller: &Principal,
    id: JobId,
) -> Result<Job, StoreError> {
    let job = super::jobs::load(conn, id)?;
    job.require_visible_to(caller)?;
    Ok(job)
}

/// The RFQ of `id` as the caller may see it at `now`.
pub(super) fn rfq(
    conn: &mut DbConnection,
    caller: &Principal,
    id: GroupBuyId,
    now: OffsetDateTime,
) -> Result<RfqView, StoreError> {
    let g = find(conn, id)?;
    let found = match rfq_of(conn, &g)? {
        Some(rfq) => RfqViewer::of(caller, &g, &rfq).map(|viewer| (rfq, viewer)),
        None => Err(SourcingRefusal::RfqNotFound),
    };
    let (rfq, viewer) = found.map_err(|refused| hidden_as_missing(conn, caller, &g, refused))?;
    let responses = responses_of(conn, &g, &rfq)?;
    Ok(RfqView::new(&rfq, &g, &viewer, &responses, now))
}

/// The allocation of `id` as the caller may see it.
pub(super) fn allocation(
    conn: &mut DbConnection,
    caller: &Principal,
    id: GroupBuyId,
) -> Result<AwardView, StoreError> {
    let g = find(conn, id)?;
    let found = match (award_of(conn, &g)?, rfq_of(conn, &g)?) {
        (Some(award), Some(rfq)) => {
            AwardViewer::of(caller, &g, &award, &rfq).map(|viewer| (award, viewer))
        }
        _ => Err(SourcingRefusal::AllocationNotFound),
    };
    let (award, viewer) = found.map_err(|refused| hidden_as_missing(conn, caller, &g, refused))?;
    Ok(AwardView::new(&award, &viewer))
}

/// What a refused reader of `g`'s sourcing learns: a caller who cannot see the pool
/// gets the missing pool's answer, so "RFQ not found" never tells it the pool exists.
fn hidden_as_missing(
    conn: &mut DbConnection,
    caller: &Principal,
    g: &GroupBuy,
    refused: SourcingRefusal,
) -> StoreError {
    match viewer_of(conn, caller, g) {
        Ok((viewer, _)) => match viewer.require_visible(g) {
            Ok(()) => refused.into(),
            Err(hidden) => hidden.into(),
        },
        Err(e) => e,
    }
}

/// The settlement of `id` and how the caller stands toward it; a pool the caller cannot
/// see is `GroupBuyNotFound` whether settled or not, unless it is party to a document.
fn settled(
    conn: &mut DbConnection,
    caller: &Principal,
    id: GroupBuyId,
) -> Result<(GroupBuy, SettlementRecord, SettlementViewer), StoreError> {
    let g = find(conn, id)?;
    let (pool_viewer, _) = viewer_of(conn, caller, &g)?;
    let Some(record) = settlement_of(conn, &g)? else {
        pool_viewer.require_visible(&g)?;
        return Err(SourcingRefusal::SettlementNotFound.into());
    };
    let viewer = SettlementViewer::of(caller, &pool_viewer, &g, &record)?;
    Ok((g, record, viewer))
}

/// The settlement of `id` as the caller may see it.
pub(super) fn settlement(
    conn: &mut DbConnection,
    caller: &Principal,
    id: GroupBuyId,
) -> Result<SettlementView, StoreError> {
    let (_, record, viewer) = settled(conn, caller, id)?;
    Ok(SettlementView::new(&record, &viewer))
}

/// One document of `id`'s settlement, if the caller may see it.
pub(super) fn document(
    conn: &mut DbConnection,
    caller: &Principal,
    id: GroupBuyId,
    doc_id: DocumentId,
) -> Result<IssuedDocument, StoreError> {
    let (_, record, viewer) = settled(conn, caller, id)?;
    Ok(viewer.document(&record, doc_id)?.clone())
}

/// What `id`'s OCDS package is built from, in this one snapshot: the pool, its members
/// (ids only), the RFQ and who responded, the allocation, the settlement, and the data of
/// every party named.
pub(super) fn ocds(
    conn: &mut DbConnection,
    caller: &Principal,
    id: GroupBuyId,
) -> Result<OcdsSource, StoreError> {
    let g = find(conn, id)?;
    let (viewer, _) = viewer_of(conn, caller, &g)?;
    require_ocds_reader(&viewer, &g)?;
    let members: Vec<String> = commitments_in_order(conn, &g)?
        .into_iter()
        .map(|c| c.member_id)
        .collect();
    let rfq = rfq_of(conn, &g)?;
    let mut respondents: Vec<String> = Vec::new();
    if let Some(rfq) = &rfq {
        for r in responses_of(conn, &g, rfq)? {
            if !respondents.contains(&r.vendor_id) {
                respondents.push(r.vendor_id);
            }
        }
    }
    let mut wanted: BTreeSet<PartyRef> = members.iter().map(PartyRef::organisation).collect();
    wanted.insert(PartyRef::organisation(&g.org_id));
    wanted.extend(respondents.iter().map(PartyRef::vendor));
    let parties = crate::procurement::party::profiles(conn, &wanted)?;
    Ok(OcdsSource {
        members,
        rfq,
        respondents,
        award: award_of(conn, &g)?,
        settlement: settlement_of(conn, &g)?,
        parties,
        group_buy: g,
    })
}
