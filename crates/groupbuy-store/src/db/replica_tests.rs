//! Routing to a read replica, proved with a "replica" that is a *different* database with
//! different rows: what a read answers says where it was read. PostgreSQL only (skipped
//! when `GROUPBUY_TEST_POSTGRES_URL` is unset), but for the SQLite refusal.

use super::{reads_on_primary, Database, PoolSettings};
use crate::group_purchase::tests::{buy, fund, product, t0};
use crate::testing::TestDatabase;
use diesel::prelude::*;
use groupbuy_domain::group_purchase::GroupPurchaseStore;
use groupbuy_domain::DomainError;

/// A group bought in `db` (which alone holds it): its id and its product.
fn group_in(db: &Database) -> (uuid::Uuid, uuid::Uuid) {
    let p = product(db, 10, None);
    fund(db, "a", 1_000_000);
    (buy(db, "a", p, 1, None, t0()).expect("buy"), p)
}

#[test]
fn lag_tolerant_reads_go_to_the_replica_writes_and_own_reads_to_the_primary() {
    let (Some(primary), Some(other)) = (TestDatabase::postgres(), TestDatabase::postgres()) else {
        return;
    };
    let (only_on_replica, replica_product) = group_in(&other.db);
    let routed = primary
        .db
        .clone()
        .with_replica(&other.url, 2)
        .expect("replica");

    // A public read of a group only the "replica" holds: answered there.
    let read = routed.group(only_on_replica).expect("read on the replica");
    assert_eq!(read.group.id, only_on_replica);
    let listed = routed
        .available_groups(replica_product, t0(), 10)
        .expect("list on the replica");
    assert_eq!(listed.len(), 1);
    // The same read by a caller reading its own writes: the primary, which lacks it.
    let own = reads_on_primary(|| routed.group(only_on_replica));
    assert!(matches!(own, Err(DomainError::NotFound(_))), "{own:?}");

    // A write through the routed handle lands on the primary only, and so do the reads
    // inside it (the checkout reads the product it was given, created a moment before).
    let (written, _) = group_in(&routed);
    assert!(primary.db.group(written).is_ok());
    assert!(matches!(
        other.db.group(written),
        Err(DomainError::NotFound(_))
    ));
    // Not on the replica (not replayed yet, as far as it can tell): the primary confirms.
    assert_eq!(routed.group(written).expect("confirmed").group.id, written);
    assert_eq!(routed.replica_fallbacks(), 0, "a miss is not a failure");
    let replica = routed.replica_pool_snapshot().expect("replica pool");
    assert!(replica.checkouts >= 3, "{replica:?}");
}

#[test]
fn an_unreachable_replica_sends_reads_to_the_primary_and_is_counted() {
    let Some(primary) = TestDatabase::postgres() else {
        return;
    };
    let (group, _) = group_in(&primary.db);
    // Nothing listens on port 1: every connection attempt is refused.
    let routed = primary
        .db
        .clone()
        .with_replica("postgres://postgres@127.0.0.1:1/none", 2)
        .expect("a replica that is down is not an error at start");
    for _ in 0..3 {
        assert_eq!(
            routed.group(group).expect("from the primary").group.id,
            group
        );
    }
    // The first read waited for the replica and gave up; the next found it resting.
    assert_eq!(routed.replica_fallbacks(), 3);
    assert_eq!(routed.replica_pool_snapshot().expect("pool").open, 0);
}

#[test]
fn a_replica_needs_postgresql_on_both_sides() {
    let sqlite = TestDatabase::sqlite();
    let refused = sqlite
        .db
        .clone()
        .with_replica("postgres://postgres@127.0.0.1:5432/x", 2)
        .expect_err("sqlite primary");
    assert!(refused.to_string().contains("PostgreSQL"), "{refused}");
    if let Some(pg) = TestDatabase::postgres() {
        let refused = pg
            .db
            .clone()
            .with_replica(&sqlite.url, 2)
            .expect_err("sqlite replica");
        assert!(refused.to_string().contains("PostgreSQL"), "{refused}");
    }
}

/// Named statements this connection's session holds.
fn prepared(db: &Database) -> i64 {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    db.query(|conn| {
        Ok(
            diesel::sql_query("SELECT count(*) AS n FROM pg_prepared_statements")
                .get_result::<Count>(conn)?
                .n,
        )
    })
    .expect("count")
}

#[test]
fn without_the_statement_cache_no_statement_outlives_its_query() {
    let Some(t) = TestDatabase::postgres() else {
        return;
    };
    // One connection, so the session the count reads is the one that ran the reads.
    let one = |statement_cache| PoolSettings {
        max_size: 1,
        statement_cache,
        ..PoolSettings::default()
    };
    let cached = Database::connect(&t.url, one(true)).expect("cached");
    let (group, _) = group_in(&cached);
    cached.group(group).expect("read");
    assert!(prepared(&cached) > 0, "the cache keeps named statements");
    // What a transaction-mode pooler needs: each statement parsed and run in one go.
    let uncached = Database::connect(&t.url, one(false)).expect("uncached");
    let (group, _) = group_in(&uncached);
    uncached.group(group).expect("read");
    assert_eq!(prepared(&uncached), 0);
}
