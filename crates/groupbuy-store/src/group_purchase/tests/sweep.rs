//! The batched expiry sweep: many groups per pass, members in several of them, a crash
//! between failing and refunding, a wallet that cannot take its refund, and sweepers and
//! payments racing; every refund paid exactly once, money conserved.

use super::{assert_money_conserved, buy, ctx, fund, product, t0, tzs};
use crate::db::Database;
use crate::group_purchase::lifecycle::fail_due;
use crate::platform::schema::events;
use crate::schema::group_refunds_owed;
use crate::schema::{
    group_instances as gi, group_participants as gp, products, wallet_ledger as wl,
};
use diesel::prelude::*;
use groupbuy_domain::group_purchase::GroupPurchaseStore;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::wallet::WalletStore;
use groupbuy_domain::{DomainError, Money};
use std::collections::HashMap;
use std::sync::{Arc, Barrier};
use time::Duration;
use uuid::Uuid;

/// Every participant of a FAILED group is REFUNDED with exactly one REFUND entry of
/// what it paid (one participation per user and group, so per user and reference);
/// nothing is left queued and no stock is held for a FAILED group.
fn assert_refunded_once(db: &Database) {
    db.read(|conn| {
        let members: Vec<(String, String, i64, String)> = gp::table
            .inner_join(gi::table)
            .filter(gi::status.eq("FAILED"))
            .select((gp::user_id, gi::code, gp::total_paid_minor, gp::status))
            .load(conn)?;
        let refunds: Vec<(String, String, i64)> = wl::table
            .filter(wl::kind.eq("REFUND"))
            .select((wl::user_id, wl::reference, wl::amount_minor))
            .load(conn)?;
        let mut paid: HashMap<(String, String), Vec<i64>> = HashMap::new();
        for (user, reference, amount) in refunds {
            paid.entry((user, reference)).or_default().push(amount);
        }
        for (user, code, total, status) in &members {
            assert_eq!(status, "REFUNDED", "{user} in {code}");
            let got = paid.get(&(user.clone(), format!("refund:{code}")));
            assert_eq!(got, Some(&vec![*total]), "one refund of {user} in {code}");
        }
        assert_eq!(
            paid.len(),
            members.len(),
            "no refund without a failed participation"
        );
        let queued: i64 = group_refunds_owed::table.count().get_result(conn)?;
        assert_eq!(queued, 0, "nothing left owed");
        let failed: i64 = gi::table
            .filter(gi::status.eq("FAILED"))
            .count()
            .get_result(conn)?;
        let said: i64 = events::table
            .filter(events::event_type.eq("group.failed"))
            .count()
            .get_result(conn)?;
        assert_eq!(said, failed, "one group.failed per failed group");
        Ok(())
    })
    .expect("read");
    assert_money_conserved(db);
}

fn reserved(db: &Database) -> i64 {
    db.read(|c| {
        let r: Vec<i64> = products::table
            .select(products::reserved_quantity)
            .load(c)?;
        Ok(r.iter().sum())
    })
    .expect("reserved")
}

/// Opens `n` groups spread over `products`, opener `u{i % users}`, and adds joiners to
/// every third group, so buyers sit in several groups of one batch.
fn open_groups(db: &Database, products: &[Uuid], n: usize, users: usize) -> Vec<Uuid> {
    for u in 0..users {
        fund(db, &format!("u{u}"), 10_000_000);
    }
    let mut groups = Vec::new();
    for i in 0..n {
        let opener = format!("u{}", i % users);
        let g = buy(
            db,
            &opener,
            products[i % products.len()],
            1 + (i % 2) as i32,
            None,
            t0(),
        )
        .expect("open");
        if i % 3 == 0 {
            for k in 1..=3 {
                let joiner = format!("u{}", (i + 7 * k) % users);
                if joiner != opener {
                    buy(db, &joiner, products[i % products.len()], 1, Some(g), t0()).expect("join");
                }
            }
        }
        groups.push(g);
    }
    groups
}

/// Sixty groups failed in passes of 25: each fails once, each member is refunded once.
fn a_batch_of_expired_groups_refunds_everyone_once(db: &Database) {
    let products = [
        product(db, 10, None),
        product(db, 10, None),
        product(db, 10, None),
    ];
    open_groups(db, &products, 60, 13);
    let later = t0() + Duration::hours(2);
    let mut failed = 0;
    loop {
        let n = db.expire_due(&ctx(later), 25).expect("sweep");
        assert!(n <= 25);
        if n == 0 {
            break;
        }
        failed += n;
    }
    assert_eq!(failed, 60);
    for u in 0..13 {
        let balance = db.wallet(&format!("u{u}"), later).expect("wallet").balance;
        assert_eq!(balance, tzs(10_000_000), "u{u} whole again");
    }
    assert_eq!(reserved(db), 0);
    assert_refunded_once(db);
}

/// A batch big enough to run as two halves on two connections (PostgreSQL), with buyers
/// in many of its groups: each group fails once, each member is refunded once.
fn a_large_batch_fails_and_refunds_once(db: &Database) {
    let products = [product(db, 10, None), product(db, 10, None)];
    open_groups(db, &products, 150, 17);
    let later = t0() + Duration::hours(2);
    assert_eq!(db.expire_due(&ctx(later), 200).expect("sweep"), 150);
    assert_eq!(db.expire_due(&ctx(later), 200).expect("again"), 0);
    for u in 0..17 {
        let balance = db.wallet(&format!("u{u}"), later).expect("wallet").balance;
        assert_eq!(balance, tzs(10_000_000), "u{u} whole again");
    }
    assert_eq!(reserved(db), 0);
    assert_refunded_once(db);
}

/// A crash after the groups failed and before their refunds were paid: the groups are
/// FAILED with their members still ACTIVE and queued; the next pass (which finds no group
/// left to fail) pays every refund, once.
fn a_crash_between_failing_and_refunding_is_finished_by_the_next_pass(db: &Database) {
    let p = product(db, 10, None);
    open_groups(db, &[p], 12, 5);
    let later = ctx(t0() + Duration::hours(2));
    let failed = db
        .write_retrying(|conn| fail_due(conn, &later, 100))
        .expect("fail only");
    assert_eq!(failed, 12);
    let owed: i64 = db
        .read(|c| {
            Ok(gp::table
                .filter(gp::status.eq("ACTIVE"))
                .count()
                .get_result(c)?)
        })
        .expect("count");
    assert!(owed >= 12);
    assert_eq!(db.expire_due(&later, 100).expect("next pass"), 0);
    assert_eq!(db.expire_due(&later, 100).expect("and again"), 0);
    for u in 0..5 {
        let balance = db
            .wallet(&format!("u{u}"), later.now)
            .expect("wallet")
            .balance;
        assert_eq!(balance, tzs(10_000_000));
    }
    assert_refunded_once(db);
}

/// A wallet that would pass its maximum cannot take its refund: that refund stays owed
/// (the member ACTIVE, the group queued) while every other refund of the batch is paid;
/// passes after do not pay the others again.
fn a_refund_the_wallet_cannot_take_stays_owed(db: &Database) {
    let p = product(db, 10, None);
    fund(db, "rich", 80_000);
    fund(db, "other", 80_000);
    let g = buy(db, "rich", p, 1, None, t0()).expect("open");
    buy(db, "other", p, 1, Some(g), t0()).expect("join");
    let max = Money::max(groupbuy_domain::Currency::TZS);
    db.credit("rich", max, "to the top", t0(), Answer::none())
        .expect("credit to the bound");
    let later = ctx(t0() + Duration::hours(2));
    assert_eq!(db.expire_due(&later, 10).expect("sweep"), 1);
    assert_eq!(db.expire_due(&later, 10).expect("again"), 0);
    assert_eq!(
        db.wallet("other", later.now).expect("wallet").balance,
        tzs(80_000)
    );
    assert_eq!(db.wallet("rich", later.now).expect("wallet").balance, max);
    let (still_active, queued, refunds): (i64, i64, i64) = db
        .read(|c| {
            Ok((
                gp::table
                    .filter(gp::status.eq("ACTIVE"))
                    .filter(gp::user_id.eq("rich"))
                    .count()
                    .get_result(c)?,
                group_refunds_owed::table.count().get_result(c)?,
                wl::table
                    .filter(wl::kind.eq("REFUND"))
                    .count()
                    .get_result(c)?,
            ))
        })
        .expect("read");
    assert_eq!((still_active, queued, refunds), (1, 1, 1));
}

/// Two sweepers and buyers race on one database at the instant forty groups expire:
/// buyers pay into the expiring groups (just before expiry) and into groups that live on,
/// with wallets the refunds also credit. Every expired group fails once, every member is
/// refunded once, live groups keep their members, money is conserved.
fn sweepers_and_payments_race(db: &Database) {
    let products = [
        product(db, 10, None),
        product(db, 10, None),
        product(db, 10, None),
    ];
    let expiring = open_groups(db, &products, 40, 11);
    // Groups that open later and live past the sweep.
    let half_hour = t0() + Duration::minutes(30);
    let live: Vec<Uuid> = (0..6)
        .map(|i| {
            buy(db, &format!("u{i}"), products[i % 3], 1, None, half_hour).expect("live group")
        })
        .collect();
    let just_before = t0() + Duration::hours(1) - Duration::milliseconds(1);
    let at_expiry = t0() + Duration::hours(1);
    let barrier = Arc::new(Barrier::new(2 + 4));
    let mut handles: Vec<std::thread::JoinHandle<Result<usize, DomainError>>> = Vec::new();
    // A small batch, and one big enough to run as two halves on PostgreSQL.
    for batch in [7, 120] {
        let (db, barrier) = (db.clone(), barrier.clone());
        handles.push(std::thread::spawn(move || {
            barrier.wait();
            let mut n = 0;
            for _ in 0..30 {
                n += db.expire_due(&ctx(at_expiry), batch)?;
            }
            Ok(n)
        }));
    }
    for b in 0..4 {
        let (db, barrier) = (db.clone(), barrier.clone());
        let (expiring, live) = (expiring.clone(), live.clone());
        handles.push(std::thread::spawn(move || {
            barrier.wait();
            for k in 0..10 {
                let who = format!("u{}", (b * 3 + k) % 11);
                let g = expiring[(b * 10 + k) % expiring.len()];
                // Refused when the sweep got there first (or the member holds the cap).
                let _ = buy(&db, &who, products[0], 1, Some(g), just_before);
                let l = live[(b + k) % live.len()];
                let _ = buy(&db, &who, products[(b + k) % 3], 1, Some(l), at_expiry);
            }
            Ok(0)
        }));
    }
    let mut failed = 0;
    for h in handles {
        failed += h.join().expect("thread").expect("no unexpected error");
    }
    failed += db.expire_due(&ctx(at_expiry), 100).expect("final sweep");
    assert_eq!(failed, 40, "each expired group failed exactly once");
    for g in &expiring {
        assert_eq!(
            db.group(*g).expect("group").group.status,
            groupbuy_domain::group_purchase::GroupStatus::Failed
        );
    }
    for g in &live {
        assert_eq!(
            db.group(*g).expect("group").group.status,
            groupbuy_domain::group_purchase::GroupStatus::Open
        );
    }
    assert_refunded_once(db);
}

crate::on_both_backends!(
    a_batch_of_expired_groups_refunds_everyone_once,
    a_large_batch_fails_and_refunds_once,
    a_crash_between_failing_and_refunding_is_finished_by_the_next_pass,
    a_refund_the_wallet_cannot_take_stays_owed,
    sweepers_and_payments_race,
);
