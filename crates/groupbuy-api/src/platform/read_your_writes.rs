//! Read-your-writes with a read replica: the instance remembers when each caller last
//! wrote (any request that is not GET, HEAD or OPTIONS), and for `GROUPBUY_READ_AFTER_WRITE_MS`
//! after it runs that caller's store calls inside [`groupbuy_store::reads_on_primary`], so
//! a shopper who joins and at once reads the group sees themselves even when the replica
//! has not replayed the join yet. Other callers' lag-tolerant reads go to the replica.
//!
//! Chosen over comparing WAL positions (`pg_current_wal_lsn()` after each write against
//! the replica's `pg_last_wal_replay_lsn()`) because it costs no statement on the write
//! path or the read path, where this round measures every statement. Its limit: the memory
//! is per instance, so a caller whose next read lands on another instance may read up to
//! the replica's lag behind its write (docs/SCALING.md says what to do about it).
//!
//! A caller is known by each identity the request carries: the user of its bearer token or
//! of its browser session (so a browser's write and an app's read by one user match), the
//! visitor cookie; the client address only when it carries none (so anonymous writers behind one address keep each other on the primary, which
//! costs reads, never correctness).

use crate::platform::auth::{caller, VISITOR_COOKIE};
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::time::{Duration, Instant};

tokio::task_local! {
    /// Set for the handling of a request whose caller wrote within the window.
    static PRIMARY_READS: bool;
}

/// Whether the request being handled must read from the primary (read by
/// [`crate::state::blocking`] and carried onto the blocking thread).
pub fn primary_reads() -> bool {
    PRIMARY_READS.try_with(|p| *p).unwrap_or(false)
}

/// When each caller of the instance last wrote, forgotten once older than the window.
#[derive(Debug)]
pub struct RecentWriters {
    window: Duration,
    last: Mutex<Marks>,
}

#[derive(Debug)]
struct Marks {
    at: HashMap<String, Instant>,
    pruned: Instant,
}

impl RecentWriters {
    /// Callers are remembered for `window` after a write.
    pub fn new(window: Duration) -> Self {
        Self {
            window,
            last: Mutex::new(Marks {
                at: HashMap::new(),
                pruned: Instant::now(),
            }),
        }
    }

    /// Notes that the caller known by `keys` wrote now.
    pub fn wrote(&self, keys: &[String]) {
        let now = Instant::now();
        let mut marks = self.last.lock();
        // Forget the old marks once per window: memory stays bounded by the writes of
        // about two windows.
        if now.duration_since(marks.pruned) > self.window {
            let window = self.window;
            marks.at.retain(|_, at| now.duration_since(*at) <= window);
            marks.pruned = now;
        }
        for key in keys {
            marks.at.insert(key.clone(), now);
        }
    }

    /// Whether the caller known by any of `keys` wrote within the window.
    pub fn wrote_recently(&self, keys: &[String]) -> bool {
        let marks = self.last.lock();
        keys.iter().any(|k| {
            marks
                .at
                .get(k)
                .is_some_and(|at| at.elapsed() <= self.window)
        })
    }
}

/// The identities the request carries (see the module doc).
fn caller_keys(req: &ServiceRequest) -> Vec<String> {
    let mut keys = Vec::new();
    if let Ok(Some(p)) = caller(req.request()) {
        keys.push(format!("user:{}", p.user_id));
    }
    if let Some(state) = req.app_data::<web::Data<AppState>>() {
        let now = state.clock.now().unix_timestamp();
        let session = state
            .web
            .as_ref()
            .and_then(|w| w.session(req.request(), now));
        if let Some(session) = session {
            keys.push(format!("user:{}", session.principal().user_id));
        }
    }
    if let Some(c) = req.cookie(VISITOR_COOKIE) {
        keys.push(format!("visitor:{}", c.value()));
    }
    if keys.is_empty() {
        if let Some(addr) = req.peer_addr() {
            keys.push(crate::platform::rate_limit::address_key(addr.ip()));
        }
    }
    keys
}

/// The middleware: a read by a caller who wrote within the window runs with its reads on
/// the primary; a write marks its caller when it has been answered (committed or not: a
/// refused write costs the caller a few primary reads, nothing more). Without
/// [`RecentWriters`] in the app data (no replica), it does nothing.
pub async fn read_your_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let Some(writers) = req.app_data::<web::Data<RecentWriters>>().cloned() else {
        return PRIMARY_READS.scope(false, next.call(req)).await;
    };
    let keys = caller_keys(&req);
    let method = req.method();
    let reads = method == Method::GET || method == Method::HEAD || method == Method::OPTIONS;
    if reads {
        let recent = writers.wrote_recently(&keys);
        return PRIMARY_READS.scope(recent, next.call(req)).await;
    }
    // A write's own reads (before or after its transaction) are on the primary too.
    let mut keys = keys;
    let answered = PRIMARY_READS.scope(true, next.call(req)).await;
    if let Ok(res) = &answered {
        // A visitor's first write hands it the cookie its next reads carry.
        for c in res.response().cookies() {
            if c.name() == VISITOR_COOKIE {
                keys.push(format!("visitor:{}", c.value()));
            }
        }
    }
    writers.wrote(&keys);
    answered
}

#[cfg(test)]
mod tests {
    use super::RecentWriters;
    use std::time::Duration;

    #[test]
    fn a_caller_is_recent_after_writing_and_only_for_the_window() {
        let writers = RecentWriters::new(Duration::from_secs(3600));
        let shopper = vec!["user:shopper".to_owned(), "visitor:v1".to_owned()];
        let other = vec!["user:other".to_owned()];
        assert!(!writers.wrote_recently(&shopper));
        writers.wrote(&shopper);
        assert!(writers.wrote_recently(&shopper));
        // Any one identity of the writer is enough (a visitor's cookie, or its user
        // whether it came by token or by browser session).
        assert!(writers.wrote_recently(&["visitor:v1".to_owned()]));
        assert!(!writers.wrote_recently(&other));
        let closed = RecentWriters::new(Duration::ZERO);
        closed.wrote(&shopper);
        std::thread::sleep(Duration::from_millis(2));
        assert!(!closed.wrote_recently(&shopper));
    }
}
