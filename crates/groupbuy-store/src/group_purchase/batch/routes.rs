//! Which group's line a session pays in, remembered from its checkout in this process, so
//! its payment does not read the session back just to find its group (PostgreSQL: a pool
//! checkout and a round trip saved per join). A session created by another instance, or
//! forgotten, is read as before: the map only ever skips a read, never decides anything
//! (the batch reads the session under its group's lock and the domain checks it there).

use parking_lot::Mutex;
use std::collections::HashMap;
use uuid::Uuid;

/// Most sessions remembered: past it the map starts again empty (a session never paid
/// would otherwise stay forever), and the forgotten ones are read back when paid.
const MOST: usize = 65_536;

/// Session id -> the group it joins, for sessions created here and not yet paid.
#[derive(Default)]
pub(crate) struct Routes {
    groups: Mutex<HashMap<Uuid, Uuid>>,
}

impl Routes {
    /// Remembers that `session` (just created here) joins `group`.
    pub(crate) fn remember(&self, session: Uuid, group: Uuid) {
        let mut groups = self.groups.lock();
        if groups.len() >= MOST {
            groups.clear();
        }
        groups.insert(session, group);
    }

    /// The group `session` joins, if it was created here; forgotten once asked (a session
    /// is paid once: a retry reads it, and finds it paid).
    pub(crate) fn take(&self, session: Uuid) -> Option<Uuid> {
        self.groups.lock().remove(&session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_is_taken_once_and_the_map_stays_bounded() {
        let routes = Routes::default();
        let (s, g) = (Uuid::new_v4(), Uuid::new_v4());
        routes.remember(s, g);
        assert_eq!(routes.take(s), Some(g));
        assert_eq!(routes.take(s), None);
        for _ in 0..MOST + 1 {
            routes.remember(Uuid::new_v4(), g);
        }
        assert!(routes.groups.lock().len() <= MOST);
    }
}
