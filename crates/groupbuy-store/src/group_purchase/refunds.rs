//! Refunds owed by failed and deleted groups, paid in batches: each transaction settles up
//! to a few hundred groups with a fixed number of statements, every refund exactly once.
//!
//! A group that closes while OPEN is queued in `group_refunds_owed` in the transaction
//! that closes it; a refund batch claims queued groups, pays their ACTIVE participants and
//! dequeues them, all in one transaction, so a crash halfway leaves every refund either
//! paid (and dequeued) or owed (and queued) for the next pass. The queue keeps a pass's
//! cost proportional to what is owed, not to how many groups ever failed.
//!
//! Exactly once: a batch locks its queue rows (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so a
//! second sweeper takes other groups; SQLite: the one IMMEDIATE writer), then the
//! participants it refunds, and changes them with a conditional ACTIVE -> REFUNDED that
//! must hit every one of them or the batch rolls back. The domain decides each refund
//! ([`Participant::refund`]) and each new balance ([`wallet::post`]).
//!
//! No deadlock: a batch never holds a group row; it locks wallets in one order (sorted by
//! user id) after its participants, which no payment ever locks (payments only touch
//! participants of OPEN groups).

use super::rows::ParticipantRow;
use crate::convert::to_db_time;
use crate::db::{insert_rows, DbConnection};
use crate::error::StoreError;
use crate::schema::group_refunds_owed;
use crate::schema::{group_instances as gi, group_participants as gp};
use crate::wallet::{lock_wallets, open_wallets, post_entries};
use diesel::prelude::*;
use groupbuy_domain::group_purchase::{GroupStatus, ParticipantStatus, Refund};
use groupbuy_domain::wallet::{self, Account, LedgerEntry, LedgerKind};
use groupbuy_domain::{Currency, Money};
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// Rows per multi-row statement: far below both backends' bind-parameter limits.
const ROWS: usize = 1000;

/// Queues the refunds of groups that just closed while OPEN, in the closing transaction.
pub(crate) fn queue_refunds(
    conn: &mut DbConnection,
    group_ids: &[String],
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let mut ids = group_ids.to_vec();
    ids.sort();
    for chunk in ids.chunks(ROWS) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|id| {
                (
                    group_refunds_owed::group_id.eq(id),
                    group_refunds_owed::queued_at.eq(to_db_time(now)),
                )
            })
            .collect();
        insert_rows!(conn, group_refunds_owed::table, &rows[..], if_absent)?;
    }
    Ok(())
}

/// What one refund batch did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RefundBatch {
    /// Queued groups this batch claimed.
    pub claimed: usize,
    /// Participants refunded.
    pub refunded: usize,
}

/// A refund the domain decided, with its group and the ledger reference.
struct Owed {
    refund: Refund,
    group_id: String,
    reference: String,
}

/// One refund of the batch, with what the ledger entry needs.
struct Payable {
    refund: Refund,
    reference: String,
    balance_after: i64,
}

/// Claims up to `groups` queued groups (or only `only`, waiting for it if another
/// transaction holds it) and pays every refund they owe, in the caller's transaction.
pub(crate) fn refund_batch(
    conn: &mut DbConnection,
    only: Option<Uuid>,
    groups: i64,
    now: OffsetDateTime,
) -> Result<RefundBatch, StoreError> {
    use group_refunds_owed as q;
    let claimed: Vec<String> = match (&mut *conn, only) {
        (DbConnection::Pg(c), None) => q::table
            .select(q::group_id)
            .order(q::group_id)
            .limit(groups)
            .for_update()
            .skip_locked()
            .load(c)?,
        (DbConnection::Pg(c), Some(id)) => q::table
            .find(id.to_string())
            .select(q::group_id)
            .for_update()
            .load(c)?,
        // SQLite's IMMEDIATE transaction already holds the only write lock.
        (DbConnection::Sqlite(c), None) => q::table
            .select(q::group_id)
            .order(q::group_id)
            .limit(groups)
            .load(c)?,
        (DbConnection::Sqlite(c), Some(id)) => {
            q::table.find(id.to_string()).select(q::group_id).load(c)?
        }
    };
    if claimed.is_empty() {
        return Ok(RefundBatch::default());
    }
    let closed = [GroupStatus::Failed.as_str(), GroupStatus::Deleted.as_str()];
    let heads: Vec<(String, String, String)> = gi::table
        .filter(gi::id.eq_any(&claimed))
        .filter(gi::status.eq_any(closed))
        .select((gi::id, gi::currency, gi::code))
        .load(conn)?;
    let heads: HashMap<String, (String, String)> = heads
        .into_iter()
        .map(|(id, currency, code)| (id, (currency, code)))
        .collect();
    let owed = owed_participants(conn, &claimed)?;
    let mut refunds: Vec<Owed> = Vec::with_capacity(owed.len());
    let mut unsettled: Vec<String> = Vec::new();
    for row in owed {
        let Some((currency, code)) = heads.get(&row.group_id) else {
            // Queued but not closed: cannot happen (a group is queued as it closes);
            // leave it queued rather than refund an open group.
            tracing::error!(group_id = %row.group_id, "queued refunds of a group that is not closed");
            unsettled.push(row.group_id.clone());
            continue;
        };
        let reference = format!("refund:{code}");
        let group_id = row.group_id.clone();
        // An ACTIVE participant always has a refund; the domain says how much.
        if let Some(refund) = row.into_domain(currency)?.refund() {
            refunds.push(Owed {
                refund,
                group_id,
                reference,
            });
        } else {
            unsettled.push(group_id);
        }
    }
    let payable = settle_balances(conn, refunds, &mut unsettled, now)?;
    let ids: Vec<String> = payable
        .iter()
        .map(|p| p.refund.participant_id.to_string())
        .collect();
    for chunk in ids.chunks(ROWS) {
        let changed: Vec<String> = diesel::update(
            gp::table
                .filter(gp::id.eq_any(chunk))
                .filter(gp::status.eq(ParticipantStatus::Active.as_str())),
        )
        .set((
            gp::status.eq(ParticipantStatus::Refunded.as_str()),
            gp::updated_at.eq(to_db_time(now)),
        ))
        .returning(gp::id)
        .get_results(conn)?;
        if changed.len() != chunk.len() {
            // The rows are locked (or SQLite's writer is us): another refund of them
            // would be a bug; roll back rather than pay anything twice.
            return Err(StoreError::Corrupt(
                "participants changed under a refund batch".into(),
            ));
        }
    }
    write_money(conn, &payable, now)?;
    let settled: Vec<&String> = claimed.iter().filter(|g| !unsettled.contains(g)).collect();
    for chunk in settled.chunks(ROWS) {
        diesel::delete(q::table.filter(q::group_id.eq_any(chunk))).execute(conn)?;
    }
    Ok(RefundBatch {
        claimed: claimed.len(),
        refunded: payable.len(),
    })
}

/// The ACTIVE participants of the claimed groups, locked on PostgreSQL until commit.
fn owed_participants(
    conn: &mut DbConnection,
    groups: &[String],
) -> Result<Vec<ParticipantRow>, StoreError> {
    let mut rows = Vec::new();
    for chunk in groups.chunks(ROWS) {
        let query = gp::table
            .filter(gp::group_id.eq_any(chunk))
            .filter(gp::status.eq(ParticipantStatus::Active.as_str()))
            .order(gp::id)
            .select(ParticipantRow::as_select());
        // (SQLite's arm spells the query again: `as_select` is typed per backend.)
        let part: Vec<ParticipantRow> = match conn {
            DbConnection::Pg(c) => query.for_no_key_update().load(c)?,
            DbConnection::Sqlite(c) => gp::table
                .filter(gp::group_id.eq_any(chunk))
                .filter(gp::status.eq(ParticipantStatus::Active.as_str()))
                .order(gp::id)
                .select(ParticipantRow::as_select())
                .load(c)?,
        };
        rows.extend(part);
    }
    Ok(rows)
}

/// Locks the wallets of the refunds (sorted by user id, after opening any that is missing)
/// and has the domain compute every new balance in order; a refund the wallet refuses
/// (another currency, past the bound) stays owed, its group stays queued, and the rest are
/// paid. Returns the refunds to pay with their balances after.
fn settle_balances(
    conn: &mut DbConnection,
    mut refunds: Vec<Owed>,
    unsettled: &mut Vec<String>,
    now: OffsetDateTime,
) -> Result<Vec<Payable>, StoreError> {
    refunds.sort_by(|a, b| {
        let key = |o: &Owed| (o.refund.user_id.clone(), o.refund.participant_id);
        key(a).cmp(&key(b))
    });
    let mut users: Vec<(&str, Currency)> = refunds
        .iter()
        .map(|o| &o.refund)
        .filter(|r| r.amount.minor() > 0)
        .map(|r| (r.user_id.as_str(), r.amount.currency()))
        .collect();
    users.dedup_by(|a, b| a.0 == b.0);
    open_wallets(conn, &users, now)?;
    let names: Vec<&str> = users.iter().map(|(u, _)| *u).collect();
    let mut balances: HashMap<String, Money> = HashMap::new();
    for (user, (currency, balance)) in lock_wallets(conn, &names)? {
        let currency = Currency::parse(&currency)
            .map_err(|_| StoreError::Corrupt(format!("wallet currency {currency}")))?;
        balances.insert(user, Money::from_minor(balance, currency));
    }
    let mut payable = Vec::with_capacity(refunds.len());
    for Owed {
        refund,
        group_id,
        reference,
    } in refunds
    {
        if refund.amount.minor() == 0 {
            // Nothing to move (a free seat): the status change alone settles it.
            payable.push(Payable {
                refund,
                reference,
                balance_after: 0,
            });
            continue;
        }
        let before = balances.get(&refund.user_id).copied();
        let after = match before {
            Some(b) if b.currency() == refund.amount.currency() => {
                wallet::post(b, refund.amount).map_err(|e| e.to_string())
            }
            Some(b) => Err(format!("wallet holds {}", b.currency())),
            None => Err("no wallet".into()),
        };
        match after {
            Ok(after) => {
                balances.insert(refund.user_id.clone(), after);
                payable.push(Payable {
                    refund,
                    reference,
                    balance_after: after.minor(),
                });
            }
            Err(why) => {
                tracing::warn!(
                    participant_id = %refund.participant_id,
                    user_id = %refund.user_id,
                    reason = %why,
                    "refund cannot be paid into the wallet; it stays owed"
                );
                unsettled.push(group_id);
            }
        }
    }
    Ok(payable)
}

/// Writes the refunds' money through [`post_entries`]: each wallet's final balance and
/// one REFUND ledger entry per refund.
fn write_money(
    conn: &mut DbConnection,
    payable: &[Payable],
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let entries: Vec<LedgerEntry> = payable
        .iter()
        .filter(|p| p.refund.amount.minor() > 0)
        .map(|p| LedgerEntry {
            id: Uuid::new_v4(),
            account: Account::wallet(p.refund.user_id.clone()),
            kind: LedgerKind::Refund,
            amount: p.refund.amount,
            balance_after: Money::from_minor(p.balance_after, p.refund.amount.currency()),
            reference: p.reference.clone(),
            created_at: now,
        })
        .collect();
    post_entries(conn, &entries, now)
}
