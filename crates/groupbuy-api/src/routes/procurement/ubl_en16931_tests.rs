//! Invoices of every VAT category and of two-, three- and zero-decimal currencies, built by
//! the domain's settlement as a pool's would be. With `GROUPBUY_UBL_OUT` set each one is
//! written there, and `make ubl-validate` runs the official rule sets over them.

use super::*;
use groupbuy_domain::money::Currency;
use groupbuy_domain::procurement::party::{
    ElectronicAddress, PartyProfile, PartyRef, PostalAddress, UnitCode,
};
use groupbuy_domain::procurement::settlement::{
    invoice_step, invoice_terms, settle, AwardedLine, InvoicingInput, ItemInfo, SettlementInput,
};
use std::collections::BTreeMap;

fn profile(name: &str, country: &str, vat_id: &str, gln: &str) -> PartyProfile {
    PartyProfile {
        legal_name: Some(format!("{name} & Co <Ltd>")),
        postal_address: Some(PostalAddress {
            street: format!("{name} Street 1"),
            city: "Capital".to_owned(),
            postal_code: Some("1000".to_owned()),
            country: country.to_owned(),
        }),
        vat_id: Some(vat_id.to_owned()),
        electronic_address: Some(ElectronicAddress {
            scheme: "0088".to_owned(),
            identifier: gln.to_owned(),
        }),
        contact_email: Some(format!("ap@{}.example", name.to_lowercase())),
        default_vat: None,
    }
}

fn line(member: &str, vendor: &str, quantity: i64, price: i64) -> AwardedLine {
    AwardedLine {
        member_id: member.to_owned(),
        vendor_id: vendor.to_owned(),
        quantity,
        unit_price_minor: price,
    }
}

fn vat(category: &str, rate: Option<i64>) -> Vat {
    Vat::parse("vat", category, rate.map(Decimal::from)).expect("vat")
}

/// Renders every document of a settlement of `lines` in `currency`, checks each, and
/// writes it under `GROUPBUY_UBL_OUT` as `<case>-<number>.xml`.
fn render(
    case: &str,
    currency: &str,
    fee_bps: u32,
    lines: Vec<AwardedLine>,
    vendor_vat: &[(&str, Vat)],
    fee_vat: Option<Vat>,
) -> Vec<String> {
    let currency = Currency::parse(currency).expect("currency");
    let settled = settle(&SettlementInput {
        lines,
        items: vec![ItemInfo {
            sku: "MF-25".to_owned(),
            name: "Maize flour 25 kg".to_owned(),
        }],
        vendor_names: BTreeMap::from([("mills".to_owned(), "Mills".to_owned())]),
        member_names: BTreeMap::new(),
        organiser_fee_bps: fee_bps,
        payment_terms_days: 30,
        issue_date: time::macros::date!(2026 - 11 - 23),
        currency,
        number_prefix: format!("GB-{}", case.to_uppercase()),
        first_sequence: 1,
    })
    .expect("settles");
    let profiles = BTreeMap::from([
        (
            PartyRef::organisation("org_acme"),
            profile("Acme", "BE", "BE0403578495", "5798000012349"),
        ),
        (
            PartyRef::organisation("org_beta"),
            profile("Beta", "FR", "FR40303265045", "4012345000009"),
        ),
        (
            PartyRef::organisation("org_gamma"),
            profile("Gamma", "IE", "IE6388047V", "5400000000003"),
        ),
        (
            PartyRef::vendor("mills"),
            profile("Mills", "BE", "BE0812345603", "5798000012349"),
        ),
        (
            PartyRef::vendor("farm"),
            profile("Farm", "LU", "LU26375245", "4012345000009"),
        ),
    ]);
    let input = InvoicingInput {
        organiser: "org_acme".to_owned(),
        profiles,
        response_vat: vendor_vat
            .iter()
            .map(|(v, t)| ((*v).to_owned(), *t))
            .collect(),
        fee_vat,
        unit_code: UnitCode::parse("unit_code", "XBG").expect("bag"),
        buyer_references: BTreeMap::from([("org_beta".to_owned(), "PO-2026-0042".to_owned())]),
        default_buyer_reference: "gb_0f9c1d2e".to_owned(),
        step: invoice_step(currency),
    };
    let terms = invoice_terms(&settled.documents, &input).expect("terms");
    let out = std::env::var_os("GROUPBUY_UBL_OUT").map(std::path::PathBuf::from);
    settled
        .documents
        .into_iter()
        .zip(terms)
        .map(|(doc, t)| {
            let doc = Document {
                invoice: Some(t),
                ..doc
            };
            let xml = super::super::ubl::invoice(
                &doc,
                &super::super::ubl::Parties {
                    organiser: "org_acme",
                },
            )
            .expect("xml");
            assert!(xml.contains("<cbc:EndpointID schemeID=\"0088\">"), "{xml}");
            assert!(!xml.contains("></cbc:"), "no empty element");
            if let Some(dir) = &out {
                std::fs::create_dir_all(dir).expect("out dir");
                std::fs::write(dir.join(format!("unit-{case}-{}.xml", doc.number)), &xml)
                    .expect("write");
            }
            xml
        })
        .collect()
}

#[test]
fn ubl_receivables_with_a_fee_and_mixed_categories() {
    let xml = render(
        "mixed",
        "EUR",
        250,
        vec![
            line("org_beta", "mills", 37, 950),
            line("org_beta", "farm", 5, 1_200),
            line("org_gamma", "mills", 3, 950),
        ],
        &[("mills", vat("S", Some(21))), ("farm", vat("Z", None))],
        Some(vat("S", Some(6))),
    );
    assert_eq!(xml.len(), 4, "2 payables, 2 receivables");
    let beta = &xml[2];
    assert!(beta.contains("<cbc:BuyerReference>PO-2026-0042</cbc:BuyerReference>"));
    assert!(beta.contains("<cbc:ID>Z</cbc:ID>") && beta.contains("<cbc:Percent>6</cbc:Percent>"));
    assert!(beta.contains("unitCode=\"XBG\"") && beta.contains("unitCode=\"C62\""));
    assert!(beta.contains("Acme &amp; Co &lt;Ltd&gt;"));
}

#[test]
fn ubl_three_decimal_currencies_state_two_decimal_amounts() {
    let xml = render(
        "kwd",
        "KWD",
        250,
        vec![line("org_beta", "mills", 7, 1_235)],
        &[("mills", vat("S", Some(5)))],
        Some(vat("S", Some(5))),
    );
    // 7 x 1.235 = 8.645 -> 8.65; the price keeps its three decimals.
    assert!(
        xml[0]
            .contains("<cbc:LineExtensionAmount currencyID=\"KWD\">8.65</cbc:LineExtensionAmount>"),
        "{}",
        xml[0]
    );
    assert!(xml[0].contains("<cbc:PriceAmount currencyID=\"KWD\">1.235</cbc:PriceAmount>"));
}

#[test]
fn ubl_zero_decimal_currencies() {
    render(
        "jpy",
        "JPY",
        100,
        vec![line("org_beta", "mills", 4, 1_250)],
        &[("mills", vat("S", Some(10)))],
        Some(vat("S", Some(10))),
    );
}

#[test]
fn ubl_exempt_reverse_charge_intra_community_export_and_not_subject() {
    for (case, code) in [
        ("exempt", "E"),
        ("reverse", "AE"),
        ("intra", "K"),
        ("export", "G"),
        ("outside", "O"),
    ] {
        let xml = render(
            case,
            "EUR",
            0,
            vec![line("org_beta", "mills", 2, 500)],
            &[("mills", vat(code, None))],
            None,
        );
        if code == "O" {
            assert!(
                !xml[0].contains("PartyTaxScheme"),
                "an O invoice names no VAT id"
            );
        } else {
            assert!(xml[0].contains("<cbc:TaxExemptionReason>") || code == "Z");
        }
    }
}
