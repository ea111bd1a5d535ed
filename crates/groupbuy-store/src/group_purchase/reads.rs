//! Read models: groups with product, shop, participants and their histories.

use super::details::{assemble, histories, named_groups, NamedGroupRow};
use super::json_rows;
use super::rows::ParticipantRow;
use super::seats::group_not_found;
use crate::catalog::{load_product, product_not_found};
use crate::convert::to_db_time;
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::{group_instances as gi, group_participants as gp};
use diesel::prelude::*;
use groupbuy_domain::group_purchase::{
    GroupDetail, GroupInstance, GroupStatus, Participant, ParticipantDetail, ParticipantStatus,
};
use time::OffsetDateTime;
use uuid::Uuid;

/// One participant with its histories.
pub(crate) fn participant_detail(
    conn: &mut DbConnection,
    p: Participant,
) -> Result<ParticipantDetail, StoreError> {
    histories(conn, vec![p])?
        .pop()
        .ok_or_else(|| StoreError::Corrupt("participant detail".into()))
}

/// A group (as the caller holds it) with everything its views show: one query.
pub(crate) fn group_detail(
    conn: &mut DbConnection,
    group: GroupInstance,
) -> Result<GroupDetail, StoreError> {
    let row = named_groups!()
        .filter(gi::id.eq(group.id.to_string()))
        .select(NamedGroupRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| group_not_found(group.id))?;
    let mut detail = one(assemble(vec![row])?)?;
    detail.group = group;
    Ok(detail)
}

/// The only detail of a one-group assembly.
fn one(mut details: Vec<GroupDetail>) -> Result<GroupDetail, StoreError> {
    details
        .pop()
        .ok_or_else(|| StoreError::Corrupt("group detail".into()))
}

/// A group by id: one query.
pub(crate) fn by_id(conn: &mut DbConnection, id: Uuid) -> Result<GroupDetail, StoreError> {
    let row = named_groups!()
        .filter(gi::id.eq(id.to_string()))
        .select(NamedGroupRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| group_not_found(id))?;
    one(assemble(vec![row])?)
}

/// A group by code: one query.
pub(crate) fn by_code(conn: &mut DbConnection, code: &str) -> Result<GroupDetail, StoreError> {
    let row = named_groups!()
        .filter(gi::code.eq(code))
        .select(NamedGroupRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| groupbuy_domain::group_purchase::group_code_not_found(code))?;
    one(assemble(vec![row])?)
}

/// OPEN, unexpired, not full groups of a product, oldest first, at most `limit`: one
/// query, or two when there are none (the product must still exist).
pub(crate) fn available(
    conn: &mut DbConnection,
    product_id: Uuid,
    now: OffsetDateTime,
    limit: i64,
) -> Result<Vec<GroupDetail>, StoreError> {
    let rows: Vec<NamedGroupRow> = named_groups!()
        .filter(gi::product_id.eq(product_id.to_string()))
        .filter(gi::status.eq(GroupStatus::Open.as_str()))
        .filter(gi::expires_at.gt(to_db_time(now)))
        .filter(gi::seats_occupied.lt(gi::total_seats))
        .order((gi::created_at.asc(), gi::id.asc()))
        .limit(limit)
        .select(NamedGroupRow::as_select())
        .load(conn)?;
    if rows.is_empty() {
        load_product(conn, product_id)?.ok_or_else(product_not_found)?;
    }
    assemble(rows)
}

/// Groups the user took part in, newest first, at most `limit`: one query.
pub(crate) fn my_groups(
    conn: &mut DbConnection,
    user_id: &str,
    status: Option<GroupStatus>,
    limit: i64,
) -> Result<Vec<GroupDetail>, StoreError> {
    let mine = gp::table
        .filter(gp::user_id.eq(user_id))
        .select(gp::group_id);
    let mut query = named_groups!()
        .filter(gi::id.eq_any(mine))
        .order((gi::created_at.desc(), gi::id.desc()))
        .limit(limit)
        .select(NamedGroupRow::as_select())
        .into_boxed();
    if let Some(s) = status {
        query = query.filter(gi::status.eq(s.as_str()));
    }
    let rows = query.load(conn)?;
    assemble(rows)
}

/// A product's groups, optionally of one status, newest first, at most `limit`: for
/// whoever manages its shop (another merchant's product is not found). One query after
/// the ownership check.
pub(crate) fn product_groups(
    conn: &mut DbConnection,
    caller: &groupbuy_domain::Principal,
    product_id: Uuid,
    status: Option<GroupStatus>,
    limit: i64,
) -> Result<Vec<GroupDetail>, StoreError> {
    let product = load_product(conn, product_id)?.ok_or_else(product_not_found)?;
    if crate::catalog::owned_shop(conn, caller, product.shop_id).is_err() {
        return Err(product_not_found().into());
    }
    let mut query = named_groups!()
        .filter(gi::product_id.eq(product_id.to_string()))
        .order((gi::created_at.desc(), gi::id.desc()))
        .limit(limit)
        .select(NamedGroupRow::as_select())
        .into_boxed();
    if let Some(s) = status {
        query = query.filter(gi::status.eq(s.as_str()));
    }
    assemble(query.load(conn)?)
}

/// The user's ACTIVE participations, newest first, with their histories: one query.
pub(crate) fn my_participations(
    conn: &mut DbConnection,
    user_id: &str,
) -> Result<Vec<ParticipantDetail>, StoreError> {
    use crate::schema::participant_histories_json as h;
    let rows: Vec<(ParticipantRow, String, String, String)> = gp::table
        .inner_join(gi::table)
        .inner_join(h::table.on(h::participant_id.eq(gp::id)))
        .filter(gp::user_id.eq(user_id))
        .filter(gp::status.eq(ParticipantStatus::Active.as_str()))
        .order((gp::joined_at.desc(), gp::id.desc()))
        .select((
            ParticipantRow::as_select(),
            gi::currency,
            h::purchases,
            h::transfers,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(row, currency, purchases, transfers)| {
            json_rows::with_histories(row.into_domain(&currency)?, &purchases, &transfers)
        })
        .collect()
}
