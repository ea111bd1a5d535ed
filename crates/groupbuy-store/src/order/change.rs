//! A merchant's transition of an order, in one transaction: authorize, let the domain
//! decide ([`Order::apply`]), write the new status conditionally on the one it was decided
//! from, then what the change moves (the buyer's refund and the reversal of the order's
//! settlement through the one ledger, the units back to stock) and its event. The conditional write comes first, so a refund or
//! restock can only follow a status change this transaction made: each happens once.
//! Locks are taken in the order payments take them (order row, then wallet, merchant
//! balance and platform revenue, then product), so a cancellation never deadlocks with a
//! completing payment or a payout.

use super::reads::with_owner;
use super::rows::write_if_still;
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::platform::outbox;
use crate::schema::products;
use crate::wallet::post_postings;
use diesel::prelude::*;
use groupbuy_domain::catalog::manages_shop;
use groupbuy_domain::order::{order_not_found, Order, OrderChange, OrderCommand, OrderRefusal};
use groupbuy_domain::platform::{Audience, ChangeContext};
use groupbuy_domain::wallet::{Account, LedgerKind, Posting};
use groupbuy_domain::Principal;
use uuid::Uuid;

/// Applies `command` to the order for `caller`; returns the order as changed.
pub(super) fn change(
    conn: &mut DbConnection,
    caller: &Principal,
    order_id: Uuid,
    command: &OrderCommand,
    ctx: &ChangeContext,
) -> Result<Order, StoreError> {
    // Another merchant's order is answered exactly like a missing one.
    let (order, owner) = with_owner(conn, order_id)?
        .filter(|(_, owner)| manages_shop(caller, owner))
        .ok_or_else(order_not_found)?;
    let audience = Audience::User(owner);
    let change = order.apply(command.clone(), &audience, ctx.now)?;
    if !write_if_still(conn, change.before, &change.order)? {
        return Err(lost(conn, order_id, command, &audience, ctx)?);
    }
    write_effects(conn, &change, ctx)?;
    Ok(change.order)
}

/// The refusal of a transition whose conditional write found the order already changed
/// by a concurrent one (committed by now): the domain decides again on the order as it is.
fn lost(
    conn: &mut DbConnection,
    order_id: Uuid,
    command: &OrderCommand,
    audience: &Audience,
    ctx: &ChangeContext,
) -> Result<StoreError, StoreError> {
    let (now, _) = with_owner(conn, order_id)?.ok_or_else(order_not_found)?;
    let refusal = match now.apply(command.clone(), audience, ctx.now) {
        Err(refused) => refused,
        Ok(_) => OrderRefusal::ChangedMeanwhile,
    };
    Ok(refusal.into())
}

/// Writes what the change moves besides the order row, in the caller's transaction.
fn write_effects(
    conn: &mut DbConnection,
    change: &OrderChange,
    ctx: &ChangeContext,
) -> Result<(), StoreError> {
    if let Some(refund) = &change.refund {
        // The refund and the reversal together: all accounts in lock order, all or nothing
        // (a merchant balance paid out below what the order left it refuses the cancel).
        let mut postings = vec![Posting {
            account: Account::wallet(refund.user_id.clone()),
            kind: LedgerKind::Refund,
            amount: refund.amount,
            reference: refund.reference.clone(),
        }];
        postings.extend(change.reversal.iter().cloned());
        post_postings(conn, &postings, ctx.now)?;
    }
    if let Some(restock) = change.restock {
        diesel::update(products::table.find(restock.product_id.to_string()))
            .set(products::stock_quantity.eq(products::stock_quantity + restock.quantity))
            .execute(conn)?;
    }
    outbox::append(conn, &change.events, &ctx.request_id, ctx.now)?;
    Ok(())
}
