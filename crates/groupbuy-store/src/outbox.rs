//! The outbox: domain events written in the transaction of the change they describe, each
//! with the next sequence number of its subject, for the webhook dispatcher to fan out.

use crate::convert::to_db_time;
use crate::db::DbConnection;
use crate::error::StoreError;
use diesel::prelude::*;
use groupbuy_domain::platform::{Audience, DomainEvent};
use time::OffsetDateTime;
use uuid::Uuid;

diesel::table! {
    /// Every event, in commit order of `seq`.
    events (seq) {
        seq -> BigInt,
        id -> Text,
        event_type -> Text,
        subject -> Text,
        sequence -> BigInt,
        audience_kind -> Text,
        audience_id -> Text,
        request_id -> Text,
        data -> Text,
        created_at -> Timestamp,
        dispatched -> Bool,
    }
}

diesel::table! {
    /// The last sequence number given per subject.
    event_subjects (subject) {
        subject -> Text,
        last_sequence -> BigInt,
    }
}

#[derive(Insertable)]
#[diesel(table_name = events)]
struct NewEvent<'a> {
    id: String,
    event_type: &'a str,
    subject: &'a str,
    sequence: i64,
    audience_kind: &'a str,
    audience_id: &'a str,
    request_id: &'a str,
    data: String,
    created_at: time::PrimitiveDateTime,
}

/// The stored id of a new event (`evt_` + 32 hex digits): also the `webhook-id` receivers
/// deduplicate on.
pub fn new_event_id() -> String {
    format!("evt_{}", Uuid::new_v4().simple())
}

/// Takes the next sequence number of `subject`: one upsert, so two transactions on one
/// subject queue on its row and never get the same number.
fn next_sequence(conn: &mut DbConnection, subject: &str) -> Result<i64, StoreError> {
    let row = (
        event_subjects::subject.eq(subject),
        event_subjects::last_sequence.eq(1_i64),
    );
    let next = match conn {
        DbConnection::Pg(c) => diesel::insert_into(event_subjects::table)
            .values(row)
            .on_conflict(event_subjects::subject)
            .do_update()
            .set(event_subjects::last_sequence.eq(event_subjects::last_sequence + 1))
            .returning(event_subjects::last_sequence)
            .get_result(c)?,
        DbConnection::Sqlite(c) => diesel::insert_into(event_subjects::table)
            .values(row)
            .on_conflict(event_subjects::subject)
            .do_update()
            .set(event_subjects::last_sequence.eq(event_subjects::last_sequence + 1))
            .returning(event_subjects::last_sequence)
            .get_result(c)?,
    };
    Ok(next)
}

/// Writes `events` to the outbox inside the caller's transaction (a rolled-back change
/// emits nothing); returns their ids.
pub(crate) fn append(
    conn: &mut DbConnection,
    events: &[DomainEvent],
    request_id: &str,
    now: OffsetDateTime,
) -> Result<Vec<String>, StoreError> {
    let mut ids = Vec::with_capacity(events.len());
    for e in events {
        let sequence = next_sequence(conn, &e.subject)?;
        let (kind, who) = match &e.audience {
            Audience::User(u) => ("USER", u.as_str()),
            Audience::Organisation(o) => ("ORGANISATION", o.as_str()),
        };
        let id = new_event_id();
        diesel::insert_into(events::table)
            .values(NewEvent {
                id: id.clone(),
                event_type: e.event_type.as_str(),
                subject: &e.subject,
                sequence,
                audience_kind: kind,
                audience_id: who,
                request_id,
                data: e.data.to_string(),
                created_at: to_db_time(now),
            })
            .execute(conn)?;
        ids.push(id);
    }
    Ok(ids)
}

/// Marks one event dispatched (its deliveries are written by the caller); returns its
/// sequence number.
pub(crate) fn mark_dispatched(conn: &mut DbConnection, event_id: &str) -> Result<i64, StoreError> {
    Ok(
        diesel::update(events::table.filter(events::id.eq(event_id)))
            .set(events::dispatched.eq(true))
            .returning(events::sequence)
            .get_result(conn)?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Database;
    use groupbuy_domain::platform::EventType;

    fn event(subject: &str) -> DomainEvent {
        DomainEvent::new(
            EventType::GroupCreated,
            subject,
            Audience::User("merchant".into()),
            &serde_json::json!({"group_id": subject}),
        )
    }

    /// Sequence numbers count up per subject, from 1, across transactions and threads.
    fn sequences_increase_per_subject(db: &Database) {
        let now = OffsetDateTime::from_unix_timestamp(1_760_000_000).expect("time");
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let db = db.clone();
                std::thread::spawn(move || {
                    for _ in 0..5 {
                        db.write(|c| append(c, &[event("group:a"), event("group:b")], "req", now))
                            .expect("append");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        // A rolled-back change emits nothing.
        let _ = db.write(|c| {
            append(c, &[event("group:a")], "req", now)?;
            Err::<(), _>(StoreError::Corrupt("roll back".into()))
        });
        let seqs: Vec<(String, i64)> = db
            .read(|c| {
                Ok(events::table
                    .select((events::subject, events::sequence))
                    .order((events::subject, events::sequence))
                    .load(c)?)
            })
            .expect("events");
        for subject in ["group:a", "group:b"] {
            let mine: Vec<i64> = seqs
                .iter()
                .filter(|(s, _)| s == subject)
                .map(|(_, n)| *n)
                .collect();
            assert_eq!(mine, (1..=40).collect::<Vec<_>>(), "{subject}");
        }
    }

    crate::on_both_backends!(sequences_increase_per_subject);
}
