//! Round trips per join, pinned: every statement a checkout and its payment send to the
//! database (pool health checks, BEGIN and COMMIT included), alone and in a batch, so a
//! change that adds one fails here rather than in a benchmark.

use super::{ctx, fund, product, t0, user};
use crate::db::Database;
use crate::testing::TestDatabase;
use diesel::connection::{set_default_instrumentation, Instrumentation, InstrumentationEvent};
use groupbuy_domain::group_purchase::{CheckoutRequest, CheckoutSession, GroupPurchaseStore};
use groupbuy_domain::platform::Answer;
use std::cell::RefCell;
use std::sync::{Mutex, Once};
use uuid::Uuid;

thread_local! {
    /// The statements this thread's connections sent while recording (`None`: not recording).
    static SENT: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// Every statement text any connection of this process has kept prepared (Diesel's
/// `CacheQuery`), whichever thread prepared it.
static PREPARED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Every connection opened from now on reports its statements to the thread sending them:
/// only a recording thread keeps them, so tests running beside it count nothing here.
fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        set_default_instrumentation(|| {
            let recorder = |e: InstrumentationEvent<'_>| match e {
                InstrumentationEvent::StartQuery { query, .. } => SENT.with(|s| {
                    if let Some(sent) = s.borrow_mut().as_mut() {
                        sent.push(query.to_string());
                    }
                }),
                InstrumentationEvent::CacheQuery { sql, .. } => PREPARED
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(sql.to_owned()),
                _ => {}
            };
            Some(Box::new(recorder) as Box<dyn Instrumentation>)
        })
        .expect("instrumentation");
    });
}

/// `f`'s result and the statements it sent from this thread and, on SQLite, from `db`'s
/// writer thread (which runs its write transactions).
fn recorded<T>(db: &Database, f: impl FnOnce() -> T) -> (T, Vec<String>) {
    let start = || SENT.with(|s| *s.borrow_mut() = Some(Vec::new()));
    let take = || SENT.with(|s| s.borrow_mut().take()).unwrap_or_default();
    start();
    db.on_writer_thread(start);
    let value = f();
    let mut sent = take();
    sent.extend(db.on_writer_thread(take).unwrap_or_default());
    (value, sent)
}

/// What a statement is, for a readable failure: its first words.
fn heads(sent: &[String]) -> Vec<String> {
    sent.iter()
        .map(|q| q.split_whitespace().take(6).collect::<Vec<_>>().join(" "))
        .collect()
}

fn checkout(db: &Database, who: &str, p: Uuid, g: Option<Uuid>) -> CheckoutSession {
    db.create_checkout(
        &user(who),
        CheckoutRequest {
            product_id: p,
            quantity: 1,
            group_instance_id: g,
        },
        &ctx(t0()),
        Answer::none(),
    )
    .expect("session")
}

/// A group of 100 seats opened by `opener`, and `n` funded buyers.
fn open_group(db: &Database, n: usize) -> (Uuid, Uuid, Vec<String>) {
    let p = product(db, 100, None);
    fund(db, "opener", 80_000);
    let s = checkout(db, "opener", p, None);
    let g = db
        .pay(&user("opener"), s.id, &ctx(t0()), Answer::none())
        .expect("open")
        .group_instance_id
        .expect("group");
    let buyers: Vec<String> = (0..n).map(|i| format!("buyer-{i}")).collect();
    for b in &buyers {
        fund(db, b, 80_000);
    }
    (p, g, buyers)
}

/// A join alone (no other payer of its group): the checkout, then its payment.
fn counts_alone(db: &Database) -> (Vec<String>, Vec<String>) {
    let (p, g, buyers) = open_group(db, 1);
    let (session, at_checkout) = recorded(db, || checkout(db, &buyers[0], p, Some(g)));
    let (paid, at_payment) = recorded(db, || {
        db.pay(&user(&buyers[0]), session.id, &ctx(t0()), Answer::none())
    });
    paid.expect("paid");
    (at_checkout, at_payment)
}

/// A batch of `n` payments spread over `groups` groups, applied by this thread as their
/// leader.
fn counts_batch(db: &Database, n: usize, groups: usize) -> Vec<String> {
    let opened: Vec<(Uuid, Uuid, Vec<String>)> = (0..groups).map(|_| open_group(db, n)).collect();
    let payers: Vec<_> = (0..n)
        .map(|i| {
            let (p, g, buyers) = &opened[i % groups];
            (
                user(&buyers[i]),
                checkout(db, &buyers[i], *p, Some(*g)).id,
                *g,
            )
        })
        .collect();
    let (outcomes, sent) = recorded(db, || db.joins().apply_as_leader(db, &payers, &ctx(t0())));
    for o in outcomes {
        o.expect("paid");
    }
    sent
}

fn pinned(db: &Database) {
    let (checkout, payment) = counts_alone(db);
    // Before (main at 69d6820), PostgreSQL: 7, 13, 11, 13 (a join: 20 round trips, 16
    // without the pool's health checks). Now: the checkout's reads are one query and its
    // INSERT needs no transaction; a payment's batch, of one or of eight, is BEGIN, one
    // statement locking and reading, one writing, COMMIT. Each `SELECT 1` is the pool
    // testing the connection it hands out. SQLite: the checkout's reads merged (and no
    // `SELECT 1`: the pool does not test a SQLite connection), and the payment is one job
    // of the writer (no read of the session before it, no batch).
    // A batch of eight payments into three groups costs what one of one group does.
    let batches = match db.backend() {
        crate::Backend::Postgres => [
            counts_batch(db, 1, 1).len(),
            counts_batch(db, 8, 1).len(),
            counts_batch(db, 8, 3).len(),
        ],
        crate::Backend::Sqlite => [0, 0, 0],
    };
    let expected: [usize; 5] = match db.backend() {
        crate::Backend::Postgres => [3, 5, 5, 5, 5],
        crate::Backend::Sqlite => [4, 10, 0, 0, 0],
    };
    assert_eq!(
        [
            checkout.len(),
            payment.len(),
            batches[0],
            batches[1],
            batches[2]
        ],
        expected,
        "checkout {:?}\npayment {:?}",
        heads(&checkout),
        heads(&payment),
    );
}

#[test]
fn a_join_sends_a_pinned_number_of_statements_on_postgres() {
    install();
    if let Some(t) = TestDatabase::postgres() {
        pinned(&t.db);
    }
}

#[test]
fn a_join_sends_a_pinned_number_of_statements_on_sqlite() {
    install();
    pinned(&TestDatabase::sqlite().db);
}

/// SQLite: a warm join runs only statements kept prepared (but for the writer's
/// transaction control, sent as plain text): none is parsed and planned again, UPDATEs
/// included, which Diesel would not keep (`db/cacheable.rs`).
#[test]
fn a_warm_join_on_sqlite_runs_only_prepared_statements() {
    install();
    let t = TestDatabase::sqlite();
    let db = &t.db;
    let (p, g, buyers) = open_group(db, 2);
    let join = |who: &str| {
        recorded(db, || {
            let session = checkout(db, who, p, Some(g));
            db.pay(&user(who), session.id, &ctx(t0()), Answer::none())
        })
    };
    join(&buyers[0]).0.expect("warm-up join");
    let (paid, sent) = join(&buyers[1]);
    paid.expect("paid");
    let prepared = PREPARED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let control = ["BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK"];
    let unprepared: Vec<String> = sent
        .iter()
        .map(|q| q.split(" -- binds:").next().unwrap_or(q).to_owned())
        .filter(|q| !control.iter().any(|c| q.starts_with(c)))
        .filter(|q| !prepared.iter().any(|p| p == q))
        .collect();
    assert!(
        unprepared.is_empty(),
        "prepared afresh: {:#?}",
        heads(&unprepared)
    );
    assert!(sent.len() > 5, "the join was recorded: {:?}", heads(&sent));
}

/// SQLite is built with its planner stability guarantee (`.cargo/config.toml`): without
/// it, a statement with `LIMIT ?` (every Diesel `.first()`) is planned again each time
/// it is bound, prepared or not, which cost a warm join a quarter of its instructions.
#[test]
fn sqlite_is_built_with_the_planner_stability_guarantee() {
    #[derive(diesel::QueryableByName)]
    struct CompileOption {
        #[diesel(sql_type = diesel::sql_types::Text)]
        compile_options: String,
    }
    let t = TestDatabase::sqlite();
    let options: Vec<CompileOption> =
        t.db.query(|conn| {
            use diesel::RunQueryDsl;
            Ok(diesel::sql_query("PRAGMA compile_options").load(conn)?)
        })
        .expect("compile options");
    assert!(
        options.iter().any(|o| o.compile_options == "ENABLE_QPSG"),
        "{:?}",
        options
            .iter()
            .map(|o| &o.compile_options)
            .collect::<Vec<_>>()
    );
}
