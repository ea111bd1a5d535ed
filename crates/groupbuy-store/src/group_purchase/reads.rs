//! Read models: groups with product, shop, participants and their histories.

use super::rows::{GroupRow, OrderRow, ParticipantRow, PurchaseRow, TransferRow};
use super::seats::group_not_found;
use crate::catalog::{load_product, load_shop, product_not_found};
use crate::convert::to_db_time;
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::paging::into_page;
use crate::schema::{
    group_instances as gi, group_participants as gp, orders, purchase_records as pr,
    seat_transfers as st,
};
use diesel::prelude::*;
use groupbuy_domain::group_purchase::{
    GroupDetail, GroupInstance, GroupStatus, Order, Participant, ParticipantDetail,
    ParticipantStatus,
};
use groupbuy_domain::page::clamp_limit;
use groupbuy_domain::{DomainError, Page};
use std::collections::HashMap;
use time::OffsetDateTime;
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

/// One participant with its histories.
pub(crate) fn participant_detail(
    conn: &mut DbConnection,
    p: Participant,
) -> Result<ParticipantDetail, StoreError> {
    histories(conn, vec![p])?
        .pop()
        .ok_or_else(|| StoreError::Corrupt("participant detail".into()))
}

/// A group with everything its views show.
pub(crate) fn group_detail(
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

fn details(conn: &mut DbConnection, rows: Vec<GroupRow>) -> Result<Vec<GroupDetail>, StoreError> {
    rows.into_iter()
        .map(|r| group_detail(conn, r.into_domain()?))
        .collect()
}

/// A group by id.
pub(crate) fn by_id(conn: &mut DbConnection, id: Uuid) -> Result<GroupDetail, StoreError> {
    let group = super::seats::load_group(conn, id)?.ok_or_else(|| group_not_found(id))?;
    group_detail(conn, group)
}

/// A group by code.
pub(crate) fn by_code(conn: &mut DbConnection, code: &str) -> Result<GroupDetail, StoreError> {
    let row = gi::table
        .filter(gi::code.eq(code))
        .select(GroupRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| DomainError::NotFound(format!("Group not found with code: {code}")))?;
    group_detail(conn, row.into_domain()?)
}

/// OPEN, unexpired, not full groups of a product, oldest first.
pub(crate) fn available(
    conn: &mut DbConnection,
    product_id: Uuid,
    now: OffsetDateTime,
) -> Result<Vec<GroupDetail>, StoreError> {
    load_product(conn, product_id)?.ok_or_else(product_not_found)?;
    let rows = gi::table
        .filter(gi::product_id.eq(product_id.to_string()))
        .filter(gi::status.eq(GroupStatus::Open.as_str()))
        .filter(gi::expires_at.gt(to_db_time(now)))
        .filter(gi::seats_occupied.lt(gi::total_seats))
        .order(gi::created_at.asc())
        .select(GroupRow::as_select())
        .load(conn)?;
    details(conn, rows)
}

/// Groups the user took part in, newest first.
pub(crate) fn my_groups(
    conn: &mut DbConnection,
    user_id: &str,
    status: Option<GroupStatus>,
) -> Result<Vec<GroupDetail>, StoreError> {
    let mine = gp::table
        .filter(gp::user_id.eq(user_id))
        .select(gp::group_id);
    let mut query = gi::table
        .filter(gi::id.eq_any(mine))
        .order(gi::created_at.desc())
        .select(GroupRow::as_select())
        .into_boxed();
    if let Some(s) = status {
        query = query.filter(gi::status.eq(s.as_str()));
    }
    let rows = query.load(conn)?;
    details(conn, rows)
}

/// The user's ACTIVE participations, newest first.
pub(crate) fn my_participations(
    conn: &mut DbConnection,
    user_id: &str,
) -> Result<Vec<ParticipantDetail>, StoreError> {
    let rows: Vec<(ParticipantRow, String)> = gp::table
        .inner_join(gi::table)
        .filter(gp::user_id.eq(user_id))
        .filter(gp::status.eq(ParticipantStatus::Active.as_str()))
        .order(gp::joined_at.desc())
        .select((ParticipantRow::as_select(), gi::currency))
        .load(conn)?;
    let participants = rows
        .into_iter()
        .map(|(r, currency)| r.into_domain(&currency))
        .collect::<Result<Vec<_>, _>>()?;
    histories(conn, participants)
}

/// The user's orders, newest first.
pub(crate) fn my_orders(
    conn: &mut DbConnection,
    user_id: &str,
    before: Option<i64>,
    limit: Option<i64>,
) -> Result<Page<Order>, StoreError> {
    let limit = clamp_limit(limit);
    let mut query = orders::table
        .filter(orders::user_id.eq(user_id))
        .order(orders::seq.desc())
        .limit(limit + 1)
        .select(OrderRow::as_select())
        .into_boxed();
    if let Some(seq) = before {
        query = query.filter(orders::seq.lt(seq));
    }
    let rows: Vec<OrderRow> = query.load(conn)?;
    into_page(rows, limit, |r| r.seq, OrderRow::into_domain)
}

/// One of the user's orders.
pub(crate) fn order(conn: &mut DbConnection, user_id: &str, id: Uuid) -> Result<Order, StoreError> {
    orders::table
        .filter(orders::id.eq(id.to_string()))
        .filter(orders::user_id.eq(user_id))
        .select(OrderRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::from(DomainError::NotFound("Order not found".into())))?
        .into_domain()
}
