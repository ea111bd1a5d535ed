//! What turns a settlement's documents into invoices that pass EN 16931 and Peppol BIS
//! Billing 3.0: each document's seller and buyer as they stand at settlement (a snapshot:
//! a later edit of a party changes no issued invoice), the buyer's reference, the unit
//! code, the VAT of every line and the VAT breakdown. Everything a document needs and a
//! party lacks is collected first and refused at once ([`SettlementRefusal::MissingPartyData`]),
//! before anything is written.
//!
//! Receivables pass each vendor's VAT treatment through to the member (the organiser
//! resells what it buys); the fee line carries the organiser's own.

use super::{Document, DocumentKind, SettlementRefusal};
use crate::procurement::party::{
    ElectronicAddress, PartyProfile, PartyRef, PostalAddress, UnitCode, Vat, VatCategory,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A party as an invoice names it, copied from its data at settlement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartySnapshot {
    /// The `org_id` or vendor id (the invoice's party identifier, BT-29 / BT-46).
    pub id: String,
    /// Legal name (BT-27 / BT-44).
    pub legal_name: String,
    /// Postal address (BG-5 / BG-8).
    pub postal_address: PostalAddress,
    /// VAT identifier (BT-31 / BT-48); left out of invoices whose lines are all O.
    pub vat_id: Option<String>,
    /// Peppol electronic address (BT-34 / BT-49).
    pub electronic_address: ElectronicAddress,
    /// Contact email (BT-43 / BT-58).
    pub contact_email: Option<String>,
}

/// One VAT breakdown of a document (BG-23): a category and rate, the net amount taxed at
/// it, and the VAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatSubtotal {
    /// Category and rate.
    pub vat: Vat,
    /// The lines' net amounts at this VAT, in minor units.
    pub taxable_minor: i64,
    /// The VAT, rounded half up to the invoice step.
    pub tax_minor: i64,
}

/// A document's invoice terms; absent on documents issued before parties existed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceTerms {
    /// Who invoices: the vendor (payable) or the organiser (receivable).
    pub seller: PartySnapshot,
    /// Who pays: the organiser (payable) or the member (receivable).
    pub buyer: PartySnapshot,
    /// The buyer's reference (BT-10): the member's purchase order reference, else the pool id.
    pub buyer_reference: String,
    /// The unit of the goods lines (the fee line's is `C62`).
    pub unit_code: UnitCode,
    /// The VAT of each line, in the document's line order.
    pub line_vat: Vec<Vat>,
    /// One breakdown per distinct VAT, in category then rate order.
    pub breakdown: Vec<VatSubtotal>,
    /// The VAT of the whole document (the breakdowns' sum).
    pub tax_minor: i64,
}

/// A party and the fields its documents need that it lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingData {
    /// Who.
    pub party: PartyRef,
    /// The fields, as the party's data (or its RFQ response) names them.
    pub fields: Vec<&'static str>,
}

/// Everything the invoices are made from, besides the documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoicingInput {
    /// The organising organisation.
    pub organiser: String,
    /// Each party's data by who it is (absent: nothing filled in yet).
    pub profiles: BTreeMap<PartyRef, PartyProfile>,
    /// The VAT each vendor's (latest) response stated, by vendor id.
    pub response_vat: BTreeMap<String, Vat>,
    /// `rules.organiser_fee_vat`, when the rules state it.
    pub fee_vat: Option<Vat>,
    /// The goods lines' unit.
    pub unit_code: UnitCode,
    /// Members' purchase order references, by member id.
    pub buyer_references: BTreeMap<String, String>,
    /// The reference of members that gave none: the pool's id.
    pub default_buyer_reference: String,
    /// Amounts are multiples of this many minor units (see [`super::invoice_step`]).
    pub step: i64,
}

/// Collects what is missing, party by party, in the order first met.
#[derive(Default)]
struct Missing(Vec<MissingData>);

impl Missing {
    fn add(&mut self, party: &PartyRef, field: &'static str) {
        match self.0.iter_mut().find(|m| &m.party == party) {
            Some(m) if !m.fields.contains(&field) => m.fields.push(field),
            Some(_) => {}
            None => self.0.push(MissingData {
                party: party.clone(),
                fields: vec![field],
            }),
        }
    }
}

impl InvoicingInput {
    fn profile(&self, party: &PartyRef) -> Option<&PartyProfile> {
        self.profiles.get(party)
    }

    /// The VAT of a vendor's goods: its response's, else its default.
    fn vendor_vat(&self, vendor: &str) -> Option<Vat> {
        self.response_vat.get(vendor).copied().or_else(|| {
            self.profile(&PartyRef::vendor(vendor))
                .and_then(|p| p.default_vat)
        })
    }

    /// The VAT of the organiser's fee: the rules', else the organiser's default.
    fn fee_vat(&self) -> Option<Vat> {
        self.fee_vat.or_else(|| {
            self.profile(&PartyRef::organisation(self.organiser.clone()))
                .and_then(|p| p.default_vat)
        })
    }

    fn parties(&self, d: &Document) -> (PartyRef, PartyRef) {
        let organiser = PartyRef::organisation(self.organiser.clone());
        match d.kind {
            DocumentKind::Payable => (PartyRef::vendor(d.counterparty.clone()), organiser),
            DocumentKind::Receivable => (organiser, PartyRef::organisation(d.counterparty.clone())),
        }
    }

    /// The VAT of each line of `d`, noting whose VAT is missing.
    fn line_vat(&self, d: &Document, missing: &mut Missing) -> Vec<Option<Vat>> {
        d.lines
            .iter()
            .map(|l| match &l.vendor_id {
                Some(v) => {
                    let vat = self.vendor_vat(v);
                    if vat.is_none() {
                        missing.add(
                            &PartyRef::vendor(v.clone()),
                            "vat (on its RFQ response) or default_vat",
                        );
                    }
                    vat
                }
                None => {
                    let vat = self.fee_vat();
                    if vat.is_none() {
                        missing.add(
                            &PartyRef::organisation(self.organiser.clone()),
                            "default_vat (or rules.organiser_fee_vat) for the organiser fee",
                        );
                    }
                    vat
                }
            })
            .collect()
    }

    fn snapshot(&self, party: &PartyRef, keep_vat_id: bool) -> Option<PartySnapshot> {
        let p = self.profile(party)?;
        Some(PartySnapshot {
            id: party.id.clone(),
            legal_name: p.legal_name.clone()?,
            postal_address: p.postal_address.clone()?,
            vat_id: p.vat_id.clone().filter(|_| keep_vat_id),
            electronic_address: p.electronic_address.clone()?,
            contact_email: p.contact_email.clone(),
        })
    }
}

/// The invoice terms of each of `documents`, in their order.
///
/// # Errors
/// [`SettlementRefusal::MissingPartyData`] naming every party and field missing (all of
/// them, not the first); [`SettlementRefusal::NotSubjectMixed`] for a document that would
/// mix category O with another (BR-O-11), which no invoice may.
pub fn invoice_terms(
    documents: &[Document],
    input: &InvoicingInput,
) -> Result<Vec<InvoiceTerms>, SettlementRefusal> {
    let mut missing = Missing::default();
    let vats: Vec<Vec<Option<Vat>>> = documents
        .iter()
        .map(|d| input.line_vat(d, &mut missing))
        .collect();
    for (d, line_vat) in documents.iter().zip(&vats) {
        let categories: BTreeSet<VatCategory> =
            line_vat.iter().flatten().map(|v| v.category).collect();
        let (seller, buyer) = input.parties(d);
        let empty = PartyProfile::default();
        // A line whose VAT is still unknown counts as needing it: only O excuses it.
        let seller_needs = line_vat
            .iter()
            .any(|v| v.is_none_or(|v| v.category.needs_seller_vat_id()));
        for field in input
            .profile(&seller)
            .unwrap_or(&empty)
            .missing_for_invoice(seller_needs)
        {
            missing.add(&seller, field);
        }
        let buyer_needs = categories.iter().any(VatCategory::needs_buyer_vat_id);
        for field in input
            .profile(&buyer)
            .unwrap_or(&empty)
            .missing_for_invoice(buyer_needs)
        {
            missing.add(&buyer, field);
        }
    }
    if !missing.0.is_empty() {
        return Err(SettlementRefusal::MissingPartyData(missing.0));
    }
    documents
        .iter()
        .zip(vats)
        .map(|(d, line_vat)| terms(d, line_vat.into_iter().flatten().collect(), input))
        .collect()
}

fn terms(
    d: &Document,
    line_vat: Vec<Vat>,
    input: &InvoicingInput,
) -> Result<InvoiceTerms, SettlementRefusal> {
    let not_subject = line_vat
        .iter()
        .any(|v| v.category == VatCategory::NotSubject);
    if not_subject
        && line_vat
            .iter()
            .any(|v| v.category != VatCategory::NotSubject)
    {
        return Err(SettlementRefusal::NotSubjectMixed(d.number.clone()));
    }
    let (seller, buyer) = input.parties(d);
    // An O invoice names no VAT identifier at all (BR-O-02).
    let keep = !not_subject;
    let complete = |party: &PartyRef| {
        input.snapshot(party, keep).ok_or_else(|| {
            let fields = input
                .profile(party)
                .cloned()
                .unwrap_or_default()
                .missing_for_invoice(false);
            SettlementRefusal::MissingPartyData(vec![MissingData {
                party: party.clone(),
                fields,
            }])
        })
    };
    let (seller, buyer) = (complete(&seller)?, complete(&buyer)?);
    let mut taxable: BTreeMap<Vat, i64> = BTreeMap::new();
    for (line, vat) in d.lines.iter().zip(&line_vat) {
        *taxable.entry(*vat).or_default() += line.amount_minor;
    }
    let breakdown = taxable
        .into_iter()
        .map(|(vat, taxable_minor)| {
            let tax_minor = vat
                .tax_on(taxable_minor, input.step)
                .ok_or(SettlementRefusal::TooLarge)?;
            Ok(VatSubtotal {
                vat,
                taxable_minor,
                tax_minor,
            })
        })
        .collect::<Result<Vec<_>, SettlementRefusal>>()?;
    let tax_minor = breakdown.iter().map(|b| b.tax_minor).sum();
    let buyer_reference = match d.kind {
        DocumentKind::Receivable => input.buyer_references.get(&d.counterparty).cloned(),
        DocumentKind::Payable => None,
    }
    .unwrap_or_else(|| input.default_buyer_reference.clone());
    Ok(InvoiceTerms {
        seller,
        buyer,
        buyer_reference,
        unit_code: input.unit_code.clone(),
        line_vat,
        breakdown,
        tax_minor,
    })
}

/// Complete party data for tests: every party Belgian, with a VAT id, a GLN address and
/// a default VAT of S 21%.
#[cfg(test)]
pub(crate) fn complete_invoicing<'a>(
    organiser: &str,
    members: impl IntoIterator<Item = &'a str>,
    vendors: impl IntoIterator<Item = &'a str>,
) -> InvoicingInput {
    let profile = |name: &str| PartyProfile {
        legal_name: Some(format!("{name} SA")),
        postal_address: Some(PostalAddress {
            street: "Rue Haute 1".to_owned(),
            city: "Brussels".to_owned(),
            postal_code: Some("1000".to_owned()),
            country: "BE".to_owned(),
        }),
        vat_id: Some("BE0403578495".to_owned()),
        electronic_address: Some(ElectronicAddress {
            scheme: "0088".to_owned(),
            identifier: "5798000012349".to_owned(),
        }),
        contact_email: None,
        default_vat: Some(Vat {
            category: VatCategory::Standard,
            rate_hundredths: 2_100,
        }),
    };
    let mut profiles = BTreeMap::from([(PartyRef::organisation(organiser), profile(organiser))]);
    for m in members {
        profiles.insert(PartyRef::organisation(m), profile(m));
    }
    for v in vendors {
        profiles.insert(PartyRef::vendor(v), profile(v));
    }
    InvoicingInput {
        organiser: organiser.to_owned(),
        profiles,
        response_vat: BTreeMap::new(),
        fee_vat: None,
        unit_code: UnitCode::one(),
        buyer_references: BTreeMap::new(),
        default_buyer_reference: "gb_test".to_owned(),
        step: 1,
    }
}

#[cfg(test)]
#[path = "invoicing_tests.rs"]
mod tests;
