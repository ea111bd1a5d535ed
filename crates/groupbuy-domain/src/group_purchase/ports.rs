//! The storage port of group purchases: one method per use case, each one transaction;
//! every method that changes state takes the change context its events carry.

use super::checkout::{CheckoutRequest, CheckoutSession};
use super::instance::GroupStatus;
use super::views::{GroupDetail, ParticipantDetail};
use crate::error::DomainError;
use crate::platform::Answer;
use crate::platform::ChangeContext;
use crate::principal::Principal;
use time::OffsetDateTime;
use uuid::Uuid;

/// Storage of group instances, participants and checkout sessions (orders: [`crate::order::OrderStore`]).
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait GroupPurchaseStore: Send + Sync {
    /// Opens a checkout session after the same checks payment will repeat.
    ///
    /// # Errors
    /// `NotFound` for a missing product or group; `Rule` for any refusal of seed 001.
    fn create_checkout(
        &self,
        buyer: &Principal,
        request: CheckoutRequest,
        ctx: &ChangeContext,
        answer: Answer<CheckoutSession>,
    ) -> Result<CheckoutSession, DomainError>;

    /// The buyer's own session.
    ///
    /// # Errors
    /// `NotFound` when missing or not the buyer's.
    fn checkout(&self, buyer: &Principal, session_id: Uuid)
        -> Result<CheckoutSession, DomainError>;

    /// Pays a session from the wallet and creates or joins the group, in one transaction.
    ///
    /// # Errors
    /// Any refusal leaves wallet, seats and stock untouched.
    fn pay(
        &self,
        buyer: &Principal,
        session_id: Uuid,
        ctx: &ChangeContext,
        answer: Answer<CheckoutSession>,
    ) -> Result<CheckoutSession, DomainError>;

    /// OPEN, unexpired, not full groups of a product.
    ///
    /// # Errors
    /// `NotFound` (`Product not found`).
    fn available_groups(
        &self,
        product_id: Uuid,
        now: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<GroupDetail>, DomainError>;

    /// A group by id.
    ///
    /// # Errors
    /// `NotFound` (`Group not found with ID: ...`).
    fn group(&self, group_id: Uuid) -> Result<GroupDetail, DomainError>;

    /// A group by code.
    ///
    /// # Errors
    /// `NotFound` (`Group not found with code: ...`).
    fn group_by_code(&self, code: &str) -> Result<GroupDetail, DomainError>;

    /// Groups the user has taken part in, optionally of one status, newest first.
    ///
    /// # Errors
    /// Storage failures.
    fn my_groups(
        &self,
        user_id: &str,
        status: Option<GroupStatus>,
        limit: i64,
    ) -> Result<Vec<GroupDetail>, DomainError>;

    /// A product's groups, optionally of one status, newest first: for the merchant who
    /// manages its shop (the console's groups by status; the API lists only open ones).
    ///
    /// # Errors
    /// `NotFound` when the product does not exist or its shop is not the caller's.
    fn product_groups(
        &self,
        caller: &Principal,
        product_id: Uuid,
        status: Option<GroupStatus>,
        limit: i64,
    ) -> Result<Vec<GroupDetail>, DomainError>;

    /// The user's ACTIVE participations with their histories, newest first.
    ///
    /// # Errors
    /// Storage failures.
    fn my_participations(&self, user_id: &str) -> Result<Vec<ParticipantDetail>, DomainError>;

    /// Moves seats (and the money held for them) between compatible OPEN groups.
    ///
    /// # Errors
    /// The refusals of seed 001's transfer endpoint.
    fn transfer(
        &self,
        user: &Principal,
        source: Uuid,
        target: Uuid,
        quantity: i32,
        ctx: &ChangeContext,
        answer: Answer<ParticipantDetail>,
    ) -> Result<ParticipantDetail, DomainError>;

    /// Renames a group (initiator only).
    ///
    /// # Errors
    /// The refusals of seed 001's rename endpoint.
    fn rename(
        &self,
        user_id: &str,
        group_id: Uuid,
        name: &str,
        ctx: &ChangeContext,
    ) -> Result<GroupDetail, DomainError>;

    /// Soft-deletes a group, refunding its ACTIVE participants.
    ///
    /// # Errors
    /// `NotFound`; `Rule` for a completed or already deleted group.
    fn delete_group(&self, group_id: Uuid, ctx: &ChangeContext)
        -> Result<GroupDetail, DomainError>;

    /// Fails up to `batch` OPEN groups past their expiry (at `ctx.now`), refunding each
    /// exactly once; the events carry the sweep pass's request id. Returns how many it failed.
    ///
    /// # Errors
    /// Storage failures (the next sweep retries).
    fn expire_due(&self, ctx: &ChangeContext, batch: i64) -> Result<usize, DomainError>;
}
