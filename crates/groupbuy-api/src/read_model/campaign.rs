//! Campaigns through the read model: a campaign's public view by `<handle>/<slug>` (the
//! live topic's name, so its announcement drops it), and the writes that drop what they
//! changed. A DRAFT is never kept: the store does not answer one publicly, and the cache
//! refuses one anyway. The owner's reads, listings, interests and audit go to the store.

use super::cache::Cached;
use super::{ReadModel, View};
use groupbuy_domain::campaign::{
    Action, AuditEntry, CampaignStore, ChangeContext, GroupBuy, GroupBuyDraft, GroupBuyEdit,
    GroupBuyStatus, Handle, HandleDraft, HandleProfile, Interest, InterestOutcome, InterestRequest,
    Rollup, RollupQuery, Slug, SupportReport, SupportReportDraft, VisitorId,
};
use groupbuy_domain::page::Page;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::principal::Principal;
use groupbuy_domain::DomainError;
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

/// A campaign's key: its live topic's name.
fn key(handle: &Handle, slug: &Slug) -> String {
    format!("{handle}/{slug}")
}

impl Cached for GroupBuy {
    fn has_key(&self, key: &str) -> bool {
        key.split_once('/')
            .is_some_and(|(h, s)| h == self.handle.as_str() && s == self.slug.as_str())
    }

    fn id(&self) -> Uuid {
        self.id
    }

    fn is_public(&self) -> bool {
        self.status.is_public()
    }
}

/// The campaign port with its public read served by the [`ReadModel`]; every other call
/// goes to the store, and those that change a campaign drop it on return
/// (read-your-writes).
pub struct CachedCampaigns {
    inner: Arc<dyn CampaignStore>,
    model: Arc<ReadModel>,
}

impl CachedCampaigns {
    /// `inner`'s public campaign reads served by `model`.
    pub fn new(inner: Arc<dyn CampaignStore>, model: Arc<ReadModel>) -> Self {
        Self { inner, model }
    }

    /// The public campaign `handle/slug` when memory holds it (no store read): answered on
    /// the async executor, `None` sends the caller to [`Self::view`] on the blocking pool.
    pub fn cached(&self, handle: &Handle, slug: &Slug) -> Option<View<GroupBuy>> {
        self.model.campaigns.peek(&key(handle, slug))
    }

    /// The public campaign `handle/slug` with its version.
    ///
    /// # Errors
    /// The store's (`NotFound` for a missing or DRAFT one).
    pub fn view(&self, handle: &Handle, slug: &Slug) -> Result<View<GroupBuy>, DomainError> {
        self.model.campaigns.get(&key(handle, slug), || {
            self.inner.public_group_buy(handle, slug)
        })
    }

    /// Drops `handle/slug` once `result` says the change happened.
    fn changed<T>(
        &self,
        handle: &Handle,
        slug: &Slug,
        result: Result<T, DomainError>,
    ) -> Result<T, DomainError> {
        if result.is_ok() {
            self.model.campaigns.forget(&key(handle, slug));
        }
        result
    }
}

impl CampaignStore for CachedCampaigns {
    fn create_handle(
        &self,
        owner: &Principal,
        draft: HandleDraft,
        now: OffsetDateTime,
        answer: Answer<HandleProfile>,
    ) -> Result<HandleProfile, DomainError> {
        self.inner.create_handle(owner, draft, now, answer)
    }

    fn handle(&self, handle: &Handle) -> Result<HandleProfile, DomainError> {
        self.inner.handle(handle)
    }

    fn owned_handles(&self, owner: &Principal) -> Result<Vec<HandleProfile>, DomainError> {
        self.inner.owned_handles(owner)
    }

    fn create_group_buy(
        &self,
        caller: &Principal,
        handle: &Handle,
        draft: GroupBuyDraft,
        ctx: &ChangeContext,
        answer: Answer<GroupBuy>,
    ) -> Result<GroupBuy, DomainError> {
        // A new campaign is a DRAFT: nothing public to drop.
        self.inner
            .create_group_buy(caller, handle, draft, ctx, answer)
    }

    fn edit_draft(
        &self,
        caller: &Principal,
        handle: &Handle,
        slug: &Slug,
        edit: GroupBuyEdit,
        ctx: &ChangeContext,
        answer: Answer<GroupBuy>,
    ) -> Result<GroupBuy, DomainError> {
        let edited = self
            .inner
            .edit_draft(caller, handle, slug, edit, ctx, answer);
        self.changed(handle, slug, edited)
    }

    fn group_buys(
        &self,
        caller: &Principal,
        handle: &Handle,
        status: Option<GroupBuyStatus>,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<GroupBuy>, DomainError> {
        self.inner.group_buys(caller, handle, status, cursor, limit)
    }

    fn group_buy(
        &self,
        caller: &Principal,
        handle: &Handle,
        slug: &Slug,
    ) -> Result<GroupBuy, DomainError> {
        // The owner's read shows drafts: never from the public cache.
        self.inner.group_buy(caller, handle, slug)
    }

    fn interests(
        &self,
        caller: &Principal,
        handle: &Handle,
        slug: &Slug,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<Interest>, DomainError> {
        self.inner.interests(caller, handle, slug, cursor, limit)
    }

    fn transition(
        &self,
        caller: &Principal,
        handle: &Handle,
        slug: &Slug,
        action: Action,
        ctx: &ChangeContext,
        answer: Answer<GroupBuy>,
    ) -> Result<GroupBuy, DomainError> {
        let moved = self
            .inner
            .transition(caller, handle, slug, action, ctx, answer);
        self.changed(handle, slug, moved)
    }

    fn audit(
        &self,
        caller: &Principal,
        handle: &Handle,
        slug: &Slug,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<AuditEntry>, DomainError> {
        self.inner.audit(caller, handle, slug, cursor, limit)
    }

    fn public_group_buys(
        &self,
        handle: &Handle,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<GroupBuy>, DomainError> {
        self.inner.public_group_buys(handle, cursor, limit)
    }

    fn public_group_buy(&self, handle: &Handle, slug: &Slug) -> Result<GroupBuy, DomainError> {
        self.view(handle, slug)
            .map(|v| Arc::unwrap_or_clone(v.data))
    }

    fn put_interest(
        &self,
        handle: &Handle,
        slug: &Slug,
        visitor: &VisitorId,
        request: InterestRequest,
        ctx: &ChangeContext,
    ) -> Result<InterestOutcome, DomainError> {
        let put = self.inner.put_interest(handle, slug, visitor, request, ctx);
        self.changed(handle, slug, put)
    }

    fn my_interest(
        &self,
        handle: &Handle,
        slug: &Slug,
        visitor: &VisitorId,
    ) -> Result<Interest, DomainError> {
        // One visitor's: never cached.
        self.inner.my_interest(handle, slug, visitor)
    }

    fn remove_interest(
        &self,
        handle: &Handle,
        slug: &Slug,
        visitor: &VisitorId,
        ctx: &ChangeContext,
    ) -> Result<bool, DomainError> {
        let removed = self.inner.remove_interest(handle, slug, visitor, ctx);
        self.changed(handle, slug, removed)
    }

    fn rollup(&self, query: RollupQuery, now: OffsetDateTime) -> Result<Rollup, DomainError> {
        self.inner.rollup(query, now)
    }

    fn submit_support_report(
        &self,
        draft: SupportReportDraft,
        reporter: &str,
        client_ip: &str,
        request_id: &str,
        now: OffsetDateTime,
    ) -> Result<SupportReport, DomainError> {
        self.inner
            .submit_support_report(draft, reporter, client_ip, request_id, now)
    }

    fn support_reports(
        &self,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<SupportReport>, DomainError> {
        self.inner.support_reports(cursor, limit)
    }
}
