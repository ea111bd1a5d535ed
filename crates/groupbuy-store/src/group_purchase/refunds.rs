//! Refunds owed by failed and deleted groups, each paid exactly once in its own
//! transaction (a sweep retries what a crash left owed).

use crate::convert::to_db_time;
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::{group_instances as gi, group_participants as gp};
use crate::wallet::post_entry;
use diesel::prelude::*;
use groupbuy_domain::group_purchase::{GroupStatus, ParticipantStatus};
use groupbuy_domain::wallet::LedgerKind;
use groupbuy_domain::Money;
use time::OffsetDateTime;
use uuid::Uuid;

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
