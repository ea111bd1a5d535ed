//! Parties' legal data (issue 22): one row per organisation or vendor holding its profile
//! as JSON at a version. A change is a conditional write on that version (the first an
//! insert that a concurrent first loses), audited on the party's own chain. Who may read
//! a counterparty is decided from the pools the two share: an organisation is party to
//! the pools it organises and those it holds an ACTIVE commitment in, a vendor to those
//! whose RFQ invited it.

use super::schema::{
    procurement_commitments as cmt, procurement_group_buys as gb, procurement_parties as parties,
};
use crate::convert::{from_db_time, to_db_time};
use crate::db::{insert_if_absent, Database, DbConnection};
use crate::error::StoreError;
use crate::platform::as_text::AsText;
use diesel::prelude::*;
use groupbuy_domain::platform::ChangeContext;
use groupbuy_domain::procurement::party::{
    acting_party, update_party, CounterpartyView, PartyAccess, PartyKind, PartyProfile,
    PartyReading, PartyRecord, PartyRef, PartyRefusal, PartyStore,
};
use groupbuy_domain::procurement::CommitmentStatus;
use groupbuy_domain::{DomainError, Principal};
use std::collections::{BTreeMap, BTreeSet};
use time::PrimitiveDateTime;

/// A `procurement_parties` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = parties)]
struct PartyRow {
    kind: AsText<PartyKind>,
    party_id: String,
    version: i64,
    profile: String,
    updated_at: PrimitiveDateTime,
}

impl PartyRow {
    fn into_record(self) -> Result<PartyRecord, StoreError> {
        let profile: PartyProfile = serde_json::from_str(&self.profile)
            .map_err(|e| StoreError::Corrupt(format!("party profile: {e}")))?;
        Ok(PartyRecord {
            party: PartyRef {
                kind: self.kind.0,
                id: self.party_id,
            },
            profile,
            version: self.version,
            updated_at: Some(from_db_time(self.updated_at)),
        })
    }
}

/// `party` as stored, or at version 0 with nothing filled in.
fn load(conn: &mut DbConnection, party: &PartyRef) -> Result<PartyRecord, StoreError> {
    let row = parties::table
        .filter(parties::kind.eq(AsText(party.kind)))
        .filter(parties::party_id.eq(&party.id))
        .select(PartyRow::as_select())
        .first(conn)
        .optional()?;
    match row {
        Some(r) => r.into_record(),
        None => Ok(PartyRecord {
            party: party.clone(),
            profile: PartyProfile::default(),
            version: 0,
            updated_at: None,
        }),
    }
}

/// The data of each of `wanted` that has any, as it stands in this transaction.
pub(crate) fn profiles(
    conn: &mut DbConnection,
    wanted: &BTreeSet<PartyRef>,
) -> Result<BTreeMap<PartyRef, PartyProfile>, StoreError> {
    let mut found = BTreeMap::new();
    for party in wanted {
        let record = load(conn, party)?;
        if record.version > 0 {
            found.insert(party.clone(), record.profile);
        }
    }
    Ok(found)
}

/// The pools `party` is party to (group buy ids).
fn pools_of(conn: &mut DbConnection, party: &PartyRef) -> Result<BTreeSet<String>, StoreError> {
    match party.kind {
        PartyKind::Organisation => {
            let organised: Vec<String> = gb::table
                .filter(gb::org_id.eq(&party.id))
                .select(gb::id)
                .load(conn)?;
            let committed: Vec<String> = cmt::table
                .filter(cmt::member_id.eq(&party.id))
                .filter(cmt::status.eq(AsText(CommitmentStatus::Active)))
                .select(cmt::group_buy_id)
                .load(conn)?;
            Ok(organised.into_iter().chain(committed).collect())
        }
        PartyKind::Vendor => super::sourcing::pools_inviting(conn, &party.id),
    }
}

/// Whether `a` and `b` are parties to one pool.
fn share_a_pool(conn: &mut DbConnection, a: &PartyRef, b: &PartyRef) -> Result<bool, StoreError> {
    let theirs = pools_of(conn, b)?;
    if theirs.is_empty() {
        return Ok(false);
    }
    Ok(!pools_of(conn, a)?.is_disjoint(&theirs))
}

fn read(
    conn: &mut DbConnection,
    caller: &Principal,
    party: &PartyRef,
) -> Result<PartyReading, StoreError> {
    match PartyAccess::of(caller, party) {
        PartyAccess::Whole => Ok(PartyReading::Whole(load(conn, party)?)),
        PartyAccess::None => Err(PartyRefusal::NotFound.into()),
        PartyAccess::Counterparty => {
            let Some(me) = acting_party(caller) else {
                return Err(PartyRefusal::NotFound.into());
            };
            let record = load(conn, party)?;
            if record.version == 0 || !share_a_pool(conn, &me, party)? {
                return Err(PartyRefusal::NotFound.into());
            }
            Ok(PartyReading::Counterparty(CounterpartyView::from(&record)))
        }
    }
}

fn write(
    conn: &mut DbConnection,
    caller: &Principal,
    party: &PartyRef,
    profile: PartyProfile,
    if_match: Option<&str>,
    ctx: &ChangeContext,
) -> Result<PartyRecord, StoreError> {
    let current = load(conn, party)?;
    let (next, audit) = update_party(caller, &current, profile, if_match, ctx)?;
    let body = serde_json::to_string(&next.profile)
        .map_err(|e| StoreError::Corrupt(format!("party profile: {e}")))?;
    let now = to_db_time(ctx.now);
    let written = if current.version == 0 {
        let row = PartyRow {
            kind: AsText(party.kind),
            party_id: party.id.clone(),
            version: next.version,
            profile: body,
            updated_at: now,
        };
        insert_if_absent!(conn, parties::table, &row)?
    } else {
        diesel::update(
            parties::table
                .filter(parties::kind.eq(AsText(party.kind)))
                .filter(parties::party_id.eq(&party.id))
                .filter(parties::version.eq(current.version)),
        )
        .set((
            parties::version.eq(next.version),
            parties::profile.eq(body),
            parties::updated_at.eq(now),
        ))
        .execute(conn)?
    };
    if written != 1 {
        return Err(PartyRefusal::ChangedConcurrently.into());
    }
    crate::platform::audit::append(conn, audit)?;
    Ok(next)
}

/// A party refusal rolls the transaction back like any domain error.
impl From<PartyRefusal> for StoreError {
    fn from(r: PartyRefusal) -> Self {
        Self::Domain(r.into())
    }
}

impl PartyStore for Database {
    fn party(&self, caller: &Principal, party: &PartyRef) -> Result<PartyReading, DomainError> {
        self.read(|conn| read(conn, caller, party))
    }

    fn put_party(
        &self,
        caller: &Principal,
        party: &PartyRef,
        profile: PartyProfile,
        if_match: Option<String>,
        ctx: &ChangeContext,
    ) -> Result<PartyRecord, DomainError> {
        self.write(|conn| {
            write(
                conn,
                caller,
                party,
                profile.clone(),
                if_match.as_deref(),
                ctx,
            )
        })
    }
}
