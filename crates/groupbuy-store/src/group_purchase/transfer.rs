//! Seat transfers between compatible OPEN groups; the money held for the seats moves too.

use super::emit::{emit, group_shop};
use super::reads::participant_detail;
use super::rows::TransferRow;
use super::seats::{
    complete_if_full, gain_seats, group_not_found, load_participation, lock_group, release_seats,
    release_stock, take_seats, SeatGain,
};
use crate::convert::to_db_time;
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::{group_instances as gi, group_participants as gp, seat_transfers};
use diesel::prelude::*;
use groupbuy_domain::group_purchase::{
    transfer as decide, GroupPurchaseRefusal as Refused, GroupStatus, ParticipantDetail,
    ParticipantStatus, TransferCheck,
};
use groupbuy_domain::ledger::CommissionRate;
use groupbuy_domain::platform::ChangeContext;
use groupbuy_domain::Principal;
use uuid::Uuid;

/// Moves `quantity` seats of `user` from `source_id` to `target_id`, with
/// `seats.transferred` (and `group.deleted` when it empties the source, `group.completed`
/// when it fills the target).
pub(crate) fn transfer(
    conn: &mut DbConnection,
    user: &Principal,
    (source_id, target_id): (Uuid, Uuid),
    quantity: i32,
    ctx: &ChangeContext,
    default: CommissionRate,
) -> Result<ParticipantDetail, StoreError> {
    let now = ctx.now;
    if source_id == target_id {
        return Err(Refused::SameGroup.into());
    }
    let shop = group_shop(conn, source_id, default)?.ok_or_else(|| group_not_found(source_id))?;
    // Lock both group rows in a fixed order so two opposite transfers cannot deadlock.
    let mut ids = [source_id, target_id];
    ids.sort();
    let mut locked = Vec::with_capacity(2);
    for id in ids {
        locked.push(lock_group(conn, id)?.ok_or_else(|| group_not_found(id))?);
    }
    let pick = |id: Uuid| locked.iter().find(|g| g.id == id).cloned();
    let source = pick(source_id).ok_or_else(|| group_not_found(source_id))?;
    let target = pick(target_id).ok_or_else(|| group_not_found(target_id))?;
    let mine = load_participation(conn, &source, &user.user_id)?;
    let mine_in_target = load_participation(conn, &target, &user.user_id)?;
    let held_in_target = mine_in_target
        .as_ref()
        .filter(|p| p.status == ParticipantStatus::Active)
        .map_or(0, |p| p.quantity);
    let plan = decide(
        TransferCheck {
            source: &source,
            target: &target,
            mine_in_source: mine.as_ref(),
            held_in_target,
            quantity,
            now,
        },
        &shop.audience,
    )?;
    let mine = plan.mine.clone();
    let moved = plan.moved;

    release_seats(conn, source.id, quantity, now)?;
    diesel::update(gp::table.find(mine.id.to_string()))
        .set((
            gp::quantity.eq(mine.quantity),
            gp::total_paid_minor.eq(gp::total_paid_minor - moved.minor()),
            gp::status.eq(mine.status.as_str()),
            gp::has_transferred.eq(true),
            gp::updated_at.eq(to_db_time(now)),
        ))
        .execute(conn)?;

    let Some(target) = take_seats(conn, target.id, quantity, now)? else {
        return Err(
            groupbuy_domain::group_purchase::GroupPurchaseRefusal::TargetGroupChanged.into(),
        );
    };
    let into = gain_seats(
        conn,
        &target,
        &user.user_id,
        mine_in_target,
        SeatGain {
            quantity,
            amount: moved,
            purchase_session: None,
            first_session: mine.checkout_session_id,
            user_name: &user.display_name(),
            user_picture: user.picture.as_deref(),
            by_transfer: true,
        },
        now,
    )?;
    diesel::insert_into(seat_transfers::table)
        .values(TransferRow {
            id: Uuid::new_v4().to_string(),
            user_id: user.user_id.clone(),
            from_group_id: source.id.to_string(),
            to_group_id: target.id.to_string(),
            from_participant_id: mine.id.to_string(),
            to_participant_id: into.id.to_string(),
            quantity,
            amount_minor: moved.minor(),
            currency: moved.currency().code().to_owned(),
            reason: format!(
                "Transferred {quantity} seats from group {}",
                source.code.as_str()
            ),
            transferred_at: to_db_time(now),
        })
        .execute(conn)?;
    if plan.empties_source() {
        // Everyone moved out: the group is soft-deleted and its stock released.
        let deleted = diesel::update(
            gi::table
                .find(source.id.to_string())
                .filter(gi::status.eq(GroupStatus::Open.as_str()))
                .filter(gi::seats_occupied.eq(0)),
        )
        .set((
            gi::status.eq(plan.source.status.as_str()),
            gi::updated_at.eq(to_db_time(now)),
        ))
        .execute(conn)?;
        if deleted == 1 {
            release_stock(conn, &source)?;
        }
    }
    let mut events = plan.events;
    events.extend(complete_if_full(conn, &target, shop.seller(), now)?);
    emit(conn, &events, ctx)?;
    participant_detail(conn, into)
}
