//! The shared tamper-evident audit trail: every context appends its entries here, in the
//! transaction of the change they record, each sealed onto its subject's hash chain.

pub(crate) mod schema;

use crate::convert::{from_db_time, to_db_time};
use crate::db::DbConnection;
use crate::error::StoreError;
use diesel::prelude::*;
use groupbuy_domain::platform::{audit_id, AuditDraft, AuditRecord, GENESIS_HASH};
use groupbuy_domain::Page;
use schema::audit_log;
use time::PrimitiveDateTime;
use uuid::Uuid;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log)]
struct AuditRow {
    id: String,
    subject: String,
    seq: i64,
    at: PrimitiveDateTime,
    actor: String,
    org_id: Option<String>,
    action: String,
    from_status: Option<String>,
    to_status: Option<String>,
    request_id: String,
    details: String,
    prev_hash: String,
    hash: String,
}

impl AuditRow {
    fn from_domain(r: &AuditRecord) -> Self {
        Self {
            id: r.id.clone(),
            subject: r.subject.clone(),
            seq: r.seq,
            at: to_db_time(r.at),
            actor: r.actor.clone(),
            org_id: r.org_id.clone(),
            action: r.action.clone(),
            from_status: r.from_status.clone(),
            to_status: r.to_status.clone(),
            request_id: r.request_id.clone(),
            details: r.details.to_string(),
            prev_hash: r.prev_hash.clone(),
            hash: r.hash.clone(),
        }
    }

    fn into_domain(self) -> Result<AuditRecord, StoreError> {
        let details = serde_json::from_str(&self.details)
            .map_err(|e| StoreError::Corrupt(format!("audit details of {}: {e}", self.id)))?;
        Ok(AuditRecord {
            seq: self.seq,
            id: self.id,
            subject: self.subject,
            actor: self.actor,
            org_id: self.org_id,
            action: self.action,
            from_status: self.from_status,
            to_status: self.to_status,
            request_id: self.request_id,
            details,
            at: from_db_time(self.at),
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

/// Seals `draft` onto its subject's chain and inserts it.
///
/// The caller must already hold the subject's row lock in this transaction (every use
/// case changes its subject's row with a conditional UPDATE before auditing), so two
/// appends to one subject never read the same head; `UNIQUE (subject, seq)` backs it.
pub(crate) fn append(
    conn: &mut DbConnection,
    draft: AuditDraft,
) -> Result<AuditRecord, StoreError> {
    append_with_id(conn, draft, Uuid::new_v4())
}

/// [`append`] with the entry id given (adopting entries that already had one).
pub(crate) fn append_with_id(
    conn: &mut DbConnection,
    draft: AuditDraft,
    id: Uuid,
) -> Result<AuditRecord, StoreError> {
    let head: Option<(i64, String)> = audit_log::table
        .filter(audit_log::subject.eq(&draft.subject))
        .order(audit_log::seq.desc())
        .select((audit_log::seq, audit_log::hash))
        .first(conn)
        .optional()?;
    let (seq, prev_hash) = head.map_or((1, GENESIS_HASH.to_owned()), |(s, h)| (s + 1, h));
    let record = draft.seal(seq, audit_id(id), prev_hash);
    diesel::insert_into(audit_log::table)
        .values(AuditRow::from_domain(&record))
        .execute(conn)?;
    Ok(record)
}

/// A page of a subject's entries, by `seq`: oldest first, or newest first.
pub(crate) fn page(
    conn: &mut DbConnection,
    subject: &str,
    after: Option<i64>,
    limit: i64,
    newest_first: bool,
) -> Result<Page<AuditRecord>, StoreError> {
    let mut query = audit_log::table
        .filter(audit_log::subject.eq(subject))
        .select(AuditRow::as_select())
        .limit(limit + 1)
        .into_boxed();
    query = match (newest_first, after) {
        (true, Some(seq)) => query
            .order(audit_log::seq.desc())
            .filter(audit_log::seq.lt(seq)),
        (true, None) => query.order(audit_log::seq.desc()),
        (false, Some(seq)) => query
            .order(audit_log::seq.asc())
            .filter(audit_log::seq.gt(seq)),
        (false, None) => query.order(audit_log::seq.asc()),
    };
    let rows: Vec<AuditRow> = query.load(conn)?;
    crate::platform::paging::into_page(rows, limit, |r| r.seq, AuditRow::into_domain)
}

/// Every entry of a subject, oldest first (to verify the chain).
pub(crate) fn chain(
    conn: &mut DbConnection,
    subject: &str,
) -> Result<Vec<AuditRecord>, StoreError> {
    audit_log::table
        .filter(audit_log::subject.eq(subject))
        .order(audit_log::seq.asc())
        .select(AuditRow::as_select())
        .load::<AuditRow>(conn)?
        .into_iter()
        .map(AuditRow::into_domain)
        .collect()
}
