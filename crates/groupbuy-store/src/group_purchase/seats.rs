//! The transactional primitives every group use case shares: seats, participants,
//! completion (orders exactly once) and refunds (exactly once). All run inside the
//! caller's transaction and change state only through conditional statements.

use super::rows::{GroupRow, ParticipantRow};
use crate::convert::to_db_time;
use crate::db::cacheable::cacheable;
use crate::db::{on_backend, placeholders, DbConnection};
use crate::error::StoreError;
use crate::schema::{group_instances as gi, group_participants as gp, products};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use groupbuy_domain::group_purchase::{
    Completion, GroupInstance, GroupStatus, Participant, ParticipantStatus, Seller,
};
use groupbuy_domain::platform::DomainEvent;
use groupbuy_domain::{DomainError, Money};
use std::collections::BTreeMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// Locks a group's row and reads it in one statement (a no-op UPDATE ... RETURNING), so
/// what the domain then decides about it (and its participants) cannot change until
/// commit; `None` when it does not exist.
pub(crate) fn lock_group(
    conn: &mut DbConnection,
    id: Uuid,
) -> Result<Option<GroupInstance>, StoreError> {
    diesel::update(gi::table.find(id.to_string()))
        .set(gi::updated_at.eq(gi::updated_at))
        .returning(gi::all_columns)
        .get_result::<GroupRow>(conn)
        .optional()?
        .map(GroupRow::into_domain)
        .transpose()
}

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
    groupbuy_domain::group_purchase::group_not_found(id)
}

/// The user's participation row in a group, whatever its status.
pub(crate) fn load_participation(
    conn: &mut DbConnection,
    group: &GroupInstance,
    user_id: &str,
) -> Result<Option<Participant>, StoreError> {
    on_backend!(conn, |c| gp::table
        .filter(gp::group_id.eq(group.id.to_string()))
        .filter(gp::user_id.eq(user_id))
        .select(ParticipantRow::as_select())
        .first(c))
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
    on_backend!(conn, |c| cacheable!(diesel::update(
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
    .returning(gi::all_columns))
    .get_result::<GroupRow>(c))
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
    .ok_or_else(|| groupbuy_domain::group_purchase::GroupPurchaseRefusal::SourceGroupChanged.into())
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

/// The user's participation after gaining seats: `existing` (read under the group's row
/// lock) grown or reactivated, or a new one. Nothing is written.
pub(crate) fn gained(
    group: &GroupInstance,
    user_id: &str,
    existing: Option<Participant>,
    gain: &SeatGain<'_>,
    now: OffsetDateTime,
) -> Result<Participant, StoreError> {
    let purchases = i32::from(gain.purchase_session.is_some());
    Ok(match existing {
        Some(mut p) => {
            // Coming back after transferring out starts the participation afresh.
            let (quantity, paid) = if p.status != ParticipantStatus::Active {
                (gain.quantity, gain.amount)
            } else {
                (p.quantity + gain.quantity, p.total_paid.plus(gain.amount)?)
            };
            p.quantity = quantity;
            p.total_paid = paid;
            p.status = ParticipantStatus::Active;
            p.purchase_count += purchases;
            p.has_transferred |= gain.by_transfer;
            p
        }
        None => Participant {
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
        },
    })
}

/// A participation as its row, last changed at `now`.
pub(crate) fn participant_row(p: &Participant, now: OffsetDateTime) -> ParticipantRow {
    ParticipantRow {
        id: p.id.to_string(),
        group_id: p.group_id.to_string(),
        user_id: p.user_id.clone(),
        user_name: p.user_name.clone(),
        user_picture: p.user_picture.clone(),
        quantity: p.quantity,
        total_paid_minor: p.total_paid.minor(),
        status: p.status.as_str().to_owned(),
        joined_at: to_db_time(p.joined_at),
        purchase_count: p.purchase_count,
        has_transferred: p.has_transferred,
        checkout_session_id: p.checkout_session_id.map(|s| s.to_string()),
        updated_at: to_db_time(now),
    }
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
    let known = existing.is_some();
    let p = gained(group, user_id, existing, &gain, now)?;
    write_participant(conn, &p, !known, now)?;
    Ok(p)
}

/// Writes a participation as decided: inserted when `new`, else its changing columns
/// updated (no read back: this runs while the hot group row is locked).
pub(crate) fn write_participant(
    conn: &mut DbConnection,
    p: &Participant,
    new: bool,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    if !new {
        on_backend!(conn, |c| cacheable!(diesel::update(
            gp::table.find(p.id.to_string())
        )
        .set((
            gp::quantity.eq(p.quantity),
            gp::total_paid_minor.eq(p.total_paid.minor()),
            gp::status.eq(ParticipantStatus::Active.as_str()),
            gp::purchase_count.eq(p.purchase_count),
            gp::has_transferred.eq(p.has_transferred),
            gp::updated_at.eq(to_db_time(now)),
        ))
        .returning(gp::id))
        .load::<String>(c))?;
    } else {
        let row = participant_row(p, now);
        on_backend!(conn, |c| diesel::insert_into(gp::table)
            .values(&row)
            .execute(c))?;
    }
    Ok(())
}

/// The group's ACTIVE participants, read while its row is locked.
pub(crate) fn active_participants(
    conn: &mut DbConnection,
    group: &GroupInstance,
) -> Result<Vec<Participant>, StoreError> {
    let rows: Vec<ParticipantRow> = gp::table
        .filter(gp::group_id.eq(group.id.to_string()))
        .filter(gp::status.eq(ParticipantStatus::Active.as_str()))
        .select(ParticipantRow::as_select())
        .load(conn)?;
    let currency = group.unit_price.currency().code();
    rows.into_iter().map(|r| r.into_domain(currency)).collect()
}

/// Completes `group` (as this transaction just wrote it, its row locked) if every seat is
/// taken: the domain decides the orders and `group.completed`; the conditional status
/// change makes it happen once; the held stock becomes sold stock. Returns the events.
pub(crate) fn complete_if_full(
    conn: &mut DbConnection,
    group: &GroupInstance,
    seller: Seller<'_>,
    now: OffsetDateTime,
) -> Result<Vec<DomainEvent>, StoreError> {
    // Only a full group can complete: no read at all on an ordinary join.
    if !group.is_full() {
        return Ok(Vec::new());
    }
    let active = active_participants(conn, group)?;
    let Some(done) = group.complete(&active, Uuid::new_v4, seller, now) else {
        return Ok(Vec::new());
    };
    if !write_completion(conn, group, &done, now)? {
        return Ok(Vec::new());
    }
    Ok(done.events)
}

/// Writes a completion the domain decided for `group` (its row locked by this
/// transaction): the conditional status change makes it happen once (false when it did
/// not), its orders, their money settled into the shop's merchant balance and the
/// platform's commission (through the one posting function), and the held stock becoming
/// sold stock. Every way a group completes ends here.
pub(crate) fn write_completion(
    conn: &mut DbConnection,
    group: &GroupInstance,
    done: &Completion,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let completed = diesel::update(
        gi::table
            .find(group.id.to_string())
            .filter(gi::status.eq(GroupStatus::Open.as_str()))
            .filter(gi::seats_occupied.eq(gi::total_seats)),
    )
    .set((
        gi::status.eq(done.group.status.as_str()),
        gi::completed_at.eq(done.group.completed_at.map(to_db_time)),
        gi::updated_at.eq(to_db_time(now)),
    ))
    .execute(conn)?;
    if completed == 0 {
        return Ok(false);
    }
    crate::order::insert_orders(conn, &done.orders)?;
    crate::wallet::post_postings(conn, &done.settlement, now)?;
    let seats = i64::from(group.total_seats);
    diesel::update(products::table.find(group.product_id.to_string()))
        .set((
            products::stock_quantity.eq(products::stock_quantity - seats),
            products::reserved_quantity.eq(products::reserved_quantity - seats),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Writes a closure the domain decided (`before` -> `after`, FAILED or DELETED) exactly
/// once, conditional on the status read (and, for expiry, on the time), releases the
/// stock an OPEN group held and queues its refunds; returns false when another
/// transaction got there first. The refunds are paid afterwards by
/// [`super::refunds::refund_batch`], in their own transactions: the group lock and wallet
/// locks are then never held together, so a member paying at the instant of expiry
/// cannot deadlock with the sweep.
pub(crate) fn close_group(
    conn: &mut DbConnection,
    before: &GroupInstance,
    after: &GroupInstance,
    only_if_expired: bool,
) -> Result<bool, StoreError> {
    let closed = close_groups(conn, &[(before, after)], only_if_expired)?;
    Ok(!closed.is_empty())
}

/// [`close_group`] for many groups with a fixed number of statements: one conditional
/// UPDATE per (status before, status after, time) found among them, one statement to
/// release the stock of all their products and one to queue their refunds. Returns the
/// ids of the groups this transaction closed.
pub(crate) fn close_groups(
    conn: &mut DbConnection,
    closures: &[(&GroupInstance, &GroupInstance)],
    only_if_expired: bool,
) -> Result<Vec<Uuid>, StoreError> {
    let mut kinds: Vec<(GroupStatus, GroupStatus, OffsetDateTime)> = closures
        .iter()
        .map(|(b, a)| (b.status, a.status, a.updated_at))
        .collect();
    kinds.sort_by_key(|(b, a, at)| (b.as_str(), a.as_str(), *at));
    kinds.dedup();
    let mut closed: Vec<String> = Vec::with_capacity(closures.len());
    for (from, to, at) in kinds {
        let ids: Vec<String> = closures
            .iter()
            .filter(|(b, a)| b.status == from && a.status == to && a.updated_at == at)
            .map(|(b, _)| b.id.to_string())
            .collect();
        for chunk in ids.chunks(1000) {
            let current = gi::table
                .filter(gi::id.eq_any(chunk))
                .filter(gi::status.eq(from.as_str()));
            let change = (
                gi::status.eq(to.as_str()),
                gi::updated_at.eq(to_db_time(at)),
            );
            let done: Vec<String> = if only_if_expired {
                diesel::update(current.filter(gi::expires_at.le(to_db_time(at))))
                    .set(change)
                    .returning(gi::id)
                    .get_results(conn)?
            } else {
                diesel::update(current)
                    .set(change)
                    .returning(gi::id)
                    .get_results(conn)?
            };
            closed.extend(done);
        }
    }
    let was_open: Vec<&GroupInstance> = closures
        .iter()
        .map(|(b, _)| *b)
        .filter(|b| b.status == GroupStatus::Open && closed.contains(&b.id.to_string()))
        .collect();
    release_stock_of(conn, &was_open)?;
    let owed: Vec<String> = was_open.iter().map(|g| g.id.to_string()).collect();
    if let Some((_, after)) = closures.first() {
        super::refunds::queue_refunds(conn, &owed, after.updated_at)?;
    }
    closed
        .iter()
        .map(|id| crate::convert::parse_uuid(id))
        .collect()
}

/// Releases the stock an OPEN group held for its seats.
pub(crate) fn release_stock(
    conn: &mut DbConnection,
    group: &GroupInstance,
) -> Result<(), StoreError> {
    release_stock_of(conn, &[group])
}

/// Releases the stock OPEN groups held, in one statement for all their products. On
/// PostgreSQL the products are locked first in id order: two sweepers whose batches span
/// the same products then queue instead of deadlocking (an `UPDATE ... FROM` locks rows
/// in whatever order its join produces them).
fn release_stock_of(conn: &mut DbConnection, groups: &[&GroupInstance]) -> Result<(), StoreError> {
    let mut seats: BTreeMap<String, i64> = BTreeMap::new();
    for g in groups {
        *seats.entry(g.product_id.to_string()).or_default() += i64::from(g.total_seats);
    }
    if seats.is_empty() {
        return Ok(());
    }
    if seats.len() == 1 {
        // The common single-group case (deletion, transfer): one plain UPDATE.
        for (id, n) in &seats {
            diesel::update(products::table.find(id))
                .set(products::reserved_quantity.eq(products::reserved_quantity - n))
                .execute(conn)?;
        }
        return Ok(());
    }
    let rows: Vec<(String, i64)> = seats.into_iter().collect();
    for chunk in rows.chunks(1000) {
        let ids: Vec<&String> = chunk.iter().map(|(id, _)| id).collect();
        if let DbConnection::Pg(c) = conn {
            let _: Vec<String> = products::table
                .filter(products::id.eq_any(&ids))
                .order(products::id)
                .select(products::id)
                .for_no_key_update()
                .load(c)?;
        }
        let mut param = placeholders(conn);
        let values: Vec<String> = chunk
            .iter()
            .map(|_| format!("({}, {})", param(), param()))
            .collect();
        let sql = format!(
            "UPDATE products SET reserved_quantity = reserved_quantity - v.column2 \
             FROM (VALUES {}) AS v WHERE products.id = v.column1",
            values.join(", ")
        );
        match conn {
            DbConnection::Pg(c) => {
                let mut q = diesel::sql_query(sql).into_boxed();
                for (id, n) in chunk {
                    q = q.bind::<Text, _>(id).bind::<BigInt, _>(*n);
                }
                q.execute(c)?
            }
            DbConnection::Sqlite(c) => {
                let mut q = diesel::sql_query(sql).into_boxed();
                for (id, n) in chunk {
                    q = q.bind::<Text, _>(id).bind::<BigInt, _>(*n);
                }
                q.execute(c)?
            }
        };
    }
    Ok(())
}
