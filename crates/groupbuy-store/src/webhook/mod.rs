//! Webhook endpoints and the delivery of outbox events to them.

mod claim;
mod deliveries;
mod endpoints;
mod outbox;
mod rows;
pub(crate) mod schema;
#[cfg(test)]
mod tests;
mod worker;

pub(crate) use outbox::due_backlog;

use crate::db::Database;
use crate::platform::paging::parse_cursor;
use groupbuy_domain::page::clamp_limit;
use groupbuy_domain::webhook::{
    Delivery, DeliveryAttempt, DeliveryState, DueDelivery, EndpointDraft, EndpointPatch,
    OutboxBacklog, WebhookEndpoint, WebhookStore,
};
use groupbuy_domain::{DomainError, Page, Principal};
use time::{Duration, OffsetDateTime};

impl WebhookStore for Database {
    fn create_endpoint(
        &self,
        owner: &Principal,
        draft: EndpointDraft,
        secret: &str,
        now: OffsetDateTime,
    ) -> Result<WebhookEndpoint, DomainError> {
        self.write(|c| endpoints::create(c, owner, draft, secret, now))
    }

    fn endpoints(
        &self,
        caller: &Principal,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<WebhookEndpoint>, DomainError> {
        let before = parse_cursor(cursor)?;
        let limit = clamp_limit(Some(limit));
        self.read(|c| endpoints::list(c, caller, before, limit))
    }

    fn endpoint(&self, caller: &Principal, id: &str) -> Result<WebhookEndpoint, DomainError> {
        self.read(|c| endpoints::visible(c, caller, id))
    }

    fn update_endpoint(
        &self,
        caller: &Principal,
        id: &str,
        patch: EndpointPatch,
        now: OffsetDateTime,
    ) -> Result<WebhookEndpoint, DomainError> {
        self.write(|c| endpoints::update(c, caller, id, patch, now))
    }

    fn delete_endpoint(
        &self,
        caller: &Principal,
        id: &str,
    ) -> Result<WebhookEndpoint, DomainError> {
        self.write(|c| endpoints::delete(c, caller, id))
    }

    fn rotate_secret(
        &self,
        caller: &Principal,
        id: &str,
        secret: &str,
        overlap_until: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<WebhookEndpoint, DomainError> {
        self.write(|c| endpoints::rotate(c, caller, id, secret, overlap_until, now))
    }

    fn send_test(
        &self,
        caller: &Principal,
        id: &str,
        request_id: &str,
        now: OffsetDateTime,
    ) -> Result<Delivery, DomainError> {
        self.write(|c| deliveries::send_test(c, caller, id, request_id, now))
    }

    fn deliveries(
        &self,
        caller: &Principal,
        endpoint_id: &str,
        state: Option<DeliveryState>,
        cursor: Option<String>,
        limit: i64,
    ) -> Result<Page<Delivery>, DomainError> {
        let before = parse_cursor(cursor)?;
        let limit = clamp_limit(Some(limit));
        self.read(|c| deliveries::list(c, caller, endpoint_id, state, before, limit))
    }

    fn replay(
        &self,
        caller: &Principal,
        endpoint_id: &str,
        since: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<u64, DomainError> {
        self.write(|c| deliveries::replay(c, caller, endpoint_id, since, now))
    }

    fn retry_delivery(
        &self,
        caller: &Principal,
        delivery_id: &str,
        now: OffsetDateTime,
    ) -> Result<Delivery, DomainError> {
        self.write(|c| deliveries::retry(c, caller, delivery_id, now))
    }

    fn dispatch(&self, now: OffsetDateTime, limit: i64) -> Result<usize, DomainError> {
        self.write(|c| worker::dispatch(c, now, limit))
    }

    fn claim_due(
        &self,
        now: OffsetDateTime,
        limit: i64,
        lease: Duration,
    ) -> Result<Vec<DueDelivery>, DomainError> {
        self.write(|c| claim::claim_due(c, now, limit, lease))
    }

    fn record_attempt(
        &self,
        due: &DueDelivery,
        attempt: DeliveryAttempt,
        state: DeliveryState,
        next_attempt_at: Option<OffsetDateTime>,
        disable: Option<String>,
    ) -> Result<(), DomainError> {
        self.write(|c| worker::record_attempt(c, due, &attempt, state, next_attempt_at, disable))
    }

    fn outbox_backlog(&self, top: i64) -> Result<OutboxBacklog, DomainError> {
        self.read(|c| outbox::outbox_backlog(c, top))
    }
}
