//! A batch of payments for one group on PostgreSQL, set-based: everything the payments
//! touch is read and locked once (the group row, the sessions, the buyers' wallets and
//! participations), the domain decides each payment in queue order against the state the
//! earlier ones left, and the accepted ones are written with one multi-row statement per
//! table. About a dozen statements per batch whatever its size, where paying one by one
//! costs seven round trips per payment. (SQLite has no round trips to save: it pays one by
//! one, each in a savepoint.)

use super::super::checkout::{session_not_found, Appended};
use super::super::emit::{emit, product_shop, Shop};
use super::super::rows::{ParticipantRow, PurchaseRow, SessionRow};
use super::super::seats::{active_participants, lock_group, participant_row, write_completion};
use super::{Outcome, Payment};
use crate::convert::to_db_time;
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::schema::{checkout_sessions as cs, group_instances as gi, group_participants as gp};
use crate::wallet::{currency_mismatch, lock_wallets, post_entries};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, Text, Timestamp};
use diesel::upsert::excluded;
use groupbuy_domain::group_purchase::{
    pay, CheckoutSession, CheckoutStatus, Completion, GroupInstance, Members, Participant, PayIds,
    PayInto, PayRequest,
};
use groupbuy_domain::ledger::CommissionRate;
use groupbuy_domain::platform::DomainEvent;
use groupbuy_domain::wallet::LedgerEntry;
use groupbuy_domain::{Currency, DomainError, Money};
use std::collections::HashMap;
use time::PrimitiveDateTime;
use uuid::Uuid;

/// What the batch decided, to be written.
#[derive(Default)]
struct Decided {
    sessions: Vec<CheckoutSession>,
    participants: HashMap<String, Participant>,
    /// The debits, in queue order (a buyer's last one carries the wallet's balance).
    entries: Vec<LedgerEntry>,
    appended: Appended,
    /// The completion the domain decided with the payment that filled the group, its
    /// events, and that payment's place in the batch (whose context tells them).
    completion: Option<(Completion, Vec<DomainEvent>, usize)>,
}

/// What deciding a completion needs, read only for a batch that can fill its group: the
/// shop's owner and the group's ACTIVE participants by user, kept current as the batch's
/// payments are decided.
struct Filling {
    shop: Shop,
    active: HashMap<String, Participant>,
}

impl Filling {
    /// The members when the batch's pending seats can fill `group`, `None` otherwise (an
    /// ordinary batch reads nothing more).
    fn read_if_fillable(
        conn: &mut DbConnection,
        group: &GroupInstance,
        sessions: &HashMap<Uuid, CheckoutSession>,
        default: CommissionRate,
    ) -> Result<Option<Self>, StoreError> {
        let pending: i32 = sessions
            .values()
            .filter(|s| s.status == CheckoutStatus::PendingPayment)
            .map(|s| s.quantity)
            .sum();
        if group.seats_occupied.saturating_add(pending) < group.total_seats {
            return Ok(None);
        }
        let shop = product_shop(conn, group.product_id, default)?;
        let active = active_participants(conn, group)?
            .into_iter()
            .map(|p| (p.user_id.clone(), p))
            .collect();
        Ok(Some(Self { shop, active }))
    }
}

/// Pays the batch (all joining `group_id`) in the caller's transaction; `None` when the
/// group is gone (each payer then pays alone and hears why). Fails, rolling everything
/// back, only when a statement does: then each payer pays alone.
pub(super) fn pay_together(
    conn: &mut DbConnection,
    group_id: Uuid,
    batch: &[Payment],
    default: CommissionRate,
) -> Result<Option<Vec<Outcome>>, StoreError> {
    let Some(mut group) = lock_group(conn, group_id)? else {
        return Ok(None);
    };
    let mut sessions = read_sessions(pg(conn)?, batch)?;
    let buyers: Vec<String> = {
        let mut b: Vec<String> = batch.iter().map(|p| p.buyer.user_id.clone()).collect();
        b.sort();
        b.dedup();
        b
    };
    let names: Vec<&str> = buyers.iter().map(String::as_str).collect();
    let wallets = lock_wallets(conn, &names)?;
    let mut participations = read_participations(pg(conn)?, &group, &buyers)?;
    let mut decided = Decided::default();
    let mut balances: HashMap<String, (String, i64)> = wallets;
    let mut filling = Filling::read_if_fillable(conn, &group, &sessions, default)?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for (i, p) in batch.iter().enumerate() {
        let decision = decide(
            (i, p),
            &mut group,
            &mut sessions,
            &mut balances,
            &mut participations,
            filling.as_mut(),
            &mut decided,
        );
        outcomes.push(match decision {
            Ok((_, session)) => Outcome::Paid(session, None),
            Err(e) => Outcome::Refused(e),
        });
    }
    // Answers first: a key answered elsewhere meanwhile (its lease taken over) fails the
    // whole batch, and every payer pays alone, where that refusal undoes only its own.
    for (p, outcome) in batch.iter().zip(&mut outcomes) {
        if let Outcome::Paid(session, stored) = outcome {
            *stored = crate::platform::answer::record(conn, &p.answer, session)?;
        }
    }
    let completion = decided.completion.take();
    write(conn, &group, decided)?;
    if let Some((done, events, i)) = completion {
        let ctx = &batch[i].ctx;
        if write_completion(conn, &group, &done, ctx.now)? {
            emit(conn, &events, ctx)?;
        }
    }
    Ok(Some(outcomes))
}

/// One payment against the batch's running state, in the order paying alone checks it:
/// the session, the wallet, then the seats. `Ok((true, _))` for a new payment,
/// `Ok((false, _))` for a session paid already (answered as it stands).
fn decide(
    (i, p): (usize, &Payment),
    group: &mut GroupInstance,
    sessions: &mut HashMap<Uuid, CheckoutSession>,
    balances: &mut HashMap<String, (String, i64)>,
    participations: &mut HashMap<String, Participant>,
    filling: Option<&mut Filling>,
    decided: &mut Decided,
) -> Result<(bool, CheckoutSession), DomainError> {
    let now = p.ctx.now;
    let buyer = &p.buyer.user_id;
    let session = sessions
        .get(&p.session_id)
        .filter(|s| &s.user_id == buyer)
        .cloned()
        .ok_or_else(|| session_not_found(p.session_id))?;
    if session.status != CheckoutStatus::PendingPayment {
        return Ok((false, session));
    }
    let currency = session.total_amount.currency();
    let (held_currency, balance) = balances
        .get(buyer)
        .cloned()
        .unwrap_or_else(|| (currency.code().to_owned(), 0));
    let held =
        Currency::parse(&held_currency).map_err(|_| currency_mismatch(&held_currency, currency))?;
    // The domain decides the completion with the payment that fills the group; it is
    // written once, after the batch's writes (see `pay_together`).
    let active: Vec<Participant> = filling
        .as_deref()
        .map(|f| f.active.values().cloned().collect())
        .unwrap_or_default();
    let completing = filling.as_deref().map(|f| Members {
        active: &active,
        seller: f.shop.seller(),
    });
    let paid = pay(
        PayRequest {
            session: &session,
            into: PayInto::Join { group, completing },
            participation: participations.get(buyer),
            wallet: Money::from_minor(balance, held),
            buyer_name: &p.buyer.display_name(),
            buyer_picture: p.buyer.picture.as_deref(),
            ids: PayIds {
                debit: Uuid::new_v4(),
                purchase: Uuid::new_v4(),
                participant: Uuid::new_v4(),
            },
            now,
        },
        Uuid::new_v4,
    )?;
    // Decided: from here on the batch's state moves.
    *group = paid.group;
    balances.insert(
        buyer.clone(),
        (held_currency, paid.debit.balance_after.minor()),
    );
    decided
        .appended
        .purchases
        .push(PurchaseRow::from_domain(paid.purchase_id, &paid.purchase));
    decided.entries.push(paid.debit);
    if let Some(f) = filling {
        f.active.insert(buyer.clone(), paid.participant.clone());
    }
    if let Some(done) = paid.completion {
        decided.completion = Some((done, paid.events, i));
    }
    participations.insert(buyer.clone(), paid.participant.clone());
    decided.participants.insert(buyer.clone(), paid.participant);
    sessions.insert(paid.session.id, paid.session.clone());
    decided.sessions.push(paid.session.clone());
    Ok((true, paid.session))
}

/// The batch's sessions, by id (whoever owns them: `decide` checks).
fn read_sessions(
    pg: &mut PgConnection,
    batch: &[Payment],
) -> Result<HashMap<Uuid, CheckoutSession>, StoreError> {
    let ids: Vec<String> = batch.iter().map(|p| p.session_id.to_string()).collect();
    let rows: Vec<SessionRow> = cs::table
        .filter(cs::id.eq_any(&ids))
        .select(SessionRow::as_select())
        .load(pg)?;
    rows.into_iter()
        .map(|r| r.into_domain().map(|s| (s.id, s)))
        .collect()
}

/// The buyers' participations in the group (read under its lock), by user.
fn read_participations(
    pg: &mut PgConnection,
    group: &GroupInstance,
    buyers: &[String],
) -> Result<HashMap<String, Participant>, StoreError> {
    let rows: Vec<ParticipantRow> = gp::table
        .filter(gp::group_id.eq(group.id.to_string()))
        .filter(gp::user_id.eq_any(buyers))
        .select(ParticipantRow::as_select())
        .load(pg)?;
    let currency = group.unit_price.currency().code();
    rows.into_iter()
        .map(|r| r.into_domain(currency).map(|p| (p.user_id.clone(), p)))
        .collect()
}

/// The PostgreSQL connection under `conn` (this file's statements are PostgreSQL's).
fn pg(conn: &mut DbConnection) -> Result<&mut PgConnection, StoreError> {
    match conn {
        DbConnection::Pg(pg) => Ok(pg),
        DbConnection::Sqlite(_) => Err(StoreError::Corrupt(
            "set-based payments need PostgreSQL".into(),
        )),
    }
}

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = Text)]
    #[allow(dead_code)]
    id: String,
}

/// Writes what was decided: claims, balances, participations, seats, then the ledger
/// entries and purchase records. A claim or balance that no longer matches what was read
/// (only a payment outside any batch could have moved it) fails the whole batch.
fn write(
    conn: &mut DbConnection,
    group: &GroupInstance,
    decided: Decided,
) -> Result<(), StoreError> {
    if decided.sessions.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = decided.sessions.iter().map(|s| s.id.to_string()).collect();
    let txs: Vec<String> = decided
        .sessions
        .iter()
        .map(|s| s.transaction_id.map(|t| t.to_string()).unwrap_or_default())
        .collect();
    let at: Vec<PrimitiveDateTime> = decided
        .sessions
        .iter()
        .map(|s| to_db_time(s.completed_at.unwrap_or(group.updated_at)))
        .collect();
    let claimed: Vec<Claimed> = diesel::sql_query(
        "UPDATE checkout_sessions AS s SET status = 'COMPLETED', completed_at = v.at, \
         group_instance_id = $1, group_code = $2, transaction_id = v.tx \
         FROM unnest($3::text[], $4::text[], $5::timestamp[]) AS v(id, tx, at) \
         WHERE s.id = v.id AND s.status = 'PENDING_PAYMENT' RETURNING s.id",
    )
    .bind::<Text, _>(group.id.to_string())
    .bind::<Text, _>(group.code.as_str())
    .bind::<Array<Text>, _>(&ids)
    .bind::<Array<Text>, _>(&txs)
    .bind::<Array<Timestamp>, _>(&at)
    .load(pg(conn)?)?;
    if claimed.len() != ids.len() {
        return Err(groupbuy_domain::group_purchase::GroupPurchaseRefusal::PaidElsewhere.into());
    }
    post_entries(conn, &decided.entries, group.updated_at)?;
    let pg = pg(conn)?;
    let rows: Vec<ParticipantRow> = decided
        .participants
        .values()
        .map(|p| participant_row(p, group.updated_at))
        .collect();
    diesel::insert_into(gp::table)
        .values(&rows)
        .on_conflict(gp::id)
        .do_update()
        .set((
            gp::quantity.eq(excluded(gp::quantity)),
            gp::total_paid_minor.eq(excluded(gp::total_paid_minor)),
            gp::status.eq(excluded(gp::status)),
            gp::purchase_count.eq(excluded(gp::purchase_count)),
            gp::has_transferred.eq(excluded(gp::has_transferred)),
            gp::updated_at.eq(excluded(gp::updated_at)),
        ))
        .execute(pg)?;
    let seated = diesel::update(
        gi::table
            .find(group.id.to_string())
            .filter(gi::status.eq("OPEN"))
            .filter(gi::total_seats.ge(group.seats_occupied)),
    )
    .set((
        gi::seats_occupied.eq(group.seats_occupied),
        gi::updated_at.eq(to_db_time(group.updated_at)),
    ))
    .execute(pg)?;
    if seated != 1 {
        return Err(StoreError::Corrupt("the locked group changed".into()));
    }
    decided.appended.write(conn)
}
