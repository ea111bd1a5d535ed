//! Capacity as a property: over any sequence of commits and withdrawals the committed
//! total equals the ACTIVE commitments' sum and never passes the caps, and exactly the
//! units the refusal names still fit.

use super::super::group_buy::tests::{caller, ctx, pool};
use super::tests::{by, capped, cmt_id, req};
use super::*;
use crate::procurement::rules::Rules;
use proptest::prelude::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
enum Step {
    Commit { org: usize, quantity: i64 },
    Withdraw { org: usize },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0usize..6, 1i64..60).prop_map(|(org, quantity)| Step::Commit { org, quantity }),
        1 => (0usize..6).prop_map(|org| Step::Withdraw { org }),
    ]
}

proptest! {
    #[test]
    fn committed_never_exceeds_capacity_and_counters_match_the_commitments(
        max_quantity in 1i64..200,
        max_per_member in proptest::option::of(1i64..80),
        steps in proptest::collection::vec(step(), 1..60),
    ) {
        let mut g = pool(Rules { max_quantity: Some(max_quantity), max_per_member, ..Rules::default() });
        g.min_commitment = 1;
        g.target_quantity = max_quantity;
        let mut book: BTreeMap<String, Commitment> = BTreeMap::new();
        for (n, s) in steps.into_iter().enumerate() {
            let (Step::Commit { org, .. } | Step::Withdraw { org }) = &s;
            let p = caller(&format!("org_{org}"));
            let existing = book.get(&format!("org_{org}")).cloned();
            let version = g.version;
            match s {
                Step::Commit { quantity, .. } => {
                    let own = existing.as_ref().filter(|c| c.is_active()).map_or(0, |c| c.quantity);
                    let limit = g.capacity_for(own);
                    match g.commit(by(&p, existing.as_ref()), req(quantity, 5), cmt_id(n as u128), &ctx()) {
                        Ok(d) => {
                            prop_assert!(limit.is_none_or(|l| quantity <= l));
                            prop_assert_eq!(d.group_buy.version, version + i64::from(d.changed));
                            book.insert(d.commitment.member_id.clone(), d.commitment);
                            g = d.group_buy;
                        }
                        Err(e) => {
                            let l = limit.unwrap_or(i64::MAX);
                            prop_assert!(quantity > l);
                            prop_assert_eq!(e.to_string(), format!("Capacity exceeded: {l} units remain"));
                        }
                    }
                }
                Step::Withdraw { .. } => match g.withdraw(by(&p, existing.as_ref()), &ctx()) {
                    Ok(d) => {
                        prop_assert!(existing.is_some_and(|c| c.is_active()));
                        book.insert(d.commitment.member_id.clone(), d.commitment);
                        g = d.group_buy;
                    }
                    Err(e) => {
                        prop_assert!(!existing.is_some_and(|c| c.is_active()));
                        prop_assert_eq!(e, DomainError::NotFound("Commitment not found".into()));
                    }
                },
            }
            let active: Vec<&Commitment> = book.values().filter(|c| c.is_active()).collect();
            let sum: i64 = active.iter().map(|c| c.quantity).sum();
            prop_assert_eq!(g.committed_quantity, sum);
            prop_assert!(g.committed_quantity <= max_quantity);
            prop_assert_eq!(g.members, active.len() as i64);
            prop_assert!(active.iter().all(|c| max_per_member.is_none_or(|m| c.quantity <= m)));
            let stats = g.stats();
            prop_assert_eq!(stats.remaining_capacity, Some(max_quantity - sum));
            prop_assert_eq!(stats.target_reached, sum >= g.target_quantity);
            prop_assert_eq!(stats.committed_quantity, sum);
            if g.target_reached_at.is_none() {
                prop_assert!(!stats.target_reached);
            }
        }
    }

    #[test]
    fn exactly_the_remaining_units_fit(max_quantity in 10i64..200, taken in 0i64..200, per in proptest::option::of(1i64..80)) {
        let mut g = capped(max_quantity, per);
        g.min_commitment = 1;
        g.target_quantity = 1;
        g.committed_quantity = taken.min(max_quantity);
        g.members = 1;
        let n = g.capacity_for(0).unwrap_or(0);
        let p = caller("org_new");
        if n >= 1 {
            prop_assert!(g.commit(by(&p, None), req(n, 1), cmt_id(1), &ctx()).is_ok());
        }
        let over = g.commit(by(&p, None), req(n + 1, 1), cmt_id(1), &ctx()).expect_err("over");
        prop_assert_eq!(over.to_string(), format!("Capacity exceeded: {n} units remain"));
    }
}
