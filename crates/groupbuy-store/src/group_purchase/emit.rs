//! Who hears about a group (its shop's owner) and writing what a transition said to the
//! outbox, in the caller's transaction.

use crate::db::DbConnection;
use crate::error::StoreError;
use crate::platform::outbox;
use crate::schema::{group_instances as gi, products, shops};
use diesel::prelude::*;
use groupbuy_domain::platform::{Audience, ChangeContext, DomainEvent};
use uuid::Uuid;

/// The owner of the shop selling `product_id`: events about its groups go to them.
/// Read before any group row is locked (a product's shop never changes).
pub(crate) fn product_audience(
    conn: &mut DbConnection,
    product_id: Uuid,
) -> Result<Audience, StoreError> {
    let owner: Option<String> = products::table
        .inner_join(shops::table)
        .filter(products::id.eq(product_id.to_string()))
        .select(shops::owner_id)
        .first(conn)
        .optional()?;
    owner
        .map(Audience::User)
        .ok_or_else(|| StoreError::Corrupt(format!("product {product_id} has no shop")))
}

/// The owner of the shop whose product `group_id` sells, or `None` for a missing group.
/// Read before the group row is locked (a group's product never changes).
pub(crate) fn group_audience(
    conn: &mut DbConnection,
    group_id: Uuid,
) -> Result<Option<Audience>, StoreError> {
    let owner: Option<String> = gi::table
        .inner_join(products::table.inner_join(shops::table))
        .filter(gi::id.eq(group_id.to_string()))
        .select(shops::owner_id)
        .first(conn)
        .optional()?;
    Ok(owner.map(Audience::User))
}

/// Appends `events` to the outbox with the context's request id and time.
pub(crate) fn emit(
    conn: &mut DbConnection,
    events: &[DomainEvent],
    ctx: &ChangeContext,
) -> Result<(), StoreError> {
    if !events.is_empty() {
        outbox::append(conn, events, &ctx.request_id, ctx.now)?;
    }
    Ok(())
}
