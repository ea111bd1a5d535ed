//! The outbox: domain events written in the transaction of the change they describe, each
//! with the next sequence number of its subject, for the webhook dispatcher to fan out.

use super::as_text::AsText;
use super::schema::{event_subjects, events};
use crate::convert::to_db_time;
use crate::db::{on_backend, DbConnection};
use crate::error::StoreError;
use diesel::prelude::*;
use groupbuy_domain::platform::{Audience, DomainEvent, EventType};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Insertable)]
#[diesel(table_name = events)]
struct NewEvent<'a> {
    id: String,
    event_type: AsText<EventType>,
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
    let next = on_backend!(conn, |c| diesel::insert_into(event_subjects::table)
        .values(row)
        .on_conflict(event_subjects::subject)
        .do_update()
        .set(event_subjects::last_sequence.eq(event_subjects::last_sequence + 1))
        .returning(event_subjects::last_sequence)
        .get_result(c))?;
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
                event_type: AsText(e.event_type),
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

/// Writes many events to the outbox with a fixed number of statements whatever their
/// number (a sweep closing hundreds of groups): one multi-row upsert takes every subject's
/// sequence numbers, one multi-row insert writes the events, in the caller's transaction.
/// Numbering is as [`append`]'s: per subject, in the order given. Subjects' rows are
/// upserted in sorted order, so two writers sharing subjects queue instead of deadlocking.
pub(crate) fn append_batch(
    conn: &mut DbConnection,
    batch: &[DomainEvent],
    request_id: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    use diesel::upsert::excluded;
    use std::collections::BTreeMap;
    let mut per_subject: BTreeMap<&str, i64> = BTreeMap::new();
    for e in batch {
        *per_subject.entry(e.subject.as_str()).or_default() += 1;
    }
    // Bind parameters stay far below both backends' limits (SQLite: 32,766).
    const ROWS: usize = 1000;
    let subjects: Vec<(&str, i64)> = per_subject.into_iter().collect();
    let mut last: BTreeMap<String, i64> = BTreeMap::new();
    for chunk in subjects.chunks(ROWS) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(s, n)| {
                (
                    event_subjects::subject.eq(*s),
                    event_subjects::last_sequence.eq(*n),
                )
            })
            .collect();
        let bump = event_subjects::last_sequence
            .eq(event_subjects::last_sequence + excluded(event_subjects::last_sequence));
        let taken: Vec<(String, i64)> = match conn {
            DbConnection::Pg(c) => diesel::insert_into(event_subjects::table)
                .values(&rows)
                .on_conflict(event_subjects::subject)
                .do_update()
                .set(bump)
                .returning((event_subjects::subject, event_subjects::last_sequence))
                .get_results(c)?,
            // Diesel has no multi-row upsert on SQLite; its statements cost no round trip.
            DbConnection::Sqlite(c) => {
                let mut taken = Vec::with_capacity(rows.len());
                for row in &rows {
                    taken.push(
                        diesel::insert_into(event_subjects::table)
                            .values(row)
                            .on_conflict(event_subjects::subject)
                            .do_update()
                            .set(bump)
                            .returning((event_subjects::subject, event_subjects::last_sequence))
                            .get_result(c)?,
                    );
                }
                taken
            }
        };
        last.extend(taken);
    }
    // The first number of each subject's run, counted up as its events are written.
    let mut next: BTreeMap<&str, i64> = BTreeMap::new();
    for (subject, n) in &subjects {
        let top = last
            .get(*subject)
            .copied()
            .ok_or_else(|| StoreError::Corrupt(format!("no sequence returned for {subject}")))?;
        next.insert(subject, top - n + 1);
    }
    let mut rows = Vec::with_capacity(batch.len());
    for e in batch {
        let slot = next
            .get_mut(e.subject.as_str())
            .ok_or_else(|| StoreError::Corrupt(format!("no sequence for {}", e.subject)))?;
        let (kind, who) = match &e.audience {
            Audience::User(u) => ("USER", u.as_str()),
            Audience::Organisation(o) => ("ORGANISATION", o.as_str()),
        };
        rows.push(NewEvent {
            id: new_event_id(),
            event_type: AsText(e.event_type),
            subject: &e.subject,
            sequence: *slot,
            audience_kind: kind,
            audience_id: who,
            request_id,
            data: e.data.to_string(),
            created_at: to_db_time(now),
        });
        *slot += 1;
    }
    for chunk in rows.chunks(ROWS) {
        match conn {
            DbConnection::Pg(c) => diesel::insert_into(events::table)
                .values(chunk)
                .execute(c)?,
            // Diesel runs a SQLite batch insert row by row in a nested transaction of its
            // own, which the open IMMEDIATE one refuses: insert row by row here instead.
            DbConnection::Sqlite(c) => {
                let mut n = 0;
                for row in chunk {
                    n += diesel::insert_into(events::table).values(row).execute(c)?;
                }
                n
            }
        };
    }
    Ok(())
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
