//! Request counters per key and fixed window (`rate_limit_windows`), shared by every
//! instance on the database: the daily write quota and the support-report limit.

use super::schema::rate_limit_windows;
use crate::convert::to_db_time;
use crate::db::{insert_if_absent, Database};
use diesel::prelude::*;
use groupbuy_domain::platform::{RateDecision, RateLimitStore, RateQuota};
use groupbuy_domain::DomainError;
use time::OffsetDateTime;

#[derive(Insertable)]
#[diesel(table_name = rate_limit_windows)]
struct NewWindow<'a> {
    bucket: &'a str,
    hits: i64,
    expires_at: time::PrimitiveDateTime,
}

impl RateLimitStore for Database {
    fn hit(
        &self,
        key: &str,
        quota: RateQuota,
        now: OffsetDateTime,
    ) -> Result<RateDecision, DomainError> {
        let window = quota.window_at(now);
        let bucket = format!("{key}@{}", window.start.unix_timestamp());
        let hits = self.write(|conn| {
            insert_if_absent!(
                conn,
                rate_limit_windows::table,
                NewWindow {
                    bucket: &bucket,
                    hits: 0,
                    expires_at: to_db_time(window.end),
                }
            )?;
            // Relative increment: concurrent requests on any instance each add one,
            // none overwrites another's count.
            let hits: i64 = diesel::update(rate_limit_windows::table.find(&bucket))
                .set(rate_limit_windows::hits.eq(rate_limit_windows::hits + 1))
                .returning(rate_limit_windows::hits)
                .get_result(conn)?;
            Ok(hits)
        })?;
        Ok(quota.decide(hits, window))
    }

    fn purge_windows(&self, now: OffsetDateTime) -> Result<usize, DomainError> {
        self.write(|conn| {
            Ok(diesel::delete(
                rate_limit_windows::table
                    .filter(rate_limit_windows::expires_at.le(to_db_time(now))),
            )
            .execute(conn)?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestDatabase;
    use groupbuy_domain::platform::rate_limit::DAY;
    use time::macros::datetime;
    use time::Duration;

    fn minute(limit: u32) -> RateQuota {
        RateQuota::new(limit, Duration::MINUTE).expect("quota")
    }

    fn counts_per_key_and_window(db: &Database) {
        let now = datetime!(2026-11-23 12:00:10 UTC);
        for i in 1..=5 {
            let d = db.hit("ip:1", minute(5), now).expect("hit");
            assert!(d.allowed);
            assert_eq!(d.remaining, 5 - i);
            assert_eq!(d.reset_at, datetime!(2026-11-23 12:01 UTC));
        }
        let d = db.hit("ip:1", minute(5), now).expect("hit");
        assert!(!d.allowed);
        assert_eq!(d.remaining, 0);
        assert!(db.hit("ip:2", minute(5), now).expect("other").allowed);
        let later = now + Duration::MINUTE;
        assert!(db.hit("ip:1", minute(5), later).expect("next").allowed);
        // the first window's counters go, the current ones stay
        assert_eq!(db.purge_windows(later).expect("purge"), 2);
        assert_eq!(db.hit("ip:1", minute(5), later).expect("kept").remaining, 3);
    }

    /// Two handles on one database are two instances: the daily quota is theirs together.
    fn daily_quota_across(url: &str) {
        let a = TestDatabase::attach(url);
        let b = TestDatabase::attach(url);
        let quota = RateQuota::new(4, DAY).expect("quota");
        let morning = datetime!(2026-11-23 00:00:01 UTC);
        let evening = datetime!(2026-11-23 23:59:59 UTC);
        let mut allowed = 0;
        for (i, now) in [morning, evening, morning, evening, morning, evening]
            .into_iter()
            .enumerate()
        {
            let db = if i % 2 == 0 { &a.db } else { &b.db };
            let d = db.hit("daily-writes:user:alice", quota, now).expect("hit");
            assert_eq!(d.reset_at, datetime!(2026-11-24 00:00 UTC));
            allowed += usize::from(d.allowed);
        }
        assert_eq!(allowed, 4);
        let next_day = datetime!(2026-11-24 00:00 UTC);
        assert!(
            b.db.hit("daily-writes:user:alice", quota, next_day)
                .expect("hit")
                .allowed
        );
    }

    fn concurrent_hits_are_all_counted(url: &str) {
        let quota = RateQuota::new(1000, DAY).expect("quota");
        let now = datetime!(2026-11-23 12:00 UTC);
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let url = url.to_owned();
                std::thread::spawn(move || {
                    let t = TestDatabase::attach(&url);
                    for _ in 0..10 {
                        t.db.hit("hot", quota, now).expect("hit");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        let t = TestDatabase::attach(url);
        assert_eq!(
            t.db.hit("hot", quota, now).expect("hit").remaining,
            1000 - 41
        );
    }

    crate::on_both_backends!(counts_per_key_and_window);

    #[test]
    fn daily_quota_is_shared_by_two_instances() {
        for (_, t) in TestDatabase::all() {
            daily_quota_across(&t.url);
        }
    }

    #[test]
    fn concurrent_hits_from_two_instances_all_count() {
        for (_, t) in TestDatabase::all() {
            concurrent_hits_are_all_counted(&t.url);
        }
    }
}
