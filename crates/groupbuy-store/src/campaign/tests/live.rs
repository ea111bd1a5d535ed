//! A campaign's committed interest is announced to a listener on another connection
//! pool (PostgreSQL: NOTIFY from the committing transaction; SQLite: this process's
//! registry for the file); a refused one announces nothing on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::{h, interest, s, setup};
use crate::live::{LiveChange, LiveChanges};
use crate::{Backend, Database, PoolSettings};
use groupbuy_domain::campaign::CampaignStore;
use parking_lot::Mutex;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn heard(log: &Mutex<Vec<LiveChange>>, want: &LiveChange, within: Duration) -> bool {
    let until = Instant::now() + within;
    while Instant::now() < until {
        if log.lock().contains(want) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

fn interest_is_announced_to_other_instances(db: &Database) {
    setup(db, "lamps", true);
    let g = db.public_group_buy(&h(), &s("lamps")).expect("public");
    let id = format!("{}/{}", g.handle, g.slug);
    let other = Database::connect(db.url(), PoolSettings::default()).expect("other instance");
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    let listener = other
        .listen(Arc::new(move |c| sink.lock().push(c)))
        .expect("listens");
    // Refused (more than max_quantity): rolled back, so PostgreSQL never sends it.
    assert!(interest(db, "lamps", "v0", 99).is_err());
    if db.backend() == Backend::Postgres {
        assert!(!heard(
            &log,
            &LiveChange::Campaign(id.clone()),
            Duration::from_millis(300)
        ));
    }
    interest(db, "lamps", "v1", 2).expect("interest");
    let within = Duration::from_secs(5);
    assert!(
        heard(&log, &LiveChange::Campaign(id.clone()), within),
        "{id}: {:?}",
        log.lock()
    );
    // A dropped listener hears nothing more.
    drop(listener);
    log.lock().clear();
    interest(db, "lamps", "v2", 1).expect("interest");
    assert!(!heard(
        &log,
        &LiveChange::Campaign(id),
        Duration::from_millis(300)
    ));
}

crate::on_both_backends!(interest_is_announced_to_other_instances);
