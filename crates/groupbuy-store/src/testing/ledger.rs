//! The ledger's invariants, checked after every contention test (and by the reliability
//! checker, in SQL, the same way): money is conserved across every account,
//!
//! `credits = wallet balances + held by OPEN groups + merchant balances + platform revenue + payouts`
//!
//! (all in minor units; CREDIT lines are the only money entering, PAYOUT lines the only
//! money leaving), every account's balance is the sum of its lines and never negative, and
//! every order settled once and, when cancelled, was reversed once; every PAID pre-order
//! was debited once and became one order, an unpaid or expired one moved nothing.

use crate::campaign::schema::campaign_preorders as cp;
use crate::db::Database;
use crate::error::StoreError;
use crate::schema::{
    group_instances as gi, group_participants as gp, orders, wallet_ledger as wl, wallets,
};
use diesel::prelude::*;
use groupbuy_domain::DomainError;
use std::collections::HashMap;

/// Every violation of the ledger's invariants, in words (empty when all hold).
///
/// # Errors
/// When the database cannot be read.
pub fn money_violations(db: &Database) -> Result<Vec<String>, DomainError> {
    db.read(|conn| {
        let mut v = Vec::new();
        let lines: Vec<(String, String, String, String, i64)> = wl::table
            .select((
                wl::account_kind,
                wl::user_id,
                wl::currency,
                wl::kind,
                wl::amount_minor,
            ))
            .load(conn)?;
        let accounts: Vec<(String, String, String, i64)> = wallets::table
            .select((
                wallets::account_kind,
                wallets::user_id,
                wallets::currency,
                wallets::balance_minor,
            ))
            .load(conn)?;
        let held: Vec<i64> = gp::table
            .inner_join(gi::table)
            .filter(gi::status.eq("OPEN"))
            .filter(gp::status.eq("ACTIVE"))
            .select(gp::total_paid_minor)
            .load(conn)?;
        let credits: i64 = lines.iter().filter(|l| l.3 == "CREDIT").map(|l| l.4).sum();
        let payouts: i64 = -lines
            .iter()
            .filter(|l| l.3 == "PAYOUT")
            .map(|l| l.4)
            .sum::<i64>();
        let by_kind =
            |kind: &str| -> i64 { accounts.iter().filter(|a| a.0 == kind).map(|a| a.3).sum() };
        let (wallet, merchant, platform) =
            (by_kind("WALLET"), by_kind("MERCHANT"), by_kind("PLATFORM"));
        let held: i64 = held.iter().sum();
        let accounted = wallet + held + merchant + platform + payouts;
        if credits != accounted {
            v.push(format!(
                "money: credits {credits} != wallets {wallet} + held {held} + merchants {merchant} \
                 + platform {platform} + payouts {payouts} (off by {})",
                credits - accounted
            ));
        }
        let mut sums: HashMap<(&str, &str, &str), i64> = HashMap::new();
        for (kind, owner, currency, _, amount) in &lines {
            *sums.entry((kind, owner, currency)).or_default() += amount;
        }
        for (kind, owner, currency, balance) in &accounts {
            let ledger = sums
                .get(&(kind.as_str(), owner.as_str(), currency.as_str()))
                .copied();
            if *balance < 0 || ledger.unwrap_or(0) != *balance {
                v.push(format!(
                    "{kind}:{owner} {currency}: balance {balance} != its lines {ledger:?}"
                ));
            }
        }
        let ordered: Vec<(String, String, i64, i64)> = orders::table
            .select((
                orders::id,
                orders::status,
                orders::total_minor,
                orders::commission_minor,
            ))
            .load(conn)?;
        let mut lines_of: HashMap<(&str, &str), (usize, i64)> = HashMap::new();
        let refs: Vec<(String, String, i64)> = wl::table
            .filter(wl::account_kind.eq("MERCHANT"))
            .filter(wl::kind.eq_any(["ORDER_SETTLED", "ORDER_CANCELLED", "COMMISSION"]))
            .select((wl::kind, wl::reference, wl::amount_minor))
            .load(conn)?;
        for (kind, reference, amount) in &refs {
            let e = lines_of.entry((kind, reference)).or_default();
            e.0 += 1;
            e.1 += amount;
        }
        for (id, status, total, commission) in &ordered {
            let get = |kind: &str, prefix: &str| {
                lines_of
                    .get(&(kind, format!("{prefix}{id}").as_str()))
                    .copied()
                    .unwrap_or((0, 0))
            };
            if get("ORDER_SETTLED", "order:") != (1, *total) {
                v.push(format!(
                    "order {id}: settled {:?}, total {total}",
                    get("ORDER_SETTLED", "order:")
                ));
            }
            let charged = get("COMMISSION", "order:");
            if charged.1 != -commission || charged.0 != usize::from(*commission != 0) {
                v.push(format!(
                    "order {id}: commission lines {charged:?}, commission {commission}"
                ));
            }
            let cancelled = get("ORDER_CANCELLED", "order-cancel:");
            let want = if status == "CANCELLED" {
                (1, -total)
            } else {
                (0, 0)
            };
            if cancelled != want {
                v.push(format!(
                    "order {id} ({status}): cancellation lines {cancelled:?}"
                ));
            }
        }
        v.extend(preorder_violations(conn)?);
        Ok(v)
    })
}

/// Pre-orders: a PAID session was debited once, its total, and became exactly its order;
/// an unpaid or expired one moved no money at all.
fn preorder_violations(conn: &mut crate::db::DbConnection) -> Result<Vec<String>, StoreError> {
    let sessions: Vec<(String, String, i64, Option<String>)> = cp::table
        .select((cp::id, cp::status, cp::total_minor, cp::order_id))
        .load(conn)?;
    let debits: Vec<(String, i64)> = wl::table
        .filter(wl::kind.eq("PURCHASE"))
        .filter(wl::reference.like("preorder:%"))
        .select((wl::reference, wl::amount_minor))
        .load(conn)?;
    let orders_of: Vec<(Option<String>, String, i64)> = orders::table
        .filter(orders::preorder_id.is_not_null())
        .select((orders::preorder_id, orders::id, orders::total_minor))
        .load(conn)?;
    let mut v = Vec::new();
    for (id, status, total, order_id) in &sessions {
        let reference = format!("preorder:{id}");
        let debited: Vec<i64> = debits
            .iter()
            .filter(|(r, _)| *r == reference)
            .map(|(_, a)| *a)
            .collect();
        let ordered: Vec<&(Option<String>, String, i64)> = orders_of
            .iter()
            .filter(|(p, _, _)| p.as_deref() == Some(id))
            .collect();
        let paid = status == "PAID";
        let want_debits: Vec<i64> = if paid { vec![-total] } else { Vec::new() };
        if debited != want_debits {
            v.push(format!("pre-order {id} ({status}): debits {debited:?}"));
        }
        let order_ok = match (paid, ordered.as_slice()) {
            (true, [(_, o, t)]) => Some(o) == order_id.as_ref() && t == total,
            (false, []) => order_id.is_none(),
            _ => false,
        };
        if !order_ok {
            v.push(format!("pre-order {id} ({status}): orders {ordered:?}"));
        }
    }
    Ok(v)
}
