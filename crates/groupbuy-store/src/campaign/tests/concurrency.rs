//! The concurrency guarantees: one interest per visitor, exact counters, one winner.

use super::*;
use groupbuy_domain::platform::Answer;

fn same_visitor_in_100_threads_counts_once(db: &Database) {
    setup(db, "hot", true);
    let threads: Vec<_> = (0..100)
        .map(|_| {
            let db = db.clone();
            std::thread::spawn(move || interest(&db, "hot", "same", 2))
        })
        .collect();
    let created = threads
        .into_iter()
        .map(|t| t.join().expect("thread").expect("interest"))
        .filter(|c| *c)
        .count();
    assert_eq!(created, 1);
    let g = db.public_group_buy(&h(), &s("hot")).expect("g");
    assert_eq!((g.participants, g.quantity), (1, 2));
    let page = db
        .interests(&merchant("m1"), &h(), &s("hot"), None, 100)
        .expect("page");
    assert_eq!(page.items.len(), 1);
}

fn hundred_visitors_in_100_threads_count_exactly(db: &Database) {
    db.create_handle(
        &merchant("m1"),
        HandleDraft::parse("gharart", "G").expect("d"),
        t0(),
        Answer::none(),
    )
    .expect("h");
    let draft = GroupBuyDraft::parse(
        GroupBuyFields {
            slug: "hot".into(),
            title: "Hot".into(),
            description: None,
            unit_price: Decimal::ONE,
            currency: None,
            min_participants: Some(100),
            min_quantity: None,
            max_quantity: Some(150),
            closes_at: t0() + Duration::days(1),
            preorder_window_hours: None,
        },
        t0(),
    )
    .expect("draft");
    db.create_group_buy(
        &merchant("m1"),
        &h(),
        draft,
        &ctx("m1", t0()),
        Answer::none(),
    )
    .expect("create");
    db.transition(
        &merchant("m1"),
        &h(),
        &s("hot"),
        Action::Publish,
        &ctx("m1", t0()),
        Answer::none(),
    )
    .expect("publish");
    let threads: Vec<_> = (0..100)
        .map(|i| {
            let db = db.clone();
            std::thread::spawn(move || interest(&db, "hot", &format!("v{i}"), 2))
        })
        .collect();
    let results: Vec<_> = threads
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .collect();
    let ok = results.iter().filter(|r| r.is_ok()).count();
    // maxQuantity 150 admits exactly 75 visitors of 2 units; the rest are refused.
    assert_eq!(ok, 75);
    assert!(results
        .iter()
        .all(|r| matches!(r, Ok(true) | Err(DomainError::Conflict(_)))));
    let g = db.public_group_buy(&h(), &s("hot")).expect("g");
    assert_eq!((g.participants, g.quantity), (75, 150));
    let page = db
        .interests(&merchant("m1"), &h(), &s("hot"), None, 100)
        .expect("page");
    assert_eq!(page.items.len(), 75);
}

fn hundred_visitors_without_cap(db: &Database) {
    db.create_handle(
        &merchant("m1"),
        HandleDraft::parse("gharart", "G").expect("d"),
        t0(),
        Answer::none(),
    )
    .expect("h");
    let draft = GroupBuyDraft::parse(
        GroupBuyFields {
            slug: "open".into(),
            title: "Open".into(),
            description: None,
            unit_price: Decimal::ONE,
            currency: None,
            min_participants: None,
            min_quantity: Some(300),
            max_quantity: None,
            closes_at: t0() + Duration::days(1),
            preorder_window_hours: None,
        },
        t0(),
    )
    .expect("draft");
    db.create_group_buy(
        &merchant("m1"),
        &h(),
        draft,
        &ctx("m1", t0()),
        Answer::none(),
    )
    .expect("create");
    db.transition(
        &merchant("m1"),
        &h(),
        &s("open"),
        Action::Publish,
        &ctx("m1", t0()),
        Answer::none(),
    )
    .expect("publish");
    let threads: Vec<_> = (0..100i64)
        .map(|i| {
            let db = db.clone();
            std::thread::spawn(move || {
                db.put_interest(
                    &h(),
                    &s("open"),
                    &VisitorId::anonymous(uuid::Uuid::new_v4()),
                    InterestRequest::parse(Some(1 + i % 3), None).expect("r"),
                    &ctx("v", t0()),
                )
            })
        })
        .collect();
    for t in threads {
        assert!(t.join().expect("thread").expect("interest").created);
    }
    let g = db.public_group_buy(&h(), &s("open")).expect("g");
    let expected: i64 = (0..100).map(|i| 1 + i % 3).sum();
    assert_eq!((g.participants, g.quantity), (100, expected));
    let mut seen = 0;
    let mut cursor = None;
    loop {
        let page = db
            .interests(&merchant("m1"), &h(), &s("open"), cursor, 30)
            .expect("page");
        seen += page.items.len();
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(seen, 100);
}

fn concurrent_transitions_have_one_winner(db: &Database) {
    setup(db, "race", true);
    let threads: Vec<_> = (0..20)
        .map(|_| {
            let db = db.clone();
            std::thread::spawn(move || {
                db.transition(
                    &merchant("m1"),
                    &h(),
                    &s("race"),
                    Action::Pause,
                    &ctx("m1", t0()),
                    Answer::none(),
                )
            })
        })
        .collect();
    let wins = threads
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .filter(Result::is_ok)
        .count();
    assert_eq!(wins, 1);
    let audit = db
        .audit(&merchant("m1"), &h(), &s("race"), None, 100)
        .expect("audit");
    assert_eq!(
        audit.items.iter().filter(|e| e.action == "pause").count(),
        1
    );
}

crate::on_both_backends!(
    same_visitor_in_100_threads_counts_once,
    hundred_visitors_in_100_threads_count_exactly,
    hundred_visitors_without_cap,
    concurrent_transitions_have_one_winner
);
