//! Campaign audit entries written before the shared audit trail existed (the retired
//! `campaign_audit` table) are sealed onto their group-buy's chain once, at start-up.

use super::rows::{AuditRow, GroupBuyRow};
use super::schema::{campaign_audit, group_buys};
use crate::db::DbConnection;
use crate::error::StoreError;
use diesel::prelude::*;
use groupbuy_domain::campaign::campaign_subject;
use groupbuy_domain::platform::AuditDraft;

/// Moves every legacy entry, oldest first, onto the shared chain (keeping its id), and
/// deletes it from the old table in the same transaction; returns how many moved.
pub(crate) fn adopt_legacy_audit(conn: &mut DbConnection) -> Result<usize, StoreError> {
    let rows: Vec<AuditRow> = campaign_audit::table
        .order(campaign_audit::seq.asc())
        .select(AuditRow::as_select())
        .load(conn)?;
    for row in &rows {
        let g = group_buys::table
            .filter(group_buys::id.eq(&row.group_buy_id))
            .select(GroupBuyRow::as_select())
            .first(conn)?
            .into_domain()?;
        let entry = row.to_domain()?;
        let draft = AuditDraft {
            subject: campaign_subject(&g),
            actor: entry.actor,
            org_id: None,
            action: entry.action,
            from_status: entry.before_status.map(|s| s.as_str().to_owned()),
            to_status: Some(entry.after_status.as_str().to_owned()),
            request_id: entry.request_id,
            details: serde_json::json!({ "group_buy_id": g.id }),
            at: entry.created_at,
        };
        crate::platform::audit::append_with_id(conn, draft, entry.id)?;
        diesel::delete(campaign_audit::table.filter(campaign_audit::seq.eq(row.seq)))
            .execute(conn)?;
    }
    Ok(rows.len())
}
