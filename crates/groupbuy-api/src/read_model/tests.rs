use super::{ReadModel, ReadModelSettings, View};
use groupbuy_domain::campaign::{GroupBuy, GroupBuyStatus, Handle, Slug, Thresholds};
use groupbuy_domain::group_purchase::{GroupCode, GroupDetail, GroupInstance, GroupStatus};
use groupbuy_domain::money::{Currency, Money};
use groupbuy_domain::DomainError;
use groupbuy_store::live::LiveChange;
use rust_decimal::Decimal;
use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use uuid::Uuid;

fn detail(code: &str, occupied: i32) -> GroupDetail {
    let t = OffsetDateTime::UNIX_EPOCH;
    GroupDetail {
        group: GroupInstance {
            // A distinct id per code.
            id: Uuid::from_u128(code.bytes().fold(7, |h, b| h * 31 + u128::from(b))),
            code: GroupCode::from_stored(code.into()),
            name: format!("{code}-name"),
            product_id: Uuid::nil(),
            shop_id: Uuid::nil(),
            initiator_id: "alice".into(),
            initiator_name: "alice".into(),
            unit_price: Money::from_minor(100, Currency::TZS),
            regular_price: Money::from_minor(200, Currency::TZS),
            total_seats: 10,
            seats_occupied: occupied,
            status: GroupStatus::Open,
            duration_hours: Decimal::from(24),
            max_per_customer: None,
            created_at: t,
            expires_at: t,
            completed_at: None,
            updated_at: t,
        },
        product_name: "p".into(),
        product_image: None,
        shop_name: "s".into(),
        shop_logo: None,
        participants: Vec::new(),
    }
}

fn model(max_age_ms: u64, capacity: usize) -> Arc<ReadModel> {
    ReadModel::new(ReadModelSettings {
        max_age: Duration::from_millis(max_age_ms),
        capacity,
    })
    .expect("model")
}

/// Reads `code` counting the store calls in `loads`.
fn read(m: &ReadModel, code: &str, occupied: i32, loads: &Cell<u32>) -> i32 {
    m.groups
        .get(code, || {
            loads.set(loads.get() + 1);
            Ok::<_, DomainError>(detail(code, occupied))
        })
        .expect("read")
        .data
        .group
        .seats_occupied
}

#[test]
fn an_unchanged_group_is_read_once_and_a_change_is_read_again() {
    let (m, loads) = (model(60_000, 10), Cell::new(0));
    assert_eq!(read(&m, "GP-AAAAAA", 1, &loads), 1);
    assert_eq!(read(&m, "GP-AAAAAA", 9, &loads), 1, "served from memory");
    assert_eq!(
        (loads.get(), m.groups.hits.get(), m.groups.misses.get()),
        (1, 1, 1)
    );
    (m.on_change())(LiveChange::Group("GP-AAAAAA".into()));
    assert_eq!(read(&m, "GP-AAAAAA", 2, &loads), 2);
    (m.on_change())(LiveChange::Everything);
    assert_eq!(read(&m, "GP-AAAAAA", 3, &loads), 3);
    (m.on_change())(LiveChange::Campaign("h/s".into()));
    assert_eq!(
        read(&m, "GP-AAAAAA", 4, &loads),
        3,
        "a campaign is another topic"
    );
}

#[test]
fn a_read_begun_before_a_change_is_not_kept() {
    let (m, loads) = (model(60_000, 10), Cell::new(0));
    let old = m
        .groups
        .get("GP-AAAAAA", || {
            // The change lands while the store answers with what it read before.
            m.groups.forget("GP-AAAAAA");
            Ok(detail("GP-AAAAAA", 1))
        })
        .expect("read");
    assert_eq!(old.data.group.seats_occupied, 1);
    assert!(old.version.is_none(), "an answer not kept has no version");
    assert_eq!(
        read(&m, "GP-AAAAAA", 2, &loads),
        2,
        "the old answer was not kept"
    );
    // Same when the change is known only by the group's id.
    let id = detail("GP-BBBBBB", 0).group.id;
    m.groups
        .get("GP-BBBBBB", || {
            m.groups.forget_id(id);
            Ok(detail("GP-BBBBBB", 1))
        })
        .expect("read");
    assert_eq!(read(&m, "GP-BBBBBB", 2, &loads), 2);
}

#[test]
fn reads_by_id_go_through_the_code_once_it_is_known() {
    let m = model(60_000, 10);
    let d = detail("GP-AAAAAA", 1);
    let id = d.group.id;
    let loads = Cell::new(0);
    let by_id = || {
        m.groups
            .get_by_id(
                id,
                |d| d.group.code.as_str().to_owned(),
                || {
                    loads.set(loads.get() + 1);
                    Ok(d.clone())
                },
            )
            .expect("read")
    };
    let first = by_id();
    by_id();
    by_id();
    assert_eq!(loads.get(), 1, "the first read notes the code and is kept");
    assert!(first.version.is_some());
    m.groups.forget_id(id);
    by_id();
    assert_eq!(loads.get(), 2);
    // A read by id during which anything changed is not kept.
    m.groups.forget_all();
    let raced = m
        .groups
        .get_by_id(
            id,
            |d| d.group.code.as_str().to_owned(),
            || {
                m.groups.forget("GP-ZZZZZZ");
                Ok(d.clone())
            },
        )
        .expect("read");
    assert!(raced.version.is_none());
    by_id();
    assert_eq!(loads.get(), 3, "asked again");
}

#[test]
fn an_entry_older_than_the_max_age_is_rebuilt() {
    let (m, loads) = (model(30, 10), Cell::new(0));
    read(&m, "GP-AAAAAA", 1, &loads);
    std::thread::sleep(Duration::from_millis(40));
    assert_eq!(read(&m, "GP-AAAAAA", 2, &loads), 2);
    assert_eq!(loads.get(), 2);
}

#[test]
fn an_aged_entry_is_rebuilt_by_one_reader_while_the_others_are_served_it() {
    let (m, loads) = (model(30, 10), Cell::new(0));
    read(&m, "GP-AAAAAA", 1, &loads);
    std::thread::sleep(Duration::from_millis(40));
    let rebuilt = m
        .groups
        .get("GP-AAAAAA", || {
            loads.set(loads.get() + 1);
            // A reader arriving during the rebuild is served the aged view, not sent to
            // the store as well.
            assert_eq!(read(&m, "GP-AAAAAA", 3, &loads), 1);
            assert!(m.groups.peek("GP-AAAAAA").is_some());
            Ok(detail("GP-AAAAAA", 2))
        })
        .expect("read");
    assert_eq!(rebuilt.data.group.seats_occupied, 2);
    assert_eq!(loads.get(), 2, "one rebuild for two readers");
    assert_eq!(
        read(&m, "GP-AAAAAA", 4, &loads),
        2,
        "the rebuilt view after it"
    );
}

#[test]
fn an_aged_entry_is_served_during_its_rebuild_for_at_most_another_max_age() {
    let (m, loads) = (model(30, 10), Cell::new(0));
    read(&m, "GP-AAAAAA", 1, &loads);
    std::thread::sleep(Duration::from_millis(40));
    // The rebuild fails (a rebuild that hangs looks the same to the other readers).
    let failed = m.groups.get("GP-AAAAAA", || {
        Err(DomainError::Unavailable("store down".into()))
    });
    assert!(failed.is_err());
    assert_eq!(read(&m, "GP-AAAAAA", 2, &loads), 1, "served while rebuilt");
    std::thread::sleep(Duration::from_millis(40));
    assert_eq!(
        read(&m, "GP-AAAAAA", 3, &loads),
        3,
        "asked again after that"
    );
}

#[test]
fn a_changed_entry_is_never_served_while_it_is_rebuilt() {
    let (m, loads) = (model(30, 10), Cell::new(0));
    read(&m, "GP-AAAAAA", 1, &loads);
    std::thread::sleep(Duration::from_millis(40));
    m.groups
        .get("GP-AAAAAA", || {
            (m.on_change())(LiveChange::Group("GP-AAAAAA".into()));
            assert!(m.groups.peek("GP-AAAAAA").is_none());
            assert_eq!(
                read(&m, "GP-AAAAAA", 5, &loads),
                5,
                "the change, from the store"
            );
            Ok(detail("GP-AAAAAA", 2))
        })
        .expect("read");
}

#[test]
fn a_peek_answers_only_from_memory_and_never_a_readers_own_write() {
    let (m, loads) = (model(60_000, 10), Cell::new(0));
    assert!(m.groups.peek("GP-AAAAAA").is_none(), "nothing read yet");
    read(&m, "GP-AAAAAA", 1, &loads);
    let hit = m.groups.peek("GP-AAAAAA").expect("in memory");
    assert_eq!(hit.data.group.seats_occupied, 1);
    assert!(hit.version.is_some());
    let id = detail("GP-AAAAAA", 0).group.id;
    assert!(m.groups.peek_by_id(id).is_some());
    assert!(m.groups.peek_by_id(Uuid::from_u128(1)).is_none());
    // A caller reading its own write may have had the view built from a lagging replica.
    assert!(groupbuy_store::reads_on_primary(|| m.groups.peek("GP-AAAAAA")).is_none());
    (m.on_change())(LiveChange::Group("GP-AAAAAA".into()));
    assert!(m.groups.peek("GP-AAAAAA").is_none(), "a changed view");
    assert_eq!(loads.get(), 1, "a peek never loads");
}

#[test]
fn the_capacity_bounds_the_entries_and_zero_turns_it_off() {
    let (m, loads) = (model(60_000, 2), Cell::new(0));
    for code in ["GP-AAAAAA", "GP-BBBBBB", "GP-CCCCCC", "GP-DDDDDD"] {
        read(&m, code, 1, &loads);
    }
    assert!(m.groups.len() <= 2);
    let (off, loads) = (model(60_000, 0), Cell::new(0));
    read(&off, "GP-AAAAAA", 1, &loads);
    read(&off, "GP-AAAAAA", 1, &loads);
    assert_eq!(loads.get(), 2);
}

#[test]
fn a_missing_group_is_not_kept() {
    let m = model(60_000, 10);
    let gone = || {
        Err(DomainError::NotFound(
            "Group not found with code: GP-AAAAAA".into(),
        ))
    };
    assert!(m.groups.get("GP-AAAAAA", gone).is_err());
    let loads = Cell::new(0);
    assert_eq!(read(&m, "GP-AAAAAA", 1, &loads), 1);
    assert_eq!(loads.get(), 1);
}

fn campaign(status: GroupBuyStatus, participants: i64) -> GroupBuy {
    let t = OffsetDateTime::UNIX_EPOCH;
    GroupBuy {
        id: Uuid::from_u128(42),
        handle: Handle::parse("gharart").expect("handle"),
        slug: Slug::parse("lamps").expect("slug"),
        title: "Teak lamps".into(),
        description: String::new(),
        unit_price: Money::from_minor(100, Currency::TZS),
        thresholds: Thresholds::parse(Some(2), None).expect("thresholds"),
        max_quantity: None,
        closes_at: t,
        status,
        participants,
        quantity: participants,
        created_at: t,
        published_at: None,
        paused_at: None,
        closed_at: None,
        updated_at: t,
        threshold_reached_at: None,
        preorder: None,
    }
}

/// Reads the campaign gharart/lamps, as the store would answer `stored`, counting loads.
fn read_campaign(m: &ReadModel, stored: &GroupBuy, loads: &Cell<u32>) -> View<GroupBuy> {
    m.campaigns
        .get("gharart/lamps", || {
            loads.set(loads.get() + 1);
            Ok(stored.clone())
        })
        .expect("read")
}

#[test]
fn a_campaign_is_read_once_per_version_and_dropped_by_its_own_topic() {
    let (m, loads) = (model(60_000, 10), Cell::new(0));
    let published = campaign(GroupBuyStatus::Published, 1);
    let first = read_campaign(&m, &published, &loads);
    let again = read_campaign(&m, &campaign(GroupBuyStatus::Published, 9), &loads);
    assert_eq!((loads.get(), again.data.participants), (1, 1), "a hit");
    assert_eq!(first.version, again.version, "one version");
    assert!(first.version.is_some());
    (m.on_change())(LiveChange::Group("GP-AAAAAA".into()));
    read_campaign(&m, &published, &loads);
    assert_eq!(loads.get(), 1, "a group is another topic");
    (m.on_change())(LiveChange::Campaign("gharart/lamps".into()));
    let changed = read_campaign(&m, &campaign(GroupBuyStatus::Published, 2), &loads);
    assert_eq!((loads.get(), changed.data.participants), (2, 2));
    assert_ne!(changed.version, first.version, "a new version");
    assert_eq!(
        (
            m.campaigns.hits.get(),
            m.campaigns.misses.get(),
            m.groups.hits.get()
        ),
        (2, 2, 0)
    );
}

#[test]
fn a_draft_campaign_is_never_kept() {
    let (m, loads) = (model(60_000, 10), Cell::new(0));
    let draft = campaign(GroupBuyStatus::Draft, 0);
    for n in 1..=3 {
        let v = read_campaign(&m, &draft, &loads);
        assert!(v.version.is_none(), "never versioned");
        assert_eq!(loads.get(), n, "asked every time");
    }
}

#[test]
fn an_unchanged_view_keeps_its_version_across_rebuilds_and_a_changed_one_does_not() {
    let (m, loads) = (model(30, 10), Cell::new(0));
    let stored = campaign(GroupBuyStatus::Published, 1);
    let first = read_campaign(&m, &stored, &loads).version.expect("kept");
    std::thread::sleep(Duration::from_millis(40));
    let rebuilt = read_campaign(&m, &stored, &loads).version.expect("kept");
    assert_eq!(loads.get(), 2, "rebuilt past the max age");
    assert_eq!(rebuilt, first, "same data: same tag and answer time");
    std::thread::sleep(Duration::from_millis(40));
    let changed = read_campaign(&m, &campaign(GroupBuyStatus::Published, 2), &loads);
    assert_ne!(changed.version.expect("kept").tag, first.tag);
}

#[test]
fn two_read_models_never_give_one_version() {
    let (a, b, loads) = (model(60_000, 10), model(60_000, 10), Cell::new(0));
    let stored = campaign(GroupBuyStatus::Published, 1);
    let (va, vb) = (
        read_campaign(&a, &stored, &loads).version,
        read_campaign(&b, &stored, &loads).version,
    );
    assert_ne!(va.expect("kept").tag, vb.expect("kept").tag);
}

#[test]
fn a_notice_that_changed_nothing_keeps_the_version() {
    let (m, loads) = (model(60_000, 10), Cell::new(0));
    let stored = campaign(GroupBuyStatus::Published, 1);
    let first = read_campaign(&m, &stored, &loads).version.expect("kept");
    (m.on_change())(LiveChange::Campaign("gharart/lamps".into()));
    let again = read_campaign(&m, &stored, &loads).version.expect("kept");
    assert_eq!(loads.get(), 2, "the notice was obeyed");
    assert_eq!(again, first, "same data: clients' tags stay valid");
}
