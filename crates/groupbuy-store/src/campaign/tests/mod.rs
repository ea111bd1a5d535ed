//! Campaign use cases on both backends.

mod audit;
mod concurrency;
mod events;
mod live;

use crate::Database;
use groupbuy_domain::campaign::{
    Action, CampaignStore, ChangeContext, GroupBuyDraft, GroupBuyEdit, GroupBuyFields,
    GroupBuyStatus, Handle, HandleDraft, InterestRequest, RollupQuery, Slug, SupportReportDraft,
    SupportReportFields, VisitorId,
};
use groupbuy_domain::platform::Answer;
use groupbuy_domain::{DomainError, Principal};
use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};

fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_760_000_000).expect("time")
}

fn merchant(id: &str) -> Principal {
    Principal {
        user_id: id.into(),
        roles: vec!["merchant".into()],
        ..Principal::default()
    }
}

fn admin() -> Principal {
    Principal {
        user_id: "admin".into(),
        roles: vec!["platform-admin".into()],
        ..Principal::default()
    }
}

fn ctx(actor: &str, now: OffsetDateTime) -> ChangeContext {
    ChangeContext {
        actor: actor.into(),
        request_id: format!("req-{actor}"),
        now,
    }
}

fn h() -> Handle {
    Handle::parse("gharart").expect("handle")
}

fn s(slug: &str) -> Slug {
    Slug::parse(slug).expect("slug")
}

/// A handle `gharart` of m1 and a group-buy `slug` (min 3 participants, min 5 units,
/// max 10 units, closing a day after t0).
fn setup(db: &Database, slug: &str, publish: bool) {
    if db.handle(&h()).is_err() {
        db.create_handle(
            &merchant("m1"),
            HandleDraft::parse("gharart", "Gharart").expect("d"),
            t0(),
            Answer::none(),
        )
        .expect("handle");
    }
    let draft = GroupBuyDraft::parse(
        GroupBuyFields {
            slug: slug.into(),
            title: "Teak lamps".into(),
            description: None,
            unit_price: Decimal::new(4500, 0),
            currency: None,
            min_participants: Some(3),
            min_quantity: Some(5),
            max_quantity: Some(10),
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
        &ctx("user:m1", t0()),
        Answer::none(),
    )
    .expect("create");
    if publish {
        db.transition(
            &merchant("m1"),
            &h(),
            &s(slug),
            Action::Publish,
            &ctx("user:m1", t0()),
            Answer::none(),
        )
        .expect("publish");
    }
}

fn interest(db: &Database, slug: &str, visitor: &str, q: i64) -> Result<bool, DomainError> {
    db.put_interest(
        &h(),
        &s(slug),
        &VisitorId::user(visitor),
        InterestRequest::parse(Some(q), None).expect("req"),
        &ctx(visitor, t0()),
    )
    .map(|o| o.created)
}

fn handles_are_unique_and_owned(db: &Database) {
    setup(db, "lamps", false);
    let again = db.create_handle(
        &merchant("m2"),
        HandleDraft::parse("gharart", "X").expect("d"),
        t0(),
        Answer::none(),
    );
    assert!(matches!(again, Err(DomainError::Conflict(m)) if m.contains("already taken")));
    assert_eq!(db.handle(&h()).expect("handle").owner_id, "m1");
    let owned = db.owned_handles(&merchant("m1")).expect("list");
    assert_eq!(
        owned.iter().map(|p| p.handle.as_str()).collect::<Vec<_>>(),
        ["gharart"]
    );
    assert!(db.owned_handles(&merchant("m2")).expect("list").is_empty());
    let stranger = db.group_buy(&merchant("m2"), &h(), &s("lamps"));
    assert!(matches!(stranger, Err(DomainError::NotFound(_))));
    assert!(db.group_buy(&admin(), &h(), &s("lamps")).is_ok());
    let dup = GroupBuyDraft::parse(
        GroupBuyFields {
            slug: "lamps".into(),
            title: "Again".into(),
            description: None,
            unit_price: Decimal::ONE,
            currency: None,
            min_participants: Some(1),
            min_quantity: None,
            max_quantity: None,
            closes_at: t0() + Duration::days(1),
            preorder_window_hours: None,
        },
        t0(),
    )
    .expect("draft");
    assert!(matches!(
        db.create_group_buy(
            &merchant("m1"),
            &h(),
            dup,
            &ctx("user:m1", t0()),
            Answer::none()
        ),
        Err(DomainError::Conflict(_))
    ));
}

fn lifecycle_and_close_thresholds(db: &Database) {
    setup(db, "lamps", false);
    let m1 = merchant("m1");
    let pause = db.transition(
        &m1,
        &h(),
        &s("lamps"),
        Action::Pause,
        &ctx("user:m1", t0()),
        Answer::none(),
    );
    assert!(
        matches!(pause, Err(DomainError::Conflict(m)) if m == "Cannot pause a DRAFT group-buy; allowed from DRAFT: publish")
    );
    assert!(
        db.public_group_buy(&h(), &s("lamps")).is_err(),
        "drafts are not public"
    );
    let p = db
        .transition(
            &m1,
            &h(),
            &s("lamps"),
            Action::Publish,
            &ctx("user:m1", t0()),
            Answer::none(),
        )
        .expect("publish");
    assert_eq!(p.status, GroupBuyStatus::Published);
    for v in ["a", "b"] {
        assert!(interest(db, "lamps", v, 2).expect("interest"));
    }
    let close = db.transition(
        &m1,
        &h(),
        &s("lamps"),
        Action::Close,
        &ctx("user:m1", t0()),
        Answer::none(),
    );
    assert!(
        matches!(close, Err(DomainError::Conflict(m)) if m == "Cannot close: thresholds not met: participants 2/3, quantity 4/5")
    );
    interest(db, "lamps", "c", 1).expect("interest");
    let closed = db
        .transition(
            &m1,
            &h(),
            &s("lamps"),
            Action::Close,
            &ctx("user:m1", t0()),
            Answer::none(),
        )
        .expect("close");
    assert_eq!(closed.status, GroupBuyStatus::Closed);
    let stored = db.public_group_buy(&h(), &s("lamps")).expect("public");
    assert_eq!(
        (stored.status, stored.participants, stored.quantity),
        (GroupBuyStatus::Closed, 3, 5)
    );
    assert!(matches!(
        interest(db, "lamps", "d", 1),
        Err(DomainError::Conflict(_))
    ));
    let removal = db.remove_interest(&h(), &s("lamps"), &VisitorId::user("a"), &ctx("a", t0()));
    assert!(matches!(removal, Err(DomainError::Conflict(_))));
    let audit = db.audit(&m1, &h(), &s("lamps"), None, 100).expect("audit");
    let actions: Vec<_> = audit.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "close",
            "interest.register",
            "interest.register",
            "interest.register",
            "publish",
            "create"
        ]
    );
    assert_eq!(
        audit.items[0].before_status,
        Some(GroupBuyStatus::Published)
    );
    assert_eq!(audit.items[0].request_id, "req-user:m1");
}

fn interest_updates_move_counters_and_respect_max(db: &Database) {
    setup(db, "lamps", true);
    assert!(interest(db, "lamps", "a", 4).expect("first"));
    assert!(!interest(db, "lamps", "a", 6).expect("update"));
    let g = db.public_group_buy(&h(), &s("lamps")).expect("g");
    assert_eq!((g.participants, g.quantity), (1, 6));
    assert!(
        matches!(interest(db, "lamps", "b", 5), Err(DomainError::Conflict(m)) if m.contains("maxQuantity"))
    );
    assert!(interest(db, "lamps", "b", 4).expect("fits"));
    let g = db.public_group_buy(&h(), &s("lamps")).expect("g");
    assert_eq!((g.participants, g.quantity), (2, 10));
    assert!(db
        .remove_interest(&h(), &s("lamps"), &VisitorId::user("a"), &ctx("a", t0()))
        .expect("rm"));
    assert!(!db
        .remove_interest(&h(), &s("lamps"), &VisitorId::user("a"), &ctx("a", t0()))
        .expect("again"));
    let g = db.public_group_buy(&h(), &s("lamps")).expect("g");
    assert_eq!((g.participants, g.quantity), (1, 4));
    assert!(matches!(
        db.my_interest(&h(), &s("lamps"), &VisitorId::user("a")),
        Err(DomainError::NotFound(_))
    ));
    assert_eq!(
        db.my_interest(&h(), &s("lamps"), &VisitorId::user("b"))
            .expect("mine")
            .quantity,
        4
    );
    let page = db
        .interests(&merchant("m1"), &h(), &s("lamps"), None, 10)
        .expect("interests");
    assert_eq!(page.items.len(), 1);
}

fn paused_and_past_close_refuse_interest(db: &Database) {
    setup(db, "lamps", true);
    let late = t0() + Duration::days(2);
    let r = db.put_interest(
        &h(),
        &s("lamps"),
        &VisitorId::user("a"),
        InterestRequest::parse(None, None).expect("r"),
        &ctx("a", late),
    );
    assert!(matches!(r, Err(DomainError::Conflict(m)) if m.contains("closesAt")));
    interest(db, "lamps", "a", 1).expect("in time");
    db.transition(
        &merchant("m1"),
        &h(),
        &s("lamps"),
        Action::Pause,
        &ctx("user:m1", t0()),
        Answer::none(),
    )
    .expect("pause");
    assert!(
        matches!(interest(db, "lamps", "b", 1), Err(DomainError::Conflict(m)) if m.contains("PAUSED"))
    );
    assert!(db
        .remove_interest(&h(), &s("lamps"), &VisitorId::user("a"), &ctx("a", t0()))
        .expect("withdraw while paused"));
    let rollup = db
        .rollup(
            RollupQuery {
                status: None,
                handle: None,
                stuck_draft_age: Duration::hours(72),
                cursor: None,
                limit: 10,
            },
            late,
        )
        .expect("rollup");
    assert_eq!(rollup.past_close_still_open.len(), 1);
}

fn rollup_counts_and_stuck_drafts(db: &Database) {
    setup(db, "old-draft", false);
    setup(db, "live", true);
    let q = |status, hours| RollupQuery {
        status,
        handle: Some(h()),
        stuck_draft_age: Duration::hours(hours),
        cursor: None,
        limit: 1,
    };
    let now = t0() + Duration::hours(10);
    let r = db.rollup(q(None, 72), now).expect("rollup");
    assert_eq!(r.counts_by_status[0], (GroupBuyStatus::Draft, 1));
    assert_eq!(r.counts_by_status[1], (GroupBuyStatus::Published, 1));
    assert!(r.stuck_drafts.is_empty());
    assert_eq!(r.items.items.len(), 1);
    let next = db
        .rollup(
            RollupQuery {
                cursor: r.items.next_cursor.clone(),
                ..q(None, 72)
            },
            now,
        )
        .expect("page 2");
    assert_eq!(next.items.items[0].slug.as_str(), "old-draft");
    let r = db.rollup(q(None, 5), now).expect("rollup");
    assert_eq!(r.stuck_drafts.len(), 1);
    let r = db
        .rollup(q(Some(GroupBuyStatus::Published), 72), now)
        .expect("rollup");
    assert_eq!(r.items.items[0].slug.as_str(), "live");
}

fn support_reports_are_listed_newest_first(db: &Database) {
    let now = t0();
    let draft = SupportReportDraft::parse(SupportReportFields {
        summary: "s".into(),
        details: "d".into(),
        ..Default::default()
    })
    .expect("draft");
    for _ in 0..3 {
        db.submit_support_report(draft.clone(), "anonymous", "127.0.0.1", "rid", now)
            .expect("report");
    }
    let page = db.support_reports(None, 2).expect("page");
    assert_eq!(page.items.len(), 2);
    let rest = db.support_reports(page.next_cursor, 2).expect("page 2");
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.items[0].submitted_request_id, "rid");
}

/// A draft's edit is stored, read back and audited; another merchant's is 404; a published
/// campaign's terms are refused and unchanged.
fn a_draft_is_edited_and_published_terms_are_not(db: &Database) {
    setup(db, "lamps", false);
    let later = t0() + Duration::hours(2);
    let edit = GroupBuyEdit {
        title: Some("Oak lamps".into()),
        unit_price: Some(Decimal::new(3900, 0)),
        min_quantity: Some(None),
        max_quantity: Some(Some(20)),
        closes_at: Some(t0() + Duration::days(3)),
        ..GroupBuyEdit::default()
    };
    let other = db.edit_draft(
        &merchant("m2"),
        &h(),
        &s("lamps"),
        edit.clone(),
        &ctx("user:m2", later),
        Answer::none(),
    );
    assert!(matches!(other, Err(DomainError::NotFound(_))), "{other:?}");
    db.edit_draft(
        &merchant("m1"),
        &h(),
        &s("lamps"),
        edit,
        &ctx("user:m1", later),
        Answer::none(),
    )
    .expect("edited");
    let g = db
        .group_buy(&merchant("m1"), &h(), &s("lamps"))
        .expect("read");
    assert_eq!(g.title, "Oak lamps");
    assert_eq!(g.unit_price.to_decimal(), Decimal::new(390000, 2));
    assert_eq!(
        (g.thresholds.min_participants(), g.thresholds.min_quantity()),
        (Some(3), None)
    );
    assert_eq!(g.max_quantity, Some(20));
    assert_eq!(
        (g.closes_at, g.updated_at, g.status),
        (t0() + Duration::days(3), later, GroupBuyStatus::Draft)
    );
    let audit = db
        .audit(&merchant("m1"), &h(), &s("lamps"), None, 10)
        .expect("audit");
    assert_eq!(audit.items[0].action, "edit");
    assert_eq!(audit.items[0].actor, "user:m1");

    db.transition(
        &merchant("m1"),
        &h(),
        &s("lamps"),
        Action::Publish,
        &ctx("user:m1", later),
        Answer::none(),
    )
    .expect("publish");
    let late = GroupBuyEdit {
        title: Some("Changed after publishing".into()),
        ..GroupBuyEdit::default()
    };
    let refused = db.edit_draft(
        &merchant("m1"),
        &h(),
        &s("lamps"),
        late,
        &ctx("user:m1", later),
        Answer::none(),
    );
    match refused {
        Err(DomainError::Conflict(r)) => assert_eq!(r.kind(), "not-a-draft"),
        other => panic!("{other:?}"),
    }
    let g = db
        .group_buy(&merchant("m1"), &h(), &s("lamps"))
        .expect("read");
    assert_eq!(g.title, "Oak lamps", "published terms unchanged");
}

crate::on_both_backends!(
    a_draft_is_edited_and_published_terms_are_not,
    handles_are_unique_and_owned,
    lifecycle_and_close_thresholds,
    interest_updates_move_counters_and_respect_max,
    paused_and_past_close_refuse_interest,
    rollup_counts_and_stuck_drafts,
    support_reports_are_listed_newest_first,
);
