//! Settlement: an allocation turned into documents that balance to the minor unit: one
//! PAYABLE per awarded vendor, one RECEIVABLE per allocated member carrying its share of the
//! organiser's fee, so that receivables == payables + fee, always.
//!
//! Money is integer minor units of the settlement's currency (`*_minor: i64`, as
//! [`crate::money::Money`] stores it). Arithmetic is checked: any amount or total beyond
//! [`crate::money::Money::MAX_MINOR`] refuses the settlement instead of wrapping.
//!
//! Each document line is one allocation line; a group buy's items describe what one
//! committed unit contains, so a line's description and SKU are the unit's.
//!
//! EN 16931 states every invoice amount with at most two decimals (BR-DEC-*), so in a
//! three-decimal currency (KWD, BHD) each line amount and the fee are rounded half up to
//! a multiple of 10 minor units ([`invoice_step`]); the unit price keeps its three decimals.
//! Receivables still equal payables plus the fee exactly.

mod invoicing;
mod refusal;
mod wording;

#[cfg(test)]
mod tests;

#[cfg(test)]
pub(crate) use invoicing::complete_invoicing;
pub use invoicing::{
    invoice_terms, InvoiceTerms, InvoicingInput, MissingData, PartySnapshot, VatSubtotal,
};
pub use refusal::SettlementRefusal;

use super::allocation::apportion::largest_remainder;
use super::allocation::AllocationLine;
use crate::money::{Currency, Money};
use crate::names::closed_set;
use std::collections::BTreeMap;
use time::{Date, Duration};

/// The highest organiser fee, in basis points (10%).
pub const MAX_FEE_BPS: u32 = 1_000;

/// An awarded line as settlement needs it: who, from whom, how many, at what unit price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardedLine {
    /// The member receiving the units.
    pub member_id: String,
    /// The vendor supplying them.
    pub vendor_id: String,
    /// Units awarded (at least 1).
    pub quantity: i64,
    /// The vendor's unit price, in minor units.
    pub unit_price_minor: i64,
}

impl From<&AllocationLine> for AwardedLine {
    fn from(line: &AllocationLine) -> Self {
        Self {
            member_id: line.member_id.clone(),
            vendor_id: line.vendor_id.clone(),
            quantity: line.quantity,
            unit_price_minor: line.unit_price_minor,
        }
    }
}

/// One of the items a committed unit contains, as its documents describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemInfo {
    /// The item's SKU.
    pub sku: String,
    /// The item's name.
    pub name: String,
}

/// Everything a settlement is computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementInput {
    /// The allocation's lines, in the allocation's order.
    pub lines: Vec<AwardedLine>,
    /// What one committed unit contains.
    pub items: Vec<ItemInfo>,
    /// Vendors' display names by `vendor_id` (the id is shown when absent).
    pub vendor_names: BTreeMap<String, String>,
    /// Members' display names by `member_id` (the id is shown when absent).
    pub member_names: BTreeMap<String, String>,
    /// `rules.organiser_fee_bps`, 0 to [`MAX_FEE_BPS`].
    pub organiser_fee_bps: u32,
    /// `rules.payment_terms_days`: the due date is this many days after issue.
    pub payment_terms_days: u32,
    /// The day the documents are issued.
    pub issue_date: Date,
    /// The currency of every amount.
    pub currency: Currency,
    /// Document numbers read `{number_prefix}-{sequence:04}`.
    pub number_prefix: String,
    /// The sequence of the first document; the others follow consecutively.
    pub first_sequence: u64,
}

closed_set! {
    /// Who owes whom: the organiser pays a vendor, a member pays the organiser. Its list and
    /// names are derived (`strum`).
    #[strum(serialize_all = "UPPERCASE")]
    pub enum DocumentKind {
        /// Owed to a vendor for the goods it supplies.
        Payable,
        /// Owed by a member for its goods and its share of the fee.
        Receivable,
    }
}

/// A line of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLine {
    /// What is charged (`Maize flour for Acme Co-op`, `Organiser fee`).
    pub description: String,
    /// The unit's SKU; none on the fee line.
    pub sku: Option<String>,
    /// Units charged (1 on the fee line).
    pub quantity: i64,
    /// Price per unit, in minor units.
    pub unit_price_minor: i64,
    /// `quantity * unit_price_minor`.
    pub amount_minor: i64,
    /// The member the line concerns.
    pub member_id: Option<String>,
    /// The vendor the line concerns; none on the fee line.
    pub vendor_id: Option<String>,
}

/// A payable or receivable, whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Payable or receivable.
    pub kind: DocumentKind,
    /// `{prefix}-{sequence:04}`, unique within the settlement.
    pub number: String,
    /// The vendor (payable) or member (receivable) id.
    pub counterparty: String,
    /// The counterparty's display name, when known.
    pub counterparty_name: Option<String>,
    /// The day of issue.
    pub issue_date: Date,
    /// `issue_date + payment_terms_days`.
    pub due_date: Date,
    /// The currency of every amount.
    pub currency: Currency,
    /// Goods lines, then the fee line when there is a fee.
    pub lines: Vec<DocumentLine>,
    /// The organiser's fee this document carries (0 on payables).
    pub fee_minor: i64,
    /// The sum of the lines (net of VAT).
    pub total_minor: i64,
    /// Seller, buyer and VAT as the invoice states them; none on documents issued before
    /// parties existed.
    pub invoice: Option<InvoiceTerms>,
}

/// The minor units invoice amounts are multiples of in `currency`: 1 up to two decimals,
/// 10 for a three-decimal currency (EN 16931 allows two decimals on amounts).
pub fn invoice_step(currency: Currency) -> i64 {
    10_i64.pow(currency.scale().saturating_sub(2))
}

/// Sums over a settlement's documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SettlementTotals {
    /// All payables.
    pub payables_minor: i64,
    /// All receivables: `payables_minor + fees_minor`.
    pub receivables_minor: i64,
    /// The organiser's fee, all members together.
    pub fees_minor: i64,
}

/// The documents of a settlement: payables by vendor (in allocation order), then receivables
/// by member (in allocation order), numbered consecutively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// The documents.
    pub documents: Vec<Document>,
    /// Their sums.
    pub totals: SettlementTotals,
}

/// Settles an allocation into payables and receivables that balance exactly.
///
/// The fee is `goods total * bps / 10,000` rounded half up to a minor unit, shared among the
/// members by largest remainder in proportion to their goods (ties to the member first in
/// allocation order), so the shares sum to it exactly.
///
/// # Errors
/// A [`SettlementRefusal`] when there is nothing to settle, a rule is out of range, a line
/// is malformed, or an amount would pass what groupbuy stores.
pub fn settle(input: &SettlementInput) -> Result<Settlement, SettlementRefusal> {
    if input.organiser_fee_bps > MAX_FEE_BPS {
        return Err(SettlementRefusal::FeeOutOfRange(input.organiser_fee_bps));
    }
    if input.lines.is_empty() {
        return Err(SettlementRefusal::NothingAllocated);
    }
    let due_date = input
        .issue_date
        .checked_add(Duration::days(i64::from(input.payment_terms_days)))
        .ok_or(SettlementRefusal::DueDateOutOfRange(
            input.payment_terms_days,
        ))?;
    let step = invoice_step(input.currency);
    let amounts = input
        .lines
        .iter()
        .map(|l| amount(l, step))
        .collect::<Result<Vec<i64>, _>>()?;
    let goods_total = bounded_sum(amounts.iter().copied())?;
    let fee_total = organiser_fee(goods_total, input.organiser_fee_bps, step)?;

    let priced = || input.lines.iter().zip(&amounts);
    let vendors = first_appearances(input.lines.iter().map(|l| l.vendor_id.as_str()));
    let members = first_appearances(input.lines.iter().map(|l| l.member_id.as_str()));
    let goods_of = |member: &str| {
        bounded_sum(
            priced()
                .filter(|(l, _)| l.member_id == member)
                .map(|(_, a)| *a),
        )
    };
    let member_goods = members
        .iter()
        .map(|m| goods_of(m))
        .collect::<Result<Vec<i64>, _>>()?;
    // Shared in whole steps, so each share is an invoice amount too.
    let fees: Vec<i64> = largest_remainder(fee_total / step, &member_goods)
        .ok_or(SettlementRefusal::TooLarge)?
        .into_iter()
        .map(|f| f * step)
        .collect();

    let unit = wording::unit_name(&input.items);
    let sku = wording::unit_sku(&input.items);
    let goods_line = |l: &AwardedLine, amount_minor: i64, description: String| DocumentLine {
        description,
        sku: sku.clone(),
        quantity: l.quantity,
        unit_price_minor: l.unit_price_minor,
        amount_minor,
        member_id: Some(l.member_id.clone()),
        vendor_id: Some(l.vendor_id.clone()),
    };

    let mut sequence = input.first_sequence;
    let mut issue = |kind,
                     counterparty: &str,
                     names: &BTreeMap<String, String>,
                     lines: Vec<DocumentLine>,
                     fee_minor: i64| {
        let document = Document {
            kind,
            number: format!("{}-{sequence:04}", input.number_prefix),
            counterparty: counterparty.to_owned(),
            counterparty_name: names
                .get(counterparty)
                .filter(|n| !n.trim().is_empty())
                .cloned(),
            issue_date: input.issue_date,
            due_date,
            currency: input.currency,
            total_minor: bounded_sum(lines.iter().map(|l| l.amount_minor))?,
            lines,
            fee_minor,
            invoice: None,
        };
        sequence = sequence
            .checked_add(1)
            .ok_or(SettlementRefusal::SequenceExhausted)?;
        Ok::<_, SettlementRefusal>(document)
    };

    let mut documents = Vec::with_capacity(vendors.len() + members.len());
    for vendor in &vendors {
        let lines = priced()
            .filter(|(l, _)| l.vendor_id == *vendor)
            .map(|(l, a)| {
                let member = display(&input.member_names, &l.member_id);
                goods_line(l, *a, wording::delivered_to(&unit, member))
            })
            .collect();
        documents.push(issue(
            DocumentKind::Payable,
            vendor,
            &input.vendor_names,
            lines,
            0,
        )?);
    }
    for (member, fee) in members.iter().zip(fees) {
        let mut lines: Vec<DocumentLine> = priced()
            .filter(|(l, _)| l.member_id == *member)
            .map(|(l, a)| {
                let vendor = display(&input.vendor_names, &l.vendor_id);
                goods_line(l, *a, wording::supplied_by(&unit, vendor))
            })
            .collect();
        if fee > 0 {
            lines.push(DocumentLine {
                description: wording::ORGANISER_FEE.to_owned(),
                sku: None,
                quantity: 1,
                unit_price_minor: fee,
                amount_minor: fee,
                member_id: Some((*member).to_owned()),
                vendor_id: None,
            });
        }
        documents.push(issue(
            DocumentKind::Receivable,
            member,
            &input.member_names,
            lines,
            fee,
        )?);
    }
    let total_of = |kind: DocumentKind| {
        bounded_sum(
            documents
                .iter()
                .filter(|d| d.kind == kind)
                .map(|d| d.total_minor),
        )
    };
    let totals = SettlementTotals {
        payables_minor: total_of(DocumentKind::Payable)?,
        receivables_minor: total_of(DocumentKind::Receivable)?,
        fees_minor: fee_total,
    };
    Ok(Settlement { documents, totals })
}

/// A line's amount rounded half up to a multiple of `step`, refusing malformed lines and
/// amounts past the bound.
fn amount(line: &AwardedLine, step: i64) -> Result<i64, SettlementRefusal> {
    if line.quantity < 1 || line.unit_price_minor < 0 {
        return Err(SettlementRefusal::InvalidLine {
            member_id: line.member_id.clone(),
            vendor_id: line.vendor_id.clone(),
        });
    }
    line.quantity
        .checked_mul(line.unit_price_minor)
        .and_then(|a| round_to(a, step))
        .filter(|a| *a <= Money::MAX_MINOR)
        .ok_or(SettlementRefusal::TooLarge)
}

/// `value` (not negative) rounded half up to a multiple of `step`.
fn round_to(value: i64, step: i64) -> Option<i64> {
    value.checked_add(step / 2).map(|v| v / step * step)
}

/// `goods * bps / 10,000` rounded half up to a multiple of `step`; goods and bps are never
/// negative here.
fn organiser_fee(goods_minor: i64, bps: u32, step: i64) -> Result<i64, SettlementRefusal> {
    let unit = 10_000 * i128::from(step);
    let fee = (i128::from(goods_minor) * i128::from(bps) + unit / 2) / unit * i128::from(step);
    i64::try_from(fee).map_err(|_| SettlementRefusal::TooLarge)
}

/// A sum of non-negative amounts, refused past [`Money::MAX_MINOR`].
fn bounded_sum(values: impl Iterator<Item = i64>) -> Result<i64, SettlementRefusal> {
    let sum: i128 = values.map(i128::from).sum();
    i64::try_from(sum)
        .ok()
        .filter(|s| *s <= Money::MAX_MINOR)
        .ok_or(SettlementRefusal::TooLarge)
}

/// Each distinct id once, in the order it first appears.
fn first_appearances<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = std::collections::BTreeSet::new();
    ids.filter(|id| seen.insert(*id)).collect()
}

/// The display name of `id`, or the id itself.
fn display<'a>(names: &'a BTreeMap<String, String>, id: &'a str) -> &'a str {
    names
        .get(id)
        .map(String::as_str)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or(id)
}
