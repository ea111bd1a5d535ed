use super::*;
use crate::campaign::{GroupBuyDraft, GroupBuyEdit, GroupBuyFields};
use crate::IntoEnumIterator;
use crate::Refusal;
use proptest::prelude::*;
use rust_decimal::Decimal;
use time::Duration;

pub(crate) fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_760_000_000).expect("time")
}

fn fields() -> GroupBuyFields {
    GroupBuyFields {
        slug: "teak-lamps".into(),
        title: "Teak lamps".into(),
        description: Some("Hand-made".into()),
        unit_price: Decimal::new(4500050, 2),
        currency: None,
        min_participants: Some(50),
        min_quantity: Some(100),
        max_quantity: Some(500),
        closes_at: t0() + Duration::days(7),
        preorder_window_hours: None,
    }
}

pub(crate) fn draft_gb() -> GroupBuy {
    GroupBuyDraft::parse(fields(), t0())
        .expect("draft")
        .into_group_buy(Uuid::nil(), Handle::parse("gharart").expect("h"), t0())
}

fn field_of(err: DomainError) -> String {
    match err {
        DomainError::Validation { field, .. } => field,
        other => panic!("not a validation error: {other:?}"),
    }
}

#[test]
fn draft_validation_names_each_field() {
    let cases: Vec<(GroupBuyFields, &str)> = vec![
        (
            GroupBuyFields {
                slug: "No".into(),
                ..fields()
            },
            "slug",
        ),
        (
            GroupBuyFields {
                title: " ".into(),
                ..fields()
            },
            "title",
        ),
        (
            GroupBuyFields {
                unit_price: Decimal::ZERO,
                ..fields()
            },
            "unitPrice",
        ),
        (
            GroupBuyFields {
                unit_price: Decimal::new(1001, 3),
                ..fields()
            },
            "unitPrice",
        ),
        (
            GroupBuyFields {
                currency: Some("XXX".into()),
                ..fields()
            },
            "currency",
        ),
        (
            GroupBuyFields {
                min_participants: None,
                min_quantity: None,
                ..fields()
            },
            "thresholds",
        ),
        (
            GroupBuyFields {
                min_participants: Some(0),
                ..fields()
            },
            "thresholds.minParticipants",
        ),
        (
            GroupBuyFields {
                min_quantity: Some(-1),
                ..fields()
            },
            "thresholds.minQuantity",
        ),
        (
            GroupBuyFields {
                max_quantity: Some(0),
                ..fields()
            },
            "maxQuantity",
        ),
        (
            GroupBuyFields {
                max_quantity: Some(99),
                ..fields()
            },
            "maxQuantity",
        ),
        (
            GroupBuyFields {
                closes_at: t0(),
                ..fields()
            },
            "closesAt",
        ),
        (
            GroupBuyFields {
                closes_at: t0() - Duration::hours(1),
                ..fields()
            },
            "closesAt",
        ),
    ];
    for (f, field) in cases {
        assert_eq!(
            field_of(GroupBuyDraft::parse(f, t0()).expect_err("must be refused")),
            field
        );
    }
}

#[test]
fn a_new_group_buy_is_a_draft_with_zero_counters() {
    let g = draft_gb();
    assert_eq!(g.status, GroupBuyStatus::Draft);
    assert_eq!((g.participants, g.quantity), (0, 0));
    assert_eq!(g.unit_price.minor(), 4500050);
    assert!(!g.progress().met);
}

#[test]
fn allowed_transitions_stamp_their_time() {
    let g = draft_gb();
    let t1 = t0() + Duration::minutes(1);
    let p = g.apply(Action::Publish, t1).expect("publish");
    assert_eq!(
        (p.status, p.published_at, p.updated_at),
        (GroupBuyStatus::Published, Some(t1), t1)
    );
    let t2 = t1 + Duration::minutes(1);
    let z = p.apply(Action::Pause, t2).expect("pause");
    assert_eq!((z.status, z.paused_at), (GroupBuyStatus::Paused, Some(t2)));
    let again = z.apply(Action::Publish, t2).expect("republish");
    assert_eq!(again.status, GroupBuyStatus::Published);
    let mut full = again.clone();
    full.participants = 50;
    full.quantity = 100;
    let c = full.apply(Action::Close, t2).expect("close");
    assert_eq!((c.status, c.closed_at), (GroupBuyStatus::Closed, Some(t2)));
    let mut paused_full = z.clone();
    paused_full.participants = 50;
    paused_full.quantity = 100;
    assert_eq!(
        paused_full
            .apply(Action::Close, t2)
            .expect("close paused")
            .status,
        GroupBuyStatus::Closed
    );
}

#[test]
fn refused_transitions_name_the_state_and_the_allowed_actions() {
    let g = draft_gb();
    let msg = |g: &GroupBuy, a| match g.apply(a, t0()) {
        Err(DomainError::Conflict(m)) => {
            assert_eq!(m.kind(), "invalid-transition");
            m.to_string()
        }
        other => panic!("expected a conflict, got {other:?}"),
    };
    assert_eq!(
        msg(&g, Action::Pause),
        "Cannot pause a DRAFT group-buy; allowed from DRAFT: publish"
    );
    assert_eq!(
        msg(&g, Action::Close),
        "Cannot close a DRAFT group-buy; allowed from DRAFT: publish"
    );
    let p = g.apply(Action::Publish, t0()).expect("publish");
    assert_eq!(
        msg(&p, Action::Publish),
        "Cannot publish a PUBLISHED group-buy; allowed from PUBLISHED: pause, close"
    );
    let z = p.apply(Action::Pause, t0()).expect("pause");
    assert_eq!(
        msg(&z, Action::Pause),
        "Cannot pause a PAUSED group-buy; allowed from PAUSED: publish, close"
    );
    let mut c = z.clone();
    c.status = GroupBuyStatus::Closed;
    for a in Action::iter() {
        assert_eq!(
            msg(&c, a),
            format!(
                "Cannot {} a CLOSED group-buy; allowed from CLOSED: none",
                a.as_str()
            )
        );
    }
}

#[test]
fn close_lists_every_unmet_threshold() {
    let mut p = draft_gb().apply(Action::Publish, t0()).expect("publish");
    p.participants = 12;
    p.quantity = 30;
    assert_eq!(
        p.apply(Action::Close, t0()).expect_err("must be refused"),
        DomainError::Conflict(Refusal::new(
            "thresholds-not-met",
            "Cannot close: thresholds not met: participants 12/50, quantity 30/100"
        ))
    );
    p.participants = 50;
    assert_eq!(
        p.apply(Action::Close, t0()).expect_err("must be refused"),
        DomainError::Conflict(Refusal::new(
            "thresholds-not-met",
            "Cannot close: thresholds not met: quantity 30/100"
        ))
    );
    p.participants = 49;
    p.quantity = 100;
    assert_eq!(
        p.apply(Action::Close, t0()).expect_err("must be refused"),
        DomainError::Conflict(Refusal::new(
            "thresholds-not-met",
            "Cannot close: thresholds not met: participants 49/50"
        ))
    );
    p.participants = 50;
    assert!(p.apply(Action::Close, t0()).is_ok());
}

#[test]
fn one_threshold_alone_is_enough() {
    let f = GroupBuyFields {
        min_quantity: None,
        max_quantity: None,
        ..fields()
    };
    let mut g = GroupBuyDraft::parse(f, t0())
        .expect("draft")
        .into_group_buy(Uuid::nil(), Handle::parse("gharart").expect("h"), t0())
        .apply(Action::Publish, t0())
        .expect("publish");
    g.participants = 50;
    let progress = g.progress();
    assert!(progress.met && progress.quantity.is_none());
    assert!(g.apply(Action::Close, t0()).is_ok());
}

#[test]
fn publishing_after_closes_at_is_refused() {
    let g = draft_gb();
    let late = g.closes_at + Duration::seconds(1);
    assert!(
        matches!(g.apply(Action::Publish, late), Err(DomainError::Conflict(m)) if m.contains("closesAt"))
    );
}

#[test]
fn interest_is_accepted_only_while_published_and_open() {
    let g = draft_gb();
    assert!(g.accepts_interest(t0()).is_err());
    let p = g.apply(Action::Publish, t0()).expect("publish");
    assert!(p.accepts_interest(t0()).is_ok());
    assert!(matches!(
        p.accepts_interest(p.closes_at),
        Err(DomainError::Conflict(_))
    ));
    let z = p.apply(Action::Pause, t0()).expect("pause");
    assert!(
        matches!(z.accepts_interest(t0()), Err(DomainError::Conflict(m)) if m.contains("PAUSED"))
    );
    assert!(z.allows_withdrawal().is_ok());
    let mut c = z;
    c.status = GroupBuyStatus::Closed;
    assert!(c.allows_withdrawal().is_err());
}

#[test]
fn capacity_respects_max_quantity() {
    let mut g = draft_gb();
    g.quantity = 499;
    assert!(g.check_capacity(1).is_ok());
    assert!(matches!(g.check_capacity(2), Err(DomainError::Conflict(_))));
    assert!(g.check_capacity(-5).is_ok());
}

#[test]
fn statuses_round_trip() {
    for s in GroupBuyStatus::iter() {
        assert_eq!(GroupBuyStatus::parse(s.as_str()).expect("parse"), s);
    }
    assert_eq!(
        GroupBuyStatus::parse("draft").expect("parse"),
        GroupBuyStatus::Draft
    );
    assert!(GroupBuyStatus::parse("OPEN").is_err());
}

#[derive(Debug, Clone)]
enum Step {
    Act(Action),
    Join(i64),
    Leave(i64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        prop::sample::select(Action::iter().collect::<Vec<_>>()).prop_map(Step::Act),
        (1i64..40).prop_map(Step::Join),
        (1i64..40).prop_map(Step::Leave),
    ]
}

proptest! {
    /// Any sequence of actions and interest changes keeps the machine valid: every state
    /// is reachable only through allowed edges, CLOSED is final, close happens only with
    /// every threshold met, and refusals leave the group-buy unchanged.
    #[test]
    fn any_sequence_keeps_the_machine_valid(steps in prop::collection::vec(step(), 0..60)) {
        let mut g = draft_gb();
        let mut now = t0();
        for s in steps {
            now += Duration::seconds(1);
            match s {
                Step::Act(a) => {
                    let before = g.clone();
                    match g.apply(a, now) {
                        Ok(next) => {
                            prop_assert!(before.status.allowed_actions().contains(&a));
                            prop_assert_eq!(next.status, a.target());
                            if a == Action::Close {
                                prop_assert!(before.progress().met);
                                prop_assert!(next.closed_at.is_some());
                            }
                            g = next;
                        }
                        Err(DomainError::Conflict(_)) => {
                            prop_assert!(
                                !before.status.allowed_actions().contains(&a)
                                    || (a == Action::Close && !before.progress().met)
                            );
                        }
                        Err(other) => prop_assert!(false, "unexpected {other:?}"),
                    }
                }
                Step::Join(q) => {
                    if g.accepts_interest(now).is_ok() && g.check_capacity(q).is_ok() {
                        g.participants += 1;
                        g.quantity += q;
                    }
                }
                Step::Leave(q) => {
                    if g.allows_withdrawal().is_ok() && g.participants > 0 && g.quantity >= q {
                        g.participants -= 1;
                        g.quantity -= q;
                    }
                }
            }
            prop_assert!(g.max_quantity.is_none_or(|m| g.quantity <= m));
            if g.status == GroupBuyStatus::Closed {
                prop_assert!(g.closed_at.is_some());
                prop_assert!(g.status.allowed_actions().is_empty());
            }
            if g.status == GroupBuyStatus::Draft {
                prop_assert_eq!(g.published_at, None);
            }
        }
    }
}

#[test]
fn preorder_terms_are_optional_and_validated() {
    let plain = GroupBuyDraft::parse(fields(), t0()).expect("draft");
    assert_eq!(plain.preorder, None);
    let f = GroupBuyFields {
        preorder_window_hours: Some(48),
        ..fields()
    };
    let g = GroupBuyDraft::parse(f, t0())
        .expect("draft")
        .into_group_buy(Uuid::nil(), Handle::parse("gharart").expect("h"), t0());
    assert_eq!(g.preorder.map(|t| t.payment_window_hours()), Some(48));
    let bad = GroupBuyFields {
        preorder_window_hours: Some(0),
        ..fields()
    };
    let err = GroupBuyDraft::parse(bad, t0()).expect_err("0 hours");
    assert_eq!(field_of(err), "preorder.paymentWindowHours");
}

#[test]
fn a_draft_is_edited_field_by_field_and_validated_as_at_creation() {
    let g = draft_gb();
    let later = t0() + Duration::hours(1);
    let edited = g
        .edit_draft(
            GroupBuyEdit {
                title: Some("  Oak lamps ".into()),
                unit_price: Some(Decimal::new(39000, 0)),
                min_quantity: Some(None),
                max_quantity: Some(None),
                ..GroupBuyEdit::default()
            },
            later,
        )
        .expect("edited");
    assert_eq!(edited.title, "Oak lamps");
    assert_eq!(edited.unit_price.to_decimal(), Decimal::new(3900000, 2));
    assert_eq!(edited.thresholds.min_participants(), Some(50), "kept");
    assert_eq!(edited.thresholds.min_quantity(), None, "removed");
    assert_eq!(edited.max_quantity, None);
    assert_eq!(edited.description, "Hand-made", "kept");
    assert_eq!(
        (edited.id, &edited.slug, edited.status),
        (g.id, &g.slug, GroupBuyStatus::Draft)
    );
    assert_eq!(
        (edited.created_at, edited.updated_at),
        (g.created_at, later)
    );

    // The same rules as creation: no threshold left, a cap below the minimum, a past close.
    let no_threshold = GroupBuyEdit {
        min_participants: Some(None),
        min_quantity: Some(None),
        ..GroupBuyEdit::default()
    };
    assert!(matches!(
        g.edit_draft(no_threshold, later),
        Err(DomainError::Validation { .. })
    ));
    let cap = GroupBuyEdit {
        max_quantity: Some(Some(10)),
        ..GroupBuyEdit::default()
    };
    assert_eq!(
        field_of(g.edit_draft(cap, later).expect_err("cap")),
        "maxQuantity"
    );
    let past = GroupBuyEdit {
        closes_at: Some(t0()),
        ..GroupBuyEdit::default()
    };
    assert_eq!(
        field_of(g.edit_draft(past, later).expect_err("past")),
        "closesAt"
    );
    let blank = GroupBuyEdit {
        title: Some("  ".into()),
        ..GroupBuyEdit::default()
    };
    assert_eq!(
        field_of(g.edit_draft(blank, later).expect_err("blank")),
        "title"
    );
}

#[test]
fn only_a_draft_is_edited() {
    let published = draft_gb().apply(Action::Publish, t0()).expect("published");
    let err = published
        .edit_draft(
            GroupBuyEdit {
                title: Some("New".into()),
                ..GroupBuyEdit::default()
            },
            t0(),
        )
        .expect_err("refused");
    match err {
        DomainError::Conflict(r) => {
            assert_eq!(r.kind(), "not-a-draft");
            assert!(r.to_string().contains("PUBLISHED"), "{r}");
        }
        other => panic!("{other:?}"),
    }
}
