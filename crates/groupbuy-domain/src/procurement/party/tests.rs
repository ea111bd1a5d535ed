use super::*;
use crate::platform::ChangeContext;
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}
use time::macros::datetime;

fn field_of(e: DomainError) -> String {
    match e {
        DomainError::Validation { field, .. } => field,
        other => panic!("not a validation error: {other:?}"),
    }
}

#[test]
fn a_gln_needs_thirteen_digits_and_its_gs1_check_digit() {
    assert!(ElectronicAddress::parse("e", "0088", "5798000012349").is_ok());
    assert!(ElectronicAddress::parse("e", "0088", "4012345000009").is_ok());
    for bad in [
        "5798000012348",
        "579800001234",
        "57980000123490",
        "579800001234X",
    ] {
        let e = ElectronicAddress::parse("electronic_address", "0088", bad).expect_err(bad);
        assert_eq!(field_of(e), "electronic_address.identifier", "{bad}");
    }
}

#[test]
fn schemes_with_a_check_digit_are_checked_and_others_only_for_shape() {
    assert!(ElectronicAddress::parse("e", "0208", "0403578495").is_ok());
    assert!(ElectronicAddress::parse("e", "0208", "0403578496").is_err());
    assert!(ElectronicAddress::parse("e", "0184", "DK12345678").is_ok());
    assert!(ElectronicAddress::parse("e", "0184", "1234567").is_err());
    assert!(ElectronicAddress::parse("e", "0192", "974760673").is_ok());
    assert!(ElectronicAddress::parse("e", "0192", "974760674").is_err());
    assert!(ElectronicAddress::parse("e", "0007", "5560360793").is_ok());
    assert!(ElectronicAddress::parse("e", "0151", "51824753556").is_ok());
    assert!(ElectronicAddress::parse("e", "0151", "51824753557").is_err());
    // 9925 (Belgian VAT) defines no Peppol check: any visible identifier.
    assert!(ElectronicAddress::parse("e", "9925", "BE0403578495").is_ok());
    assert!(ElectronicAddress::parse("e", "9925", "has space").is_err());
}

#[test]
fn a_scheme_outside_the_eas_list_is_refused() {
    let e = ElectronicAddress::parse("electronic_address", "1234", "x").expect_err("unknown");
    assert_eq!(field_of(e), "electronic_address.scheme");
}

#[test]
fn countries_are_iso_3166_alpha_2() {
    assert_eq!(country("c", "be").expect("be"), "BE");
    assert_eq!(country("c", "TZ").expect("tz"), "TZ");
    for bad in ["", "BEL", "XX", "UK"] {
        assert!(country("c", bad).is_err(), "{bad}");
    }
}

#[test]
fn unit_codes_come_from_recommendation_20() {
    for good in ["XBG", "KGM", "EA", "C62", "LTR", "H87"] {
        assert_eq!(UnitCode::parse("u", good).expect(good).as_str(), good);
    }
    let bag = UnitCode::parse("u", "BG").expect_err("BG left Rec 20");
    assert!(
        bag.to_string().ends_with("as a package code it is XBG"),
        "{bag}"
    );
    for bad in ["bag", "kg", "XYZ1", ""] {
        assert_eq!(
            field_of(UnitCode::parse("items[0].unit_code", bad).expect_err(bad)),
            "items[0].unit_code"
        );
    }
}

#[test]
fn vat_categories_are_uncl5305_with_rates_that_fit_them() {
    let s = Vat::parse("vat", "S", Some(d("21"))).expect("S 21");
    assert_eq!(
        (s.category, s.rate_hundredths, s.percent()),
        (VatCategory::Standard, 2100, Some(d("21")))
    );
    assert_eq!(
        Vat::parse("vat", "S", Some(d("5.5")))
            .expect("5.5")
            .percent(),
        Some(d("5.5"))
    );
    for code in ["Z", "E", "AE", "K", "G"] {
        let v = Vat::parse("vat", code, None).expect(code);
        assert_eq!((v.category.as_str(), v.rate_hundredths), (code, 0));
        assert!(Vat::parse("vat", code, Some(d("0"))).is_ok());
        assert_eq!(
            field_of(Vat::parse("vat", code, Some(d("7"))).expect_err(code)),
            "vat.rate"
        );
    }
    assert_eq!(Vat::parse("vat", "O", None).expect("O").percent(), None);
    assert_eq!(
        field_of(Vat::parse("vat", "S", None).expect_err("no rate")),
        "vat.rate"
    );
    assert_eq!(
        field_of(Vat::parse("vat", "S", Some(d("100.01"))).expect_err(">100")),
        "vat.rate"
    );
    assert_eq!(
        field_of(Vat::parse("vat", "S", Some(d("5.555"))).expect_err("3 dp")),
        "vat.rate"
    );
    assert_eq!(
        field_of(Vat::parse("vat", "L", None).expect_err("L")),
        "vat.category"
    );
    assert_eq!(
        field_of(Vat::parse("vat", "s", Some(d("1"))).expect_err("case")),
        "vat.category"
    );
}

#[test]
fn vat_is_rounded_half_up_to_the_step() {
    let s = Vat::parse("vat", "S", Some(d("21"))).expect("S");
    assert_eq!(s.tax_on(1_000, 1), Some(210));
    assert_eq!(s.tax_on(5, 1), Some(1)); // 1.05 -> 1
    assert_eq!(s.tax_on(12_345, 10), Some(2_590)); // 2592.45 -> 2590
    assert_eq!(
        Vat::parse("vat", "Z", None).expect("Z").tax_on(12_345, 1),
        Some(0)
    );
}

#[test]
fn vat_identifiers_carry_their_country_prefix() {
    assert_eq!(
        vat_id("vat_id", "be 0403 578 495").expect("be"),
        "BE0403578495"
    );
    assert_eq!(
        vat_id("vat_id", "EL123456789").expect("greece"),
        "EL123456789"
    );
    for bad in ["0403578495", "XX123", "BE1", "BE-0403578495"] {
        assert!(vat_id("vat_id", bad).is_err(), "{bad}");
    }
}

#[test]
fn a_profile_names_its_first_bad_field_and_what_an_invoice_lacks() {
    let ok = PartyProfile::parse(PartyFields {
        legal_name: Some(" Acme Co-op ".into()),
        postal_address: Some((
            "Rue Haute 1".into(),
            "Brussels".into(),
            Some("1000".into()),
            "be".into(),
        )),
        vat_id: None,
        electronic_address: Some(("0088".into(), "5798000012349".into())),
        contact_email: Some("ap@acme.example".into()),
        default_vat: Some(("S".into(), Some(d("21")))),
    })
    .expect("valid");
    assert_eq!(ok.legal_name.as_deref(), Some("Acme Co-op"));
    assert_eq!(
        ok.postal_address.as_ref().map(|a| a.country.as_str()),
        Some("BE")
    );
    assert!(ok.missing_for_invoice(false).is_empty());
    assert_eq!(ok.missing_for_invoice(true), ["vat_id"]);
    assert_eq!(
        PartyProfile::default().missing_for_invoice(true),
        [
            "legal_name",
            "postal_address",
            "vat_id",
            "electronic_address"
        ]
    );
    let bad = PartyFields {
        postal_address: Some(("Street".into(), "City".into(), None, "Belgium".into())),
        contact_email: Some("nope".into()),
        ..PartyFields::default()
    };
    assert_eq!(
        field_of(PartyProfile::parse(bad).expect_err("bad")),
        "postal_address.country"
    );
    let bad = PartyFields {
        contact_email: Some("a@b".into()),
        ..PartyFields::default()
    };
    assert_eq!(
        field_of(PartyProfile::parse(bad).expect_err("email")),
        "contact_email"
    );
}

fn principal(sub: &str, org: Option<&str>, roles: &[&str], scopes: &[&str]) -> Principal {
    Principal {
        user_id: sub.into(),
        name: None,
        picture: None,
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        roles: roles.iter().map(|s| (*s).to_owned()).collect(),
        org_id: org.map(str::to_owned),
    }
}

#[test]
fn only_the_party_itself_with_write_or_an_admin_changes_it_and_if_match_is_honoured() {
    let ctx = ChangeContext::new("user:alice", "req-1", datetime!(2026-11-30 12:00 UTC));
    let acme = PartyRecord {
        party: PartyRef::organisation("org_acme"),
        profile: PartyProfile::default(),
        version: 2,
        updated_at: None,
    };
    let writer = principal(
        "alice",
        Some("org_acme"),
        &[],
        &["groupbuy:read", "groupbuy:write"],
    );
    let (next, audit) =
        update_party(&writer, &acme, PartyProfile::default(), Some("\"2\""), &ctx).expect("ok");
    assert_eq!(
        (next.version, audit.subject.as_str(), audit.action.as_str()),
        (3, "organisation:org_acme", "party.update")
    );
    assert_eq!(
        update_party(&writer, &acme, PartyProfile::default(), Some("\"1\""), &ctx)
            .expect_err("stale"),
        PartyRefusal::StaleEtag(2)
    );
    let reader = principal("alice", Some("org_acme"), &[], &["groupbuy:read"]);
    let other = principal(
        "bob",
        Some("org_b"),
        &[],
        &["groupbuy:read", "groupbuy:write"],
    );
    let vendor = principal(
        "org_acme",
        None,
        &["vendor"],
        &["groupbuy:read", "groupbuy:write"],
    );
    for who in [reader, other, vendor] {
        assert!(matches!(
            update_party(&who, &acme, PartyProfile::default(), None, &ctx),
            Err(PartyRefusal::NotThisParty(_))
        ));
    }
    let admin = principal("root", None, &["platform-admin"], &["groupbuy:read"]);
    assert!(update_party(&admin, &acme, PartyProfile::default(), None, &ctx).is_ok());
}

#[test]
fn vendors_never_read_each_other_and_others_read_as_counterparties() {
    let mills = PartyRef::vendor("vendor_mills");
    let as_vendor = |sub: &str| principal(sub, None, &["vendor"], &["groupbuy:read"]);
    assert_eq!(
        PartyAccess::of(&as_vendor("vendor_mills"), &mills),
        PartyAccess::Whole
    );
    assert_eq!(
        PartyAccess::of(&as_vendor("vendor_farm"), &mills),
        PartyAccess::None
    );
    let org = principal("bob", Some("org_b"), &[], &["groupbuy:read"]);
    assert_eq!(PartyAccess::of(&org, &mills), PartyAccess::Counterparty);
    assert_eq!(
        PartyAccess::of(&as_vendor("vendor_farm"), &PartyRef::organisation("org_b")),
        PartyAccess::Counterparty
    );
    let nobody = principal("eve", None, &[], &["groupbuy:read"]);
    assert_eq!(PartyAccess::of(&nobody, &mills), PartyAccess::None);
}
