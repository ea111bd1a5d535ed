//! The storage port of campaign pre-orders: a pledger's payment session (paid through the
//! checkout endpoint like any session), the sweep that expires unpaid ones, and the counts
//! a campaign's owner and the platform see.

use super::handle::{Handle, Slug};
use super::preorder::Preorder;
use crate::error::DomainError;
use crate::platform::{Answer, ChangeContext};
use crate::principal::Principal;
use time::OffsetDateTime;
use uuid::Uuid;

/// How a campaign's pre-order sessions stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PreorderCounts {
    /// Sessions opened (one per signed-in pledge).
    pub pledged: i64,
    /// Of those, still payable.
    pub pending: i64,
    /// Paid: orders of the handle.
    pub paid: i64,
    /// Let expire unpaid.
    pub expired: i64,
}

/// Storage of pre-order sessions.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait PreorderStore: Send + Sync {
    /// Pays the buyer's session from their wallet, in one transaction: the session PAID,
    /// the debit, the order of the campaign's handle, its settlement into the handle's
    /// merchant balance less the platform's commission, and `order.created`. A retry of a
    /// paid session answers with it and debits nothing.
    ///
    /// # Errors
    /// `NotFound` when missing or another user's; `Conflict` (`preorder-expired`) past its
    /// window; the wallet's refusal when the balance does not cover it.
    fn pay_preorder(
        &self,
        buyer: &Principal,
        session_id: Uuid,
        ctx: &ChangeContext,
        answer: Answer<Preorder>,
    ) -> Result<Preorder, DomainError>;

    /// The buyer's own session.
    ///
    /// # Errors
    /// `NotFound` when missing or another user's.
    fn preorder(&self, user_id: &str, session_id: Uuid) -> Result<Preorder, DomainError>;

    /// The user's session of a campaign, if its close opened one for them.
    ///
    /// # Errors
    /// `NotFound` when the campaign is not public.
    fn my_preorder(
        &self,
        handle: &Handle,
        slug: &Slug,
        user_id: &str,
    ) -> Result<Option<Preorder>, DomainError>;

    /// Expires up to `batch` unpaid sessions past their window at `now`; how many.
    ///
    /// # Errors
    /// Storage failures.
    fn expire_preorders(&self, now: OffsetDateTime, batch: i64) -> Result<usize, DomainError>;

    /// A campaign's sessions by status, for its handle's manager.
    ///
    /// # Errors
    /// `NotFound` when the handle or campaign is missing or not the caller's.
    fn preorder_counts(
        &self,
        caller: &Principal,
        handle: &Handle,
        slug: &Slug,
    ) -> Result<PreorderCounts, DomainError>;
}
