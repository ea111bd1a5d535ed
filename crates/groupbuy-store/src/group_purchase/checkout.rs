//! Checkout sessions and paying them: debit, seats, participant, purchase record and
//! completion in ONE transaction.

use super::emit::{emit, product_shop};
use super::rows::{GroupRow, ParticipantRow, PurchaseRow, SessionRow};
use super::seats::{
    active_participants, group_not_found, load_group, load_participation, take_seats,
    write_completion, write_participant,
};
use crate::catalog::{load_product, product_not_found, ProductRow};
use crate::convert::to_db_time;
use crate::db::cacheable::cacheable;
use crate::db::{insert_rows, on_backend, DbConnection};
use crate::error::StoreError;
use crate::schema::{
    checkout_sessions as cs, group_instances as gi, group_participants as gp, products,
    purchase_records,
};
use crate::wallet::post;
use diesel::prelude::*;
use groupbuy_domain::catalog::Product;
use groupbuy_domain::group_purchase::{
    self as gp_domain, check_join, check_new_group, CheckoutRequest, CheckoutSession,
    CheckoutStatus, GroupCode, GroupInstance, GroupPurchaseRefusal as Refused, JoinCheck, Members,
    OpenGroup, ParticipantStatus, PayIds, PayInto, PayRequest,
};
use groupbuy_domain::ledger::CommissionRate;
use groupbuy_domain::platform::ChangeContext;
use groupbuy_domain::wallet::{Account, LedgerEntry, LedgerKind};
use groupbuy_domain::{DomainError, Principal};
use time::OffsetDateTime;
use uuid::Uuid;

/// `Checkout session not found with ID: ...` (also someone else's session).
pub(crate) fn session_not_found(id: Uuid) -> DomainError {
    groupbuy_domain::group_purchase::session_not_found(id)
}

/// The buyer's session row.
pub(crate) fn load_session(
    conn: &mut DbConnection,
    buyer: &str,
    id: Uuid,
) -> Result<CheckoutSession, StoreError> {
    cs::table
        .find(id.to_string())
        .filter(cs::user_id.eq(buyer))
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::from(session_not_found(id)))?
        .into_domain()
}

/// The product a session buys and, when it joins one, the group with the buyer's
/// participation in it, read by ONE query.
type ProductAndGroup = (ProductRow, Option<GroupRow>, Option<ParticipantRow>);

/// A group to join as read (when it exists), with the buyer's participation in it.
type GroupRead = Option<(GroupRow, Option<ParticipantRow>)>;

/// Reads the product (`None` when missing) and the group to join (`None` when missing)
/// with the buyer's participation in it.
fn load_product_and_group(
    conn: &mut DbConnection,
    buyer: &str,
    product_id: Uuid,
    group_id: Uuid,
) -> Result<Option<(Product, GroupRead)>, StoreError> {
    let row: Option<ProductAndGroup> = on_backend!(conn, |c| products::table
        .left_join(gi::table.on(gi::id.eq(group_id.to_string())))
        .left_join(gp::table.on(gp::group_id.eq(gi::id).and(gp::user_id.eq(buyer))))
        .filter(products::id.eq(product_id.to_string()))
        .select((
            ProductRow::as_select(),
            gi::all_columns.nullable(),
            gp::all_columns.nullable(),
        ))
        .first(c))
    .optional()?;
    row.map(|(product, group, participation)| {
        Ok((product.into_domain()?, group.map(|g| (g, participation))))
    })
    .transpose()
}

/// The group a session wants to join (as read with its product), checked against the
/// product and the buyer's participation in it.
fn joinable_group(
    product: &Product,
    read: GroupRead,
    group_id: Uuid,
    quantity: i32,
    now: OffsetDateTime,
) -> Result<GroupInstance, StoreError> {
    let (group, participation) = read.ok_or_else(|| group_not_found(group_id))?;
    let group = group.into_domain()?;
    if group.product_id != product.id {
        return Err(Refused::WrongProduct.into());
    }
    let held = match participation {
        Some(p) => Some(p.into_domain(group.unit_price.currency().code())?),
        None => None,
    }
    .filter(|p| p.status == ParticipantStatus::Active)
    .map_or(0, |p| p.quantity);
    check_join(JoinCheck {
        group: &group,
        quantity,
        already_held: held,
        now,
    })?;
    Ok(group)
}

/// The session a request would open, checked (reads only: payment checks it all again
/// under its locks, so these reads need no transaction; see [`insert`]).
pub(crate) fn prepare(
    conn: &mut DbConnection,
    buyer: &Principal,
    req: CheckoutRequest,
    now: OffsetDateTime,
) -> Result<CheckoutSession, StoreError> {
    // One query whether or not the session joins a group.
    let (product, group) = match req.group_instance_id {
        Some(group_id) => load_product_and_group(conn, &buyer.user_id, req.product_id, group_id)?
            .map(|(product, group)| (product, Some((group_id, group)))),
        None => load_product(conn, req.product_id)?.map(|product| (product, None)),
    }
    .ok_or_else(product_not_found)?;
    if !product.group_buying_enabled {
        return Err(Refused::GroupBuyingDisabled.into());
    }
    let unit_price = match group {
        Some((group_id, read)) => {
            joinable_group(&product, read, group_id, req.quantity, now)?.unit_price
        }
        None => {
            check_new_group(&product, req.quantity)?;
            product.group_price
        }
    };
    let session = CheckoutSession {
        id: Uuid::new_v4(),
        user_id: buyer.user_id.clone(),
        product_id: product.id,
        quantity: req.quantity,
        unit_price,
        total_amount: unit_price.times(i64::from(req.quantity))?,
        status: CheckoutStatus::PendingPayment,
        group_instance_id: req.group_instance_id,
        joins_existing: req.group_instance_id.is_some(),
        group_code: None,
        transaction_id: None,
        created_at: now,
        completed_at: None,
    };
    Ok(session)
}

/// Stores a prepared session: the only statement of its write transaction, so SQLite's
/// single writer is held for one INSERT.
pub(crate) fn insert(
    conn: &mut DbConnection,
    session: CheckoutSession,
) -> Result<CheckoutSession, StoreError> {
    let row = SessionRow::from_domain(&session);
    on_backend!(conn, |c| diesel::insert_into(cs::table)
        .values(&row)
        .execute(c))?;
    Ok(session)
}

/// Pays a session. Statement order keeps the hot group row locked as briefly as possible:
/// the session is claimed and the wallet debited before the seats are taken, and from the
/// seat UPDATE to COMMIT only the participant, the purchase record, the completion (when
/// full), the session's result and the outbox events are written; nothing is read back.
/// A completion charges the shop's own commission rate, else `default` (the platform's).
pub(crate) fn pay(
    conn: &mut DbConnection,
    buyer: &Principal,
    session_id: Uuid,
    ctx: &ChangeContext,
    default: CommissionRate,
) -> Result<CheckoutSession, StoreError> {
    let mut appended = Appended::default();
    let paid = pay_appending(conn, buyer, session_id, ctx, default, &mut appended)?;
    appended.write(conn)?;
    Ok(paid)
}

/// Rows a payment appends that nothing reads before COMMIT (its purchase record):
/// written by one multi-row statement, for one payment or for a whole batch of them.
#[derive(Default)]
pub(crate) struct Appended {
    pub(crate) purchases: Vec<PurchaseRow>,
}

impl Appended {
    /// Writes the rows (inside the payments' transaction).
    pub(crate) fn write(self, conn: &mut DbConnection) -> Result<(), StoreError> {
        insert_rows!(conn, purchase_records::table, &self.purchases[..])?;
        Ok(())
    }
}

/// [`pay`], leaving the rows nothing reads back in `appended` for the caller to write.
pub(crate) fn pay_appending(
    conn: &mut DbConnection,
    buyer: &Principal,
    session_id: Uuid,
    ctx: &ChangeContext,
    default: CommissionRate,
    appended: &mut Appended,
) -> Result<CheckoutSession, StoreError> {
    let now = ctx.now;
    // Claiming the session first (before any lock on the group) makes a concurrent or
    // repeated payment of it wait here and then find it no longer pending.
    let claimed = on_backend!(conn, |c| cacheable!(diesel::update(
        cs::table
            .find(session_id.to_string())
            .filter(cs::user_id.eq(&buyer.user_id))
            .filter(cs::status.eq(CheckoutStatus::PendingPayment.as_str())),
    )
    .set((
        cs::status.eq(CheckoutStatus::Completed.as_str()),
        cs::completed_at.eq(Some(to_db_time(now))),
    ))
    .returning(cs::all_columns))
    .get_result::<SessionRow>(c))
    .optional()?;
    let Some(claimed) = claimed else {
        // Paid already, by this buyer (the session is theirs): a retry, with any key or
        // none, answers with the paid session and debits nothing. (Or not theirs at all:
        // not found.)
        return load_session(conn, &buyer.user_id, session_id);
    };
    // The session as it was before the claim (its filter proves it was pending).
    let session = CheckoutSession {
        status: CheckoutStatus::PendingPayment,
        completed_at: None,
        ..claimed.into_domain()?
    };
    // The debit and its ledger entry, before any lock on the group is taken: the
    // conditional UPDATE decides it under contention; the domain's decision below explains
    // a refusal and makes the same entry.
    let total = session.total_amount;
    let debit = post(
        conn,
        LedgerEntry {
            id: Uuid::new_v4(),
            account: Account::wallet(buyer.user_id.clone()),
            kind: LedgerKind::Purchase,
            amount: total.negated(),
            balance_after: total,
            reference: format!("checkout:{session_id}"),
            created_at: now,
        },
    )?;
    let wallet_before = debit.balance_after.plus(total)?;
    let ids = PayIds {
        debit: debit.id,
        purchase: Uuid::new_v4(),
        participant: Uuid::new_v4(),
    };
    let buyer_name = buyer.display_name();
    let request = |into, participation| PayRequest {
        session: &session,
        into,
        participation,
        wallet: wallet_before,
        buyer_name: &buyer_name,
        buyer_picture: buyer.picture.as_deref(),
        ids,
        now,
    };
    let paid = match session.group_instance_id {
        Some(group_id) => {
            let q = session.quantity;
            let Some(after) = take_seats(conn, group_id, q, now)? else {
                let group = load_group(conn, group_id)?.ok_or_else(|| group_not_found(group_id))?;
                group.join(q, 0, session.unit_price, now)?;
                return Err(Refused::SeatsTakenMeanwhile.into());
            };
            let existing = load_participation(conn, &after, &buyer.user_id)?;
            // Only a completion tells the shop's owner anything and needs the members: no
            // read on an ordinary join.
            let members = if after.is_full() {
                Some((
                    active_participants(conn, &after)?,
                    product_shop(conn, session.product_id, default)?,
                ))
            } else {
                None
            };
            // Seats are already counted: the domain decides on the group as it was before
            // this purchase, and the rollback undoes the UPDATE if it refuses.
            let before = GroupInstance {
                seats_occupied: after.seats_occupied - q,
                ..after
            };
            let into = PayInto::Join {
                group: &before,
                completing: members.as_ref().map(|(active, shop)| Members {
                    active,
                    seller: shop.seller(),
                }),
            };
            gp_domain::pay(request(into, existing.as_ref()), Uuid::new_v4)?
        }
        None => {
            let shop = product_shop(conn, session.product_id, default)?;
            let product = load_product(conn, session.product_id)?.ok_or_else(product_not_found)?;
            let into = PayInto::Open(OpenGroup {
                id: Uuid::new_v4(),
                code: unused_code(conn)?,
                product: &product,
                initiator_id: &buyer.user_id,
                initiator_name: buyer.display_name(),
                quantity: session.quantity,
                session_price: session.unit_price,
                audience: &shop.audience,
                commission: shop.commission,
            });
            let paid = gp_domain::pay(request(into, None), Uuid::new_v4)?;
            insert_group(conn, &paid.group)?;
            paid
        }
    };
    debug_assert_eq!(paid.debit, debit, "the domain's debit is the one posted");
    write_participant(conn, &paid.participant, paid.new_participant, now)?;
    appended
        .purchases
        .push(PurchaseRow::from_domain(paid.purchase_id, &paid.purchase));
    if let Some(done) = &paid.completion {
        // The group row is locked by the seat UPDATE: it cannot have changed since.
        if !write_completion(conn, &paid.group, done, now)? {
            return Err(Refused::GroupChangedMeanwhile.into());
        }
    }
    let group = paid.completion.as_ref().map_or(&paid.group, |c| &c.group);
    // RETURNING, read as rows: Diesel keeps a statement it loads prepared, not one it only
    // executes (`db/cacheable.rs`).
    on_backend!(conn, |c| cacheable!(diesel::update(
        cs::table.find(session_id.to_string())
    )
    .set((
        cs::group_instance_id.eq(Some(group.id.to_string())),
        cs::group_code.eq(Some(group.code.as_str().to_owned())),
        cs::transaction_id.eq(Some(debit.id.to_string())),
    ))
    .returning(cs::id))
    .load::<String>(c))?;
    emit(conn, &paid.events, ctx)?;
    Ok(paid.session)
}

/// Inserts a group the domain opened, holding stock for all its seats so a group that
/// fills can always be delivered: the domain checked the stock it read; this conditional
/// hold enforces it against groups opened concurrently.
fn insert_group(conn: &mut DbConnection, group: &GroupInstance) -> Result<(), StoreError> {
    let seats = i64::from(group.total_seats);
    let held = diesel::update(
        products::table
            .find(group.product_id.to_string())
            .filter((products::reserved_quantity + seats).le(products::stock_quantity)),
    )
    .set(products::reserved_quantity.eq(products::reserved_quantity + seats))
    .execute(conn)?;
    if held == 0 {
        return Err(Refused::StockTaken.into());
    }
    diesel::insert_into(gi::table)
        .values(GroupRow::from_domain(group))
        .execute(conn)?;
    Ok(())
}

/// A fresh GP-XXXXXX code (the unique index is the backstop).
fn unused_code(conn: &mut DbConnection) -> Result<GroupCode, StoreError> {
    for _ in 0..8 {
        let code = GroupCode::from_entropy(rand::random());
        let taken: i64 = gi::table
            .filter(gi::code.eq(code.as_str()))
            .count()
            .get_result(conn)?;
        if taken == 0 {
            return Ok(code);
        }
    }
    Err(StoreError::Corrupt(
        "could not find a free group code".into(),
    ))
}
