//! Rows of the campaign tables and their conversion to and from the domain.

use super::schema::{
    campaign_audit, campaign_handles, group_buy_interests, group_buys, support_reports,
};
use crate::convert::{from_db_time, money, parse_uuid, to_db_time};
use crate::error::StoreError;
use crate::platform::as_text::AsText;
use diesel::prelude::*;
use groupbuy_domain::campaign::{
    stored_thresholds, AuditEntry, GroupBuy, GroupBuyStatus, Handle, HandleProfile, Interest,
    PreorderTerms, Slug, SupportReport, SupportReportDraft, VisitorId,
};
use time::PrimitiveDateTime;

fn handle(s: &str) -> Result<Handle, StoreError> {
    Handle::parse(s).map_err(|_| StoreError::Corrupt(format!("handle {s}")))
}

/// A `campaign_handles` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = campaign_handles)]
pub(super) struct HandleRow {
    pub handle: String,
    pub display_name: String,
    pub owner_id: String,
    pub created_at: PrimitiveDateTime,
}

impl HandleRow {
    pub fn from_domain(p: &HandleProfile) -> Self {
        Self {
            handle: p.handle.to_string(),
            display_name: p.display_name.clone(),
            owner_id: p.owner_id.clone(),
            created_at: to_db_time(p.created_at),
        }
    }

    pub fn into_domain(self) -> Result<HandleProfile, StoreError> {
        Ok(HandleProfile {
            handle: handle(&self.handle)?,
            display_name: self.display_name,
            owner_id: self.owner_id,
            created_at: from_db_time(self.created_at),
        })
    }
}

/// A `group_buys` row, in column order (also what `RETURNING all_columns` gives).
#[derive(Queryable, Selectable)]
#[diesel(table_name = group_buys)]
pub(super) struct GroupBuyRow {
    pub seq: i64,
    pub id: String,
    pub handle: String,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub currency: String,
    pub unit_price_minor: i64,
    pub min_participants: Option<i64>,
    pub min_quantity: Option<i64>,
    pub max_quantity: Option<i64>,
    pub closes_at: PrimitiveDateTime,
    pub status: AsText<GroupBuyStatus>,
    pub participants: i64,
    pub quantity: i64,
    pub created_at: PrimitiveDateTime,
    pub published_at: Option<PrimitiveDateTime>,
    pub paused_at: Option<PrimitiveDateTime>,
    pub closed_at: Option<PrimitiveDateTime>,
    pub updated_at: PrimitiveDateTime,
    pub threshold_reached_at: Option<PrimitiveDateTime>,
    pub preorder_window_hours: Option<i64>,
}

impl GroupBuyRow {
    pub fn into_domain(self) -> Result<GroupBuy, StoreError> {
        Ok(GroupBuy {
            id: parse_uuid(&self.id)?,
            handle: handle(&self.handle)?,
            slug: Slug::parse(&self.slug)
                .map_err(|_| StoreError::Corrupt(format!("slug {}", self.slug)))?,
            title: self.title,
            description: self.description,
            unit_price: money(self.unit_price_minor, &self.currency)?,
            thresholds: stored_thresholds(self.min_participants, self.min_quantity),
            max_quantity: self.max_quantity,
            closes_at: from_db_time(self.closes_at),
            status: self.status.0,
            participants: self.participants,
            quantity: self.quantity,
            created_at: from_db_time(self.created_at),
            published_at: self.published_at.map(from_db_time),
            paused_at: self.paused_at.map(from_db_time),
            closed_at: self.closed_at.map(from_db_time),
            updated_at: from_db_time(self.updated_at),
            threshold_reached_at: self.threshold_reached_at.map(from_db_time),
            preorder: self.preorder_window_hours.map(PreorderTerms::stored),
        })
    }
}

/// A new `group_buys` row.
#[derive(Insertable)]
#[diesel(table_name = group_buys)]
pub(super) struct NewGroupBuy {
    pub id: String,
    pub handle: String,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub currency: String,
    pub unit_price_minor: i64,
    pub min_participants: Option<i64>,
    pub min_quantity: Option<i64>,
    pub max_quantity: Option<i64>,
    pub closes_at: PrimitiveDateTime,
    pub status: AsText<GroupBuyStatus>,
    pub participants: i64,
    pub quantity: i64,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    pub preorder_window_hours: Option<i64>,
}

impl NewGroupBuy {
    pub fn from_domain(g: &GroupBuy) -> Self {
        Self {
            id: g.id.to_string(),
            handle: g.handle.to_string(),
            slug: g.slug.to_string(),
            title: g.title.clone(),
            description: g.description.clone(),
            currency: g.unit_price.currency().code().to_owned(),
            unit_price_minor: g.unit_price.minor(),
            min_participants: g.thresholds.min_participants(),
            min_quantity: g.thresholds.min_quantity(),
            max_quantity: g.max_quantity,
            closes_at: to_db_time(g.closes_at),
            status: AsText(g.status),
            participants: g.participants,
            quantity: g.quantity,
            created_at: to_db_time(g.created_at),
            updated_at: to_db_time(g.updated_at),
            preorder_window_hours: g.preorder.map(|t| t.payment_window_hours()),
        }
    }
}

/// A `group_buy_interests` row.
#[derive(Queryable, Selectable)]
#[diesel(table_name = group_buy_interests)]
pub(super) struct InterestRow {
    pub seq: i64,
    pub id: String,
    pub group_buy_id: String,
    pub visitor_id: String,
    pub quantity: i64,
    pub note: Option<String>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

impl InterestRow {
    pub fn into_domain(self) -> Result<Interest, StoreError> {
        Ok(Interest {
            id: parse_uuid(&self.id)?,
            group_buy_id: parse_uuid(&self.group_buy_id)?,
            visitor: VisitorId::from_stored(self.visitor_id),
            quantity: self.quantity,
            note: self.note,
            created_at: from_db_time(self.created_at),
            updated_at: from_db_time(self.updated_at),
        })
    }
}

/// A new `group_buy_interests` row.
#[derive(Insertable)]
#[diesel(table_name = group_buy_interests)]
pub(super) struct NewInterest<'a> {
    pub id: String,
    pub group_buy_id: String,
    pub visitor_id: &'a str,
    pub quantity: i64,
    pub note: Option<&'a str>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

/// A `campaign_audit` row.
#[derive(Queryable, Selectable)]
#[diesel(table_name = campaign_audit)]
pub(super) struct AuditRow {
    pub seq: i64,
    pub id: String,
    pub group_buy_id: String,
    pub actor: String,
    pub action: String,
    pub before_status: Option<AsText<GroupBuyStatus>>,
    pub after_status: AsText<GroupBuyStatus>,
    pub request_id: String,
    pub created_at: PrimitiveDateTime,
}

impl AuditRow {
    pub fn to_domain(&self) -> Result<AuditEntry, StoreError> {
        Ok(AuditEntry {
            id: parse_uuid(&self.id)?,
            group_buy_id: parse_uuid(&self.group_buy_id)?,
            actor: self.actor.clone(),
            action: self.action.clone(),
            before_status: self.before_status.map(|s| s.0),
            after_status: self.after_status.0,
            request_id: self.request_id.clone(),
            created_at: from_db_time(self.created_at),
        })
    }
}

/// A `support_reports` row.
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = support_reports)]
pub(super) struct SupportRow {
    #[diesel(skip_insertion)]
    pub seq: i64,
    pub id: String,
    pub summary: String,
    pub details: String,
    pub handle: Option<String>,
    pub session_id: Option<String>,
    pub reported_request_id: Option<String>,
    pub repro_artifact: Option<String>,
    pub reporter: String,
    pub client_ip: String,
    pub request_id: String,
    pub created_at: PrimitiveDateTime,
}

impl SupportRow {
    pub fn from_domain(r: &SupportReport) -> Self {
        Self {
            seq: 0,
            id: r.id.to_string(),
            summary: r.fields.summary.clone(),
            details: r.fields.details.clone(),
            handle: r.fields.handle.clone(),
            session_id: r.fields.session_id.clone(),
            reported_request_id: r.fields.request_id.clone(),
            repro_artifact: r.fields.repro_artifact.clone(),
            reporter: r.reporter.clone(),
            client_ip: r.client_ip.clone(),
            request_id: r.submitted_request_id.clone(),
            created_at: to_db_time(r.created_at),
        }
    }

    pub fn into_domain(self) -> Result<SupportReport, StoreError> {
        Ok(SupportReport {
            id: parse_uuid(&self.id)?,
            fields: SupportReportDraft {
                summary: self.summary,
                details: self.details,
                handle: self.handle,
                session_id: self.session_id,
                request_id: self.reported_request_id,
                repro_artifact: self.repro_artifact,
            },
            reporter: self.reporter,
            client_ip: self.client_ip,
            submitted_request_id: self.request_id,
            created_at: from_db_time(self.created_at),
        })
    }
}
