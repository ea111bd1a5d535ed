//! Who hears about a group (its shop's owner) and writing what a transition said to the
//! outbox, in the caller's transaction.

use crate::db::DbConnection;
use crate::error::StoreError;
use crate::platform::outbox;
use crate::schema::{group_instances as gi, products, shops};
use diesel::prelude::*;
use groupbuy_domain::group_purchase::Seller;
use groupbuy_domain::ledger::CommissionRate;
use groupbuy_domain::platform::{Audience, ChangeContext, DomainEvent};
use uuid::Uuid;

/// The shop a completing group sells for: its owner (told `group.completed`) and the
/// commission rate its orders are charged, as read in the completing transaction.
pub(crate) struct Shop {
    pub(crate) audience: Audience,
    pub(crate) commission: CommissionRate,
}

impl Shop {
    /// The domain's view of it.
    pub(crate) fn seller(&self) -> Seller<'_> {
        Seller {
            audience: &self.audience,
            commission: self.commission,
        }
    }

    fn of(row: (String, Option<i32>), default: CommissionRate) -> Result<Self, StoreError> {
        let (owner, own) = row;
        let own = own
            .map(|bps| CommissionRate::from_bps(i64::from(bps), "commission_bps"))
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("shop commission: {e}")))?;
        Ok(Self {
            audience: Audience::User(owner),
            commission: CommissionRate::effective(own, default),
        })
    }
}

/// The shop selling `product_id` ([`Shop`]), its commission its own rate or `default`.
pub(crate) fn product_shop(
    conn: &mut DbConnection,
    product_id: Uuid,
    default: CommissionRate,
) -> Result<Shop, StoreError> {
    let row: Option<(String, Option<i32>)> = products::table
        .inner_join(shops::table)
        .filter(products::id.eq(product_id.to_string()))
        .select((shops::owner_id, shops::commission_bps))
        .first(conn)
        .optional()?;
    let row =
        row.ok_or_else(|| StoreError::Corrupt(format!("product {product_id} has no shop")))?;
    Shop::of(row, default)
}

/// The shop selling what `group_id` sells ([`Shop`]), or `None` for a missing group.
pub(crate) fn group_shop(
    conn: &mut DbConnection,
    group_id: Uuid,
    default: CommissionRate,
) -> Result<Option<Shop>, StoreError> {
    let row: Option<(String, Option<i32>)> = gi::table
        .inner_join(products::table.inner_join(shops::table))
        .filter(gi::id.eq(group_id.to_string()))
        .select((shops::owner_id, shops::commission_bps))
        .first(conn)
        .optional()?;
    row.map(|r| Shop::of(r, default)).transpose()
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
