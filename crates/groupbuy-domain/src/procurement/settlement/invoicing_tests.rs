//! Invoice terms: what is missing is named all at once, VAT per line and per breakdown,
//! the O category alone, buyer references, and amounts in three-decimal currencies.

use super::*;
use crate::money::Currency;
use crate::procurement::settlement::{
    invoice_step, settle, AwardedLine, ItemInfo, SettlementInput,
};
use time::macros::date;

fn line(member: &str, vendor: &str, quantity: i64, price: i64) -> AwardedLine {
    AwardedLine {
        member_id: member.to_owned(),
        vendor_id: vendor.to_owned(),
        quantity,
        unit_price_minor: price,
    }
}

fn documents(currency: &str, fee_bps: u32, lines: Vec<AwardedLine>) -> Vec<Document> {
    settle(&SettlementInput {
        lines,
        items: vec![ItemInfo {
            sku: "MF".to_owned(),
            name: "Maize flour".to_owned(),
        }],
        vendor_names: BTreeMap::new(),
        member_names: BTreeMap::new(),
        organiser_fee_bps: fee_bps,
        payment_terms_days: 30,
        issue_date: date!(2026 - 03 - 10),
        currency: Currency::parse(currency).expect("currency"),
        number_prefix: "GB".to_owned(),
        first_sequence: 1,
    })
    .expect("settles")
    .documents
}

fn vat(category: VatCategory, rate_hundredths: u32) -> Vat {
    Vat {
        category,
        rate_hundredths,
    }
}

fn two_vendors() -> Vec<AwardedLine> {
    vec![
        line("m1", "v1", 10, 1_000),
        line("m1", "v2", 5, 2_000),
        line("m2", "v1", 3, 1_000),
    ]
}

#[test]
fn every_missing_party_and_field_is_named_at_once() {
    let docs = documents("EUR", 250, two_vendors());
    let mut input = complete_invoicing("org_acme", ["m1"], ["v1"]);
    input.profiles.remove(&PartyRef::vendor("v1"));
    if let Some(p) = input.profiles.get_mut(&PartyRef::organisation("org_acme")) {
        p.vat_id = None;
        p.default_vat = None;
    }
    let err = invoice_terms(&docs, &input).expect_err("incomplete");
    assert_eq!(
        err.to_string(),
        "Cannot settle: the invoices need party data that is missing: \
         vendor v1: vat (on its RFQ response) or default_vat, legal_name, postal_address, vat_id, electronic_address; \
         vendor v2: vat (on its RFQ response) or default_vat, legal_name, postal_address, vat_id, electronic_address; \
         organisation org_acme: default_vat (or rules.organiser_fee_vat) for the organiser fee, vat_id; \
         organisation m2: legal_name, postal_address, electronic_address"
    );
    assert_eq!(err.kind(), "party-data-missing");
}

#[test]
fn mixed_categories_get_one_breakdown_each_and_the_parties_are_copied() {
    let docs = documents("EUR", 250, two_vendors());
    let mut input = complete_invoicing("org_acme", ["m1", "m2"], ["v1", "v2"]);
    input
        .response_vat
        .insert("v2".to_owned(), vat(VatCategory::ZeroRated, 0));
    input.fee_vat = Some(vat(VatCategory::Standard, 600));
    input
        .buyer_references
        .insert("m1".to_owned(), "PO-77".to_owned());
    let terms = invoice_terms(&docs, &input).expect("complete");
    // Payables v1, v2; receivables m1, m2.
    let m1 = &terms[2];
    assert_eq!(m1.buyer_reference, "PO-77");
    assert_eq!(
        (m1.seller.id.as_str(), m1.buyer.id.as_str()),
        ("org_acme", "m1")
    );
    assert_eq!(m1.buyer.legal_name, "m1 SA");
    let breakdown: Vec<(&str, u32, i64, i64)> = m1
        .breakdown
        .iter()
        .map(|b| {
            (
                b.vat.category.as_str(),
                b.vat.rate_hundredths,
                b.taxable_minor,
                b.tax_minor,
            )
        })
        .collect();
    // Goods 10,000 at S 21% and 10,000 at Z; the fee 2.5% of 23,000 is 575, m1's share
    // 500 at S 6% (30).
    assert_eq!(
        breakdown,
        [
            ("S", 600, 500, 30),
            ("S", 2_100, 10_000, 2_100),
            ("Z", 0, 10_000, 0)
        ]
    );
    assert_eq!(m1.tax_minor, 2_130);
    assert_eq!(
        terms[0].buyer_reference, "gb_test",
        "a payable's reference is the pool's"
    );
    assert_eq!(terms[1].line_vat, [vat(VatCategory::ZeroRated, 0)]);
}

#[test]
fn not_subject_stands_alone_and_names_no_vat_identifier() {
    let docs = documents("EUR", 0, vec![line("m1", "v1", 2, 500)]);
    let mut input = complete_invoicing("org_acme", ["m1"], ["v1"]);
    input
        .response_vat
        .insert("v1".to_owned(), vat(VatCategory::NotSubject, 0));
    let terms = invoice_terms(&docs, &input).expect("O alone");
    assert!(terms
        .iter()
        .all(|t| t.seller.vat_id.is_none() && t.buyer.vat_id.is_none()));
    // Nobody needs a VAT id for O.
    for p in input.profiles.values_mut() {
        p.vat_id = None;
    }
    assert!(invoice_terms(&docs, &input).is_ok());

    let docs = documents("EUR", 500, vec![line("m1", "v1", 2, 500)]);
    input.fee_vat = Some(vat(VatCategory::Standard, 2_100));
    for p in input.profiles.values_mut() {
        p.vat_id = Some("BE0403578495".to_owned());
    }
    let err = invoice_terms(&docs, &input).expect_err("O mixed with S");
    assert_eq!(err.kind(), "vat-categories-incompatible");
    assert!(err.to_string().contains("GB-0002"), "{err}");
}

#[test]
fn reverse_charge_needs_the_buyer_s_vat_identifier() {
    let docs = documents("EUR", 0, vec![line("m1", "v1", 2, 500)]);
    let mut input = complete_invoicing("org_acme", ["m1"], ["v1"]);
    input
        .response_vat
        .insert("v1".to_owned(), vat(VatCategory::ReverseCharge, 0));
    if let Some(p) = input.profiles.get_mut(&PartyRef::organisation("m1")) {
        p.vat_id = None;
    }
    let err = invoice_terms(&docs, &input).expect_err("AE");
    assert_eq!(
        err.to_string(),
        "Cannot settle: the invoices need party data that is missing: organisation m1: vat_id"
    );
}

#[test]
fn three_decimal_currencies_invoice_amounts_of_two_decimals() {
    // 7 x 1.235 KWD = 8.645 -> 8.650; the fee 2.5% of 8.650 = 0.21625 -> 0.220.
    let docs = documents("KWD", 250, vec![line("m1", "v1", 7, 1_235)]);
    assert_eq!(docs[0].total_minor, 8_650);
    assert_eq!(docs[1].fee_minor, 220);
    assert_eq!(docs[1].total_minor, 8_870);
    assert_eq!(
        docs[0].lines[0].unit_price_minor, 1_235,
        "the price keeps three decimals"
    );
    let mut input = complete_invoicing("org_acme", ["m1"], ["v1"]);
    input.step = invoice_step(Currency::parse("KWD").expect("kwd"));
    let terms = invoice_terms(&docs, &input).expect("complete");
    // 21% of 8.870 = 1.8627 -> 1.860.
    assert_eq!(terms[1].tax_minor, 1_860);
}
