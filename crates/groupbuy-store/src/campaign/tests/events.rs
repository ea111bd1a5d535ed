//! Campaign transitions and the tipping point write their events in their transaction.

use super::{ctx, h, interest, merchant, s, setup, t0};
use crate::platform::schema::events;
use crate::Database;
use diesel::prelude::*;
use groupbuy_domain::campaign::{Action, CampaignStore};
use groupbuy_domain::platform::Answer;

/// (type, subject, sequence, audience, request id) of every stored event, in order.
fn stored(db: &Database) -> Vec<(String, String, i64, String, String)> {
    db.read(|c| {
        Ok(events::table
            .select((
                events::event_type,
                events::subject,
                events::sequence,
                events::audience_id,
                events::request_id,
            ))
            .order(events::seq)
            .load(c)?)
    })
    .expect("events")
}

fn transitions_and_the_tipping_point_say_so_once(db: &Database) {
    setup(db, "lamps", true);
    let subject = "campaign:gharart/lamps".to_owned();
    let published = (
        "campaign.published".to_owned(),
        subject.clone(),
        1,
        "m1".to_owned(),
        "req-user:m1".to_owned(),
    );
    assert_eq!(stored(db), [published]);
    // Thresholds: 3 participants and 5 units. Below them, interest says nothing.
    interest(db, "lamps", "a", 2).expect("a");
    interest(db, "lamps", "b", 2).expect("b");
    assert_eq!(stored(db).len(), 1);
    // Refused interest (over maxQuantity) says nothing either.
    assert!(interest(db, "lamps", "c", 9).is_err());
    assert_eq!(stored(db).len(), 1);
    interest(db, "lamps", "c", 1).expect("c tips it");
    let tipped = stored(db);
    assert_eq!(tipped.len(), 2);
    assert_eq!(
        (tipped[1].0.as_str(), tipped[1].2, tipped[1].4.as_str()),
        ("campaign.threshold_reached", 2, "req-c")
    );
    // Still met after another change: it does not fire again.
    interest(db, "lamps", "c", 2).expect("c again");
    assert_eq!(stored(db).len(), 2);
    // A refused transition (pause while paused) writes nothing.
    db.transition(
        &merchant("m1"),
        &h(),
        &s("lamps"),
        Action::Pause,
        &ctx("user:m1", t0()),
        Answer::none(),
    )
    .expect("pause");
    assert!(db
        .transition(
            &merchant("m1"),
            &h(),
            &s("lamps"),
            Action::Pause,
            &ctx("user:m1", t0()),
            Answer::none(),
        )
        .is_err());
    db.transition(
        &merchant("m1"),
        &h(),
        &s("lamps"),
        Action::Close,
        &ctx("user:m1", t0()),
        Answer::none(),
    )
    .expect("close");
    let all: Vec<(String, i64)> = stored(db).into_iter().map(|e| (e.0, e.2)).collect();
    assert_eq!(
        all,
        [
            ("campaign.published".to_owned(), 1),
            ("campaign.threshold_reached".to_owned(), 2),
            ("campaign.paused".to_owned(), 3),
            ("campaign.closed".to_owned(), 4),
        ]
    );
}

crate::on_both_backends!(transitions_and_the_tipping_point_say_so_once);
