//! SQLite's writer (`writer.rs`): jobs queued behind a busy writer share one COMMIT, each
//! is answered only once it is committed, a failed or panicking job undoes only its own
//! writes, a broken transaction fails every job it carried, and a job that waited past
//! the checkout timeout is not run; a COMMIT never checkpoints the WAL, the checkpointer
//! thread does.

use super::{Database, DbConnection, PoolSettings};
use crate::error::StoreError;
use crate::testing::TestDatabase;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use groupbuy_domain::DomainError;
use std::sync::mpsc;
use std::time::Duration;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn scratch(db: &Database) {
    db.execute_batch("CREATE TABLE scratch (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        .expect("scratch table");
}

fn insert(conn: &mut DbConnection, id: usize) -> Result<(), StoreError> {
    conn.batch_execute(&format!("INSERT INTO scratch VALUES ({id}, 'x')"))?;
    Ok(())
}

/// Rows of `scratch` with `id` (all rows when `None`), read on a pooled connection.
fn count(db: &Database, id: Option<usize>) -> i64 {
    let filter = id.map_or(String::new(), |id| format!(" WHERE id = {id}"));
    db.query(|conn| {
        let sql = format!("SELECT count(*) AS n FROM scratch{filter}");
        let rows: Vec<Count> = match conn {
            DbConnection::Sqlite(c) => diesel::sql_query(sql).load(c)?,
            DbConnection::Pg(c) => diesel::sql_query(sql).load(c)?,
        };
        Ok(rows.first().map_or(0, |c| c.n))
    })
    .expect("count")
}

/// Holds the writer busy in a job until the returned sender is used (or dropped), so the
/// jobs submitted meanwhile queue behind it; the handle answers the holding job's outcome.
fn hold_writer(
    db: &Database,
) -> (
    mpsc::Sender<()>,
    std::thread::JoinHandle<Result<(), DomainError>>,
) {
    let (release, held) = mpsc::channel::<()>();
    let (started, running) = mpsc::channel();
    let holder = {
        let db = db.clone();
        std::thread::spawn(move || {
            db.write(move |_| {
                started.send(()).expect("test waits");
                let _ = held.recv();
                Ok(())
            })
        })
    };
    running.recv().expect("the writer runs the holding job");
    (release, holder)
}

/// Waits until `n` jobs queue behind the held writer.
fn until_waiting(db: &Database, n: usize) {
    while db.writer_waiting() < n {
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn queued_writes_share_one_commit_and_each_is_visible_when_answered() {
    let t = TestDatabase::sqlite();
    let db = &t.db;
    scratch(db);
    let (release, holder) = hold_writer(db);
    let writers: Vec<_> = (0..40)
        .map(|i| {
            let db = db.clone();
            std::thread::spawn(move || {
                db.write(|conn| insert(conn, i)).expect("written");
                // Answered: committed, so any other connection sees it at once.
                count(&db, Some(i))
            })
        })
        .collect();
    until_waiting(db, 40);
    release.send(()).expect("release");
    holder.join().expect("holder").expect("the holding job");
    for w in writers {
        assert_eq!(w.join().expect("writer"), 1, "visible when answered");
    }
    assert_eq!(count(db, None), 40);
    assert_eq!(
        db.largest_commit(),
        Some(41),
        "the held job and the 40 queued behind it committed together"
    );
}

#[test]
fn a_write_is_answered_only_once_its_commit_is_done() {
    let t = TestDatabase::sqlite();
    let db = &t.db;
    scratch(db);
    let (release_first, first_holder) = hold_writer(db);
    let written = {
        let db = db.clone();
        std::thread::spawn(move || {
            db.write(|conn| insert(conn, 1)).expect("written");
            count(&db, Some(1))
        })
    };
    until_waiting(db, 1);
    // A second holder queued behind the write keeps the write's transaction open.
    let second_holder = {
        let db = db.clone();
        std::thread::spawn(move || hold_writer(&db))
    };
    until_waiting(db, 2);
    release_first.send(()).expect("release");
    let (release_second, second_holder) = second_holder.join().expect("second holder");
    std::thread::sleep(Duration::from_millis(50));
    assert!(
        !written.is_finished() && !first_holder.is_finished(),
        "a job was answered before its transaction committed"
    );
    release_second.send(()).expect("release");
    first_holder
        .join()
        .expect("holder")
        .expect("the holding job");
    second_holder
        .join()
        .expect("holder")
        .expect("the holding job");
    assert_eq!(written.join().expect("writer"), 1, "visible when answered");
}

#[test]
fn a_failed_or_panicking_job_undoes_only_its_own_writes() {
    let t = TestDatabase::sqlite();
    let db = &t.db;
    scratch(db);
    let (release, holder) = hold_writer(db);
    let jobs: Vec<_> = (0..12)
        .map(|i| {
            let db = db.clone();
            std::thread::spawn(move || {
                db.write(|conn| {
                    insert(conn, i)?;
                    match i % 3 {
                        0 => Ok(()),
                        1 => Err(StoreError::Domain(DomainError::NotFound("refused".into()))),
                        _ => panic!("job {i} panics after writing"),
                    }
                })
            })
        })
        .collect();
    until_waiting(db, 12);
    release.send(()).expect("release");
    holder.join().expect("holder").expect("the holding job");
    for (i, job) in jobs.into_iter().enumerate() {
        match (i % 3, job.join()) {
            (0, Ok(Ok(()))) => assert_eq!(count(db, Some(i)), 1, "job {i} kept"),
            (1, Ok(Err(DomainError::NotFound(m)))) => {
                assert_eq!(m, "refused");
                assert_eq!(count(db, Some(i)), 0, "job {i} undone");
            }
            (2, Err(_panicked)) => assert_eq!(count(db, Some(i)), 0, "job {i} undone"),
            (kind, other) => panic!("job {i} (kind {kind}) ended {other:?}"),
        }
    }
    // The writer goes on after a panic.
    db.write(|conn| insert(conn, 100)).expect("writer alive");
    assert_eq!(count(db, None), 5);
}

#[test]
fn a_transaction_broken_under_a_job_fails_every_job_it_carried() {
    let t = TestDatabase::sqlite();
    let db = &t.db;
    scratch(db);
    let (release, holder) = hold_writer(db);
    let first = {
        let db = db.clone();
        std::thread::spawn(move || db.write(|conn| insert(conn, 1)))
    };
    until_waiting(db, 1);
    // What SQLite does itself after an I/O or full-disk error: the whole transaction is
    // rolled back under the job, which then reports success.
    let breaker = {
        let db = db.clone();
        std::thread::spawn(move || {
            db.write(|conn| {
                insert(conn, 2)?;
                conn.batch_execute("ROLLBACK")?;
                Ok(())
            })
        })
    };
    until_waiting(db, 2);
    release.send(()).expect("release");
    assert!(
        holder.join().expect("holder").is_err(),
        "its COMMIT never happened"
    );
    assert!(first.join().expect("first").is_err(), "nor this one's");
    assert!(breaker.join().expect("breaker").is_err());
    assert_eq!(count(db, None), 0, "nothing of that transaction survived");
    db.write(|conn| insert(conn, 3))
        .expect("the writer goes on");
    assert_eq!(count(db, Some(3)), 1);
}

#[test]
fn a_job_that_waited_past_the_checkout_timeout_is_not_run() {
    let t = TestDatabase::sqlite();
    let settings = PoolSettings {
        checkout_timeout: Duration::from_millis(50),
        ..PoolSettings::default()
    };
    let db = &Database::connect(&t.url, settings).expect("connect");
    scratch(db);
    let (release, holder) = hold_writer(db);
    let late = {
        let db = db.clone();
        std::thread::spawn(move || db.write(|conn| insert(conn, 1)))
    };
    until_waiting(db, 1);
    std::thread::sleep(Duration::from_millis(80));
    release.send(()).expect("release");
    holder.join().expect("holder").expect("the holding job");
    match late.join().expect("late") {
        // The pool's answer when it has no connection in time: 503, retry.
        Err(DomainError::Unavailable(_)) => {}
        other => panic!("a late job ran: {other:?}"),
    }
    assert_eq!(count(db, None), 0);
    // Counted once as a write that queued, once as one that gave up.
    let pool = db.pool_snapshot();
    assert_eq!((pool.writer_waits, pool.writer_timeouts), (1, 1));
    db.write(|conn| insert(conn, 2)).expect("a timely job runs");
    assert_eq!(count(db, None), 1);
}

/// A database file of its own (no other `Database` on it checkpoints its WAL), checkpointed
/// every `every`, with the scratch table; and the file's path.
fn checkpointed_every(every: Duration) -> (Database, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("groupbuy-ckpt-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("test.db");
    let url = path.to_string_lossy().into_owned();
    let db =
        Database::connect_checkpointing(&url, PoolSettings::default(), every).expect("connect");
    scratch(&db);
    (db, path)
}

/// Writes `rows` rows of about one page each, one COMMIT per row (the writer commits when
/// its queue runs dry): about two WAL frames per row.
fn write_pages(db: &Database, rows: usize) {
    for id in 0..rows {
        db.write(move |conn| {
            conn.batch_execute(&format!(
                "INSERT INTO scratch VALUES ({id}, printf('%.4000c', 'x'))"
            ))?;
            Ok(())
        })
        .expect("write");
    }
}

fn file_len(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

fn wal_of(path: &std::path::Path) -> std::path::PathBuf {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    wal.into()
}

#[test]
fn a_commit_never_runs_a_checkpoint() {
    // The checkpointer does not run within this test: whatever is checkpointed, a
    // COMMIT did it.
    let (db, path) = checkpointed_every(Duration::from_secs(3600));
    write_pages(&db, 1_200);
    // SQLite's automatic checkpoint would have copied the WAL into the database file
    // every 1,000 pages and started the WAL over, so it would never pass ~4 MB.
    let (wal, main) = (file_len(&wal_of(&path)), file_len(&path));
    assert!(wal > 6_000_000, "the WAL holds every commit: {wal} bytes");
    assert!(
        main < 1_000_000,
        "nothing was copied into the database: {main} bytes"
    );
    drop(db);
    let _ = std::fs::remove_dir_all(path.parent().expect("dir"));
}

#[test]
fn the_checkpointer_copies_the_wal_into_the_database_file() {
    let (db, path) = checkpointed_every(Duration::from_millis(10));
    write_pages(&db, 1_200);
    // 1,200 rows of a page each: about 4.9 MB once the checkpoints copied them.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while file_len(&path) < 4_800_000 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let main = file_len(&path);
    assert!(
        main >= 4_800_000,
        "the rows reached the database file: {main} bytes"
    );
    assert_eq!(count(&db, None), 1_200);
    drop(db);
    let _ = std::fs::remove_dir_all(path.parent().expect("dir"));
}
