//! Bodies of the platform-admin rollup and support-report routes.

use super::dto::GroupBuyView;
use crate::envelope::rfc3339;
use groupbuy_domain::campaign::{Rollup, SupportReport};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Rollup parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct RollupParams {
    /// Only this status in `items`.
    #[param(value_type = Option<crate::openapi::enums::GroupBuyStatus>)]
    pub status: Option<String>,
    /// Only this handle.
    #[param(pattern = "^[a-z0-9-]{3,40}$")]
    pub handle: Option<String>,
    /// Drafts older than this many hours are stuck (default 72).
    #[param(minimum = 0, maximum = 87600)]
    pub stuck_draft_hours: Option<i64>,
    /// Cursor from the previous page of `items`.
    #[param(pattern = "^[0-9]{0,18}$")]
    #[serde(default, deserialize_with = "crate::platform::extract::cursor")]
    pub cursor: Option<String>,
    /// Page size of `items`, 1-100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// The campaign rollup.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RollupView {
    /// Group-buys per status (every status listed).
    #[schema(value_type = crate::openapi::enums::GroupBuyStatusCounts)]
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
    /// Pre-order sessions of the scoped campaigns: pledged, pending, paid, expired.
    pub preorders: super::preorder_dto::PreorderCountsView,
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
            preorders: r.preorders.into(),
        }
    }
}

/// Body of `POST /v2/support/report`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SupportReportRequest {
    /// One line, 1-200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub summary: String,
    /// What happened, 1-10000 characters.
    #[schema(min_length = 1, max_length = 10000, pattern = r"\S")]
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
    /// One-line summary, trimmed, 1 to 200 characters.
    pub summary: String,
    /// What happened, trimmed, 1 to 10000 characters.
    pub details: String,
    /// The handle the reporter named, as given (up to 200 characters); null when none.
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
    /// When it was submitted (RFC 3339, UTC).
    #[schema(format = DateTime)]
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

crate::payload!(RollupView, SupportReportView);
