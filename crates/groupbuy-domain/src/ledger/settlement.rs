//! What a completed order moves on the ledger, and what its cancellation moves back.
//!
//! Settlement (its group completes): the order's total leaves "held" (the money the
//! buyer's payment took, which no account holds while the group is OPEN) and enters the
//! shop's merchant balance (`ORDER_SETTLED`), then the commission moves from that balance
//! to the platform's revenue (`COMMISSION`, one line on each account). Cancellation
//! reverses both: the platform gives the commission back (`COMMISSION_REVERSED`), then the
//! merchant balance gives the total back (`ORDER_CANCELLED`) for the buyer's refund
//! (`REFUND` on the wallet). The commission back comes first, so the merchant balance dips
//! only by what it got (`total - commission`); when that was paid out already the
//! cancellation is refused ([`super::LedgerRefusal::InsufficientBalance`]), never a
//! negative balance.

use crate::order::Order;
use crate::wallet::{Account, LedgerKind, Posting};

/// The reference of an order's settlement lines: `order:<id>`.
pub fn settled_reference(order: &Order) -> String {
    format!("order:{}", order.id)
}

/// The reference of an order's cancellation lines (the buyer's refund's too):
/// `order-cancel:<id>`.
pub fn cancelled_reference(order: &Order) -> String {
    format!("order-cancel:{}", order.id)
}

/// The postings that settle a newly completed order: its total into the shop's merchant
/// balance, then its commission (when not zero) from there to the platform's revenue.
pub fn settle(order: &Order) -> Vec<Posting> {
    let reference = settled_reference(order);
    let mut postings = vec![Posting {
        account: order.origin.merchant(),
        kind: LedgerKind::OrderSettled,
        amount: order.total_amount,
        reference: reference.clone(),
    }];
    postings.extend(commission(order, LedgerKind::Commission, -1, &reference));
    postings
}

/// The postings that undo [`settle`] for a cancelled order: the commission back from the
/// platform's revenue, then the total out of the merchant balance (for the buyer's refund,
/// written beside them).
pub fn reverse(order: &Order) -> Vec<Posting> {
    let reference = cancelled_reference(order);
    let mut postings = commission(order, LedgerKind::CommissionReversed, 1, &reference);
    postings.push(Posting {
        account: order.origin.merchant(),
        kind: LedgerKind::OrderCancelled,
        amount: order.total_amount.negated(),
        reference,
    });
    postings
}

/// The commission's two lines, `sign` of the merchant's (the platform's is the opposite);
/// none for a zero commission. Merchant first: the lock order of accounts.
fn commission(order: &Order, kind: LedgerKind, sign: i64, reference: &str) -> Vec<Posting> {
    let c = order.commission;
    if c.minor() == 0 {
        return Vec::new();
    }
    let line = |account, amount| Posting {
        account,
        kind,
        amount,
        reference: reference.to_owned(),
    };
    let (to_merchant, to_platform) = if sign < 0 {
        (c.negated(), c)
    } else {
        (c, c.negated())
    };
    vec![
        line(order.origin.merchant(), to_merchant),
        line(Account::platform(), to_platform),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::CommissionRate;
    use crate::money::{Currency, Money};
    use crate::order::OrderStatus;
    use time::OffsetDateTime;
    use uuid::Uuid;

    fn order(total: i64, bps: i64) -> Order {
        let total = Money::from_minor(total, Currency::TZS);
        Order {
            id: Uuid::new_v4(),
            origin: crate::order::OrderOrigin::Group {
                group_instance_id: Uuid::new_v4(),
                group_code: "GP-ABC123".into(),
                participant_id: Uuid::new_v4(),
                product_id: Uuid::new_v4(),
                shop_id: Uuid::new_v4(),
            },
            user_id: "buyer".into(),
            quantity: 1,
            unit_price: total,
            total_amount: total,
            commission: CommissionRate::from_bps(bps, "bps")
                .expect("rate")
                .on(total),
            status: OrderStatus::Confirmed,
            carrier: None,
            tracking_number: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
            shipped_at: None,
            delivered_at: None,
            cancelled_at: None,
            cancel_reason: None,
        }
    }

    fn sum(postings: &[Posting], account: &Account) -> i64 {
        postings
            .iter()
            .filter(|p| &p.account == account)
            .map(|p| p.amount.minor())
            .sum()
    }

    #[test]
    fn settling_credits_the_merchant_less_commission_and_the_platform_the_commission() {
        let o = order(10_000, 250);
        let s = settle(&o);
        let kinds: Vec<LedgerKind> = s.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            [
                LedgerKind::OrderSettled,
                LedgerKind::Commission,
                LedgerKind::Commission
            ]
        );
        assert_eq!(sum(&s, &o.origin.merchant()), 9_750);
        assert_eq!(sum(&s, &Account::platform()), 250);
        assert!(s.iter().all(|p| p.reference == format!("order:{}", o.id)));
    }

    #[test]
    fn reversing_takes_back_exactly_what_settling_moved() {
        for (total, bps) in [(10_000, 250), (9, 500), (77, 0), (1, 10_000)] {
            let o = order(total, bps);
            let (s, r) = (settle(&o), reverse(&o));
            for account in [o.origin.merchant(), Account::platform()] {
                assert_eq!(sum(&s, &account) + sum(&r, &account), 0, "{account}");
            }
            // All of it leaves the merchant for the buyer's refund of the total.
            let out: i64 = s.iter().chain(&r).map(|p| p.amount.minor()).sum();
            assert_eq!(out, -0, "settle + reverse of {total} at {bps}");
            assert_eq!(
                sum(&r, &o.origin.merchant()),
                -(total - o.commission.minor())
            );
            assert!(r
                .iter()
                .all(|p| p.reference == format!("order-cancel:{}", o.id)));
        }
    }

    #[test]
    fn no_commission_no_commission_lines() {
        let o = order(500, 0);
        assert_eq!(settle(&o).len(), 1);
        assert_eq!(reverse(&o).len(), 1);
        assert_eq!(reverse(&o)[0].kind, LedgerKind::OrderCancelled);
    }
}
