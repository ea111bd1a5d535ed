//! Properties of the whole sourcing path, whatever the commitments, quotes and fee:
//! every committed unit is accounted for, nobody gets more than committed or pays above
//! its ceiling, and the settlement balances to the minor unit.

use super::award::{allocate_transition, build_allocation};
use super::rfq::tests::sourcing;
use super::rfq_response::VendorResponse;
use crate::money::{Currency, Money};
use crate::platform::ChangeContext;
use crate::procurement::commitment::{Commitment, CommitmentStatus};
use crate::procurement::group_buy::tests::{ctx, t0};
use crate::procurement::ids::{
    AllocationId, CommitmentId, DocumentId, GroupBuyId, ResponseId, SettlementId,
};
use crate::procurement::rules::Rules;
use crate::procurement::settle::{document_number_prefix, settle_transition};
use crate::procurement::settlement::DocumentKind;
use proptest::prelude::*;
use std::collections::BTreeMap;
use time::Duration;
use uuid::Uuid;

fn usd() -> Currency {
    Currency::parse("USD").expect("usd")
}

fn commitments(rows: &[(i64, i64)]) -> Vec<Commitment> {
    rows.iter()
        .zip(0u128..)
        .map(|((quantity, ceiling), i)| Commitment {
            id: CommitmentId::new(Uuid::from_u128(100 + i)),
            group_buy_id: GroupBuyId::new(Uuid::from_u128(1)),
            member_id: format!("org_{i}"),
            quantity: *quantity,
            price_ceiling: Money::from_minor(*ceiling, usd()),
            purchase_order_ref: None,
            status: CommitmentStatus::Active,
            created_at: t0(),
            updated_at: t0() + Duration::minutes(i64::try_from(i).expect("small")),
        })
        .collect()
}

proptest! {
    #[test]
    fn sourcing_accounts_for_every_unit_and_balances(
        members in prop::collection::vec((1i64..80, 100i64..2_000), 1..7),
        quotes in prop::collection::vec((100i64..2_000, 1i64..150), 1..4),
        fee_bps in 0u32..=1_000,
    ) {
        let rules = Rules { organiser_fee_bps: fee_bps, ..Rules::default() };
        let (g, rfq) = sourcing(rules);
        let vendors = ["v_mills", "v_farm"];
        let responses: Vec<VendorResponse> = quotes
            .iter()
            .zip(0u128..)
            .map(|((price, available), i)| VendorResponse {
                id: ResponseId::new(Uuid::from_u128(200 + i)),
                rfq_id: rfq.id,
                // Two vendors: a third quote is the first vendor's revision.
                vendor_id: vendors[usize::try_from(i).expect("small") % 2].to_owned(),
                version: 1 + i64::try_from(i / 2).expect("small"),
                unit_price: Money::from_minor(*price, usd()),
                available_quantity: *available,
                valid_until: t0() + Duration::days(10),
                lead_time_days: None,
                notes: None,
                vat: None,
                submitted_at: t0() + Duration::hours(1),
            })
            .collect();
        let c = commitments(&members);
        let later = ChangeContext { now: t0() + Duration::days(1), ..ctx() };
        let Ok(plan) = build_allocation(&g, &c, &responses, later.now) else {
            // Every quote above every ceiling: refused up front, nothing to check.
            return Ok(());
        };
        let committed: i64 = members.iter().map(|(q, _)| q).sum();
        prop_assert_eq!(plan.totals.allocated_quantity + plan.totals.unfilled_quantity, committed);
        for (cm, (quantity, ceiling)) in c.iter().zip(&members) {
            let got: i64 = plan.results.iter().filter(|l| l.member_id == cm.member_id).map(|l| l.quantity).sum();
            prop_assert!(got <= *quantity);
            prop_assert!(plan.results.iter().filter(|l| l.member_id == cm.member_id).all(|l| l.unit_price_minor <= *ceiling));
        }
        let id = AllocationId::new(Uuid::from_u128(30));
        let (award, t) = allocate_transition(&g, "org_acme", id, &rfq, plan, &later).expect("allocates");
        if award.plan.results.is_empty() {
            return Ok(());
        }
        let mut n = 0u128;
        let mut mint = || { n += 1; DocumentId::new(Uuid::from_u128(n)) };
        let prefix = document_number_prefix(&t.group_buy);
        let (record, _) = settle_transition(
            &t.group_buy, "org_acme", &award, &rfq, SettlementId::new(Uuid::from_u128(50)),
            &prefix, &mut mint,
            &crate::procurement::settlement::complete_invoicing(
                "org_acme",
                award.plan.results.iter().map(|l| l.member_id.as_str()),
                award.plan.results.iter().map(|l| l.vendor_id.as_str()),
            ),
            &later,
        ).expect("settles");
        let sum = |kind| record.documents.iter().filter(|d| d.document.kind == kind).map(|d| d.document.total_minor).sum::<i64>();
        prop_assert_eq!(sum(DocumentKind::Receivable), sum(DocumentKind::Payable) + record.totals.fees_minor);
        prop_assert_eq!(sum(DocumentKind::Payable), award.plan.totals.amount_minor);
        let fees: i64 = record.documents.iter().map(|d| d.document.fee_minor).sum();
        prop_assert_eq!(fees, record.totals.fees_minor);
        let mut goods: BTreeMap<&str, i64> = BTreeMap::new();
        for l in &award.plan.results {
            *goods.entry(l.member_id.as_str()).or_default() += l.amount_minor;
        }
        for d in record.documents.iter().filter(|d| d.document.kind == DocumentKind::Receivable) {
            let doc = &d.document;
            prop_assert_eq!(doc.total_minor - doc.fee_minor, goods[doc.counterparty.as_str()]);
        }
    }
}
