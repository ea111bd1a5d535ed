//! Campaign pre-orders on both backends: the sessions a close opens (in the closing
//! transaction), their payment (claim, debit, order, settlement and event in one
//! transaction), the sweep that expires unpaid ones, and the reads of pledgers and owners.
//!
//! Exactly once: a payment claims its session with one conditional UPDATE (PENDING_PAYMENT
//! and inside its window -> PAID, with the order's id), the sweep with another
//! (PENDING_PAYMENT and past its window -> EXPIRED); whichever commits first wins the row and
//! the other finds it changed. Locks follow the payments' order: the session row, then the
//! wallet, the merchant balance and the platform's revenue.

mod rows;
#[cfg(test)]
mod tests;

use super::rows::{GroupBuyRow, InterestRow};
use super::schema::{campaign_handles, campaign_preorders as cp, group_buy_interests, group_buys};
use super::{find_group_buy, managed_handle};
use crate::convert::to_db_time;
use crate::db::{insert_rows, Database, DbConnection};
use crate::error::StoreError;
use crate::platform::outbox;
use diesel::prelude::*;
use groupbuy_domain::campaign::{
    open_preorders, ChangeContext, GroupBuy, Handle, Preorder, PreorderCounts, PreorderStatus,
    PreorderStore, PreorderTerms, Slug,
};
use groupbuy_domain::platform::{Answer, Audience, DomainEvent};
use groupbuy_domain::wallet::AccountKind;
use groupbuy_domain::{DomainError, Principal};
use rows::{NewPreorder, PreorderRow};
use time::OffsetDateTime;
use uuid::Uuid;

/// `Checkout session not found`: the same answer as for a group purchase's session, so a
/// session id tells nobody which kind it would have been.
fn session_not_found(id: Uuid) -> DomainError {
    crate::group_purchase::session_not_found(id)
}

/// Opens the sessions of `campaign`, just CLOSED in this transaction under `terms`: one
/// per signed-in pledge, all or nothing; returns `campaign.preorders_opened`.
pub(super) fn open_at_close(
    conn: &mut DbConnection,
    campaign: &GroupBuy,
    terms: PreorderTerms,
    owner: &Audience,
    now: OffsetDateTime,
) -> Result<Vec<DomainEvent>, StoreError> {
    let interests = group_buy_interests::table
        .filter(group_buy_interests::group_buy_id.eq(campaign.id.to_string()))
        .order(group_buy_interests::seq.asc())
        .select(InterestRow::as_select())
        .load::<InterestRow>(conn)?
        .into_iter()
        .map(InterestRow::into_domain)
        .collect::<Result<Vec<_>, _>>()?;
    let opened = open_preorders(campaign, terms, &interests, now, Uuid::new_v4)?;
    let rows: Vec<NewPreorder<'_>> = opened.preorders.iter().map(NewPreorder::of).collect();
    for chunk in rows.chunks(1000) {
        insert_rows!(conn, cp::table, chunk)?;
    }
    Ok(vec![opened.event(campaign, owner, now)])
}

/// The buyer's session row, whatever its status.
fn own_session(
    conn: &mut DbConnection,
    user_id: &str,
    id: Uuid,
) -> Result<Option<Preorder>, StoreError> {
    cp::table
        .filter(cp::id.eq(id.to_string()))
        .filter(cp::user_id.eq(user_id))
        .select(PreorderRow::as_select())
        .first(conn)
        .optional()?
        .map(PreorderRow::into_domain)
        .transpose()
}

/// Pays the buyer's session (see [`PreorderStore::pay_preorder`]).
fn pay(
    conn: &mut DbConnection,
    buyer: &Principal,
    id: Uuid,
    ctx: &ChangeContext,
    db: &Database,
) -> Result<Preorder, StoreError> {
    let now = ctx.now;
    let order_id = Uuid::new_v4();
    // The claim decides against a concurrent payment or sweep; the CHECK keeps PAID and
    // the order's id together.
    let claimed = diesel::update(
        cp::table
            .filter(cp::id.eq(id.to_string()))
            .filter(cp::user_id.eq(&buyer.user_id))
            .filter(cp::status.eq(PreorderStatus::PendingPayment.as_str()))
            .filter(cp::expires_at.gt(to_db_time(now))),
    )
    .set((
        cp::status.eq(PreorderStatus::Paid.as_str()),
        cp::settled_at.eq(Some(to_db_time(now))),
        cp::order_id.eq(Some(order_id.to_string())),
    ))
    .returning(cp::all_columns)
    .get_result::<PreorderRow>(conn)
    .optional()?;
    let Some(claimed) = claimed else {
        let current =
            own_session(conn, &buyer.user_id, id)?.ok_or_else(|| session_not_found(id))?;
        if current.status == PreorderStatus::Paid {
            // A retry, with any key or none: the paid session, nothing debited again.
            return Ok(current);
        }
        // Expired (marked or not): the domain says so.
        current.pay(now)?;
        return Err(StoreError::Corrupt(format!(
            "pre-order {id} could not be claimed"
        )));
    };
    let session = Preorder {
        status: PreorderStatus::PendingPayment,
        settled_at: None,
        order_id: None,
        transaction_id: None,
        ..claimed.into_domain()?
    };
    let campaign: GroupBuy = group_buys::table
        .filter(group_buys::id.eq(session.group_buy_id.to_string()))
        .select(GroupBuyRow::as_select())
        .first::<GroupBuyRow>(conn)?
        .into_domain()?;
    let owner: String = campaign_handles::table
        .find(campaign.handle.as_str())
        .select(campaign_handles::owner_id)
        .first(conn)?;
    let payment = session.pay_into_order(
        &campaign,
        db.default_commission(),
        order_id,
        &Audience::User(owner),
        now,
    )?;
    crate::order::insert_orders(conn, std::slice::from_ref(&payment.order))?;
    let posted = crate::wallet::post_postings(conn, &payment.postings, now)?;
    let debit = posted
        .iter()
        .find(|e| e.account.kind() == AccountKind::Wallet)
        .ok_or_else(|| StoreError::Corrupt("a pre-order's payment posted no debit".into()))?;
    diesel::update(cp::table.filter(cp::id.eq(id.to_string())))
        .set(cp::transaction_id.eq(Some(debit.id.to_string())))
        .execute(conn)?;
    outbox::append(conn, &payment.events, &ctx.request_id, now)?;
    Ok(Preorder {
        transaction_id: Some(debit.id),
        ..payment.preorder
    })
}

/// Expires up to `batch` due sessions: the domain decides each from the row as read, and
/// one conditional UPDATE writes them (a session paid meanwhile is no longer PENDING).
fn expire(conn: &mut DbConnection, now: OffsetDateTime, batch: i64) -> Result<usize, StoreError> {
    let due: Vec<PreorderRow> = cp::table
        .filter(cp::status.eq(PreorderStatus::PendingPayment.as_str()))
        .filter(cp::expires_at.le(to_db_time(now)))
        .order(cp::expires_at.asc())
        .limit(batch)
        .select(PreorderRow::as_select())
        .load(conn)?;
    let mut ids = Vec::with_capacity(due.len());
    for row in due {
        if let Some(expired) = row.into_domain()?.expire(now) {
            ids.push(expired.id.to_string());
        }
    }
    if ids.is_empty() {
        return Ok(0);
    }
    let n = diesel::update(
        cp::table
            .filter(cp::id.eq_any(&ids))
            .filter(cp::status.eq(PreorderStatus::PendingPayment.as_str()))
            .filter(cp::expires_at.le(to_db_time(now))),
    )
    .set((
        cp::status.eq(PreorderStatus::Expired.as_str()),
        cp::settled_at.eq(Some(to_db_time(now))),
    ))
    .execute(conn)?;
    Ok(n)
}

/// Adds `n` sessions of `status` to `counts`.
fn add(counts: &mut PreorderCounts, status: &str, n: i64) -> Result<(), StoreError> {
    counts.pledged += n;
    match status.parse::<PreorderStatus>() {
        Ok(PreorderStatus::PendingPayment) => counts.pending += n,
        Ok(PreorderStatus::Paid) => counts.paid += n,
        Ok(PreorderStatus::Expired) => counts.expired += n,
        Err(_) => return Err(StoreError::Corrupt(format!("pre-order status {status}"))),
    }
    Ok(())
}

/// One campaign's sessions counted by status.
fn counts(conn: &mut DbConnection, group_buy_id: Uuid) -> Result<PreorderCounts, StoreError> {
    let rows: Vec<(String, i64)> = cp::table
        .filter(cp::group_buy_id.eq(group_buy_id.to_string()))
        .group_by(cp::status)
        .select((cp::status, diesel::dsl::count_star()))
        .load(conn)?;
    let mut c = PreorderCounts::default();
    for (status, n) in rows {
        add(&mut c, &status, n)?;
    }
    Ok(c)
}

/// Every campaign's sessions (or one handle's) counted by status: the admin rollup's.
pub(super) fn totals(
    conn: &mut DbConnection,
    handle: Option<&str>,
) -> Result<PreorderCounts, StoreError> {
    let rows: Vec<(String, i64)> = match handle {
        Some(h) => cp::table
            .filter(
                cp::group_buy_id.eq_any(
                    group_buys::table
                        .filter(group_buys::handle.eq(h))
                        .select(group_buys::id),
                ),
            )
            .group_by(cp::status)
            .select((cp::status, diesel::dsl::count_star()))
            .load(conn)?,
        None => cp::table
            .group_by(cp::status)
            .select((cp::status, diesel::dsl::count_star()))
            .load(conn)?,
    };
    let mut c = PreorderCounts::default();
    for (status, n) in rows {
        add(&mut c, &status, n)?;
    }
    Ok(c)
}

impl PreorderStore for Database {
    fn pay_preorder(
        &self,
        buyer: &Principal,
        session_id: Uuid,
        ctx: &ChangeContext,
        answer: Answer<Preorder>,
    ) -> Result<Preorder, DomainError> {
        // Retried as a deadlock victim: the payment locks a wallet and the merchant
        // accounts, as cancellations and payouts do.
        self.write_retrying_answered(answer, |conn| pay(conn, buyer, session_id, ctx, self))
    }

    fn preorder(&self, user_id: &str, session_id: Uuid) -> Result<Preorder, DomainError> {
        self.read(|conn| {
            own_session(conn, user_id, session_id)?
                .ok_or_else(|| session_not_found(session_id).into())
        })
    }

    fn my_preorder(
        &self,
        handle: &Handle,
        slug: &Slug,
        user_id: &str,
    ) -> Result<Option<Preorder>, DomainError> {
        self.read(|conn| {
            let g = super::interest::public_group_buy(conn, handle, slug)?;
            cp::table
                .filter(cp::group_buy_id.eq(g.id.to_string()))
                .filter(cp::user_id.eq(user_id))
                .select(PreorderRow::as_select())
                .first(conn)
                .optional()?
                .map(PreorderRow::into_domain)
                .transpose()
        })
    }

    fn expire_preorders(&self, now: OffsetDateTime, batch: i64) -> Result<usize, DomainError> {
        self.write(|conn| expire(conn, now, batch))
    }

    fn preorder_counts(
        &self,
        caller: &Principal,
        handle: &Handle,
        slug: &Slug,
    ) -> Result<PreorderCounts, DomainError> {
        self.read(|conn| {
            managed_handle(conn, caller, handle)?;
            let g = find_group_buy(conn, handle, slug)?;
            counts(conn, g.id)
        })
    }
}
