//! Endpoint use cases: register, list, read, change, delete, rotate the secret.

use super::rows::{filter_text, EndpointRow, NewEndpoint};
use super::schema::webhook_endpoints as we;
use crate::convert::to_db_time;
use crate::db::DbConnection;
use crate::error::StoreError;
use crate::platform::paging::into_page;
use diesel::prelude::*;
use groupbuy_domain::webhook::{
    too_many_endpoints, EndpointDraft, EndpointPatch, WebhookEndpoint, MAX_ENDPOINTS_PER_OWNER,
};
use groupbuy_domain::{Page, Principal};
use time::OffsetDateTime;
use uuid::Uuid;

fn not_found(id: &str) -> StoreError {
    groupbuy_domain::webhook::endpoint_not_found(id).into()
}

/// The caller's endpoint, or NotFound (another owner's is indistinguishable from none).
pub(super) fn visible(
    conn: &mut DbConnection,
    caller: &Principal,
    id: &str,
) -> Result<WebhookEndpoint, StoreError> {
    let row = we::table
        .filter(we::id.eq(id))
        .select(EndpointRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found(id))?;
    let endpoint = row.into_domain()?;
    if endpoint.visible_to(caller) {
        Ok(endpoint)
    } else {
        Err(not_found(id))
    }
}

/// Inserts a new endpoint.
pub(super) fn create(
    conn: &mut DbConnection,
    owner: &Principal,
    draft: EndpointDraft,
    secret: &str,
    now: OffsetDateTime,
) -> Result<WebhookEndpoint, StoreError> {
    owned_by_within_limit(conn, owner)?;
    let id = format!("we_{}", Uuid::new_v4().simple());
    diesel::insert_into(we::table)
        .values(NewEndpoint {
            id: &id,
            created_by: &owner.user_id,
            org_id: owner.org_id.as_deref(),
            url: &draft.url,
            event_types: filter_text(&draft.events),
            description: draft.description.as_deref(),
            secret,
            disabled: false,
            created_at: to_db_time(now),
            updated_at: to_db_time(now),
        })
        .execute(conn)?;
    visible(conn, owner, &id)
}

/// Refuses a new endpoint once its owner (the caller's current organisation, or the caller
/// alone) has [`MAX_ENDPOINTS_PER_OWNER`]. On PostgreSQL a transaction-scoped advisory lock
/// per owner serialises concurrent registrations, so the count cannot be raced past.
fn owned_by_within_limit(conn: &mut DbConnection, owner: &Principal) -> Result<(), StoreError> {
    let key = match &owner.org_id {
        Some(org) => format!("webhook-endpoints:org:{org}"),
        None => format!("webhook-endpoints:user:{}", owner.user_id),
    };
    if let DbConnection::Pg(c) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1)::bigint)")
            .bind::<diesel::sql_types::Text, _>(&key)
            .execute(c)?;
    }
    let query = we::table.select(diesel::dsl::count_star()).into_boxed();
    let owned: i64 = match &owner.org_id {
        Some(org) => query.filter(we::org_id.eq(org)),
        None => query
            .filter(we::created_by.eq(&owner.user_id))
            .filter(we::org_id.is_null()),
    }
    .first(conn)?;
    if owned >= MAX_ENDPOINTS_PER_OWNER {
        return Err(too_many_endpoints().into());
    }
    Ok(())
}

/// The caller's endpoints (their personal ones and their current organisation's), newest first.
pub(super) fn list(
    conn: &mut DbConnection,
    caller: &Principal,
    before: Option<i64>,
    limit: i64,
) -> Result<Page<WebhookEndpoint>, StoreError> {
    let mut query = we::table
        .select(EndpointRow::as_select())
        .order(we::seq.desc())
        .limit(limit + 1)
        .into_boxed();
    let personal = we::created_by.eq(&caller.user_id).and(we::org_id.is_null());
    query = match &caller.org_id {
        Some(org) => query.filter(personal.or(we::org_id.eq(org))),
        None => query.filter(personal),
    };
    if let Some(seq) = before {
        query = query.filter(we::seq.lt(seq));
    }
    into_page(
        query.load(conn)?,
        limit,
        |r| r.seq,
        EndpointRow::into_domain,
    )
}

/// Applies a patch.
pub(super) fn update(
    conn: &mut DbConnection,
    caller: &Principal,
    id: &str,
    patch: EndpointPatch,
    now: OffsetDateTime,
) -> Result<WebhookEndpoint, StoreError> {
    let current = visible(conn, caller, id)?;
    let next = patch.apply(&current);
    diesel::update(we::table.filter(we::id.eq(id)))
        .set((
            we::url.eq(&next.url),
            we::event_types.eq(filter_text(&next.events)),
            we::description.eq(&next.description),
            we::disabled.eq(next.disabled),
            we::disabled_reason.eq(&next.disabled_reason),
            we::updated_at.eq(to_db_time(now)),
        ))
        .execute(conn)?;
    visible(conn, caller, id)
}

/// Deletes an endpoint (its deliveries and attempts go with it); returns it as it was.
pub(super) fn delete(
    conn: &mut DbConnection,
    caller: &Principal,
    id: &str,
) -> Result<WebhookEndpoint, StoreError> {
    let endpoint = visible(conn, caller, id)?;
    diesel::delete(we::table.filter(we::id.eq(id))).execute(conn)?;
    Ok(endpoint)
}

/// Replaces the secret, keeping the old one until `overlap_until`.
pub(super) fn rotate(
    conn: &mut DbConnection,
    caller: &Principal,
    id: &str,
    secret: &str,
    overlap_until: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<WebhookEndpoint, StoreError> {
    visible(conn, caller, id)?;
    diesel::update(we::table.filter(we::id.eq(id)))
        .set((
            we::previous_secret.eq(we::secret.nullable()),
            we::previous_secret_until.eq(Some(to_db_time(overlap_until))),
            we::secret.eq(secret),
            we::updated_at.eq(to_db_time(now)),
        ))
        .execute(conn)?;
    visible(conn, caller, id)
}
