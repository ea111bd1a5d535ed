//! The money and seat invariants every use case test checks after itself.

use crate::db::Database;
use crate::schema::{
    group_instances as gi, group_participants as gp, orders, wallet_ledger, wallets,
};
use diesel::prelude::*;

/// credits == wallet balances + money held by OPEN groups + money of orders not
/// cancelled, and every wallet's balance is the sum of its ledger.
pub(crate) fn assert_money_conserved(db: &Database) {
    db.read(|conn| {
        let credits: Vec<i64> = wallet_ledger::table
            .filter(wallet_ledger::kind.eq("CREDIT"))
            .select(wallet_ledger::amount_minor)
            .load(conn)?;
        let balances: Vec<i64> = wallets::table.select(wallets::balance_minor).load(conn)?;
        let held: Vec<i64> = gp::table
            .inner_join(gi::table)
            .filter(gi::status.eq("OPEN"))
            .filter(gp::status.eq("ACTIVE"))
            .select(gp::total_paid_minor)
            .load(conn)?;
        // A cancelled order's money went back to its buyer's wallet.
        let ordered: Vec<i64> = orders::table
            .filter(orders::status.ne("CANCELLED"))
            .select(orders::total_minor)
            .load(conn)?;
        let credits: i64 = credits.iter().sum();
        let accounted: i64 =
            balances.iter().sum::<i64>() + held.iter().sum::<i64>() + ordered.iter().sum::<i64>();
        assert_eq!(credits, accounted, "money is conserved");
        let wallets_and_ledgers: Vec<(String, i64)> = wallets::table
            .select((wallets::user_id, wallets::balance_minor))
            .load(conn)?;
        for (user, balance) in wallets_and_ledgers {
            let entries: Vec<i64> = wallet_ledger::table
                .filter(wallet_ledger::user_id.eq(&user))
                .select(wallet_ledger::amount_minor)
                .load(conn)?;
            assert_eq!(
                balance,
                entries.iter().sum::<i64>(),
                "wallet of {user} == its ledger"
            );
        }
        // Invariant 1: seats_occupied == sum of ACTIVE quantities in every live group
        // (failed and deleted groups keep their last count for history; nobody is ACTIVE).
        let groups: Vec<(String, i32, i32)> = gi::table
            .filter(gi::status.eq_any(["OPEN", "COMPLETED"]))
            .select((gi::id, gi::seats_occupied, gi::total_seats))
            .load(conn)?;
        for (id, occupied, total) in groups {
            let qty: Vec<i32> = gp::table
                .filter(gp::group_id.eq(&id))
                .filter(gp::status.eq("ACTIVE"))
                .select(gp::quantity)
                .load(conn)?;
            assert_eq!(occupied, qty.iter().sum::<i32>(), "seats of {id}");
            assert!(occupied <= total);
        }
        Ok(())
    })
    .expect("read");
}
