//! The read models answer in a fixed number of queries, whatever the number of groups and
//! participants, and exactly what the former per-group loads answered.

use super::{buy, ctx, fund, product, t0, user};
use crate::db::{Database, DbConnection};
use crate::error::StoreError;
use crate::group_purchase::reads;
use diesel::connection::{Connection, InstrumentationEvent};
use groupbuy_domain::group_purchase::{GroupDetail, GroupPurchaseStore, ParticipantDetail};
use groupbuy_domain::platform::Answer;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use time::Duration;
use uuid::Uuid;

/// What `f` returns and how many statements it sent to the database.
fn counted<T>(
    db: &Database,
    f: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>,
) -> (T, usize) {
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&sent);
    let out = db
        .read(|conn| {
            conn.set_instrumentation(move |e: InstrumentationEvent<'_>| {
                if matches!(e, InstrumentationEvent::StartQuery { .. }) {
                    counter.fetch_add(1, Ordering::SeqCst);
                }
            });
            let out = f(conn);
            conn.set_instrumentation(|_: InstrumentationEvent<'_>| {});
            out
        })
        .expect("read");
    (out, sent.load(Ordering::SeqCst))
}

/// Two groups of one product: g1 with `joiners` + 1 members (the initiator moved one of
/// two seats to g2), g2 with one member and the moved seat.
fn crowded(db: &Database, joiners: usize) -> (Uuid, Uuid, Uuid) {
    let p = product(db, 100, None);
    fund(db, "a", 1_000_000);
    fund(db, "z", 1_000_000);
    let g1 = buy(db, "a", p, 2, None, t0()).expect("g1");
    for i in 0..joiners {
        let who = format!("u{i}");
        fund(db, &who, 1_000_000);
        buy(db, &who, p, 1, Some(g1), t0()).expect("join");
    }
    // a second purchase into the same group: a participant with two purchase rows
    buy(db, "u0", p, 1, Some(g1), t0() + Duration::seconds(1)).expect("again");
    let later = t0() + Duration::minutes(1);
    let g2 = buy(db, "z", p, 1, None, later).expect("g2");
    db.transfer(&user("a"), g1, g2, 1, &ctx(later), Answer::none())
        .expect("transfer");
    (p, g1, g2)
}

fn each_read_is_a_fixed_number_of_queries(db: &Database) {
    let (p, g1, g2) = crowded(db, 12);
    let (detail, n) = counted(db, |c| reads::by_id(c, g1));
    assert_eq!(n, 1, "group by id");
    assert_eq!(detail.participants.len(), 13);
    let code = detail.group.code.as_str().to_owned();
    assert_eq!(counted(db, |c| reads::by_code(c, &code)).1, 1, "by code");
    let (open, n) = counted(db, |c| reads::available(c, p, t0(), 100));
    assert_eq!((open.len(), n), (2, 1), "available");
    let (mine, n) = counted(db, |c| reads::my_groups(c, "a", None, 100));
    assert_eq!((mine.len(), n), (2, 1), "my groups");
    let (active, n) = counted(db, |c| reads::my_participations(c, "a"));
    assert_eq!((active.len(), n), (2, 1), "my participations");
    let (none, n) = counted(db, |c| reads::my_groups(c, "nobody", None, 100));
    assert_eq!((none.len(), n), (0, 1), "no groups");
    let empty = product(db, 5, None);
    let (none, n) = counted(db, |c| reads::available(c, empty, t0(), 100));
    assert_eq!((none.len(), n), (0, 2), "no open groups");
    let (first, _) = counted(db, |c| reads::available(c, p, t0(), 1));
    assert_eq!(first.len(), 1, "limit");
    assert_eq!(first[0].group.id, g1, "oldest first");
    let _ = g2;
}

fn reads_equal_the_former_per_group_loads(db: &Database) {
    let (p, g1, g2) = crowded(db, 30);
    for g in [g1, g2] {
        let new = db.group(g).expect("group");
        let old = db.read(|c| legacy::by_id(c, g)).expect("legacy");
        assert_eq!(new, old);
        let by_code = db.group_by_code(new.group.code.as_str()).expect("code");
        assert_eq!(by_code, old);
    }
    let now = t0();
    assert_eq!(
        db.available_groups(p, now, 100).expect("new"),
        db.read(|c| legacy::details(c, &[g1, g2])).expect("old")
    );
    let mine: Vec<GroupDetail> = db.my_groups("a", None, 100).expect("new");
    assert_eq!(mine.len(), 2);
    for d in &mine {
        assert_eq!(*d, db.read(|c| legacy::by_id(c, d.group.id)).expect("old"));
    }
    let old1 = db.read(|c| legacy::by_id(c, g1)).expect("old");
    let old2 = db.read(|c| legacy::by_id(c, g2)).expect("old");
    let active: Vec<ParticipantDetail> = db.my_participations("u0").expect("new");
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].purchases.len(), 2);
    assert_eq!(Some(&active[0]), old1.member("u0"));
    let active: Vec<ParticipantDetail> = db.my_participations("a").expect("new");
    assert_eq!(active.len(), 2);
    assert_eq!(Some(&active[0]), old2.member("a"), "newest first");
    assert_eq!(Some(&active[1]), old1.member("a"));
    assert_eq!(active[0].transfers, active[1].transfers);
}

/// A product's groups by status, for its merchant only (the console's list).
fn product_groups_are_the_merchants_alone(db: &Database) {
    use groupbuy_domain::group_purchase::GroupStatus;
    use groupbuy_domain::DomainError;
    let (p, g1, g2) = crowded(db, 2);
    let merchant = groupbuy_domain::Principal {
        user_id: "merchant".into(),
        roles: vec!["merchant".into()],
        ..Default::default()
    };
    let all = db.product_groups(&merchant, p, None, 100).expect("all");
    assert_eq!(
        all.iter().map(|d| d.group.id).collect::<Vec<_>>(),
        [g2, g1],
        "newest first"
    );
    let open = db
        .product_groups(&merchant, p, Some(GroupStatus::Open), 100)
        .expect("open");
    assert_eq!(open.len(), 2);
    let done = db
        .product_groups(&merchant, p, Some(GroupStatus::Completed), 100)
        .expect("completed");
    assert!(done.is_empty());
    let stranger = db.product_groups(&user("a"), p, None, 100);
    assert!(
        matches!(stranger, Err(DomainError::NotFound(_))),
        "{stranger:?}"
    );
    let missing = db.product_groups(&merchant, Uuid::new_v4(), None, 100);
    assert!(matches!(missing, Err(DomainError::NotFound(_))));
}

crate::on_both_backends!(
    each_read_is_a_fixed_number_of_queries,
    reads_equal_the_former_per_group_loads,
    product_groups_are_the_merchants_alone,
);

/// The per-group loads the batched reads replaced, kept as the reference they must equal.
mod legacy {
    use crate::catalog::{load_product, load_shop, product_not_found};
    use crate::db::DbConnection;
    use crate::error::StoreError;
    use crate::group_purchase::rows::{ParticipantRow, PurchaseRow, TransferRow};
    use crate::group_purchase::seats::load_group;
    use crate::schema::{
        group_instances as gi, group_participants as gp, purchase_records as pr,
        seat_transfers as st,
    };
    use diesel::prelude::*;
    use groupbuy_domain::group_purchase::{
        GroupDetail, GroupInstance, Participant, ParticipantDetail,
    };
    use std::collections::HashMap;
    use uuid::Uuid;

    /// Purchases and transfers of the given participants.
    fn histories(
        conn: &mut DbConnection,
        participants: Vec<Participant>,
    ) -> Result<Vec<ParticipantDetail>, StoreError> {
        let ids: Vec<String> = participants.iter().map(|p| p.id.to_string()).collect();
        let purchases: Vec<PurchaseRow> = pr::table
            .filter(pr::participant_id.eq_any(&ids))
            .order(pr::purchased_at.asc())
            .select(PurchaseRow::as_select())
            .load(conn)?;
        let transfers: Vec<TransferRow> = st::table
            .filter(
                st::from_participant_id
                    .eq_any(&ids)
                    .or(st::to_participant_id.eq_any(&ids)),
            )
            .order(st::transferred_at.asc())
            .select(TransferRow::as_select())
            .load(conn)?;
        let group_ids: Vec<&String> = transfers
            .iter()
            .flat_map(|t| [&t.from_group_id, &t.to_group_id])
            .collect();
        let codes: HashMap<String, String> = gi::table
            .filter(gi::id.eq_any(group_ids))
            .select((gi::id, gi::code))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect();
        let purchases = purchases
            .into_iter()
            .map(PurchaseRow::into_domain)
            .collect::<Result<Vec<_>, _>>()?;
        let transfers = transfers
            .into_iter()
            .map(|t| {
                let from = codes.get(&t.from_group_id).cloned().unwrap_or_default();
                let to = codes.get(&t.to_group_id).cloned().unwrap_or_default();
                t.into_domain(from, to)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(participants
            .into_iter()
            .map(|p| ParticipantDetail {
                purchases: purchases
                    .iter()
                    .filter(|r| r.participant_id == p.id)
                    .cloned()
                    .collect(),
                transfers: transfers
                    .iter()
                    .filter(|t| t.from_participant_id == p.id || t.to_participant_id == p.id)
                    .cloned()
                    .collect(),
                participant: p,
            })
            .collect())
    }

    /// A group with everything its views show.
    fn group_detail(
        conn: &mut DbConnection,
        group: GroupInstance,
    ) -> Result<GroupDetail, StoreError> {
        let product = load_product(conn, group.product_id)?.ok_or_else(product_not_found)?;
        let shop = load_shop(conn, group.shop_id)?
            .ok_or_else(|| StoreError::Corrupt("group without shop".into()))?;
        let currency = group.unit_price.currency().code();
        let participants = gp::table
            .filter(gp::group_id.eq(group.id.to_string()))
            .order((gp::joined_at.asc(), gp::id.asc()))
            .select(ParticipantRow::as_select())
            .load::<ParticipantRow>(conn)?
            .into_iter()
            .map(|r| r.into_domain(currency))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(GroupDetail {
            group,
            product_name: product.name,
            product_image: product.image,
            shop_name: shop.name,
            shop_logo: shop.logo,
            participants: histories(conn, participants)?,
        })
    }

    pub(super) fn by_id(conn: &mut DbConnection, id: Uuid) -> Result<GroupDetail, StoreError> {
        let group = load_group(conn, id)?.ok_or_else(|| StoreError::Corrupt("no group".into()))?;
        group_detail(conn, group)
    }

    pub(super) fn details(
        conn: &mut DbConnection,
        ids: &[Uuid],
    ) -> Result<Vec<GroupDetail>, StoreError> {
        ids.iter().map(|id| by_id(conn, *id)).collect()
    }
}
