//! Refunds owed by failed and deleted groups, each paid exactly once in its own
//! transaction (a sweep retries what a crash left owed).

use super::rows::ParticipantRow;
use crate::convert::to_db_time;
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::{group_instances as gi, group_participants as gp};
use crate::wallet::post_entry;
use diesel::prelude::*;
use groupbuy_domain::group_purchase::{GroupStatus, Participant, ParticipantStatus};
use groupbuy_domain::wallet::LedgerKind;
use time::OffsetDateTime;
use uuid::Uuid;

/// An ACTIVE participant of a failed or deleted group, owed a refund, with its group's
/// code (the ledger reference).
pub(crate) struct OwedRefund {
    participant: Participant,
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
        .select((ParticipantRow::as_select(), gi::currency, gi::code))
        .limit(batch)
        .into_boxed();
    if let Some(id) = group_id {
        query = query.filter(gi::id.eq(id.to_string()));
    }
    let rows: Vec<(ParticipantRow, String, String)> = query.load(conn)?;
    rows.into_iter()
        .map(|(row, currency, group_code)| {
            Ok(OwedRefund {
                participant: row.into_domain(&currency)?,
                group_code,
            })
        })
        .collect()
}

/// Refunds one participant of a failed or deleted group exactly once: the domain decides
/// the refund (everything the participation holds); the conditional ACTIVE -> REFUNDED
/// change, guarded by that amount still being what the row holds, decides who pays it;
/// then the money goes back with a REFUND entry.
pub(crate) fn refund_participant(
    conn: &mut DbConnection,
    owed: &OwedRefund,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let Some(refund) = owed.participant.refund() else {
        return Ok(false);
    };
    let closed = gi::table
        .filter(gi::status.eq_any([GroupStatus::Failed.as_str(), GroupStatus::Deleted.as_str()]))
        .select(gi::id);
    let claimed = diesel::update(
        gp::table
            .find(refund.participant_id.to_string())
            .filter(gp::status.eq(ParticipantStatus::Active.as_str()))
            .filter(gp::total_paid_minor.eq(refund.amount.minor()))
            .filter(gp::group_id.eq_any(closed)),
    )
    .set((
        gp::status.eq(ParticipantStatus::Refunded.as_str()),
        gp::updated_at.eq(to_db_time(now)),
    ))
    .execute(conn)?;
    if claimed == 0 {
        return Ok(false);
    }
    if refund.amount.minor() > 0 {
        post_entry(
            conn,
            &refund.user_id,
            LedgerKind::Refund,
            refund.amount,
            &format!("refund:{}", owed.group_code),
            now,
        )?;
    }
    Ok(true)
}
