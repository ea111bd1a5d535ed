//! Rules: defaults, wire form, each bad rule named, eligibility.

use super::*;
use serde_json::json;

fn refused(rules: Value) -> (String, String) {
    match Rules::from_json(&rules) {
        Err(DomainError::Validation { field, message }) => (field, message),
        other => panic!("expected a 422 for {rules}, got {other:?}"),
    }
}

#[test]
fn absent_rules_take_the_issues_defaults() {
    let d = Rules::from_json(&Value::Null).expect("defaults");
    assert_eq!(d, Rules::default());
    assert_eq!(Rules::from_json(&json!({})).expect("defaults"), d);
    assert_eq!(d.visibility, Visibility::Public);
    assert_eq!(d.allocation.method, AllocationMethod::LowestPriceProRata);
    assert!(!d.allow_partial && !d.sealed_bids);
    assert_eq!((d.organiser_fee_bps, d.payment_terms_days), (0, 30));
    assert_eq!(
        (d.max_quantity, d.max_per_member, d.eligible_orgs),
        (None, None, None)
    );
}

#[test]
fn every_rule_parses_and_the_wire_form_round_trips() {
    let sent = json!({
        "max_quantity": 500, "max_per_member": 50, "eligible_orgs": ["org_a", "org_b", "org_a"],
        "visibility": "private", "allocation": {"method": "single_vendor"},
        "allow_partial": true, "organiser_fee_bps": 1000, "payment_terms_days": 365,
        "sealed_bids": true
    });
    let r = Rules::from_json(&sent).expect("valid");
    assert_eq!(r.eligible_orgs, Some(vec!["org_a".into(), "org_b".into()]));
    assert_eq!(r.allocation.method, AllocationMethod::SingleVendor);
    assert_eq!((r.organiser_fee_bps, r.payment_terms_days), (1000, 365));
    let wire = serde_json::to_value(&r).expect("json");
    assert_eq!(wire["allocation"], json!({"method": "single_vendor"}));
    assert_eq!(wire["visibility"], "private");
    assert_eq!(Rules::from_json(&wire).expect("its own wire form"), r);
    let stored: Rules = serde_json::from_value(wire).expect("stored form");
    assert_eq!(stored, r);
    let nulls = json!({"max_quantity": null, "allocation": {"method": null}, "visibility": null});
    assert_eq!(Rules::from_json(&nulls).expect("nulls"), Rules::default());
}

#[test]
fn each_bad_rule_is_named() {
    let cases = [
        (json!({"colour": "red"}), "rules.colour", "Unknown rule: colour"),
        (json!({"max_quantity": 0}), "rules.max_quantity", "rules.max_quantity must be an integer from 1 to 1000000000"),
        (json!({"max_quantity": 1.5}), "rules.max_quantity", "rules.max_quantity must be an integer from 1 to 1000000000"),
        (json!({"max_per_member": "3"}), "rules.max_per_member", "rules.max_per_member must be an integer from 1 to 1000000000"),
        (json!({"eligible_orgs": "org_a"}), "rules.eligible_orgs", "rules.eligible_orgs must be an array of organisation ids"),
        (json!({"eligible_orgs": ["org_a", " "]}), "rules.eligible_orgs[1]", "each organisation id must be a non-empty string of at most 200 characters"),
        (json!({"visibility": "secret"}), "rules.visibility", "rules.visibility must be public or private"),
        (json!({"allocation": "single_vendor"}), "rules.allocation", "rules.allocation must be an object {\"method\": lowest_price_pro_rata or single_vendor}"),
        (json!({"allocation": {"method": "auction"}}), "rules.allocation.method", "rules.allocation.method must be lowest_price_pro_rata or single_vendor"),
        (json!({"allocation": {"style": "x"}}), "rules.allocation.style", "Unknown allocation rule: style"),
        (json!({"allow_partial": "yes"}), "rules.allow_partial", "rules.allow_partial must be true or false"),
        (json!({"organiser_fee_bps": 1001}), "rules.organiser_fee_bps", "rules.organiser_fee_bps must be an integer from 0 to 1000"),
        (json!({"organiser_fee_bps": -1}), "rules.organiser_fee_bps", "rules.organiser_fee_bps must be an integer from 0 to 1000"),
        (json!({"payment_terms_days": 0}), "rules.payment_terms_days", "rules.payment_terms_days must be an integer from 1 to 365"),
        (json!({"payment_terms_days": 366}), "rules.payment_terms_days", "rules.payment_terms_days must be an integer from 1 to 365"),
        (json!({"sealed_bids": 1}), "rules.sealed_bids", "rules.sealed_bids must be true or false"),
        (json!("private"), "rules", "rules must be an object"),
    ];
    for (rules, field, message) in cases {
        assert_eq!(
            refused(rules.clone()),
            (field.to_owned(), message.to_owned()),
            "{rules}"
        );
    }
    let many: Vec<String> = (0..=MAX_ELIGIBLE_ORGS)
        .map(|i| format!("org_{i}"))
        .collect();
    assert_eq!(
        refused(json!({ "eligible_orgs": many })).0,
        "rules.eligible_orgs"
    );
}

#[test]
fn consistency_names_each_contradiction_in_order() {
    let r = |v: Value| Rules::from_json(&v).expect("valid");
    assert!(r(json!({"max_quantity": 100, "max_per_member": 5}))
        .check_consistency(100, 5)
        .is_ok());
    assert_eq!(
        r(json!({"max_quantity": 10})).check_consistency(100, 50),
        Err(ProcurementRefusal::MaxQuantityBelowTarget {
            max_quantity: 10,
            target_quantity: 100
        })
    );
    assert_eq!(
        r(json!({"max_per_member": 4})).check_consistency(10, 5),
        Err(ProcurementRefusal::MaxPerMemberBelowMinCommitment {
            max_per_member: 4,
            min_commitment: 5
        })
    );
    assert_eq!(
        r(json!({"max_quantity": 10})).check_consistency(10, 11),
        Err(ProcurementRefusal::MinCommitmentAboveMaxQuantity {
            min_commitment: 11,
            max_quantity: 10
        })
    );
    assert_eq!(
        r(json!({"eligible_orgs": []})).check_consistency(10, 1),
        Err(ProcurementRefusal::NoEligibleOrgs)
    );
}

#[test]
fn eligibility_is_the_list_or_anyone() {
    let open = Rules::default();
    assert!(open.is_eligible("org_x") && !open.lists("org_x"));
    let listed = Rules {
        eligible_orgs: Some(vec!["org_a".into()]),
        ..Rules::default()
    };
    assert!(listed.is_eligible("org_a") && listed.lists("org_a"));
    assert!(!listed.is_eligible("org_b") && !listed.lists("org_b"));
}

/// Every declared rule name is read by the parser (a `null` takes its default) and a
/// wrong-typed value is refused naming that rule: none is silently taken for another.
#[test]
fn every_declared_rule_is_read_under_its_own_name() {
    use crate::procurement::RuleName;
    use strum::IntoEnumIterator;
    for rule in RuleName::iter() {
        let name = rule.as_str();
        assert_eq!(
            Rules::from_json(&json!({ name: null })).expect("null takes the default"),
            Rules::default(),
            "{name}"
        );
        let wrong = if name == "eligible_orgs" {
            json!(7)
        } else {
            json!({"x": [1]})
        };
        match Rules::from_json(&json!({ name: wrong })) {
            Err(DomainError::Validation { field, .. }) => {
                assert!(
                    field.starts_with(&format!("rules.{name}")),
                    "{name}: {field}"
                );
            }
            other => panic!("{name}: a wrong value was not refused: {other:?}"),
        }
    }
}
