//! The money and seat invariants every use case test checks after itself.

use crate::db::Database;
use crate::schema::{group_instances as gi, group_participants as gp};
use diesel::prelude::*;

/// The ledger's invariants ([`crate::testing::money_violations`]: money conserved across
/// wallets, OPEN groups, merchant balances, platform revenue and payouts, every account
/// its lines, every order settled once) and the seats' invariant.
pub(crate) fn assert_money_conserved(db: &Database) {
    let violations = crate::testing::money_violations(db).expect("read");
    assert!(violations.is_empty(), "{violations:#?}");
    db.read(|conn| {
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
