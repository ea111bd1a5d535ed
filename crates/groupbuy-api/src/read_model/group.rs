//! Group purchases through the read model: a group's detail by code (and by id once its
//! code is known), and the writes that drop what they changed.

use super::cache::Cached;
use super::{ReadModel, View};
use groupbuy_domain::group_purchase::{
    CheckoutRequest, CheckoutSession, GroupDetail, GroupPurchaseStore, GroupStatus,
    ParticipantDetail,
};
use groupbuy_domain::platform::{Answer, ChangeContext};
use groupbuy_domain::principal::Principal;
use groupbuy_domain::DomainError;
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

impl Cached for GroupDetail {
    fn has_key(&self, key: &str) -> bool {
        self.group.code.as_str() == key
    }

    fn id(&self) -> Uuid {
        self.group.id
    }

    fn is_public(&self) -> bool {
        // A group's detail is shown to every signed-in reader, whatever its status.
        true
    }
}

/// The group purchase port with its reads served by the [`ReadModel`]; every other call
/// goes to the store, and those that change a group drop it on return (read-your-writes).
pub struct CachedGroups {
    inner: Arc<dyn GroupPurchaseStore>,
    model: Arc<ReadModel>,
}

impl CachedGroups {
    /// `inner`'s group reads served by `model`.
    pub fn new(inner: Arc<dyn GroupPurchaseStore>, model: Arc<ReadModel>) -> Self {
        Self { inner, model }
    }

    /// The group `id` when memory holds it (no store read): answered on the async executor,
    /// `None` sends the caller to [`Self::view`] on the blocking pool.
    pub fn cached(&self, id: Uuid) -> Option<View<GroupDetail>> {
        self.model.groups.peek_by_id(id)
    }

    /// The group `code` when memory holds it (see [`Self::cached`]).
    pub fn cached_by_code(&self, code: &str) -> Option<View<GroupDetail>> {
        self.model.groups.peek(code)
    }

    /// The group `id` with its version (see the shared cache's `get_by_id`).
    ///
    /// # Errors
    /// The store's.
    pub fn view(&self, id: Uuid) -> Result<View<GroupDetail>, DomainError> {
        self.model.groups.get_by_id(
            id,
            |d| d.group.code.as_str().to_owned(),
            || self.inner.group(id),
        )
    }

    /// The group `code` with its version.
    ///
    /// # Errors
    /// The store's.
    pub fn view_by_code(&self, code: &str) -> Result<View<GroupDetail>, DomainError> {
        self.model
            .groups
            .get(code, || self.inner.group_by_code(code))
    }
}

impl GroupPurchaseStore for CachedGroups {
    fn create_checkout(
        &self,
        buyer: &Principal,
        request: CheckoutRequest,
        ctx: &ChangeContext,
        answer: Answer<CheckoutSession>,
    ) -> Result<CheckoutSession, DomainError> {
        // Opening a session changes no group (seats are taken at payment).
        self.inner.create_checkout(buyer, request, ctx, answer)
    }

    fn checkout(
        &self,
        buyer: &Principal,
        session_id: Uuid,
    ) -> Result<CheckoutSession, DomainError> {
        self.inner.checkout(buyer, session_id)
    }

    fn pay(
        &self,
        buyer: &Principal,
        session_id: Uuid,
        ctx: &ChangeContext,
        answer: Answer<CheckoutSession>,
    ) -> Result<CheckoutSession, DomainError> {
        let paid = self.inner.pay(buyer, session_id, ctx, answer)?;
        if let Some(code) = &paid.group_code {
            self.model.groups.forget(code);
        } else if let Some(id) = paid.group_instance_id {
            self.model.groups.forget_id(id);
        }
        Ok(paid)
    }

    fn available_groups(
        &self,
        product_id: Uuid,
        now: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<GroupDetail>, DomainError> {
        self.inner.available_groups(product_id, now, limit)
    }

    fn group(&self, group_id: Uuid) -> Result<GroupDetail, DomainError> {
        self.view(group_id).map(|v| Arc::unwrap_or_clone(v.data))
    }

    fn group_by_code(&self, code: &str) -> Result<GroupDetail, DomainError> {
        self.view_by_code(code)
            .map(|v| Arc::unwrap_or_clone(v.data))
    }

    fn my_groups(
        &self,
        user_id: &str,
        status: Option<GroupStatus>,
        limit: i64,
    ) -> Result<Vec<GroupDetail>, DomainError> {
        self.inner.my_groups(user_id, status, limit)
    }

    fn product_groups(
        &self,
        caller: &Principal,
        product_id: Uuid,
        status: Option<GroupStatus>,
        limit: i64,
    ) -> Result<Vec<GroupDetail>, DomainError> {
        self.inner.product_groups(caller, product_id, status, limit)
    }

    fn my_participations(&self, user_id: &str) -> Result<Vec<ParticipantDetail>, DomainError> {
        self.inner.my_participations(user_id)
    }

    fn transfer(
        &self,
        user: &Principal,
        source: Uuid,
        target: Uuid,
        quantity: i32,
        ctx: &ChangeContext,
        answer: Answer<ParticipantDetail>,
    ) -> Result<ParticipantDetail, DomainError> {
        let moved = self
            .inner
            .transfer(user, source, target, quantity, ctx, answer)?;
        self.model.groups.forget_id(source);
        self.model.groups.forget_id(target);
        Ok(moved)
    }

    fn rename(
        &self,
        user_id: &str,
        group_id: Uuid,
        name: &str,
        ctx: &ChangeContext,
    ) -> Result<GroupDetail, DomainError> {
        let renamed = self.inner.rename(user_id, group_id, name, ctx)?;
        self.model.groups.forget(renamed.group.code.as_str());
        Ok(renamed)
    }

    fn delete_group(
        &self,
        group_id: Uuid,
        ctx: &ChangeContext,
    ) -> Result<GroupDetail, DomainError> {
        let deleted = self.inner.delete_group(group_id, ctx)?;
        self.model.groups.forget(deleted.group.code.as_str());
        Ok(deleted)
    }

    fn expire_due(&self, ctx: &ChangeContext, batch: i64) -> Result<usize, DomainError> {
        // A sweep has no caller to read its own write; its changes are announced.
        self.inner.expire_due(ctx, batch)
    }
}
