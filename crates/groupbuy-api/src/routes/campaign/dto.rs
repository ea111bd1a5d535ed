//! Request and response bodies of the campaign routes (JSON camelCase).

use crate::envelope::rfc3339;
use groupbuy_domain::campaign::{
    AuditEntry, GroupBuy, HandleProfile, Interest, Rollup, SupportReport,
};
use groupbuy_domain::Page;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Body of `POST /v2/handles`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateHandleRequest {
    /// `[a-z0-9-]{3,40}`, unique.
    #[schema(example = "gharart")]
    pub handle: String,
    /// Display name, 1-120 characters.
    #[schema(example = "Gharart Decor")]
    pub display_name: String,
}

/// A handle.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HandleView {
    /// The handle.
    pub handle: String,
    /// Display name.
    pub display_name: String,
    /// Owning merchant's user id.
    pub owner_id: String,
    /// When it was claimed.
    pub created_at: String,
}

impl From<HandleProfile> for HandleView {
    fn from(p: HandleProfile) -> Self {
        Self {
            handle: p.handle.to_string(),
            display_name: p.display_name,
            owner_id: p.owner_id,
            created_at: rfc3339(p.created_at),
        }
    }
}

/// Close conditions: at least one.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ThresholdsBody {
    /// Minimum number of participants (>= 1).
    #[schema(example = 50)]
    pub min_participants: Option<i64>,
    /// Minimum total quantity (>= 1).
    #[schema(example = 100)]
    pub min_quantity: Option<i64>,
}

/// Body of `POST /v2/handles/{handle}/group-buys`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateGroupBuyRequest {
    /// `[a-z0-9-]{3,40}`, unique per handle.
    #[schema(example = "teak-lamps")]
    pub slug: String,
    /// Title, 1-200 characters.
    pub title: String,
    /// Description, up to 10000 characters.
    pub description: Option<String>,
    /// Price per unit (> 0, at most the currency's decimals).
    #[schema(value_type = f64, example = 45000.00)]
    pub unit_price: Decimal,
    /// ISO 4217 currency (default TZS).
    #[schema(example = "TZS")]
    pub currency: Option<String>,
    /// Close conditions.
    pub thresholds: ThresholdsBody,
    /// Cap on the total quantity of interest (>= minQuantity).
    pub max_quantity: Option<i64>,
    /// When interest stops (RFC 3339, in the future).
    #[schema(example = "2026-12-31T18:00:00Z")]
    pub closes_at: String,
}

/// Progress toward `minParticipants`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantsProgress {
    /// The threshold.
    pub min_participants: i64,
    /// Current participants.
    pub participants: i64,
    /// Whether it is met.
    pub met: bool,
}

/// Progress toward `minQuantity`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuantityProgress {
    /// The threshold.
    pub min_quantity: i64,
    /// Current total quantity.
    pub quantity: i64,
    /// Whether it is met.
    pub met: bool,
}

/// Progress toward every threshold.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProgressView {
    /// Toward minParticipants (null when not set).
    pub participants: Option<ParticipantsProgress>,
    /// Toward minQuantity (null when not set).
    pub quantity: Option<QuantityProgress>,
    /// Every set threshold is met (close is allowed).
    pub met: bool,
}

/// A group-buy with its live counters and threshold progress.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupBuyView {
    /// Id.
    pub id: Uuid,
    /// Owning handle.
    pub handle: String,
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Price per unit.
    #[schema(value_type = f64, example = 45000.00)]
    pub unit_price: Decimal,
    /// Currency.
    pub currency: String,
    /// Close conditions.
    pub thresholds: ThresholdsBody,
    /// Cap on total quantity.
    pub max_quantity: Option<i64>,
    /// When interest stops.
    pub closes_at: String,
    /// DRAFT, PUBLISHED, PAUSED or CLOSED.
    #[schema(example = "DRAFT")]
    pub status: String,
    /// Actions allowed from this status (publish, pause, close).
    pub allowed_actions: Vec<String>,
    /// Visitors with an interest.
    pub participants: i64,
    /// Sum of their quantities.
    pub quantity: i64,
    /// Progress toward each threshold.
    pub progress: ProgressView,
    /// Creation time.
    pub created_at: String,
    /// Last publish.
    pub published_at: Option<String>,
    /// Last pause.
    pub paused_at: Option<String>,
    /// Close.
    pub closed_at: Option<String>,
    /// Last lifecycle change.
    pub updated_at: String,
}

impl From<GroupBuy> for GroupBuyView {
    fn from(g: GroupBuy) -> Self {
        let p = g.progress();
        Self {
            id: g.id,
            handle: g.handle.to_string(),
            slug: g.slug.to_string(),
            title: g.title,
            description: g.description,
            unit_price: g.unit_price.to_decimal(),
            currency: g.unit_price.currency().code().to_owned(),
            thresholds: ThresholdsBody {
                min_participants: g.thresholds.min_participants(),
                min_quantity: g.thresholds.min_quantity(),
            },
            max_quantity: g.max_quantity,
            closes_at: rfc3339(g.closes_at),
            status: g.status.as_str().to_owned(),
            allowed_actions: g
                .status
                .allowed_actions()
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
            participants: g.participants,
            quantity: g.quantity,
            progress: ProgressView {
                participants: p.participants.map(|t| ParticipantsProgress {
                    min_participants: t.target,
                    participants: t.current,
                    met: t.met,
                }),
                quantity: p.quantity.map(|t| QuantityProgress {
                    min_quantity: t.target,
                    quantity: t.current,
                    met: t.met,
                }),
                met: p.met,
            },
            created_at: rfc3339(g.created_at),
            published_at: g.published_at.map(rfc3339),
            paused_at: g.paused_at.map(rfc3339),
            closed_at: g.closed_at.map(rfc3339),
            updated_at: rfc3339(g.updated_at),
        }
    }
}

/// Body of `PUT .../my-interest`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InterestBody {
    /// Units wanted (default 1, >= 1).
    pub quantity: Option<i64>,
    /// Note to the merchant (up to 1000 characters).
    pub note: Option<String>,
}

/// An interest.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InterestView {
    /// Id.
    pub id: Uuid,
    /// The group-buy.
    pub group_buy_id: Uuid,
    /// `user:<sub>` or `visitor:<uuid>`.
    pub visitor_id: String,
    /// Units wanted.
    pub quantity: i64,
    /// Note.
    pub note: Option<String>,
    /// First registration.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
}

impl From<Interest> for InterestView {
    fn from(i: Interest) -> Self {
        Self {
            id: i.id,
            group_buy_id: i.group_buy_id,
            visitor_id: i.visitor.as_str().to_owned(),
            quantity: i.quantity,
            note: i.note,
            created_at: rfc3339(i.created_at),
            updated_at: rfc3339(i.updated_at),
        }
    }
}

/// One audit entry.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntryView {
    /// Id.
    pub id: Uuid,
    /// `user:<sub>` or `visitor:<uuid>`.
    pub actor: String,
    /// create, publish, pause, close, interest.register, interest.update, interest.remove.
    pub action: String,
    /// Status before (null on create).
    pub before_status: Option<String>,
    /// Status after.
    pub after_status: String,
    /// X-Request-Id of the change.
    pub request_id: String,
    /// When (RFC 3339).
    pub at: String,
}

impl From<AuditEntry> for AuditEntryView {
    fn from(e: AuditEntry) -> Self {
        Self {
            id: e.id,
            actor: e.actor,
            action: e.action,
            before_status: e.before_status.map(|s| s.as_str().to_owned()),
            after_status: e.after_status.as_str().to_owned(),
            request_id: e.request_id,
            at: rfc3339(e.created_at),
        }
    }
}

/// A cursor page.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageView<T> {
    /// Items in the list's stable order.
    pub items: Vec<T>,
    /// Cursor of the next page, null on the last.
    pub next_cursor: Option<String>,
}

impl<D, T: From<D>> From<Page<D>> for PageView<T> {
    fn from(p: Page<D>) -> Self {
        Self {
            items: p.items.into_iter().map(Into::into).collect(),
            next_cursor: p.next_cursor,
        }
    }
}

/// Paging parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size, 1-100 (default 20).
    pub limit: Option<i64>,
}

/// Owner list parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only this status (DRAFT, PUBLISHED, PAUSED, CLOSED).
    pub status: Option<String>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size, 1-100 (default 20).
    pub limit: Option<i64>,
}

/// Rollup parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct RollupParams {
    /// Only this status in `items`.
    pub status: Option<String>,
    /// Only this handle.
    pub handle: Option<String>,
    /// Drafts older than this many hours are stuck (default 72).
    pub stuck_draft_hours: Option<i64>,
    /// Cursor from the previous page of `items`.
    pub cursor: Option<String>,
    /// Page size of `items`, 1-100 (default 20).
    pub limit: Option<i64>,
}

/// The campaign rollup.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RollupView {
    /// Group-buys per status (every status listed).
    #[schema(example = json!({"DRAFT": 2, "PUBLISHED": 5, "PAUSED": 0, "CLOSED": 1}))]
    pub counts_by_status: BTreeMap<String, i64>,
    /// The age in hours after which a draft counts as stuck.
    pub stuck_draft_hours: i64,
    /// Drafts older than that (oldest first, at most 100).
    pub stuck_drafts: Vec<GroupBuyView>,
    /// PUBLISHED or PAUSED group-buys whose closesAt has passed (at most 100).
    pub past_close_still_open: Vec<GroupBuyView>,
    /// The filtered group-buys with threshold progress, newest first.
    pub items: Vec<GroupBuyView>,
    /// Cursor of the next page of items.
    #[serde(rename = "next_cursor")]
    pub next_cursor: Option<String>,
}

impl RollupView {
    /// The view of a rollup computed with `stuck_draft_hours`.
    pub fn new(r: Rollup, stuck_draft_hours: i64) -> Self {
        Self {
            counts_by_status: r
                .counts_by_status
                .into_iter()
                .map(|(s, n)| (s.as_str().to_owned(), n))
                .collect(),
            stuck_draft_hours,
            stuck_drafts: r.stuck_drafts.into_iter().map(Into::into).collect(),
            past_close_still_open: r
                .past_close_still_open
                .into_iter()
                .map(Into::into)
                .collect(),
            items: r.items.items.into_iter().map(Into::into).collect(),
            next_cursor: r.items.next_cursor,
        }
    }
}

/// Body of `POST /v2/support/report`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SupportReportRequest {
    /// One line, 1-200 characters.
    pub summary: String,
    /// What happened, 1-10000 characters.
    pub details: String,
    /// Handle concerned.
    pub handle: Option<String>,
    /// Client session id.
    pub session_id: Option<String>,
    /// X-Request-Id of the failing call.
    pub request_id: Option<String>,
    /// Repro artifact (URL, run id, slug...).
    pub repro_artifact: Option<String>,
}

/// A support report.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SupportReportView {
    /// Report id.
    pub report_id: Uuid,
    /// Summary.
    pub summary: String,
    /// Details.
    pub details: String,
    /// Handle.
    pub handle: Option<String>,
    /// Session id.
    pub session_id: Option<String>,
    /// Referenced request id.
    pub request_id: Option<String>,
    /// Repro artifact.
    pub repro_artifact: Option<String>,
    /// `user:<sub>` or `anonymous`.
    pub reporter: String,
    /// X-Request-Id of the submission.
    pub submitted_request_id: String,
    /// When.
    pub created_at: String,
}

impl From<SupportReport> for SupportReportView {
    fn from(r: SupportReport) -> Self {
        Self {
            report_id: r.id,
            summary: r.fields.summary,
            details: r.fields.details,
            handle: r.fields.handle,
            session_id: r.fields.session_id,
            request_id: r.fields.request_id,
            repro_artifact: r.fields.repro_artifact,
            reporter: r.reporter,
            submitted_request_id: r.submitted_request_id,
            created_at: rfc3339(r.created_at),
        }
    }
}
