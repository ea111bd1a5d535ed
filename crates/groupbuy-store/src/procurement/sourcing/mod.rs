//! Procurement II (`/groupbuy/{id}/rfq`, `/allocate`, `/settle`, `/groupbuy/jobs`): the RFQ
//! and its responses, the allocation and the settlement, and the durable jobs that open
//! the RFQ and allocate. Like Procurement I, each use case is one transaction that takes
//! the group buy's row lock, lets the domain decide, and writes the decision with
//! conditional statements, audit entries after the group buy row's UPDATE, events to
//! the outbox.

mod invoicing;
mod jobs;
mod read;
mod rows;
pub(crate) mod schema;
mod stored;
mod write;

use super::rows::CommitmentRow;
use super::schema::procurement_commitments as cmt;
use crate::convert::{from_db_time, parse_currency};
use crate::db::{Database, DbConnection};
use crate::error::StoreError;
use crate::platform::as_text::AsText;
use diesel::prelude::*;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::platform::ChangeContext;
use groupbuy_domain::procurement::ocds::OcdsSource;
use groupbuy_domain::procurement::settlement::SettlementTotals;
use groupbuy_domain::procurement::{
    AllocationId, Award, AwardView, Commitment, CommitmentStatus, DocumentId, GroupBuy, GroupBuyId,
    IssuedDocument, Job, JobId, ResponseFields, ResponseOutcome, Rfq, RfqDraft, RfqView,
    SettlementId, SettlementRecord, SettlementView, SourcingRefusal, SourcingStore, VendorResponse,
};
use groupbuy_domain::{DomainError, Principal};
use rows::{AllocationRow, DocumentRow, ResponseRow, RfqRow, SettlementRow};
use schema::{
    procurement_allocations as alloc, procurement_documents as docs, procurement_rfqs as rfqs,
    procurement_settlements as stl, procurement_vendor_responses as rsp,
};
use time::{Duration, OffsetDateTime};

/// A sourcing refusal rolls the transaction back like any domain error.
impl From<SourcingRefusal> for StoreError {
    fn from(r: SourcingRefusal) -> Self {
        Self::Domain(r.into())
    }
}

/// The RFQ of `g`, if one was opened.
fn rfq_of(conn: &mut DbConnection, g: &GroupBuy) -> Result<Option<Rfq>, StoreError> {
    rfqs::table
        .filter(rfqs::groupbuy_id.eq(g.id.to_string()))
        .select(RfqRow::as_select())
        .first(conn)
        .optional()?
        .map(RfqRow::into_domain)
        .transpose()
}

/// The pools whose RFQ invited `vendor` (group buy ids). The vendors are a JSON list: a
/// text match narrows the rows, parsing each decides.
pub(super) fn pools_inviting(
    conn: &mut DbConnection,
    vendor: &str,
) -> Result<std::collections::BTreeSet<String>, StoreError> {
    // The id as the JSON text holds it (quotes included), LIKE's wildcards escaped.
    let quoted = serde_json::to_string(vendor).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let escaped = quoted
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    rfqs::table
        .filter(rfqs::vendors.like(format!("%{escaped}%")).escape('\\'))
        .select(RfqRow::as_select())
        .load::<RfqRow>(conn)?
        .into_iter()
        .map(RfqRow::into_domain)
        .filter_map(|r| match r {
            Ok(rfq) if rfq.invited(vendor).is_none() => None,
            Ok(rfq) => Some(Ok(rfq.groupbuy_id.to_string())),
            Err(e) => Some(Err(e)),
        })
        .collect()
}

/// Every version of every response to `rfq`, in arrival order.
fn responses_of(
    conn: &mut DbConnection,
    g: &GroupBuy,
    rfq: &Rfq,
) -> Result<Vec<VendorResponse>, StoreError> {
    rsp::table
        .filter(rsp::rfq_id.eq(rfq.id.to_string()))
        .order(rsp::seq.asc())
        .select(ResponseRow::as_select())
        .load::<ResponseRow>(conn)?
        .into_iter()
        .map(|r| r.into_domain(g.currency))
        .collect()
}

/// The ACTIVE commitments of `g`, oldest first: the order the allocation breaks ties by.
fn commitments_in_order(
    conn: &mut DbConnection,
    g: &GroupBuy,
) -> Result<Vec<Commitment>, StoreError> {
    cmt::table
        .filter(cmt::group_buy_id.eq(g.id.to_string()))
        .filter(cmt::status.eq(AsText(CommitmentStatus::Active)))
        .order(cmt::seq.asc())
        .select(CommitmentRow::as_select())
        .load::<CommitmentRow>(conn)?
        .into_iter()
        .map(|row| row.into_domain(g.currency))
        .collect()
}

/// The allocation of `g`, if written.
fn award_of(conn: &mut DbConnection, g: &GroupBuy) -> Result<Option<Award>, StoreError> {
    alloc::table
        .filter(alloc::groupbuy_id.eq(g.id.to_string()))
        .select(AllocationRow::as_select())
        .first(conn)
        .optional()?
        .map(AllocationRow::into_domain)
        .transpose()
}

/// The settlement of `g` with its documents in issue order, if settled.
fn settlement_of(
    conn: &mut DbConnection,
    g: &GroupBuy,
) -> Result<Option<SettlementRecord>, StoreError> {
    let Some(row) = stl::table
        .filter(stl::groupbuy_id.eq(g.id.to_string()))
        .select(SettlementRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let documents = docs::table
        .filter(docs::settlement_id.eq(&row.id))
        .order(docs::seq.asc())
        .select(DocumentRow::as_select())
        .load::<DocumentRow>(conn)?
        .into_iter()
        .map(DocumentRow::into_domain)
        .collect::<Result<Vec<IssuedDocument>, _>>()?;
    let corrupt = |what: &str, v: &str| StoreError::Corrupt(format!("{what} {v}"));
    Ok(Some(SettlementRecord {
        id: SettlementId::parse(&row.id).map_err(|_| corrupt("settlement id", &row.id))?,
        groupbuy_id: g.id,
        allocation_id: AllocationId::parse(&row.allocation_id)
            .map_err(|_| corrupt("allocation id", &row.allocation_id))?,
        currency: parse_currency(&row.currency)?,
        documents,
        totals: SettlementTotals {
            payables_minor: row.payables_minor,
            receivables_minor: row.receivables_minor,
            fees_minor: row.fees_minor,
        },
        created_at: from_db_time(row.created_at),
    }))
}

impl SourcingStore for Database {
    fn enqueue_rfq(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        draft: RfqDraft,
        if_match: Option<String>,
        ctx: &ChangeContext,
        answer: Answer<Job>,
    ) -> Result<Job, DomainError> {
        self.write_answered(answer, |conn| {
            jobs::enqueue_rfq(conn, caller, *id, &draft, if_match.as_deref(), ctx)
        })
    }

    fn enqueue_allocation(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        ctx: &ChangeContext,
        answer: Answer<Job>,
    ) -> Result<Job, DomainError> {
        self.write_answered(answer, |conn| {
            jobs::enqueue_allocation(conn, caller, *id, ctx)
        })
    }

    fn job(&self, caller: &Principal, job_id: &JobId) -> Result<Job, DomainError> {
        self.read(|conn| read::job(conn, caller, *job_id))
    }

    fn claim_job(&self, now: OffsetDateTime, lease: Duration) -> Result<Option<Job>, DomainError> {
        self.write_retrying(|conn| jobs::claim(conn, now, lease))
    }

    fn run_job(&self, job: Job, ctx: &ChangeContext) -> Result<Job, DomainError> {
        self.write(|conn| jobs::run(conn, &job, ctx))
    }

    fn rfq(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        now: OffsetDateTime,
    ) -> Result<RfqView, DomainError> {
        self.read(|conn| read::rfq(conn, caller, *id, now))
    }

    fn submit_response(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        fields: ResponseFields,
        ctx: &ChangeContext,
        answer: Answer<ResponseOutcome>,
    ) -> Result<ResponseOutcome, DomainError> {
        self.write_answered(answer, |conn| {
            write::submit_response(conn, caller, *id, fields, ctx)
        })
    }

    fn allocation(&self, caller: &Principal, id: &GroupBuyId) -> Result<AwardView, DomainError> {
        self.read(|conn| read::allocation(conn, caller, *id))
    }

    fn settle(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        ctx: &ChangeContext,
        answer: Answer<SettlementView>,
    ) -> Result<SettlementView, DomainError> {
        self.write_answered(answer, |conn| write::settle(conn, caller, *id, ctx))
    }

    fn settlement(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
    ) -> Result<SettlementView, DomainError> {
        self.read(|conn| read::settlement(conn, caller, *id))
    }

    fn document(
        &self,
        caller: &Principal,
        id: &GroupBuyId,
        doc_id: &DocumentId,
    ) -> Result<IssuedDocument, DomainError> {
        self.read(|conn| read::document(conn, caller, *id, *doc_id))
    }

    fn ocds(&self, caller: &Principal, id: &GroupBuyId) -> Result<OcdsSource, DomainError> {
        self.read(|conn| read::ocds(conn, caller, *id))
    }
}

#[cfg(test)]
mod tests;
