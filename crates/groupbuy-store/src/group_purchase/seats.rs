//! The transactional primitives every group use case shares: seats, participants,
//! completion (orders exactly once) and refunds (exactly once). All run inside the
//! caller's transaction and change state only through conditional statements.

use super::rows::{GroupRow, NewOrderRow, ParticipantRow};
use crate::convert::to_db_time;
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::{group_instances as gi, group_participants as gp, orders, products};
use crate::wallet::post_entry;
use diesel::prelude::*;
use groupbuy_domain::group_purchase::{GroupInstance, GroupStatus, Participant, ParticipantStatus};
use groupbuy_domain::wallet::LedgerKind;
use groupbuy_domain::{DomainError, Money};
use time::OffsetDateTime;
use uuid::Uuid;

/// A group by id.
pub(crate) fn load_group(
    conn: &mut DbConnection,
    id: Uuid,
) -> Result<Option<GroupInstance>, StoreError> {
    gi::table
        .find(id.to_string())
        .select(GroupRow::as_select())
        .first(conn)
        .optional()?
        .map(GroupRow::into_domain)
        .transpose()
}

/// `Group not found with ID: ...`.
pub(crate) fn group_not_found(id: Uuid) -> DomainError {
    DomainError::NotFound(format!("Group not found with ID: {id}"))
}

/// The user's participation row in a group, whatever its status.
pub(crate) fn load_participation(
    conn: &mut DbConnection,
    group: &GroupInstance,
    user_id: &str,
) -> Result<Option<Participant>, StoreError> {
    gp::table
        .filter(gp::group_id.eq(group.id.to_string()))
        .filter(gp::user_id.eq(user_id))
        .select(ParticipantRow::as_select())
        .first(conn)
        .optional()?
        .map(|r| r.into_domain(group.unit_price.currency().code()))
        .transpose()
}

/// Takes `n` seats in one conditional statement (the DESIGN's hot path): the row lock it
/// takes serializes everything else on this group until commit. Returns the group as
/// updated (no second read), or `None` when refused.
pub(crate) fn take_seats(
    conn: &mut DbConnection,
    group_id: Uuid,
    n: i32,
    now: OffsetDateTime,
) -> Result<Option<GroupInstance>, StoreError> {
    diesel::update(
        gi::table
            .find(group_id.to_string())
            .filter(gi::status.eq(GroupStatus::Open.as_str()))
            .filter(gi::expires_at.gt(to_db_time(now)))
            .filter((gi::seats_occupied + n).le(gi::total_seats)),
    )
    .set((
        gi::seats_occupied.eq(gi::seats_occupied + n),
        gi::updated_at.eq(to_db_time(now)),
    ))
    .returning(gi::all_columns)
    .get_result::<GroupRow>(conn)
    .optional()?
    .map(GroupRow::into_domain)
    .transpose()
}

/// Gives back `n` seats of an OPEN group (a transfer out).
pub(crate) fn release_seats(
    conn: &mut DbConnection,
    group_id: Uuid,
    n: i32,
    now: OffsetDateTime,
) -> Result<i32, StoreError> {
    diesel::update(
        gi::table
            .find(group_id.to_string())
            .filter(gi::status.eq(GroupStatus::Open.as_str()))
            .filter(gi::seats_occupied.ge(n)),
    )
    .set((
        gi::seats_occupied.eq(gi::seats_occupied - n),
        gi::updated_at.eq(to_db_time(now)),
    ))
    .returning(gi::seats_occupied)
    .get_result(conn)
    .optional()?
    .ok_or_else(|| {
        StoreError::Domain(DomainError::Conflict(
            "The source group changed; retry".into(),
        ))
    })
}

/// What a participation gains: seats, the money held for them and, for a purchase,
/// its checkout session.
pub(crate) struct SeatGain<'a> {
    pub quantity: i32,
    pub amount: Money,
    pub purchase_session: Option<Uuid>,
    pub first_session: Option<Uuid>,
    pub user_name: &'a str,
    pub user_picture: Option<&'a str>,
    pub by_transfer: bool,
}

/// Adds seats to the user's participation (`existing`, read under the group's row lock),
/// creating or reactivating it; returns the participation as now stored, without
/// reading it back (every statement here runs while the hot group row is locked).
pub(crate) fn gain_seats(
    conn: &mut DbConnection,
    group: &GroupInstance,
    user_id: &str,
    existing: Option<Participant>,
    gain: SeatGain<'_>,
    now: OffsetDateTime,
) -> Result<Participant, StoreError> {
    let purchases = i32::from(gain.purchase_session.is_some());
    match existing {
        Some(mut p) => {
            let comes_back = p.status != ParticipantStatus::Active;
            // Coming back after transferring out starts the participation afresh.
            let (quantity, paid) = if comes_back {
                (gain.quantity, gain.amount)
            } else {
                (p.quantity + gain.quantity, p.total_paid.plus(gain.amount)?)
            };
            p.quantity = quantity;
            p.total_paid = paid;
            p.status = ParticipantStatus::Active;
            p.purchase_count += purchases;
            p.has_transferred |= gain.by_transfer;
            diesel::update(gp::table.find(p.id.to_string()))
                .set((
                    gp::quantity.eq(p.quantity),
                    gp::total_paid_minor.eq(p.total_paid.minor()),
                    gp::status.eq(ParticipantStatus::Active.as_str()),
                    gp::purchase_count.eq(p.purchase_count),
                    gp::has_transferred.eq(p.has_transferred),
                    gp::updated_at.eq(to_db_time(now)),
                ))
                .execute(conn)?;
            Ok(p)
        }
        None => {
            let p = Participant {
                id: Uuid::new_v4(),
                group_id: group.id,
                user_id: user_id.to_owned(),
                user_name: gain.user_name.to_owned(),
                user_picture: gain.user_picture.map(str::to_owned),
                quantity: gain.quantity,
                total_paid: gain.amount,
                status: ParticipantStatus::Active,
                joined_at: now,
                purchase_count: purchases,
                has_transferred: gain.by_transfer,
                checkout_session_id: gain.purchase_session.or(gain.first_session),
            };
            diesel::insert_into(gp::table)
                .values(ParticipantRow {
                    id: p.id.to_string(),
                    group_id: group.id.to_string(),
                    user_id: p.user_id.clone(),
                    user_name: p.user_name.clone(),
                    user_picture: p.user_picture.clone(),
                    quantity: p.quantity,
                    total_paid_minor: p.total_paid.minor(),
                    status: ParticipantStatus::Active.as_str().to_owned(),
                    joined_at: to_db_time(now),
                    purchase_count: p.purchase_count,
                    has_transferred: p.has_transferred,
                    checkout_session_id: p.checkout_session_id.map(|s| s.to_string()),
                    updated_at: to_db_time(now),
                })
                .execute(conn)?;
            Ok(p)
        }
    }
}

/// Completes the group if every seat is taken: status COMPLETED once (conditional),
/// one order per ACTIVE participant, and the held stock becomes sold stock.
pub(crate) fn complete_if_full(
    conn: &mut DbConnection,
    group: &GroupInstance,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let completed = diesel::update(
        gi::table
            .find(group.id.to_string())
            .filter(gi::status.eq(GroupStatus::Open.as_str()))
            .filter(gi::seats_occupied.eq(gi::total_seats)),
    )
    .set((
        gi::status.eq(GroupStatus::Completed.as_str()),
        gi::completed_at.eq(Some(to_db_time(now))),
        gi::updated_at.eq(to_db_time(now)),
    ))
    .execute(conn)?;
    if completed == 0 {
        return Ok(false);
    }
    let active: Vec<ParticipantRow> = gp::table
        .filter(gp::group_id.eq(group.id.to_string()))
        .filter(gp::status.eq(ParticipantStatus::Active.as_str()))
        .select(ParticipantRow::as_select())
        .load(conn)?;
    for p in active {
        diesel::insert_into(orders::table)
            .values(NewOrderRow {
                id: Uuid::new_v4().to_string(),
                group_id: group.id.to_string(),
                group_code: group.code.as_str().to_owned(),
                user_id: p.user_id,
                participant_id: p.id,
                product_id: group.product_id.to_string(),
                quantity: p.quantity,
                currency: group.unit_price.currency().code().to_owned(),
                unit_price_minor: group.unit_price.minor(),
                total_minor: p.total_paid_minor,
                status: "CONFIRMED".into(),
                created_at: to_db_time(now),
            })
            .execute(conn)?;
    }
    let seats = i64::from(group.total_seats);
    diesel::update(products::table.find(group.product_id.to_string()))
        .set((
            products::stock_quantity.eq(products::stock_quantity - seats),
            products::reserved_quantity.eq(products::reserved_quantity - seats),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Moves an OPEN group to `to` (FAILED or DELETED) exactly once and releases the stock
/// it held; returns false when another transaction got there first. Its ACTIVE
/// participants are refunded afterwards by [`refund_participant`], each in its own
/// transaction: the group lock and wallet locks are then never held together, so a
/// member paying at the instant of expiry cannot deadlock with the sweep.
pub(crate) fn close_group(
    conn: &mut DbConnection,
    group: &GroupInstance,
    to: GroupStatus,
    only_if_expired: bool,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let open = gi::table
        .find(group.id.to_string())
        .filter(gi::status.eq(GroupStatus::Open.as_str()));
    let change = (
        gi::status.eq(to.as_str()),
        gi::updated_at.eq(to_db_time(now)),
    );
    let claimed = if only_if_expired {
        diesel::update(open.filter(gi::expires_at.le(to_db_time(now))))
            .set(change)
            .execute(conn)?
    } else {
        diesel::update(open).set(change).execute(conn)?
    };
    if claimed == 0 {
        return Ok(false);
    }
    release_stock(conn, group)?;
    Ok(true)
}

/// An ACTIVE participant of a failed or deleted group, owed a refund.
#[derive(Queryable)]
pub(crate) struct OwedRefund {
    participant_id: String,
    user_id: String,
    _held_minor: i64,
    currency: String,
    group_code: String,
}

/// Refunds owed, of one group or of all.
pub(crate) fn refunds_owed(
    conn: &mut DbConnection,
    group_id: Option<Uuid>,
    batch: i64,
) -> Result<Vec<OwedRefund>, StoreError> {
    let mut query = gp::table
        .inner_join(gi::table)
        .filter(gi::status.eq_any([GroupStatus::Failed.as_str(), GroupStatus::Deleted.as_str()]))
        .filter(gp::status.eq(ParticipantStatus::Active.as_str()))
        .select((
            gp::id,
            gp::user_id,
            gp::total_paid_minor,
            gi::currency,
            gi::code,
        ))
        .limit(batch)
        .into_boxed();
    if let Some(id) = group_id {
        query = query.filter(gi::id.eq(id.to_string()));
    }
    Ok(query.load(conn)?)
}

/// Refunds one participant of a failed or deleted group exactly once: the conditional
/// ACTIVE -> REFUNDED change decides, then the money goes back with a REFUND entry.
pub(crate) fn refund_participant(
    conn: &mut DbConnection,
    owed: &OwedRefund,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let closed = gi::table
        .filter(gi::status.eq_any([GroupStatus::Failed.as_str(), GroupStatus::Deleted.as_str()]))
        .select(gi::id);
    let claimed: Option<i64> = diesel::update(
        gp::table
            .find(&owed.participant_id)
            .filter(gp::status.eq(ParticipantStatus::Active.as_str()))
            .filter(gp::group_id.eq_any(closed)),
    )
    .set((
        gp::status.eq(ParticipantStatus::Refunded.as_str()),
        gp::updated_at.eq(to_db_time(now)),
    ))
    .returning(gp::total_paid_minor)
    .get_result(conn)
    .optional()?;
    let Some(amount) = claimed else {
        return Ok(false);
    };
    if amount > 0 {
        let currency = crate::convert::parse_currency(&owed.currency)?;
        post_entry(
            conn,
            &owed.user_id,
            LedgerKind::Refund,
            Money::from_minor(amount, currency),
            &format!("refund:{}", owed.group_code),
            now,
        )?;
    }
    Ok(true)
}

/// Releases the stock an OPEN group held for its seats.
pub(crate) fn release_stock(
    conn: &mut DbConnection,
    group: &GroupInstance,
) -> Result<(), StoreError> {
    diesel::update(products::table.find(group.product_id.to_string()))
        .set(
            products::reserved_quantity
                .eq(products::reserved_quantity - i64::from(group.total_seats)),
        )
        .execute(conn)?;
    Ok(())
}
