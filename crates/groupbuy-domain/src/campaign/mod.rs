//! Campaigns behind seed 000 (`/v2`): handles, group-buys with a lifecycle and
//! thresholds, visitors' interest, the admin rollup, audit entries and support reports.

mod audit;
mod draft;
mod events;
mod group_buy;
mod handle;
mod interest;
mod ports;
mod preorder;
mod preorder_payment;
mod preorder_ports;
mod refusal;
mod rollup;
mod support;

pub use audit::{AuditAction, AuditEntry, ChangeContext};
pub use draft::{GroupBuyDraft, GroupBuyEdit, GroupBuyFields};
pub use events::campaign_subject;
pub use group_buy::{
    stored_thresholds, Action, GroupBuy, GroupBuyStatus, Progress, ThresholdProgress, Thresholds,
};
pub use handle::{Handle, HandleDraft, HandleProfile, Slug};
pub use interest::{Interest, InterestOutcome, InterestRequest, VisitorId};
pub use ports::CampaignStore;
#[cfg(feature = "mock")]
pub use ports::MockCampaignStore;
pub use preorder::{
    open_preorders, Preorder, PreorderStatus, PreorderTerms, PreordersOpened,
    MAX_PAYMENT_WINDOW_HOURS,
};
pub use preorder_payment::{preorder_reference, PreorderPayment};
#[cfg(feature = "mock")]
pub use preorder_ports::MockPreorderStore;
pub use preorder_ports::{PreorderCounts, PreorderStore};
pub use refusal::{group_buy_not_found, handle_not_found, interest_not_found, CampaignRefusal};
pub use rollup::{
    is_past_close_still_open, is_stuck_draft, Rollup, RollupQuery, DEFAULT_STUCK_DRAFT_HOURS,
};
pub use support::{SupportReport, SupportReportDraft, SupportReportFields};
