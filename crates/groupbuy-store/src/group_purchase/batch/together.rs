//! A batch of payments on PostgreSQL, set-based: everything the payments touch is locked
//! and read by ONE statement (the groups' rows, the buyers' wallets and participations,
//! the sessions), the domain decides each payment in queue order against the state the
//! earlier ones left, and what it decided is written by ONE statement
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
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

/// What the batch decided, to be written.
#[derive(Default)]
struct Decided {
    /// The sessions paid, each with the group it joined.
    sessions: Vec<(CheckoutSession, Uuid)>,
    /// The groups a payment moved, in id order.
    moved: BTreeSet<Uuid>,
    /// The participations as they now stand, by (group, user).
    participants: HashMap<(Uuid, String), Participant>,
    /// The debits, in queue order (a buyer's last one carries the wallet's balance).
    entries: Vec<LedgerEntry>,
    appended: Appended,
    /// Each completion the domain decided with the payment that filled its group, its
    /// events, and that payment's place in the batch (whose context tells them).
    completions: Vec<(Completion, Vec<DomainEvent>, usize)>,
}

/// What deciding a completion needs, read only for a group the batch can fill: the
/// shop's owner and the group's ACTIVE participants by user, kept current as the batch's
/// payments are decided.
struct Filling {
    shop: Shop,
    active: HashMap<String, Participant>,
}

impl Filling {
    /// The members when `pending` seats (the batch's unpaid sessions for `group`) can fill
    /// `group`, `None` otherwise (an ordinary batch reads nothing more).
    fn read_if_fillable(
        conn: &mut DbConnection,
        group: &GroupInstance,
        pending: i32,
        default: CommissionRate,
    ) -> Result<Option<Self>, StoreError> {
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

/// The batch's running state: every group, wallet, participation and session it reads,
/// moved by each payment the domain accepts.
struct Running {
    groups: HashMap<Uuid, GroupInstance>,
    sessions: HashMap<Uuid, CheckoutSession>,
    balances: HashMap<String, (String, i64)>,
    /// By (group, user).
    participations: HashMap<(Uuid, String), Participant>,
    /// The groups this batch can fill, with what deciding their completion needs.
    filling: HashMap<Uuid, Filling>,
}

impl Running {
    /// Parses what [`sql::read_locked`] read, and reads what completing a group needs for
    /// each group the batch's pending seats can fill.
    fn read(
        conn: &mut DbConnection,
        locked: sql::Locked,
        batch: &[Payment],
        default: CommissionRate,
    ) -> Result<Self, StoreError> {
        let groups: HashMap<Uuid, GroupInstance> = locked
            .groups
            .into_iter()
            .map(|r| r.into_domain().map(|g| (g.id, g)))
            .collect::<Result<_, _>>()?;
        let sessions: HashMap<Uuid, CheckoutSession> = locked
            .sessions
            .into_iter()
            .map(|r| r.into_domain().map(|s| (s.id, s)))
            .collect::<Result<_, _>>()?;
        let balances = locked
            .wallets
            .into_iter()
            .map(|w| (w.user_id, (w.currency, w.balance_minor)))
            .collect();
        let mut participations = HashMap::new();
        for row in locked.participations {
            let group = Uuid::parse_str(&row.group_id)
                .ok()
                .and_then(|id| groups.get(&id))
                .ok_or_else(|| StoreError::Corrupt("a participation outside the batch".into()))?;
            let p = row.into_domain(group.unit_price.currency().code())?;
            participations.insert((p.group_id, p.user_id.clone()), p);
        }
        let mut pending: HashMap<Uuid, i32> = HashMap::new();
        for p in batch {
            if let Some(s) = sessions.get(&p.session_id) {
                if s.status == CheckoutStatus::PendingPayment {
                    *pending.entry(p.group_id).or_default() += s.quantity;
                }
            }
        }
        let mut filling = HashMap::new();
        for (id, seats) in pending {
            if let Some(group) = groups.get(&id) {
                if let Some(f) = Filling::read_if_fillable(conn, group, seats, default)? {
                    filling.insert(id, f);
                }
            }
        }
        Ok(Self {
            groups,
            sessions,
            balances,
            participations,
            filling,
        })
    }
}

/// Pays the batch (payments joining one or more groups) in the caller's transaction. A
/// payment whose group is gone, or whose session joins another group, is left to pay
/// alone (and hears why there). Fails, rolling
/// everything back, only when a statement does: then each payer pays alone. Two round
/// trips whatever the batch's size ([`sql::read_locked`], [`sql::write`]), more only for
/// a group the batch fills (its members, its shop, the completion).
pub(super) fn pay_together(
    conn: &mut DbConnection,
    batch: &[Payment],
    default: CommissionRate,
) -> Result<Vec<Outcome>, StoreError> {
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v.dedup();
        v
    };
    let group_ids = sorted(batch.iter().map(|p| p.group_id.to_string()).collect());
    let ids: Vec<String> = batch.iter().map(|p| p.session_id.to_string()).collect();
    let buyers = sorted(batch.iter().map(|p| p.buyer.user_id.clone()).collect());
    let locked = sql::read_locked(pg(conn)?, &group_ids, &ids, &buyers)?;
    let mut state = Running::read(conn, locked, batch, default)?;
    let mut decided = Decided::default();
    let mut outcomes = Vec::with_capacity(batch.len());
    for (i, p) in batch.iter().enumerate() {
        // A group the read did not find, or a session that joins another group than the
        // line it came in (never, short of a bug: the line is the session's own group):
        // paying alone reads the session and decides with its own group.
        let elsewhere = state
            .sessions
            .get(&p.session_id)
            .is_some_and(|s| s.group_instance_id != Some(p.group_id));
        if elsewhere || !state.groups.contains_key(&p.group_id) {
            outcomes.push(Outcome::Alone);
            continue;
        }
        outcomes.push(match decide((i, p), &mut state, &mut decided) {
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
    if !decided.sessions.is_empty() || !answers.is_empty() {
        let moved: Vec<&GroupInstance> = decided
            .moved
            .iter()
            .filter_map(|id| state.groups.get(id))
            .collect();
        sql::write(
            pg(conn)?,
            &sql::Writes {
                groups: &moved,
                sessions: &decided.sessions,
                entries: &decided.entries,
                participants: decided.participants.values().collect(),
                appended: &decided.appended,
                answers: &answers,
            },
        )?;
    }
    for (done, events, i) in std::mem::take(&mut decided.completions) {
        let ctx = &batch[i].ctx;
        let group = state
            .groups
            .get(&batch[i].group_id)
            .ok_or_else(|| StoreError::Corrupt("a completion outside the batch".into()))?;
        if write_completion(conn, group, &done, ctx.now)? {
            emit(conn, &events, ctx)?;
        }
    }
    Ok(outcomes)
}

/// One payment against the batch's running state, in the order paying alone checks it:
/// the session, the wallet, then the seats. `Ok((true, _))` for a new payment,
/// `Ok((false, _))` for a session paid already (answered as it stands).
fn decide(
    (i, p): (usize, &Payment),
    state: &mut Running,
    decided: &mut Decided,
) -> Result<(bool, CheckoutSession), DomainError> {
    let now = p.ctx.now;
    let buyer = &p.buyer.user_id;
    let session = state
        .sessions
        .get(&p.session_id)
        .filter(|s| &s.user_id == buyer)
        .cloned()
        .ok_or_else(|| session_not_found(p.session_id))?;
    if session.status != CheckoutStatus::PendingPayment {
        return Ok((false, session));
    }
    let group = state
        .groups
        .get_mut(&p.group_id)
        .ok_or_else(|| session_not_found(p.session_id))?;
    let currency = session.total_amount.currency();
    let (held_currency, balance) = state
        .balances
        .get(buyer)
        .cloned()
        .unwrap_or_else(|| (currency.code().to_owned(), 0));
    let held =
        Currency::parse(&held_currency).map_err(|_| currency_mismatch(&held_currency, currency))?;
    // The domain decides the completion with the payment that fills the group; it is
    // written once, after the batch's writes (see `pay_together`).
    let filling = state.filling.get_mut(&p.group_id);
    let active: Vec<Participant> = filling
        .as_deref()
        .map(|f| f.active.values().cloned().collect())
        .unwrap_or_default();
    let completing = filling.as_deref().map(|f| Members {
        active: &active,
        seller: f.shop.seller(),
    });
    let key = (p.group_id, buyer.clone());
    let paid = pay(
        PayRequest {
            session: &session,
            into: PayInto::Join { group, completing },
            participation: state.participations.get(&key),
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
    state.balances.insert(
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
        decided.completions.push((done, paid.events, i));
    }
    state
        .participations
        .insert(key.clone(), paid.participant.clone());
    decided.participants.insert(key, paid.participant);
    state.sessions.insert(paid.session.id, paid.session.clone());
    decided.moved.insert(p.group_id);
    decided.sessions.push((paid.session.clone(), p.group_id));
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
