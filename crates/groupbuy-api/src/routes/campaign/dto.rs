//! Request and response bodies of the campaign routes (JSON camelCase).

use crate::envelope::rfc3339;
use groupbuy_domain::campaign::{AuditEntry, GroupBuy, HandleProfile, Interest};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Body of `POST /v2/handles`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateHandleRequest {
    /// `[a-z0-9-]{3,40}`, unique.
    #[schema(example = "gharart", pattern = "^[a-z0-9-]{3,40}$")]
    pub handle: String,
    /// Display name, 1-120 characters.
    #[schema(
        example = "Gharart Decor",
        min_length = 1,
        max_length = 120,
        pattern = r"\S"
    )]
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
    #[schema(format = DateTime)]
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
    #[schema(example = 50, minimum = 1)]
    pub min_participants: Option<i64>,
    /// Minimum total quantity (>= 1).
    #[schema(example = 100, minimum = 1)]
    pub min_quantity: Option<i64>,
}

/// Body of `POST /v2/handles/{handle}/group-buys`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateGroupBuyRequest {
    /// `[a-z0-9-]{3,40}`, unique per handle.
    #[schema(example = "teak-lamps", pattern = "^[a-z0-9-]{3,40}$")]
    pub slug: String,
    /// Title, 1-200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    /// Description, up to 10000 characters.
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// Price per unit (> 0, at most the currency's decimals).
    #[schema(value_type = crate::openapi::scalars::PositiveMoney)]
    #[serde(deserialize_with = "crate::platform::extract::json_number")]
    pub unit_price: Decimal,
    /// ISO 4217 currency (default TZS).
    #[schema(value_type = Option<crate::openapi::enums::Currency>, example = "TZS")]
    pub currency: Option<String>,
    /// Close conditions.
    pub thresholds: ThresholdsBody,
    /// Cap on the total quantity of interest (>= minQuantity).
    #[schema(minimum = 1)]
    pub max_quantity: Option<i64>,
    /// When interest stops (RFC 3339, in the future).
    #[schema(example = "2026-12-31T18:00:00Z", format = DateTime)]
    pub closes_at: String,
    /// Pre-order terms (optional): signed-in interest becomes a pledge that closing turns
    /// into a payment session. Without them the campaign collects interest only.
    pub preorder: Option<super::preorder_dto::PreorderTermsBody>,
}

/// Close conditions of an edit: each absent field is kept, null removes it (at least one
/// must remain).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ThresholdsPatch {
    /// New minimum participants (>= 1), or null for none.
    #[serde(default, deserialize_with = "crate::platform::extract::nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub min_participants: Option<Option<i64>>,
    /// New minimum total quantity (>= 1), or null for none.
    #[serde(default, deserialize_with = "crate::platform::extract::nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub min_quantity: Option<Option<i64>>,
}

/// Body of `PATCH /v2/handles/{handle}/group-buys/{groupBuySlug}`: only the fields to
/// change, of a DRAFT; the result is validated as a new group-buy is.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EditGroupBuyRequest {
    /// New title, 1-200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: Option<String>,
    /// New description, up to 10000 characters.
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// New price per unit (> 0, at most the currency's decimals).
    #[serde(
        default,
        deserialize_with = "crate::platform::extract::optional_json_number"
    )]
    #[schema(value_type = Option<crate::openapi::scalars::PositiveMoney>)]
    pub unit_price: Option<Decimal>,
    /// New ISO 4217 currency of the unit price.
    #[schema(value_type = Option<crate::openapi::enums::Currency>, example = "TZS")]
    pub currency: Option<String>,
    /// Close conditions to change.
    pub thresholds: Option<ThresholdsPatch>,
    /// New cap on the total quantity (>= minQuantity), or null for none.
    #[serde(default, deserialize_with = "crate::platform::extract::nullable")]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub max_quantity: Option<Option<i64>>,
    /// New close time (RFC 3339, in the future).
    #[schema(example = "2026-12-31T18:00:00Z", format = DateTime)]
    pub closes_at: Option<String>,
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
    /// Random UUID given at creation; URLs address a group-buy by handle and slug instead.
    pub id: Uuid,
    /// Owning handle.
    pub handle: String,
    /// URL name: 3 to 40 characters of a-z, 0-9 and -, unique under its handle.
    pub slug: String,
    /// Trimmed title, 1 to 200 characters.
    pub title: String,
    /// Free text up to 10000 characters; empty when none was given.
    pub description: String,
    /// Price per unit.
    #[schema(value_type = crate::openapi::scalars::Money)]
    pub unit_price: Decimal,
    /// ISO 4217 code of the unit price; TZS when the creator named none.
    #[schema(value_type = crate::openapi::enums::Currency)]
    pub currency: String,
    /// Close conditions.
    pub thresholds: ThresholdsBody,
    /// Cap on total quantity.
    pub max_quantity: Option<i64>,
    /// When interest stops.
    #[schema(format = DateTime)]
    pub closes_at: String,
    /// DRAFT, PUBLISHED, PAUSED or CLOSED.
    #[schema(value_type = crate::openapi::enums::GroupBuyStatus)]
    pub status: String,
    /// Actions allowed from this status (publish, pause, close).
    #[schema(value_type = Vec<crate::openapi::enums::GroupBuyAction>)]
    pub allowed_actions: Vec<String>,
    /// Visitors with an interest.
    pub participants: i64,
    /// Sum of their quantities.
    pub quantity: i64,
    /// Progress toward each threshold.
    pub progress: ProgressView,
    /// Creation time.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last publish.
    #[schema(format = DateTime)]
    pub published_at: Option<String>,
    /// Last pause.
    #[schema(format = DateTime)]
    pub paused_at: Option<String>,
    /// When it was closed; null until CLOSED.
    #[schema(format = DateTime)]
    pub closed_at: Option<String>,
    /// Last lifecycle change.
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Pre-order terms; null for a campaign that collects interest only.
    pub preorder: Option<super::preorder_dto::PreorderTermsBody>,
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
            preorder: g.preorder.map(Into::into),
        }
    }
}

/// Body of `PUT .../my-interest`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InterestBody {
    /// Units wanted (default 1, >= 1).
    #[schema(minimum = 1, maximum = 1000000)]
    pub quantity: Option<i64>,
    /// Note to the merchant (up to 1000 characters).
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// An interest.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InterestView {
    /// Random UUID given on first registration; kept when the interest is updated.
    pub id: Uuid,
    /// The group-buy.
    pub group_buy_id: Uuid,
    /// `user:<sub>` or `visitor:<uuid>`.
    pub visitor_id: String,
    /// Units wanted.
    pub quantity: i64,
    /// The visitor's note to the merchant, trimmed, up to 1000 characters; null when none.
    pub note: Option<String>,
    /// First registration.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last change.
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// The payment session its campaign's close opened for this pledge (pre-order
    /// campaigns, signed-in visitors); null before the close or for anyone else.
    pub preorder: Option<super::preorder_dto::PreorderSessionView>,
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
            preorder: None,
        }
    }
}

/// One audit entry.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntryView {
    /// The entry's id in the shared audit trail, without its `aud_` prefix.
    pub id: Uuid,
    /// `user:<sub>` or `visitor:<uuid>`.
    pub actor: String,
    /// create, publish, pause, close, interest.register, interest.update, interest.remove.
    #[schema(value_type = crate::openapi::enums::AuditAction)]
    pub action: String,
    /// Status before (null on create).
    #[schema(value_type = Option<crate::openapi::enums::GroupBuyStatus>)]
    pub before_status: Option<String>,
    /// Status after.
    #[schema(value_type = crate::openapi::enums::GroupBuyStatus)]
    pub after_status: String,
    /// X-Request-Id of the change.
    pub request_id: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
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

pub use crate::envelope::PageView;

/// Owner list parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only this status (DRAFT, PUBLISHED, PAUSED, CLOSED).
    #[param(value_type = Option<crate::openapi::enums::GroupBuyStatus>)]
    pub status: Option<String>,
    /// Cursor from the previous page.
    #[param(pattern = "^[0-9]{0,18}$")]
    #[serde(default, deserialize_with = "crate::platform::extract::cursor")]
    pub cursor: Option<String>,
    /// Page size, 1-100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

crate::payload!(HandleView, GroupBuyView, InterestView, AuditEntryView);
