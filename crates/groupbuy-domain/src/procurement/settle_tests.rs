//! Settling the worked award: who may, what balances, who sees which document.

use super::*;
use crate::procurement::group_buy::tests::{caller, ctx, t0};
use crate::procurement::group_buy::GroupBuyStatus;
use crate::procurement::refusal::ProcurementRefusal;
use crate::procurement::rules::Rules;
use crate::procurement::settlement::InvoicingInput;
use crate::procurement::sourcing::award::tests::awarded;
use crate::procurement::sourcing::rfq_response::tests::vendor_caller;
use time::macros::date;
use time::Duration;
use uuid::Uuid;

fn finance(org: &str) -> Principal {
    let mut p = caller(org);
    p.scopes.push(SCOPE_FINANCE_WRITE.into());
    p
}

/// Every party of the worked award, complete.
fn everyone() -> InvoicingInput {
    crate::procurement::settlement::complete_invoicing(
        "org_acme",
        ["org_a", "org_b", "org_c"],
        ["v_mills", "v_farm"],
    )
}

fn with_fee() -> Rules {
    Rules {
        organiser_fee_bps: 250,
        payment_terms_days: 14,
        ..Rules::default()
    }
}

pub(crate) fn settled(rules: Rules) -> (GroupBuy, SettlementRecord, Transition) {
    let (g, rfq, award) = awarded(rules);
    let mut n = 40u128;
    let mut mint = || {
        n += 1;
        DocumentId::new(Uuid::from_u128(n))
    };
    let later = ChangeContext {
        now: t0() + Duration::days(2),
        ..ctx()
    };
    let id = SettlementId::new(Uuid::from_u128(50));
    let prefix = document_number_prefix(&g);
    let (record, t) = settle_transition(
        &g,
        "org_acme",
        &award,
        &rfq,
        id,
        &prefix,
        &mut mint,
        &everyone(),
        &later,
    )
    .expect("settles");
    (g, record, t)
}

#[test]
fn settling_needs_both_scopes_the_organiser_and_an_allocation() {
    let (g, _, _) = awarded(Rules::default());
    let viewer = |p: &Principal| Viewer::of(p, &g, false);
    let organiser = finance("org_acme");
    assert_eq!(
        check_can_settle(&g, &viewer(&organiser), &organiser),
        Ok(())
    );
    let plain = caller("org_acme");
    assert_eq!(
        check_can_settle(&g, &viewer(&plain), &plain)
            .expect_err("scope")
            .to_string(),
        "Missing scope: finance:write"
    );
    let member = finance("org_a");
    assert_eq!(
        check_can_settle(&g, &Viewer::of(&member, &g, true), &member)
            .expect_err("member")
            .to_string(),
        "Only the organising organisation may settle this group buy"
    );
    let sourcing = GroupBuy {
        status: GroupBuyStatus::Sourcing,
        ..g.clone()
    };
    assert_eq!(
        check_can_settle(&sourcing, &viewer(&organiser), &organiser)
            .expect_err("sourcing")
            .to_string(),
        "Cannot settle a group buy in status SOURCING; allowed: cancel, allocate"
    );
    let done = GroupBuy {
        status: GroupBuyStatus::Settled,
        ..g.clone()
    };
    assert_eq!(
        check_can_settle(&done, &viewer(&organiser), &organiser),
        Err(SourcingRefusal::Procurement(
            ProcurementRefusal::AlreadySettled
        ))
    );
    assert_eq!(
        check_can_settle(&done, &viewer(&organiser), &organiser)
            .expect_err("settled")
            .to_string(),
        "Group buy already settled"
    );
}

#[test]
fn the_documents_balance_to_the_cent() {
    let (g, record, t) = settled(with_fee());
    assert_eq!(t.group_buy.status, GroupBuyStatus::Settled);
    let kinds: Vec<(&str, &str, i64, i64)> = record
        .documents
        .iter()
        .map(|d| {
            let d = &d.document;
            (
                d.kind.as_str(),
                d.counterparty.as_str(),
                d.total_minor,
                d.fee_minor,
            )
        })
        .collect();
    // Goods 62,800 cents; fee 2.5% = 1,570, shared 675 / 405 / 490 by goods.
    assert_eq!(
        kinds,
        vec![
            ("PAYABLE", "v_mills", 54_000, 0),
            ("PAYABLE", "v_farm", 8_800, 0),
            ("RECEIVABLE", "org_a", 27_675, 675),
            ("RECEIVABLE", "org_b", 16_605, 405),
            ("RECEIVABLE", "org_c", 20_090, 490),
        ]
    );
    let totals = record.totals;
    assert_eq!(totals.payables_minor, 62_800);
    assert_eq!(totals.fees_minor, 1_570);
    assert_eq!(
        totals.receivables_minor,
        totals.payables_minor + totals.fees_minor
    );
    let first = &record.documents[0].document;
    assert_eq!(first.issue_date, date!(2026 - 11 - 25));
    assert_eq!(first.due_date, date!(2026 - 12 - 09));
    assert_eq!(first.number, "GB-00000000-0001");
    assert_eq!(first.counterparty_name.as_deref(), Some("Mills Ltd"));
    assert_eq!(record.documents[0].id, DocumentId::new(Uuid::from_u128(41)));
    assert_eq!(g.subject(), t.events[0].subject);
}

#[test]
fn settling_says_so_and_cannot_happen_twice() {
    let (_, record, t) = settled(with_fee());
    let data = &t.events[0].data;
    assert_eq!(t.events[0].event_type.as_str(), "settlement.completed");
    assert_eq!(data["settlement"]["id"], record.id.to_string());
    assert_eq!(data["settlement"]["receivables"].to_string(), "643.70");
    assert_eq!(data["settlement"]["documents"][2]["type"], "RECEIVABLE");
    assert_eq!(data["settlement"]["documents"][2]["due_date"], "2026-12-09");
    assert_eq!(t.audit[0].action, "settle");
    let (_, rfq, award) = awarded(with_fee());
    let again = settle_transition(
        &t.group_buy,
        "org_acme",
        &award,
        &rfq,
        record.id,
        "X",
        &mut || DocumentId::new(Uuid::from_u128(1)),
        &everyone(),
        &ctx(),
    )
    .expect_err("twice");
    assert_eq!(again.to_string(), "Group buy already settled");
}

#[test]
fn each_party_sees_its_own_document() {
    let (g, record, t) = settled(with_fee());
    let g = GroupBuy {
        status: t.group_buy.status,
        ..g
    };
    let of = |p: &Principal| SettlementViewer::of(p, &Viewer::of(p, &g, false), &g, &record);
    let all = SettlementView::new(&record, &of(&caller("org_acme")).expect("organiser"));
    assert_eq!(all.documents.len(), 5);
    assert_eq!(all.totals, record.totals);

    let admin = Principal {
        org_id: None,
        roles: vec![crate::principal::ROLE_PLATFORM_ADMIN.into()],
        ..caller("x")
    };
    assert_eq!(of(&admin), Ok(SettlementViewer::All));

    let b = of(&caller("org_b")).expect("member");
    let view = SettlementView::new(&record, &b);
    assert_eq!(view.documents.len(), 1);
    assert_eq!(view.documents[0].document.counterparty, "org_b");
    assert_eq!(view.totals.receivables_minor, 16_605);
    assert_eq!(view.totals.payables_minor, 0);
    assert_eq!(view.totals.fees_minor, 405);

    let farm = of(&vendor_caller("v_farm")).expect("vendor");
    let view = SettlementView::new(&record, &farm);
    assert_eq!(view.documents.len(), 1);
    assert_eq!(view.documents[0].document.kind.as_str(), "PAYABLE");

    let mills_doc = record.documents[0].id;
    assert_eq!(
        farm.document(&record, mills_doc),
        Err(SourcingRefusal::DocumentNotFound)
    );
    assert!(farm.document(&record, view.documents[0].id).is_ok());
    assert_eq!(
        b.document(&record, DocumentId::new(Uuid::from_u128(999))),
        Err(SourcingRefusal::DocumentNotFound)
    );

    let no_org = |org: Option<&str>| Principal {
        org_id: org.map(str::to_owned),
        ..finance("x")
    };
    for who in [
        caller("org_z"),
        finance("org_z"),
        vendor_caller("v_other"),
        no_org(None),
        no_org(Some("  ")),
    ] {
        assert_eq!(
            of(&who),
            Err(SourcingRefusal::SettlementNotFound),
            "{}",
            who.user_id
        );
    }
}

#[test]
fn a_scope_never_opens_a_hidden_pool_s_settlement() {
    let (g, record, _) = settled(with_fee());
    let g = GroupBuy {
        rules: Rules {
            visibility: crate::procurement::rules::Visibility::Private,
            ..g.rules.clone()
        },
        ..g
    };
    let mut vendor = vendor_caller("v_other");
    vendor.scopes.push(SCOPE_FINANCE_WRITE.into());
    for org in [None, Some(""), Some("org_z")] {
        let who = Principal {
            org_id: org.map(str::to_owned),
            ..finance("x")
        };
        for p in [&who, &vendor] {
            let viewer = Viewer::of(p, &g, false);
            assert_eq!(
                SettlementViewer::of(p, &viewer, &g, &record),
                Err(ProcurementRefusal::GroupBuyNotFound.into()),
                "{org:?}"
            );
        }
    }
}
