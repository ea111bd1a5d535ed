//! The seed writes what real use cases would have written: every invariant holds, every
//! read model loads it, and the expiry sweep fails and refunds exactly the expired groups.

use super::{seed, SeedPlan};
use crate::db::Database;
use crate::platform::schema::{event_subjects, events};
use crate::schema::{
    checkout_sessions as cs, group_instances as gi, group_participants as gp, products,
    purchase_records as pr, wallet_ledger as wl, wallets,
};
use diesel::prelude::*;
use groupbuy_domain::group_purchase::{GroupPurchaseStore, GroupStatus, ParticipantStatus};
use groupbuy_domain::platform::ChangeContext;
use groupbuy_domain::DomainError;
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_760_000_000).expect("time")
}

const PLAN: SeedPlan = SeedPlan {
    groups: 60,
    participants: 200,
    expired: 10,
};

/// Invariants over the whole database: seats, money, one session, purchase record and
/// debit per participation, ledgers that add up to their wallets, stock held by OPEN groups.
fn assert_consistent(db: &Database) {
    db.read(|conn| {
        let groups: Vec<(String, String, i32, i32, String)> = gi::table
            .select((
                gi::id,
                gi::status,
                gi::seats_occupied,
                gi::total_seats,
                gi::product_id,
            ))
            .load(conn)?;
        let members: Vec<(String, String, i32, i64, String, String)> = gp::table
            .select((
                gp::id,
                gp::group_id,
                gp::quantity,
                gp::total_paid_minor,
                gp::status,
                gp::user_id,
            ))
            .load(conn)?;
        let mut active: HashMap<&str, i32> = HashMap::new();
        for (_, g, q, _, status, _) in &members {
            if status == "ACTIVE" {
                *active.entry(g.as_str()).or_default() += q;
            }
        }
        let mut held_seats: HashMap<&str, i64> = HashMap::new();
        for (id, status, occupied, total, product) in &groups {
            assert!(occupied <= total, "{id} over capacity");
            match status.as_str() {
                "OPEN" => {
                    assert_eq!(
                        *occupied,
                        active.get(id.as_str()).copied().unwrap_or(0),
                        "seats of {id}"
                    );
                    assert!(occupied < total, "an OPEN group is never full");
                    *held_seats.entry(product.as_str()).or_default() += i64::from(*total);
                }
                "COMPLETED" => {
                    assert_eq!(
                        *occupied,
                        active.get(id.as_str()).copied().unwrap_or(0),
                        "seats of {id}"
                    );
                    assert_eq!(occupied, total);
                }
                _ => assert_eq!(active.get(id.as_str()), None, "nobody ACTIVE in {id}"),
            }
        }
        let reserved: Vec<(String, i64)> = products::table
            .select((products::id, products::reserved_quantity))
            .load(conn)?;
        for (id, r) in reserved {
            assert_eq!(
                r,
                held_seats.get(id.as_str()).copied().unwrap_or(0),
                "stock held for {id}"
            );
        }
        // One purchase record and one completed session per participation, paid by one debit.
        let bought: Vec<(String, i64, i64, String, String, i64)> = pr::table
            .inner_join(cs::table.on(cs::id.eq(pr::checkout_session_id)))
            .inner_join(wl::table.on(wl::id.eq(pr::transaction_id)))
            .select((
                pr::participant_id,
                pr::amount_minor,
                cs::total_minor,
                cs::status,
                wl::kind,
                wl::amount_minor,
            ))
            .load(conn)?;
        assert_eq!(bought.len(), members.len());
        let paid: HashMap<&str, i64> = members.iter().map(|m| (m.0.as_str(), m.3)).collect();
        for (participant, amount, session_total, status, kind, debit) in &bought {
            assert_eq!(paid.get(participant.as_str()), Some(amount));
            assert_eq!(session_total, amount);
            assert_eq!(status, "COMPLETED");
            assert_eq!(kind, "PURCHASE");
            assert_eq!(*debit, -amount);
        }
        // Ledgers: running balances, ending at the wallet's.
        let entries: Vec<(String, i64, i64, String)> = wl::table
            .filter(wl::account_kind.eq("WALLET"))
            .order(wl::seq)
            .select((
                wl::user_id,
                wl::amount_minor,
                wl::balance_after_minor,
                wl::kind,
            ))
            .load(conn)?;
        let mut running: HashMap<&str, i64> = HashMap::new();
        let mut credits = 0;
        for (user, amount, after, kind) in &entries {
            let b = running.entry(user.as_str()).or_default();
            *b += amount;
            assert_eq!(b, after, "running balance of {user}");
            assert!(*after >= 0);
            if kind == "CREDIT" {
                credits += amount;
            }
        }
        let balances: Vec<(String, i64)> = wallets::table
            .filter(wallets::account_kind.eq("WALLET"))
            .select((wallets::user_id, wallets::balance_minor))
            .load(conn)?;
        assert_eq!(balances.len(), running.len());
        for (user, balance) in &balances {
            assert_eq!(
                running.get(user.as_str()),
                Some(balance),
                "wallet of {user}"
            );
        }
        Ok(())
    })
    .expect("read");
    // Money: credits == wallets + held by OPEN groups + merchant balances (each completed
    // order settled once, at no commission).
    let violations = crate::testing::money_violations(db).expect("read");
    assert!(violations.is_empty(), "{violations:#?}");
}

fn seeded_data_is_consistent_and_readable(db: &Database) {
    let report = seed(db, &PLAN, now()).expect("seed");
    assert_eq!(report.participants, 200);
    assert_eq!(report.open + report.completed + report.failed, 60);
    assert_eq!(
        (report.completed, report.failed, report.expired),
        (3, 3, 10)
    );
    assert_eq!(report.users, 50);
    assert_eq!(report.events, 66);
    assert_consistent(db);
    // Every group loads through the read models, with its participants.
    let ids: Vec<String> = db
        .read(|c| Ok(gi::table.select(gi::id).load(c)?))
        .expect("ids");
    for id in &ids {
        let detail = db
            .group(Uuid::parse_str(id).expect("uuid"))
            .expect("detail");
        assert!(!detail.participants.is_empty());
        assert_eq!(
            db.group_by_code(detail.group.code.as_str())
                .expect("by code")
                .group
                .id,
            detail.group.id
        );
    }
    let product: String = db
        .read(|c| {
            Ok(products::table
                .select(products::id)
                .order(products::name)
                .first(c)?)
        })
        .expect("product");
    let available = db
        .available_groups(Uuid::parse_str(&product).expect("uuid"), now(), 50)
        .expect("available");
    assert!(!available.is_empty());
    assert!(available
        .iter()
        .all(|g| g.group.status == GroupStatus::Open && g.group.expires_at > now()));
    let mine = db.my_participations("seed-user-0").expect("mine");
    assert_eq!(mine.len(), 4);
    assert_eq!(
        db.my_groups("seed-user-0", None, 50).expect("groups").len(),
        4
    );
    // Event sequences continue where the seed left them.
    let subjects: i64 = db
        .read(|c| Ok(event_subjects::table.count().get_result(c)?))
        .expect("subjects");
    assert_eq!(subjects, 60);
    let undispatched: i64 = db
        .read(|c| {
            Ok(events::table
                .filter(events::dispatched.eq(false))
                .count()
                .get_result(c)?)
        })
        .expect("events");
    assert_eq!(undispatched, 0);
    // The sweep fails exactly the expired groups and refunds each of their members once.
    let owed: i64 = db
        .read(|c| {
            Ok(gp::table
                .inner_join(gi::table)
                .filter(gi::status.eq("OPEN"))
                .filter(gi::expires_at.le(crate::convert::to_db_time(now())))
                .count()
                .get_result(c)?)
        })
        .expect("owed");
    let sweep = ChangeContext::new("system:test", "sweep", now() + Duration::seconds(1));
    assert_eq!(db.expire_due(&sweep, 1000).expect("sweep"), 10);
    assert_eq!(db.expire_due(&sweep, 1000).expect("again"), 0);
    let refunds: i64 = db
        .read(|c| {
            Ok(wl::table
                .filter(wl::kind.eq("REFUND"))
                .filter(wl::created_at.eq(crate::convert::to_db_time(sweep.now)))
                .count()
                .get_result(c)?)
        })
        .expect("refunds");
    assert_eq!(refunds, owed);
    let failed: Vec<_> = db
        .read(|c| {
            Ok(events::table
                .filter(events::request_id.eq("sweep"))
                .select(events::sequence)
                .load::<i64>(c)?)
        })
        .expect("failed events");
    assert_eq!(failed, vec![2; 10]);
    assert!(db
        .my_participations("seed-user-0")
        .expect("mine")
        .iter()
        .all(|p| p.participant.status == ParticipantStatus::Active));
    assert_consistent(db);
}

fn seeding_twice_or_impossibly_is_refused(db: &Database) {
    let bad = SeedPlan {
        groups: 10,
        participants: 5,
        expired: 0,
    };
    assert!(matches!(
        seed(db, &bad, now()),
        Err(DomainError::Validation { .. })
    ));
    let too_many = SeedPlan {
        groups: 10,
        participants: 10,
        expired: 10,
    };
    assert!(matches!(
        seed(db, &too_many, now()),
        Err(DomainError::Validation { .. })
    ));
    seed(db, &PLAN, now()).expect("seed");
    assert!(matches!(
        seed(db, &PLAN, now()),
        Err(DomainError::Validation { .. })
    ));
}

crate::on_both_backends!(
    seeded_data_is_consistent_and_readable,
    seeding_twice_or_impossibly_is_refused,
);
