//! Rows of the sourcing tables and their conversion to and from the domain.

use super::schema::{
    procurement_allocations, procurement_documents, procurement_jobs, procurement_rfqs,
    procurement_settlements, procurement_vendor_responses,
};
use super::stored::{from_json, to_json, StoredDocument, StoredPlan};
use crate::convert::{from_db_time, to_db_time};
use crate::error::StoreError;
use crate::platform::as_text::AsText;
use diesel::prelude::*;
use groupbuy_domain::procurement::party::{Vat, VatCategory};
use groupbuy_domain::procurement::settlement::DocumentKind;
use groupbuy_domain::procurement::{
    AllocationId, Award, DocumentId, GroupBuyId, IssuedDocument, Job, JobId, JobStatus, JobType,
    ResponseId, Rfq, RfqId, SettlementId, VendorResponse,
};
use groupbuy_domain::{Currency, Money};
use time::PrimitiveDateTime;

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value}"))
}

fn gb_id(s: &str) -> Result<GroupBuyId, StoreError> {
    GroupBuyId::parse(s).map_err(|_| corrupt("group buy id", s))
}

/// A `procurement_jobs` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = procurement_jobs)]
pub(super) struct JobRow {
    // Loaded with the claim's `all_columns`; the order of claims, never read.
    #[allow(dead_code)]
    #[diesel(skip_insertion)]
    pub seq: i64,
    pub id: String,
    pub job_type: AsText<JobType>,
    pub status: AsText<JobStatus>,
    pub groupbuy_id: String,
    pub org_id: String,
    pub requested_by: String,
    pub request_id: String,
    pub payload: String,
    pub result_url: Option<String>,
    pub error: Option<String>,
    pub attempts: i32,
    pub locked_until: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
    pub started_at: Option<PrimitiveDateTime>,
    pub finished_at: Option<PrimitiveDateTime>,
}

impl JobRow {
    pub fn from_domain(j: &Job) -> Result<Self, StoreError> {
        Ok(Self {
            seq: 0,
            id: j.id.to_string(),
            job_type: AsText(j.job_type),
            status: AsText(j.status),
            groupbuy_id: j.groupbuy_id.to_string(),
            org_id: j.org_id.clone(),
            requested_by: j.requested_by.clone(),
            request_id: j.request_id.clone(),
            payload: to_json(&j.payload)?,
            result_url: j.result_url.clone(),
            error: j.error.clone(),
            attempts: j.attempts,
            locked_until: None,
            created_at: to_db_time(j.created_at),
            started_at: j.started_at.map(to_db_time),
            finished_at: j.finished_at.map(to_db_time),
        })
    }

    pub fn into_domain(self) -> Result<Job, StoreError> {
        Ok(Job {
            id: JobId::parse(&self.id).map_err(|_| corrupt("job id", &self.id))?,
            job_type: self.job_type.0,
            status: self.status.0,
            groupbuy_id: gb_id(&self.groupbuy_id)?,
            org_id: self.org_id,
            requested_by: self.requested_by,
            request_id: self.request_id,
            payload: from_json("job payload", &self.payload)?,
            result_url: self.result_url,
            error: self.error,
            attempts: self.attempts,
            created_at: from_db_time(self.created_at),
            started_at: self.started_at.map(from_db_time),
            finished_at: self.finished_at.map(from_db_time),
        })
    }
}

/// A `procurement_rfqs` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = procurement_rfqs)]
pub(super) struct RfqRow {
    pub id: String,
    pub groupbuy_id: String,
    pub vendors: String,
    pub due_date: PrimitiveDateTime,
    pub opened_at: PrimitiveDateTime,
}

impl RfqRow {
    pub fn from_domain(r: &Rfq) -> Result<Self, StoreError> {
        Ok(Self {
            id: r.id.to_string(),
            groupbuy_id: r.groupbuy_id.to_string(),
            vendors: to_json(&r.vendors)?,
            due_date: to_db_time(r.due_date),
            opened_at: to_db_time(r.opened_at),
        })
    }

    pub fn into_domain(self) -> Result<Rfq, StoreError> {
        Ok(Rfq {
            id: RfqId::parse(&self.id).map_err(|_| corrupt("rfq id", &self.id))?,
            groupbuy_id: gb_id(&self.groupbuy_id)?,
            vendors: from_json("rfq vendors", &self.vendors)?,
            due_date: from_db_time(self.due_date),
            opened_at: from_db_time(self.opened_at),
        })
    }
}

/// A `procurement_vendor_responses` row: one version.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = procurement_vendor_responses)]
pub(super) struct ResponseRow {
    pub id: String,
    pub rfq_id: String,
    pub vendor_id: String,
    pub version: i64,
    pub unit_price_minor: i64,
    pub available_quantity: i64,
    pub valid_until: PrimitiveDateTime,
    pub lead_time_days: Option<i64>,
    pub notes: Option<String>,
    pub submitted_at: PrimitiveDateTime,
    pub vat_category: Option<AsText<VatCategory>>,
    pub vat_rate_hundredths: Option<i64>,
}

impl ResponseRow {
    pub fn from_domain(r: &VendorResponse) -> Self {
        Self {
            id: r.id.to_string(),
            rfq_id: r.rfq_id.to_string(),
            vendor_id: r.vendor_id.clone(),
            version: r.version,
            unit_price_minor: r.unit_price.minor(),
            available_quantity: r.available_quantity,
            valid_until: to_db_time(r.valid_until),
            lead_time_days: r.lead_time_days,
            notes: r.notes.clone(),
            submitted_at: to_db_time(r.submitted_at),
            vat_category: r.vat.map(|v| AsText(v.category)),
            vat_rate_hundredths: r.vat.map(|v| i64::from(v.rate_hundredths)),
        }
    }

    /// The version, its price in the group buy's `currency`.
    pub fn into_domain(self, currency: Currency) -> Result<VendorResponse, StoreError> {
        Ok(VendorResponse {
            id: ResponseId::parse(&self.id).map_err(|_| corrupt("response id", &self.id))?,
            rfq_id: RfqId::parse(&self.rfq_id).map_err(|_| corrupt("rfq id", &self.rfq_id))?,
            vendor_id: self.vendor_id,
            version: self.version,
            unit_price: Money::from_minor(self.unit_price_minor, currency),
            available_quantity: self.available_quantity,
            valid_until: from_db_time(self.valid_until),
            lead_time_days: self.lead_time_days,
            notes: self.notes,
            vat: match (self.vat_category, self.vat_rate_hundredths) {
                (Some(AsText(category)), Some(rate)) => Some(Vat {
                    category,
                    rate_hundredths: u32::try_from(rate)
                        .map_err(|_| corrupt("vat rate", &rate.to_string()))?,
                }),
                _ => None,
            },
            submitted_at: from_db_time(self.submitted_at),
        })
    }
}

/// A `procurement_allocations` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = procurement_allocations)]
pub(super) struct AllocationRow {
    pub id: String,
    pub groupbuy_id: String,
    pub rfq_id: String,
    pub plan: String,
    pub created_at: PrimitiveDateTime,
}

impl AllocationRow {
    pub fn from_domain(a: &Award) -> Result<Self, StoreError> {
        Ok(Self {
            id: a.id.to_string(),
            groupbuy_id: a.groupbuy_id.to_string(),
            rfq_id: a.rfq_id.to_string(),
            plan: to_json(&StoredPlan::of(&a.plan))?,
            created_at: to_db_time(a.created_at),
        })
    }

    pub fn into_domain(self) -> Result<Award, StoreError> {
        let plan: StoredPlan = from_json("allocation plan", &self.plan)?;
        Ok(Award {
            id: AllocationId::parse(&self.id).map_err(|_| corrupt("allocation id", &self.id))?,
            groupbuy_id: gb_id(&self.groupbuy_id)?,
            rfq_id: RfqId::parse(&self.rfq_id).map_err(|_| corrupt("rfq id", &self.rfq_id))?,
            plan: plan.into_domain()?,
            created_at: from_db_time(self.created_at),
        })
    }
}

/// A `procurement_settlements` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = procurement_settlements)]
pub(super) struct SettlementRow {
    pub id: String,
    pub groupbuy_id: String,
    pub allocation_id: String,
    pub currency: String,
    pub payables_minor: i64,
    pub receivables_minor: i64,
    pub fees_minor: i64,
    pub created_at: PrimitiveDateTime,
}

/// A `procurement_documents` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = procurement_documents)]
pub(super) struct DocumentRow {
    pub id: String,
    pub settlement_id: String,
    pub groupbuy_id: String,
    pub kind: AsText<DocumentKind>,
    pub number: String,
    pub counterparty: String,
    pub body: String,
    pub total_minor: i64,
}

impl DocumentRow {
    pub fn from_domain(
        d: &IssuedDocument,
        settlement: SettlementId,
        g: GroupBuyId,
    ) -> Result<Self, StoreError> {
        Ok(Self {
            id: d.id.to_string(),
            settlement_id: settlement.to_string(),
            groupbuy_id: g.to_string(),
            kind: AsText(d.document.kind),
            number: d.document.number.clone(),
            counterparty: d.document.counterparty.clone(),
            body: to_json(&StoredDocument::of(&d.document))?,
            total_minor: d.document.total_minor,
        })
    }

    pub fn into_domain(self) -> Result<IssuedDocument, StoreError> {
        let body: StoredDocument = from_json("document body", &self.body)?;
        Ok(IssuedDocument {
            id: DocumentId::parse(&self.id).map_err(|_| corrupt("document id", &self.id))?,
            document: body.into_domain(
                self.kind.0,
                self.number,
                self.counterparty,
                self.total_minor,
            )?,
        })
    }
}
