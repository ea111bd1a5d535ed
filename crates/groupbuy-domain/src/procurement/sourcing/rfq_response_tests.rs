//! Vendor responses: who may respond, until when, revisions, validation; and what each
//! caller sees of the RFQ (sealed bids, a vendor's own response only).

use super::*;
use crate::procurement::group_buy::tests::{caller, ctx, t0};
use crate::procurement::rules::Rules;
use crate::procurement::sourcing::rfq::tests::sourcing;
use crate::procurement::sourcing::rfq_view::{RfqView, RfqViewer};
use time::Duration;
use uuid::Uuid;

pub(crate) fn vendor_caller(id: &str) -> Principal {
    Principal {
        user_id: id.into(),
        scopes: vec!["groupbuy:read".into(), "groupbuy:write".into()],
        roles: vec![ROLE_VENDOR.into()],
        ..Principal::default()
    }
}

pub(crate) fn fields(price: &str, available: i64) -> ResponseFields {
    ResponseFields {
        unit_price: price.parse().expect("decimal"),
        available_quantity: available,
        valid_until: t0() + Duration::days(10),
        lead_time_days: Some(7),
        notes: Some("Palletised".into()),
        vat: None,
    }
}

fn rsp_id(n: u128) -> ResponseId {
    ResponseId::new(Uuid::from_u128(n))
}

fn at(hours: i64) -> ChangeContext {
    ChangeContext {
        now: t0() + Duration::hours(hours),
        ..ctx()
    }
}

#[test]
fn an_invited_vendor_responds_then_revises() {
    let (g, rfq) = sourcing(Rules::default());
    let me = vendor_caller("v_mills");
    let first =
        submit_response(&rfq, &g, &me, fields("9.50", 80), None, rsp_id(1), &at(1)).expect("first");
    assert!(first.created);
    assert_eq!(first.response.version, 1);
    assert_eq!(first.response.id, rsp_id(1));
    assert_eq!(first.response.unit_price.minor(), 950);
    let [event] = first.events.as_slice() else {
        panic!("one event")
    };
    assert_eq!(event.event_type.as_str(), "vendor.response.received");
    assert_eq!(event.data["vendor_name"], "Mills Ltd");
    assert_eq!(event.data["unit_price"].to_string(), "9.50");
    assert_eq!(first.audit[0].action, "rfq.response");
    assert!(first.audit[0].details.get("unit_price").is_none());

    let second = submit_response(
        &rfq,
        &g,
        &me,
        fields("9.00", 100),
        Some(&first.response),
        rsp_id(2),
        &at(2),
    )
    .expect("revision");
    assert!(!second.created);
    assert_eq!(second.response.version, 2);
    assert_eq!(second.response.id, rsp_id(1));
    let all = [first.response, second.response.clone()];
    assert_eq!(latest_responses(&all), vec![&second.response]);
}

#[test]
fn only_invited_vendors_respond() {
    let (g, rfq) = sourcing(Rules::default());
    let err = |who: &Principal| {
        submit_response(&rfq, &g, who, fields("9", 1), None, rsp_id(1), &at(1))
            .expect_err("refused")
    };
    assert_eq!(
        err(&vendor_caller("v_other")),
        DomainError::NotFound("RFQ not found".into())
    );
    assert_eq!(
        err(&caller("v_mills")).to_string(),
        "Only an invited vendor may respond to an RFQ"
    );
}

#[test]
fn responses_close_at_the_due_date_and_when_sourcing_ends() {
    let (g, rfq) = sourcing(Rules::default());
    let me = vendor_caller("v_farm");
    let late =
        submit_response(&rfq, &g, &me, fields("9", 1), None, rsp_id(1), &at(48)).expect_err("due");
    assert_eq!(
        late.to_string(),
        "The RFQ closed at 2026-11-25T12:00:00Z; responses are no longer accepted"
    );
    let allocated = GroupBuy {
        status: GroupBuyStatus::Allocated,
        ..g
    };
    let err = submit_response(
        &rfq,
        &allocated,
        &me,
        fields("9", 1),
        None,
        rsp_id(1),
        &at(1),
    )
    .expect_err("allocated");
    assert_eq!(
        err.to_string(),
        "The RFQ no longer accepts responses: the group buy is ALLOCATED"
    );
}

#[test]
fn a_response_names_each_bad_field() {
    let (g, rfq) = sourcing(Rules::default());
    let me = vendor_caller("v_farm");
    let cases = [
        (
            ResponseFields {
                unit_price: "0".parse().expect("d"),
                ..fields("1", 1)
            },
            "unit_price",
            "unit_price must be greater than 0",
        ),
        (
            ResponseFields {
                unit_price: "1.234".parse().expect("d"),
                ..fields("1", 1)
            },
            "unit_price",
            "unit_price must have at most 2 decimal places for USD",
        ),
        (
            fields("1", 0),
            "available_quantity",
            "available_quantity must be an integer from 1 to 1000000000",
        ),
        (
            ResponseFields {
                valid_until: t0(),
                ..fields("1", 1)
            },
            "valid_until",
            "valid_until must be in the future",
        ),
        (
            ResponseFields {
                lead_time_days: Some(366),
                ..fields("1", 1)
            },
            "lead_time_days",
            "lead_time_days must be an integer from 0 to 365",
        ),
        (
            ResponseFields {
                notes: Some("n".repeat(2001)),
                ..fields("1", 1)
            },
            "notes",
            "notes must be at most 2000 characters",
        ),
    ];
    for (f, field, message) in cases {
        match submit_response(&rfq, &g, &me, f, None, rsp_id(1), &ctx()) {
            Err(DomainError::Validation {
                field: got,
                message: said,
            }) => {
                assert_eq!((got.as_str(), said.as_str()), (field, message));
            }
            other => panic!("{field}: {other:?}"),
        }
    }
}

#[test]
fn sealed_bids_hide_prices_from_the_organiser_until_the_due_date() {
    let sealed = Rules {
        sealed_bids: true,
        ..Rules::default()
    };
    let (g, rfq) = sourcing(sealed);
    let me = vendor_caller("v_mills");
    let r = submit_response(&rfq, &g, &me, fields("9.50", 80), None, rsp_id(1), &at(1))
        .expect("responds")
        .response;
    let event = submit_response(
        &rfq,
        &g,
        &me,
        fields("9.50", 80),
        Some(&r),
        rsp_id(1),
        &at(1),
    )
    .expect("revises")
    .events;
    assert!(event[0].data["unit_price"].is_null());

    let organiser = RfqViewer::of(&caller("org_acme"), &g, &rfq).expect("organiser");
    assert_eq!(organiser, RfqViewer::Organiser);
    let before = RfqView::new(&rfq, &g, &organiser, std::slice::from_ref(&r), t0());
    assert!(before.prices_sealed);
    assert_eq!(before.responses[0].unit_price, None);
    assert_eq!(before.responses[0].notes, None);
    assert_eq!(before.responses[0].available_quantity, 80);
    let after = RfqView::new(&rfq, &g, &organiser, std::slice::from_ref(&r), rfq.due_date);
    assert!(!after.prices_sealed);
    assert_eq!(after.responses[0].unit_price, Some(r.unit_price));

    // Leaving SOURCING early unseals nothing: cancelled before the due date, sealed for
    // good; cancelled after it, what was shown stays shown.
    let cancelled = GroupBuy {
        status: GroupBuyStatus::Cancelled,
        updated_at: rfq.due_date - Duration::minutes(1),
        ..g.clone()
    };
    for now in [t0(), rfq.due_date, rfq.due_date + Duration::days(30)] {
        let v = RfqView::new(&rfq, &cancelled, &organiser, std::slice::from_ref(&r), now);
        assert!(v.prices_sealed, "{now}");
        assert_eq!(
            (v.responses[0].unit_price, v.responses[0].notes.clone()),
            (None, None)
        );
    }
    let late = GroupBuy {
        updated_at: rfq.due_date + Duration::minutes(1),
        ..cancelled
    };
    let v = RfqView::new(
        &rfq,
        &late,
        &organiser,
        std::slice::from_ref(&r),
        rfq.due_date + Duration::hours(1),
    );
    assert!(!v.prices_sealed);
    let allocated = GroupBuy {
        status: GroupBuyStatus::Allocated,
        ..g.clone()
    };
    assert!(
        RfqView::new(&rfq, &allocated, &organiser, std::slice::from_ref(&r), t0()).prices_sealed
    );

    // The vendor always sees its own price.
    let mine = RfqViewer::of(&me, &g, &rfq).expect("vendor");
    let view = RfqView::new(&rfq, &g, &mine, std::slice::from_ref(&r), t0());
    assert_eq!(view.responses[0].unit_price, Some(r.unit_price));
}

#[test]
fn an_unsealed_rfq_shows_the_organiser_every_latest_response() {
    let (g, rfq) = sourcing(Rules::default());
    let a = submit_response(
        &rfq,
        &g,
        &vendor_caller("v_mills"),
        fields("9", 80),
        None,
        rsp_id(1),
        &at(1),
    )
    .expect("a")
    .response;
    let a2 = submit_response(
        &rfq,
        &g,
        &vendor_caller("v_mills"),
        fields("8", 80),
        Some(&a),
        rsp_id(9),
        &at(2),
    )
    .expect("a2")
    .response;
    let b = submit_response(
        &rfq,
        &g,
        &vendor_caller("v_farm"),
        fields("10", 50),
        None,
        rsp_id(2),
        &at(1),
    )
    .expect("b")
    .response;
    let all = [a, b.clone(), a2.clone()];
    let view = RfqView::new(&rfq, &g, &RfqViewer::Organiser, &all, t0());
    assert!(!view.prices_sealed);
    assert_eq!(view.vendors.as_ref().map(Vec::len), Some(2));
    let shown: Vec<(&str, i64)> = view
        .responses
        .iter()
        .map(|r| (r.vendor_id.as_str(), r.version))
        .collect();
    assert_eq!(shown, vec![("v_farm", 1), ("v_mills", 2)]);
    assert_eq!(view.committed_quantity, 120);

    let farm = RfqViewer::of(&vendor_caller("v_farm"), &g, &rfq).expect("vendor");
    let theirs = RfqView::new(&rfq, &g, &farm, &all, t0());
    assert_eq!(theirs.vendors, None);
    assert_eq!(theirs.responses.len(), 1);
    assert_eq!(theirs.responses[0].vendor_id, "v_farm");
    assert_eq!(theirs.items, g.items);
    assert_eq!(theirs.committed_quantity, 120);
}

#[test]
fn anyone_else_is_told_there_is_no_rfq() {
    let (g, rfq) = sourcing(Rules::default());
    for who in [vendor_caller("v_other"), caller("org_b"), caller("v_mills")] {
        assert_eq!(
            RfqViewer::of(&who, &g, &rfq),
            Err(SourcingRefusal::RfqNotFound),
            "{}",
            who.user_id
        );
    }
}

#[test]
fn a_lapsed_quote_is_shown_as_not_valid() {
    let (g, rfq) = sourcing(Rules::default());
    let r = submit_response(
        &rfq,
        &g,
        &vendor_caller("v_mills"),
        fields("9", 80),
        None,
        rsp_id(1),
        &at(1),
    )
    .expect("r")
    .response;
    assert!(r.is_valid_at(r.valid_until));
    assert!(!r.is_valid_at(r.valid_until + Duration::seconds(1)));
    let view = RfqView::new(
        &rfq,
        &g,
        &RfqViewer::Organiser,
        std::slice::from_ref(&r),
        r.valid_until + Duration::hours(1),
    );
    assert!(!view.responses[0].valid);
}
