//! Settlements worked out by hand, and the balance that always holds.

use super::*;
use crate::error::DomainError;
use proptest::prelude::*;
use time::macros::date;

fn awarded(member: &str, vendor: &str, quantity: i64, price: i64) -> AwardedLine {
    AwardedLine {
        member_id: member.to_owned(),
        vendor_id: vendor.to_owned(),
        quantity,
        unit_price_minor: price,
    }
}

fn input(lines: Vec<AwardedLine>, bps: u32) -> SettlementInput {
    SettlementInput {
        lines,
        items: vec![ItemInfo {
            sku: "MF-50".to_owned(),
            name: "Maize flour 50 kg".to_owned(),
        }],
        vendor_names: BTreeMap::from([("v1".to_owned(), "Mills Ltd".to_owned())]),
        member_names: BTreeMap::from([("m1".to_owned(), "Acme Co-op".to_owned())]),
        organiser_fee_bps: bps,
        payment_terms_days: 30,
        issue_date: date!(2026 - 03 - 10),
        currency: Currency::TZS,
        number_prefix: "GB42".to_owned(),
        first_sequence: 1,
    }
}

/// The allocation of the allocation tests: v1 at 9.00 split 16/8/6, v2 at 9.50 topping up.
fn worked_example() -> Vec<AwardedLine> {
    vec![
        awarded("m1", "v1", 16, 900),
        awarded("m2", "v1", 8, 900),
        awarded("m3", "v1", 6, 900),
        awarded("m1", "v2", 4, 950),
        awarded("m3", "v2", 1, 950),
    ]
}

#[test]
fn payables_per_vendor_receivables_per_member_and_the_fee_shared_exactly() {
    // Goods 31,750 (m1 18,200, m2 7,200, m3 6,350); 2.5% is 793.75, rounded half up to 794.
    // Shares 455.14, 180.06, 158.80: floors 793, the last unit to m3's .80.
    let settlement = settle(&input(worked_example(), 250)).expect("settles");
    let summary: Vec<(DocumentKind, &str, &str, i64, i64)> = settlement
        .documents
        .iter()
        .map(|d| {
            (
                d.kind,
                d.number.as_str(),
                d.counterparty.as_str(),
                d.fee_minor,
                d.total_minor,
            )
        })
        .collect();
    use DocumentKind::{Payable, Receivable};
    assert_eq!(
        summary,
        [
            (Payable, "GB42-0001", "v1", 0, 27_000),
            (Payable, "GB42-0002", "v2", 0, 4_750),
            (Receivable, "GB42-0003", "m1", 455, 18_655),
            (Receivable, "GB42-0004", "m2", 180, 7_380),
            (Receivable, "GB42-0005", "m3", 159, 6_509),
        ]
    );
    assert_eq!(
        settlement.totals,
        SettlementTotals {
            payables_minor: 31_750,
            receivables_minor: 32_544,
            fees_minor: 794,
        }
    );
    let acme = &settlement.documents[2];
    assert_eq!(acme.counterparty_name.as_deref(), Some("Acme Co-op"));
    assert_eq!(acme.due_date, date!(2026 - 04 - 09));
    let descriptions: Vec<&str> = acme.lines.iter().map(|l| l.description.as_str()).collect();
    assert_eq!(
        descriptions,
        [
            "Maize flour 50 kg from Mills Ltd",
            "Maize flour 50 kg from v2",
            "Organiser fee"
        ]
    );
    let fee_line = &acme.lines[2];
    assert_eq!(
        (
            fee_line.sku.as_deref(),
            fee_line.quantity,
            fee_line.amount_minor
        ),
        (None, 1, 455)
    );
    assert_eq!(fee_line.vendor_id, None);
    let mills = &settlement.documents[0];
    assert_eq!(
        mills.lines[0].description,
        "Maize flour 50 kg for Acme Co-op"
    );
    assert_eq!(mills.lines[1].description, "Maize flour 50 kg for m2");
    assert_eq!(mills.lines[0].sku.as_deref(), Some("MF-50"));
    assert_eq!(
        (
            mills.lines[0].member_id.as_deref(),
            mills.lines[0].vendor_id.as_deref()
        ),
        (Some("m1"), Some("v1"))
    );
}

#[test]
fn the_fee_rounds_half_up_and_no_fee_means_no_fee_line() {
    let fee = |goods: i64, bps: u32| {
        settle(&input(vec![awarded("m1", "v1", 1, goods)], bps))
            .expect("settles")
            .totals
            .fees_minor
    };
    assert_eq!(fee(100, 50), 1); // 0.50 -> 1
    assert_eq!(fee(99, 50), 0); // 0.495 -> 0
    assert_eq!(fee(1_000_000, 1_000), 100_000);
    let free = settle(&input(worked_example(), 0)).expect("settles");
    assert!(free
        .documents
        .iter()
        .all(|d| d.fee_minor == 0 && d.lines.iter().all(|l| l.description != "Organiser fee")));
    assert_eq!(free.totals.receivables_minor, free.totals.payables_minor);
}

#[test]
fn a_unit_of_several_items_is_described_by_all_of_them() {
    let mut request = input(vec![awarded("m1", "v1", 2, 100)], 0);
    request.items.push(ItemInfo {
        sku: "CO-5".to_owned(),
        name: "Cooking oil 5 l".to_owned(),
    });
    let settlement = settle(&request).expect("settles");
    let line = &settlement.documents[1].lines[0];
    assert_eq!(
        line.description,
        "Maize flour 50 kg + Cooking oil 5 l from Mills Ltd"
    );
    assert_eq!(line.sku.as_deref(), Some("MF-50+CO-5"));
}

#[test]
fn refusals() {
    assert_eq!(
        settle(&input(vec![], 0)),
        Err(SettlementRefusal::NothingAllocated)
    );
    let refusal = settle(&input(worked_example(), 1_001)).expect_err("too high");
    assert_eq!(
        DomainError::from(refusal),
        DomainError::invalid(
            "rules.organiser_fee_bps",
            "organiser_fee_bps must be between 0 and 1000, got 1001"
        )
    );
    assert_eq!(
        settle(&input(vec![awarded("m1", "v1", 0, 100)], 0)),
        Err(SettlementRefusal::InvalidLine {
            member_id: "m1".to_owned(),
            vendor_id: "v1".to_owned()
        })
    );
    let huge = vec![
        awarded("m1", "v1", 1, Money::MAX_MINOR),
        awarded("m2", "v1", 1, 1),
    ];
    assert_eq!(settle(&input(huge, 0)), Err(SettlementRefusal::TooLarge));
    assert_eq!(
        settle(&input(vec![awarded("m1", "v1", i64::MAX, 2)], 0)),
        Err(SettlementRefusal::TooLarge)
    );
    let mut late = input(worked_example(), 0);
    late.issue_date = Date::MAX;
    assert_eq!(settle(&late), Err(SettlementRefusal::DueDateOutOfRange(30)));
}

fn lines() -> impl Strategy<Value = Vec<AwardedLine>> {
    prop::collection::vec((0usize..6, 0usize..4, 1i64..1_000, 0i64..10_000_000), 1..20).prop_map(
        |rows| {
            rows.into_iter()
                .map(|(m, v, quantity, price)| {
                    awarded(&format!("m{m}"), &format!("v{v}"), quantity, price)
                })
                .collect()
        },
    )
}

proptest! {
    #[test]
    fn receivables_equal_payables_plus_the_fee_always(lines in lines(), bps in 0u32..=1_000) {
        let settlement = settle(&input(lines.clone(), bps)).expect("settles");
        let goods: i128 = lines.iter().map(|l| i128::from(l.quantity) * i128::from(l.unit_price_minor)).sum();
        let fee = (goods * i128::from(bps) + 5_000) / 10_000;
        let totals = settlement.totals;
        prop_assert_eq!(i128::from(totals.payables_minor), goods);
        prop_assert_eq!(i128::from(totals.fees_minor), fee);
        prop_assert_eq!(totals.receivables_minor, totals.payables_minor + totals.fees_minor);
        let of = |kind: DocumentKind| settlement.documents.iter().filter(move |d| d.kind == kind);
        prop_assert_eq!(of(DocumentKind::Receivable).map(|d| d.fee_minor).sum::<i64>(), totals.fees_minor);
        prop_assert_eq!(of(DocumentKind::Receivable).map(|d| d.total_minor).sum::<i64>(), totals.receivables_minor);
        prop_assert_eq!(of(DocumentKind::Payable).map(|d| d.total_minor).sum::<i64>(), totals.payables_minor);
        for d in &settlement.documents {
            prop_assert_eq!(d.total_minor, d.lines.iter().map(|l| l.amount_minor).sum::<i64>());
            prop_assert!(d.total_minor >= 0 && d.fee_minor >= 0);
            for l in &d.lines {
                prop_assert!(l.quantity > 0 && l.unit_price_minor >= 0);
                prop_assert_eq!(l.amount_minor, l.quantity * l.unit_price_minor);
            }
            let fee_lines: Vec<&DocumentLine> = d.lines.iter().filter(|l| l.vendor_id.is_none()).collect();
            prop_assert_eq!(fee_lines.len(), usize::from(d.fee_minor > 0));
            if d.kind == DocumentKind::Receivable && goods > 0 {
                // Each member's fee is within one unit of its exact share of the fee.
                let member_goods: i128 = lines.iter().filter(|l| l.member_id == d.counterparty)
                    .map(|l| i128::from(l.quantity) * i128::from(l.unit_price_minor)).sum();
                prop_assert!((i128::from(d.fee_minor) * goods - fee * member_goods).abs() < goods);
            }
        }
        let numbers: std::collections::BTreeSet<&str> = settlement.documents.iter().map(|d| d.number.as_str()).collect();
        prop_assert_eq!(numbers.len(), settlement.documents.len());
    }
}

proptest! {
    #[test]
    fn any_allocation_settles_into_balanced_documents(
        needs in prop::collection::vec((1i64..50, 100i64..1_000), 1..6),
        supply in prop::collection::vec((100i64..1_000, 1i64..80), 1..4),
        bps in 0u32..=1_000,
    ) {
        use crate::procurement::allocation::{allocate, AllocationMethod, MemberDemand, VendorOffer};
        let at = time::macros::datetime!(2026-03-01 09:00 UTC);
        let members: Vec<MemberDemand> = needs.iter().enumerate().map(|(i, (quantity, ceiling))| MemberDemand {
            member_id: format!("m{i}"), quantity: *quantity, price_ceiling_minor: *ceiling, committed_at: at, order: i as u64,
        }).collect();
        let offers: Vec<VendorOffer> = supply.iter().enumerate().map(|(i, (price, available))| VendorOffer {
            vendor_id: format!("v{i}"), unit_price_minor: *price, available_quantity: *available, responded_at: at, order: i as u64,
        }).collect();
        let Ok(plan) = allocate(AllocationMethod::LowestPriceProRata, &members, &offers, Currency::TZS) else {
            return Ok(());
        };
        let settlement = settle(&input(plan.results.iter().map(AwardedLine::from).collect(), bps)).expect("settles");
        prop_assert_eq!(settlement.totals.payables_minor, plan.totals.amount_minor);
        prop_assert_eq!(settlement.totals.receivables_minor, settlement.totals.payables_minor + settlement.totals.fees_minor);
    }
}
