//! Group purchases on both backends: checkout and payment, seats, transfers,
//! completion, expiry and the read models.

mod batch;
mod checkout;
pub(crate) use checkout::session_not_found;
mod details;
mod emit;
mod json_rows;
mod lifecycle;
mod reads;
mod refunds;
mod rows;
mod seats;
mod transfer;

pub(crate) use batch::JoinBatches;

#[cfg(test)]
pub(crate) mod tests;

use crate::db::Database;
use groupbuy_domain::group_purchase::{
    CheckoutRequest, CheckoutSession, CheckoutStatus, GroupDetail, GroupPurchaseStore, GroupStatus,
    ParticipantDetail,
};
use groupbuy_domain::page::MAX_LIMIT;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::platform::ChangeContext;
use groupbuy_domain::{DomainError, Principal};
use time::OffsetDateTime;
use uuid::Uuid;

impl GroupPurchaseStore for Database {
    fn create_checkout(
        &self,
        buyer: &Principal,
        request: CheckoutRequest,
        ctx: &ChangeContext,
        answer: Answer<CheckoutSession>,
    ) -> Result<CheckoutSession, DomainError> {
        // PostgreSQL, no key to answer: the reads and the INSERT on one connection, the
        // INSERT its own transaction (one statement needs no BEGIN and COMMIT of its own).
        if self.backend() == crate::Backend::Postgres && !answer.is_keyed() {
            let session = self.query(|conn| {
                let session = checkout::prepare(conn, buyer, request, ctx.now)?;
                checkout::insert(conn, session)
            })?;
            if let Some(group_id) = session.group_instance_id {
                self.joins().routes.remember(session.id, group_id);
            }
            return Ok(session);
        }
        let session = self.query(|conn| checkout::prepare(conn, buyer, request, ctx.now))?;
        self.write_answered(answer, move |conn| checkout::insert(conn, session))
    }

    fn checkout(
        &self,
        buyer: &Principal,
        session_id: Uuid,
    ) -> Result<CheckoutSession, DomainError> {
        self.read(|conn| checkout::load_session(conn, &buyer.user_id, session_id))
    }

    fn pay(
        &self,
        buyer: &Principal,
        session_id: Uuid,
        ctx: &ChangeContext,
        answer: Answer<CheckoutSession>,
    ) -> Result<CheckoutSession, DomainError> {
        // SQLite: the writer runs every payment on its thread and commits consecutive ones
        // together (`db/writer.rs`), so there is nothing to batch here.
        // PostgreSQL: a session that joins an existing group pays in that group's next
        // batch; one that opens a group (or was paid already) has nothing to share a lock
        // with. A session created here says which group without a read (the batch reads
        // it under the group's lock, and refuses it there if it is not the buyer's).
        if let Some(group_id) = self.joins().routes.take(session_id) {
            return self
                .joins()
                .pay(self, group_id, buyer, session_id, ctx, answer);
        }
        if self.backend() == crate::Backend::Sqlite {
            return self.write_retrying_answered(answer, |conn| {
                checkout::pay(conn, buyer, session_id, ctx, self.default_commission())
            });
        }
        let session =
            self.query(|conn| checkout::load_session(conn, &buyer.user_id, session_id))?;
        match session.group_instance_id {
            Some(group_id) if session.status == CheckoutStatus::PendingPayment => self
                .joins()
                .pay(self, group_id, buyer, session_id, ctx, answer),
            _ => self.write_retrying_answered(answer, |conn| {
                checkout::pay(conn, buyer, session_id, ctx, self.default_commission())
            }),
        }
    }

    fn available_groups(
        &self,
        product_id: Uuid,
        now: OffsetDateTime,
        limit: i64,
    ) -> Result<Vec<GroupDetail>, DomainError> {
        let limit = limit.clamp(1, MAX_LIMIT);
        self.query_lagging(|conn| reads::available(conn, product_id, now, limit))
    }

    fn group(&self, group_id: Uuid) -> Result<GroupDetail, DomainError> {
        // One query (the database aggregates the participants): one snapshot by itself.
        // Public; the API keeps a caller who just wrote on the primary.
        self.query_lagging(|conn| reads::by_id(conn, group_id))
    }

    fn group_by_code(&self, code: &str) -> Result<GroupDetail, DomainError> {
        self.query_lagging(|conn| reads::by_code(conn, code))
    }

    fn my_groups(
        &self,
        user_id: &str,
        status: Option<GroupStatus>,
        limit: i64,
    ) -> Result<Vec<GroupDetail>, DomainError> {
        let limit = limit.clamp(1, MAX_LIMIT);
        self.query(|conn| reads::my_groups(conn, user_id, status, limit))
    }

    fn product_groups(
        &self,
        caller: &Principal,
        product_id: Uuid,
        status: Option<GroupStatus>,
        limit: i64,
    ) -> Result<Vec<GroupDetail>, DomainError> {
        let limit = limit.clamp(1, MAX_LIMIT);
        self.read_lagging(|conn| reads::product_groups(conn, caller, product_id, status, limit))
    }

    fn my_participations(&self, user_id: &str) -> Result<Vec<ParticipantDetail>, DomainError> {
        self.query(|conn| reads::my_participations(conn, user_id))
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
        self.write_retrying_answered(answer, |conn| {
            let default = self.default_commission();
            transfer::transfer(conn, user, (source, target), quantity, ctx, default)
        })
    }

    fn rename(
        &self,
        user_id: &str,
        group_id: Uuid,
        name: &str,
        ctx: &ChangeContext,
    ) -> Result<GroupDetail, DomainError> {
        self.write(|conn| lifecycle::rename(conn, user_id, group_id, name, ctx.now))
    }

    fn delete_group(
        &self,
        group_id: Uuid,
        ctx: &ChangeContext,
    ) -> Result<GroupDetail, DomainError> {
        self.write_retrying(|conn| lifecycle::delete(conn, group_id, ctx))?;
        lifecycle::pay_refunds(self, Some(group_id), ctx.now)?;
        self.read(|conn| reads::by_id(conn, group_id))
    }

    fn expire_due(&self, ctx: &ChangeContext, batch: i64) -> Result<usize, DomainError> {
        lifecycle::expire_due(self, ctx, batch)
    }
}
