//! Creating a group buy: the organisation's creates queue on its organiser row, so the
//! overlap rule is checked against every pool committed before.

use super::record;
use super::rows::{GroupBuyRow, NewGroupBuy};
use super::schema::procurement_organisers as organisers;
use super::schema::{procurement_eligible_orgs as eligible, procurement_group_buys as gb};
use crate::convert::to_db_time;
use crate::db::{on_backend, DbConnection};
use crate::error::StoreError;
use crate::platform::as_text::AsText;
use diesel::prelude::*;
use groupbuy_domain::platform::ChangeContext;
use groupbuy_domain::procurement::{
    acting_org, GroupBuy, GroupBuyDraft, GroupBuyId, GroupBuyStatus,
};
use groupbuy_domain::Principal;
use time::OffsetDateTime;
use uuid::Uuid;

/// Upserts the organisation's organiser row: on PostgreSQL it stays locked until the
/// transaction ends, so a concurrent create of the same organisation waits here and then
/// reads this one's pool (READ COMMITTED reads afresh per statement).
fn lock_organiser(conn: &mut DbConnection, org_id: &str) -> Result<(), StoreError> {
    let row = (
        organisers::org_id.eq(org_id),
        organisers::pools_created.eq(1_i64),
    );
    on_backend!(conn, |c| diesel::insert_into(organisers::table)
        .values(row)
        .on_conflict(organisers::org_id)
        .do_update()
        .set(organisers::pools_created.eq(organisers::pools_created + 1))
        .execute(c))?;
    Ok(())
}

/// The organisation's OPEN pools whose deadline is still ahead: the only ones a new pool
/// may overlap.
fn open_pools_of(
    conn: &mut DbConnection,
    org_id: &str,
    now: OffsetDateTime,
) -> Result<Vec<GroupBuy>, StoreError> {
    gb::table
        .filter(gb::org_id.eq(org_id))
        .filter(gb::status.eq(AsText(GroupBuyStatus::Open)))
        .filter(gb::deadline.gt(to_db_time(now)))
        .order(gb::seq.asc())
        .select(GroupBuyRow::as_select())
        .load::<GroupBuyRow>(conn)?
        .into_iter()
        .map(GroupBuyRow::into_domain)
        .collect()
}

/// Creates the caller's organisation's group buy, refused when it overlaps one of its
/// OPEN pools.
pub(super) fn create(
    conn: &mut DbConnection,
    caller: &Principal,
    draft: GroupBuyDraft,
    ctx: &ChangeContext,
) -> Result<GroupBuy, StoreError> {
    let org_id = acting_org(caller)?;
    lock_organiser(conn, org_id)?;
    let others = open_pools_of(conn, org_id, ctx.now)?;
    let id = GroupBuyId::new(Uuid::new_v4());
    let created = draft.create(id, caller, &others, ctx)?;
    let g = created.group_buy;
    diesel::insert_into(gb::table)
        .values(NewGroupBuy::from_domain(&g)?)
        .execute(conn)?;
    for org in g.rules.eligible_orgs.iter().flatten() {
        diesel::insert_into(eligible::table)
            .values((
                eligible::group_buy_id.eq(g.id.to_string()),
                eligible::org_id.eq(org),
            ))
            .execute(conn)?;
    }
    record(conn, created.audit, &created.events, ctx)?;
    Ok(g)
}
