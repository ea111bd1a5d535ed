//! The JSON the sourcing tables keep for an allocation plan and a settlement document. The
//! domain's types carry no serde (they are not wire types): these mirror them field by
//! field, so a plan or a document reads back exactly as it was written.

use crate::convert::parse_currency;
use crate::error::StoreError;
use groupbuy_domain::procurement::allocation::{
    AllocationLine, AllocationMethod, AllocationPlan, AllocationTotals, Unfilled,
};
use groupbuy_domain::procurement::settlement::{
    Document, DocumentKind, DocumentLine, InvoiceTerms,
};
use serde::{Deserialize, Serialize};
use time::Date;

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// Serialises stored JSON.
pub(super) fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| corrupt("json", e))
}

/// Reads stored JSON back.
pub(super) fn from_json<T: for<'de> Deserialize<'de>>(
    what: &str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt(what, e))
}

#[derive(Serialize, Deserialize)]
struct StoredLine {
    member_id: String,
    vendor_id: String,
    quantity: i64,
    unit_price_minor: i64,
    amount_minor: i64,
    rule: String,
    explanation: String,
}

#[derive(Serialize, Deserialize)]
struct StoredUnfilled {
    member_id: String,
    quantity: i64,
    reason: String,
}

/// An allocation plan as stored.
#[derive(Serialize, Deserialize)]
pub(super) struct StoredPlan {
    method: AllocationMethod,
    currency: String,
    results: Vec<StoredLine>,
    unfilled: Vec<StoredUnfilled>,
    allocated_quantity: i64,
    unfilled_quantity: i64,
    amount_minor: i64,
}

impl StoredPlan {
    pub fn of(p: &AllocationPlan) -> Self {
        Self {
            method: p.method,
            currency: p.currency.code().to_owned(),
            results: p
                .results
                .iter()
                .map(|l| StoredLine {
                    member_id: l.member_id.clone(),
                    vendor_id: l.vendor_id.clone(),
                    quantity: l.quantity,
                    unit_price_minor: l.unit_price_minor,
                    amount_minor: l.amount_minor,
                    rule: l.rule.clone(),
                    explanation: l.explanation.clone(),
                })
                .collect(),
            unfilled: p
                .unfilled
                .iter()
                .map(|u| StoredUnfilled {
                    member_id: u.member_id.clone(),
                    quantity: u.quantity,
                    reason: u.reason.clone(),
                })
                .collect(),
            allocated_quantity: p.totals.allocated_quantity,
            unfilled_quantity: p.totals.unfilled_quantity,
            amount_minor: p.totals.amount_minor,
        }
    }

    pub fn into_domain(self) -> Result<AllocationPlan, StoreError> {
        Ok(AllocationPlan {
            method: self.method,
            currency: parse_currency(&self.currency)?,
            results: self
                .results
                .into_iter()
                .map(|l| AllocationLine {
                    member_id: l.member_id,
                    vendor_id: l.vendor_id,
                    quantity: l.quantity,
                    unit_price_minor: l.unit_price_minor,
                    amount_minor: l.amount_minor,
                    rule: l.rule,
                    explanation: l.explanation,
                })
                .collect(),
            unfilled: self
                .unfilled
                .into_iter()
                .map(|u| Unfilled {
                    member_id: u.member_id,
                    quantity: u.quantity,
                    reason: u.reason,
                })
                .collect(),
            totals: AllocationTotals {
                allocated_quantity: self.allocated_quantity,
                unfilled_quantity: self.unfilled_quantity,
                amount_minor: self.amount_minor,
            },
        })
    }
}

#[derive(Serialize, Deserialize)]
struct StoredDocumentLine {
    description: String,
    sku: Option<String>,
    quantity: i64,
    unit_price_minor: i64,
    amount_minor: i64,
    member_id: Option<String>,
    vendor_id: Option<String>,
}

/// A document's body as stored; dates as Julian day numbers. `invoice` (the parties and
/// VAT copied at settlement, issue 22) is absent from documents settled before it, which
/// read back exactly as they were.
#[derive(Serialize, Deserialize)]
pub(super) struct StoredDocument {
    counterparty_name: Option<String>,
    issue_date: i32,
    due_date: i32,
    currency: String,
    lines: Vec<StoredDocumentLine>,
    fee_minor: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    invoice: Option<InvoiceTerms>,
}

fn day(julian: i32) -> Result<Date, StoreError> {
    Date::from_julian_day(julian).map_err(|e| corrupt("document date", e))
}

impl StoredDocument {
    pub fn of(d: &Document) -> Self {
        Self {
            counterparty_name: d.counterparty_name.clone(),
            issue_date: d.issue_date.to_julian_day(),
            due_date: d.due_date.to_julian_day(),
            currency: d.currency.code().to_owned(),
            lines: d
                .lines
                .iter()
                .map(|l| StoredDocumentLine {
                    description: l.description.clone(),
                    sku: l.sku.clone(),
                    quantity: l.quantity,
                    unit_price_minor: l.unit_price_minor,
                    amount_minor: l.amount_minor,
                    member_id: l.member_id.clone(),
                    vendor_id: l.vendor_id.clone(),
                })
                .collect(),
            fee_minor: d.fee_minor,
            invoice: d.invoice.clone(),
        }
    }

    /// The document, its kind, number, counterparty and total from their columns.
    pub fn into_domain(
        self,
        kind: DocumentKind,
        number: String,
        counterparty: String,
        total_minor: i64,
    ) -> Result<Document, StoreError> {
        Ok(Document {
            kind,
            number,
            counterparty,
            counterparty_name: self.counterparty_name,
            issue_date: day(self.issue_date)?,
            due_date: day(self.due_date)?,
            currency: parse_currency(&self.currency)?,
            lines: self
                .lines
                .into_iter()
                .map(|l| DocumentLine {
                    description: l.description,
                    sku: l.sku,
                    quantity: l.quantity,
                    unit_price_minor: l.unit_price_minor,
                    amount_minor: l.amount_minor,
                    member_id: l.member_id,
                    vendor_id: l.vendor_id,
                })
                .collect(),
            fee_minor: self.fee_minor,
            total_minor,
            invoice: self.invoice,
        })
    }
}
