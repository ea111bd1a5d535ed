//! A batch of payments for one group on PostgreSQL, set-based: everything the payments
//! touch is locked and read by ONE statement (the group row, the buyers' wallets and
//! participations, the sessions), the domain decides each payment in queue order against
//! the state the earlier ones left, and what it decided is written by ONE statement
//! (`sql.rs`): two round trips between BEGIN and COMMIT whatever the batch's size, a
//! batch of one included. (SQLite has no round trips to save: its writer pays one by one,
//! each in a savepoint of a shared commit, `db/writer.rs`.)

use super::super::checkout::{session_not_found, Appended};
use super::super::emit::{emit, product_shop, Shop};
use super::super::rows::PurchaseRow;
use super::super::seats::{active_participants, write_completion};
use super::{sql, Outcome, Payment};
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::wallet::currency_mismatch;
use diesel::pg::PgConnection;
use groupbuy_domain::group_purchase::{
    pay, CheckoutSession, CheckoutStatus, Completion, GroupInstance, Members, Participant, PayIds,
    PayInto, PayRequest,
};
use groupbuy_domain::ledger::CommissionRate;
use groupbuy_domain::platform::DomainEvent;
use groupbuy_domain::wallet::LedgerEntry;
use groupbuy_domain::{Currency, DomainError, Money};
use std::collections::HashMap;
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
/// back, only when a statement does: then each payer pays alone. Two round trips
/// whatever the batch's size ([`sql::read_locked`], [`sql::write`]), more only for the
/// batch that fills its group (its members, its shop, the completion).
pub(super) fn pay_together(
    conn: &mut DbConnection,
    group_id: Uuid,
    batch: &[Payment],
    default: CommissionRate,
) -> Result<Option<Vec<Outcome>>, StoreError> {
    let ids: Vec<String> = batch.iter().map(|p| p.session_id.to_string()).collect();
    let buyers: Vec<String> = {
        let mut b: Vec<String> = batch.iter().map(|p| p.buyer.user_id.clone()).collect();
        b.sort();
        b.dedup();
        b
    };
    let Some(locked) = sql::read_locked(pg(conn)?, &group_id.to_string(), &ids, &buyers)? else {
        return Ok(None);
    };
    let mut group = locked.group.into_domain()?;
    let mut sessions: HashMap<Uuid, CheckoutSession> = locked
        .sessions
        .into_iter()
        .map(|r| r.into_domain().map(|s| (s.id, s)))
        .collect::<Result<_, _>>()?;
    let mut balances: HashMap<String, (String, i64)> = locked
        .wallets
        .into_iter()
        .map(|w| (w.user_id, (w.currency, w.balance_minor)))
        .collect();
    let currency = group.unit_price.currency().code();
    let mut participations: HashMap<String, Participant> = locked
        .participations
        .into_iter()
        .map(|r| r.into_domain(currency).map(|p| (p.user_id.clone(), p)))
        .collect::<Result<_, _>>()?;
    let mut decided = Decided::default();
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
    // Every paid payment's answer (a session paid already too) is stored on its key by the
    // same statement: a key answered elsewhere meanwhile fails the whole batch, and every
    // payer pays alone, where that refusal undoes only its own.
    let mut answers = Vec::new();
    for (p, outcome) in batch.iter().zip(&mut outcomes) {
        if let Outcome::Paid(session, stored) = outcome {
            if let Some((caller, key, response)) = p.answer.render(session) {
                answers.push((caller.to_owned(), key.to_owned(), response.clone()));
                *stored = Some(response);
            }
        }
    }
    let completion = decided.completion.take();
    if !decided.sessions.is_empty() || !answers.is_empty() {
        sql::write(
            pg(conn)?,
            &sql::Writes {
                group: &group,
                sessions: &decided.sessions,
                entries: &decided.entries,
                participants: decided.participants.values().collect(),
                appended: &decided.appended,
                answers: &answers,
            },
        )?;
    }
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

/// The PostgreSQL connection under `conn` (this file's statements are PostgreSQL's).
fn pg(conn: &mut DbConnection) -> Result<&mut PgConnection, StoreError> {
    match conn {
        DbConnection::Pg(pg) => Ok(pg),
        DbConnection::Sqlite(_) => Err(StoreError::Corrupt(
            "set-based payments need PostgreSQL".into(),
        )),
    }
}
