//! Idempotency records and the health check.

use crate::convert::to_db_time;
use crate::db::{insert_if_absent, Database};
use crate::error::StoreError;
use crate::schema::idempotency_keys as ik;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use groupbuy_domain::platform::{HealthCheck, IdempotencyBegin, IdempotencyStore, StoredResponse};
use groupbuy_domain::DomainError;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

/// A key whose request is running.
pub(crate) const IN_FLIGHT: &str = "IN_FLIGHT";
/// A key whose answer is stored.
pub(crate) const DONE: &str = "DONE";

#[derive(Insertable)]
#[diesel(table_name = ik)]
struct NewKey<'a> {
    caller: &'a str,
    idem_key: &'a str,
    fingerprint: &'a str,
    state: &'a str,
    locked_until: PrimitiveDateTime,
    created_at: PrimitiveDateTime,
}

type KeyRow = (
    String,
    String,
    Option<i32>,
    Option<String>,
    Option<String>,
    Option<String>,
    PrimitiveDateTime,
);

impl IdempotencyStore for Database {
    fn begin(
        &self,
        caller: &str,
        key: &str,
        fingerprint: &str,
        now: OffsetDateTime,
        lease: Duration,
    ) -> Result<IdempotencyBegin, DomainError> {
        self.write(|conn| {
            let row = NewKey {
                caller,
                idem_key: key,
                fingerprint,
                state: IN_FLIGHT,
                locked_until: to_db_time(now + lease),
                created_at: to_db_time(now),
            };
            if insert_if_absent!(conn, ik::table, &row)? == 1 {
                return Ok(IdempotencyBegin::Proceed);
            }
            let (stored_fp, state, status, body, content_type, headers, locked_until): KeyRow =
                ik::table
                    .find((caller, key))
                    .select((
                        ik::fingerprint,
                        ik::state,
                        ik::response_status,
                        ik::response_body,
                        ik::content_type,
                        ik::response_headers,
                        ik::locked_until,
                    ))
                    .first(conn)?;
            if stored_fp != fingerprint {
                return Ok(IdempotencyBegin::Mismatch);
            }
            if state == DONE {
                return Ok(IdempotencyBegin::Replay(StoredResponse {
                    status: status.and_then(|s| u16::try_from(s).ok()).unwrap_or(200),
                    body: body.unwrap_or_default(),
                    content_type: content_type.unwrap_or_else(|| "application/json".into()),
                    headers: StoredResponse::headers_from_json(headers.as_deref()),
                }));
            }
            if locked_until > to_db_time(now) {
                return Ok(IdempotencyBegin::InFlight);
            }
            // The first attempt died holding the key: take its lease over, once.
            let taken = diesel::update(
                ik::table
                    .find((caller, key))
                    .filter(ik::state.eq(IN_FLIGHT))
                    .filter(ik::locked_until.le(to_db_time(now))),
            )
            .set(ik::locked_until.eq(to_db_time(now + lease)))
            .execute(conn)?;
            Ok(if taken == 1 {
                IdempotencyBegin::Proceed
            } else {
                IdempotencyBegin::InFlight
            })
        })
    }

    fn complete(
        &self,
        caller: &str,
        key: &str,
        response: StoredResponse,
        _now: OffsetDateTime,
    ) -> Result<(), DomainError> {
        self.write(|conn| {
            // Conditional: an answer that committed with its effect stays as it is.
            crate::platform::answer::store_on_key(conn, caller, key, &response)?;
            Ok(())
        })
    }

    fn release(&self, caller: &str, key: &str) -> Result<(), DomainError> {
        self.write(|conn| {
            diesel::delete(
                ik::table
                    .find((caller, key))
                    .filter(ik::state.eq(IN_FLIGHT)),
            )
            .execute(conn)?;
            Ok(())
        })
    }

    fn purge(&self, before: OffsetDateTime) -> Result<usize, DomainError> {
        self.write(|conn| {
            Ok(
                diesel::delete(ik::table.filter(ik::created_at.lt(to_db_time(before))))
                    .execute(conn)?,
            )
        })
    }
}

impl HealthCheck for Database {
    fn ping(&self) -> Result<(), DomainError> {
        self.read(|conn| conn.batch_execute("SELECT 1").map_err(StoreError::from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_760_000_000).expect("time")
    }

    fn response() -> StoredResponse {
        StoredResponse {
            status: 201,
            body: "{\"ok\":true}".into(),
            content_type: "application/json".into(),
            headers: Vec::new(),
        }
        // A replay repeats what names the created resource.
        .with_header("location", "/groupbuy/gb_1")
        .with_header("etag", "\"1\"")
    }

    fn key_lifecycle(db: &Database) {
        let lease = Duration::seconds(30);
        assert_eq!(
            db.begin("u", "k", "fp", t0(), lease).expect("begin"),
            IdempotencyBegin::Proceed
        );
        assert_eq!(
            db.begin("u", "k", "fp", t0(), lease).expect("begin"),
            IdempotencyBegin::InFlight
        );
        assert_eq!(
            db.begin("u", "k", "other", t0(), lease).expect("begin"),
            IdempotencyBegin::Mismatch
        );
        // Another caller's identical key is independent.
        assert_eq!(
            db.begin("v", "k", "fp", t0(), lease).expect("begin"),
            IdempotencyBegin::Proceed
        );
        db.complete("u", "k", response(), t0()).expect("complete");
        assert_eq!(
            db.begin("u", "k", "fp", t0(), lease).expect("begin"),
            IdempotencyBegin::Replay(response())
        );
    }

    fn an_abandoned_lease_expires(db: &Database) {
        let lease = Duration::seconds(30);
        assert_eq!(
            db.begin("u", "k", "fp", t0(), lease).expect("begin"),
            IdempotencyBegin::Proceed
        );
        let later = t0() + Duration::seconds(31);
        assert_eq!(
            db.begin("u", "k", "fp", later, lease).expect("begin"),
            IdempotencyBegin::Proceed
        );
        assert_eq!(
            db.begin("u", "k", "fp", later, lease).expect("begin"),
            IdempotencyBegin::InFlight
        );
    }

    fn release_and_purge(db: &Database) {
        let lease = Duration::seconds(30);
        db.begin("u", "k", "fp", t0(), lease).expect("begin");
        db.release("u", "k").expect("release");
        assert_eq!(
            db.begin("u", "k", "fp2", t0(), lease).expect("begin"),
            IdempotencyBegin::Proceed
        );
        db.complete("u", "k", response(), t0()).expect("complete");
        assert_eq!(db.purge(t0()).expect("purge"), 0);
        assert_eq!(db.purge(t0() + Duration::hours(25)).expect("purge"), 1);
        db.ping().expect("ping");
    }

    crate::on_both_backends!(key_lifecycle, an_abandoned_lease_expires, release_and_purge);
}
