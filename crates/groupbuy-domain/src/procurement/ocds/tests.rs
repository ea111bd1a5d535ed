//! The package of the worked pool at each stage: releases and their stable ids, roles,
//! and no price before the award.

use super::*;
use crate::procurement::group_buy::tests::{caller, pool};
use crate::procurement::party::{PartyKind, PostalAddress};
use crate::procurement::rules::Rules;
use crate::procurement::settle::tests::settled;
use crate::procurement::sourcing::award::tests::{awarded, quoted};

const PREFIX: &str = "ocds-test-";

fn source(g: GroupBuy) -> OcdsSource {
    OcdsSource {
        members: vec!["org_a".into(), "org_b".into(), "org_c".into()],
        group_buy: g,
        rfq: None,
        respondents: Vec::new(),
        award: None,
        settlement: None,
        parties: BTreeMap::new(),
    }
}

fn sealed() -> Rules {
    Rules {
        sealed_bids: true,
        ..Rules::default()
    }
}

/// The pool SOURCING with sealed bids, both vendors having quoted.
fn sourcing() -> OcdsSource {
    let (g, rfq, _) = quoted(sealed());
    OcdsSource {
        rfq: Some(rfq),
        respondents: vec!["v_mills".into(), "v_farm".into()],
        ..source(g)
    }
}

/// The pool ALLOCATED (and SETTLED with `settle`).
fn allocated(settle: bool) -> OcdsSource {
    let (g, rfq, award) = awarded(sealed());
    let settlement = settle.then(|| settled(sealed()).1);
    OcdsSource {
        rfq: Some(rfq),
        respondents: vec!["v_mills".into(), "v_farm".into()],
        award: Some(award),
        settlement,
        ..source(g)
    }
}

fn package(s: &OcdsSource) -> Value {
    s.release_package(PREFIX, "https://example.test/ocds", "groupbuy")
}

fn roles_of(release: &Value, id: &str) -> Vec<String> {
    release["parties"]
        .as_array()
        .expect("parties")
        .iter()
        .find(|p| p["id"] == id)
        .map(|p| serde_json::from_value(p["roles"].clone()).expect("roles"))
        .unwrap_or_default()
}

#[test]
fn an_open_pool_has_one_tender_release_without_vendors_or_prices() {
    let s = source(pool(Rules::default()));
    let p = package(&s);
    assert_eq!(p["version"], "1.1");
    let releases = p["releases"].as_array().expect("releases");
    assert_eq!(releases.len(), 1);
    let r = &releases[0];
    let ocid = format!("{PREFIX}{}", s.group_buy.id);
    assert_eq!(r["ocid"], ocid.as_str());
    assert_eq!(r["id"], format!("{}-tender", s.group_buy.id));
    assert_eq!(r["tag"], json!(["tender"]));
    assert_eq!(r["tender"]["status"], "planned");
    assert!(r["tender"].get("tenderPeriod").is_none());
    assert_eq!(p["publishedDate"], r["date"]);
    assert_eq!(
        roles_of(r, "organisation:org_acme"),
        ["procuringEntity", "buyer"]
    );
    assert_eq!(roles_of(r, "organisation:org_b"), ["buyer"]);
}

#[test]
fn sealed_bids_leave_no_price_and_no_vendor_before_the_award() {
    let s = sourcing();
    let text = package(&s).to_string();
    for hidden in ["v_mills", "v_farm", "value", "amount", "tenderer"] {
        assert!(!text.contains(hidden), "{hidden} in {text}");
    }
    let p = package(&s);
    let tender = &p["releases"][0]["tender"];
    assert_eq!(tender["status"], "active");
    let rfq = s.rfq.as_ref().expect("rfq");
    assert_eq!(
        tender["tenderPeriod"]["endDate"],
        crate::platform::rfc3339(rfq.due_date)
    );
    assert_eq!(
        p["releases"][0]["date"],
        crate::platform::rfc3339(rfq.opened_at)
    );
}

#[test]
fn each_stage_adds_a_release_whose_id_and_date_do_not_move() {
    let s = allocated(true);
    let p = package(&s);
    let ids: Vec<&str> = p["releases"]
        .as_array()
        .expect("releases")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    let gb = s.group_buy.id.to_string();
    assert_eq!(
        ids,
        [
            format!("{gb}-tender"),
            format!("{gb}-award"),
            format!("{gb}-contract")
        ]
    );
    // The same facts read again: the same package, byte for byte.
    assert_eq!(package(&s), package(&allocated(true)));
    let settlement = s.settlement.as_ref().expect("settled");
    assert_eq!(
        p["publishedDate"],
        crate::platform::rfc3339(settlement.created_at)
    );
    assert_eq!(p["releases"][2]["tag"], json!(["contract"]));
}

#[test]
fn the_award_names_tenderers_suppliers_and_one_award_per_vendor() {
    let s = allocated(false);
    let p = package(&s);
    assert_eq!(p["releases"].as_array().map(Vec::len), Some(2));
    let r = &p["releases"][1];
    assert_eq!(roles_of(r, "vendor:v_mills"), ["tenderer", "supplier"]);
    assert_eq!(roles_of(r, "vendor:v_farm"), ["tenderer", "supplier"]);
    let awards = r["awards"].as_array().expect("awards");
    let plan = &s.award.as_ref().expect("award").plan;
    assert_eq!(awards.len(), 2);
    let total: i64 = plan.results.iter().map(|l| l.amount_minor).sum();
    assert_eq!(
        r["tender"]["value"]["amount"],
        json!(Money::from_minor(total, s.group_buy.currency).to_decimal())
    );
    for a in awards {
        let vendor = a["suppliers"][0]["id"].as_str().expect("supplier");
        let vendor = vendor.trim_start_matches("vendor:");
        let units: i64 = plan
            .results
            .iter()
            .filter(|l| l.vendor_id == vendor)
            .map(|l| l.quantity)
            .sum();
        assert_eq!(a["id"], format!("{}-award-{vendor}", s.group_buy.id));
        let per_unit = s.group_buy.items[0].quantity_per_unit.unwrap_or(1);
        assert_eq!(a["items"][0]["quantity"], units * per_unit);
    }
    assert_eq!(r["tender"]["numberOfTenderers"], 2);
}

#[test]
fn contracts_follow_the_payables_and_point_at_their_awards() {
    let s = allocated(true);
    let p = package(&s);
    let r = &p["releases"][2];
    let award_ids: Vec<&Value> = r["awards"]
        .as_array()
        .expect("awards")
        .iter()
        .map(|a| &a["id"])
        .collect();
    let contracts = r["contracts"].as_array().expect("contracts");
    assert_eq!(contracts.len(), 2);
    for c in contracts {
        assert!(award_ids.contains(&&c["awardID"]), "{c}");
        assert!(c["value"]["amount"].is_number(), "{c}");
    }
}

#[test]
fn party_data_fills_names_addresses_and_identifiers_else_the_id() {
    let mut s = allocated(false);
    let profile = PartyProfile {
        legal_name: Some("Acme SA".into()),
        postal_address: Some(PostalAddress {
            street: "Rue 1".into(),
            city: "Brussels".into(),
            postal_code: Some("1000".into()),
            country: "BE".into(),
        }),
        vat_id: Some("BE0123456749".into()),
        ..PartyProfile::default()
    };
    s.parties
        .insert(PartyRef::organisation("org_acme"), profile);
    let p = package(&s);
    let r = &p["releases"][0];
    assert_eq!(r["buyer"]["name"], "Acme SA");
    let acme = &r["parties"][0];
    assert_eq!(acme["identifier"]["id"], "BE0123456749");
    assert_eq!(acme["address"]["postalCode"], "1000");
    assert_eq!(r["parties"][1]["name"], "org_a");
    assert!(r["parties"][1].get("address").is_none());
    // A vendor without data goes by the name its RFQ invited it under.
    let mills = &p["releases"][1]["parties"]
        .as_array()
        .expect("parties")
        .iter()
        .find(|p| p["id"] == "vendor:v_mills")
        .cloned()
        .expect("mills");
    let invited = s
        .rfq
        .as_ref()
        .and_then(|r| r.invited("v_mills"))
        .expect("v");
    assert_eq!(mills["name"], invited.name.as_str());
    assert_eq!(PartyKind::Vendor.to_string(), "vendor");
}

#[test]
fn a_private_pool_is_published_to_its_organiser_only() {
    let mut g = pool(Rules::default());
    let public = Viewer::of(&caller("org_z"), &g, false);
    assert!(require_ocds_reader(&public, &g).is_ok());
    g.rules.visibility = Visibility::Private;
    let member = Viewer::of(&caller("org_a"), &g, true);
    assert_eq!(
        require_ocds_reader(&member, &g),
        Err(ProcurementRefusal::GroupBuyNotFound)
    );
    let outsider = Viewer::of(&caller("org_z"), &g, false);
    assert!(require_ocds_reader(&outsider, &g).is_err());
    let organiser = Viewer::of(&caller("org_acme"), &g, false);
    assert!(require_ocds_reader(&organiser, &g).is_ok());
}
