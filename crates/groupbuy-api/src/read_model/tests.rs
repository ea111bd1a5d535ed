use super::{ReadModel, ReadModelSettings};
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
    m.group(code, || {
        loads.set(loads.get() + 1);
        Ok::<_, DomainError>(detail(code, occupied))
    })
    .expect("read")
    .group
    .seats_occupied
}

#[test]
fn an_unchanged_group_is_read_once_and_a_change_is_read_again() {
    let (m, loads) = (model(60_000, 10), Cell::new(0));
    assert_eq!(read(&m, "GP-AAAAAA", 1, &loads), 1);
    assert_eq!(read(&m, "GP-AAAAAA", 9, &loads), 1, "served from memory");
    assert_eq!((loads.get(), m.hits.get(), m.misses.get()), (1, 1, 1));
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
        .group("GP-AAAAAA", || {
            // The change lands while the store answers with what it read before.
            m.forget("GP-AAAAAA");
            Ok(detail("GP-AAAAAA", 1))
        })
        .expect("read");
    assert_eq!(old.group.seats_occupied, 1);
    assert_eq!(
        read(&m, "GP-AAAAAA", 2, &loads),
        2,
        "the old answer was not kept"
    );
    // Same when the change is known only by the group's id.
    let id = detail("GP-BBBBBB", 0).group.id;
    m.group("GP-BBBBBB", || {
        m.forget_id(id);
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
        m.group_by_id(id, || {
            loads.set(loads.get() + 1);
            Ok(d.clone())
        })
        .expect("read")
    };
    by_id();
    by_id();
    by_id();
    assert_eq!(
        loads.get(),
        2,
        "the first read notes the code, the second is kept"
    );
    m.forget_id(id);
    by_id();
    assert_eq!(loads.get(), 3);
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
fn the_capacity_bounds_the_entries_and_zero_turns_it_off() {
    let (m, loads) = (model(60_000, 2), Cell::new(0));
    for code in ["GP-AAAAAA", "GP-BBBBBB", "GP-CCCCCC", "GP-DDDDDD"] {
        read(&m, code, 1, &loads);
    }
    assert!(m.entries.lock().by_code.len() <= 2);
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
    assert!(m.group("GP-AAAAAA", gone).is_err());
    let loads = Cell::new(0);
    assert_eq!(read(&m, "GP-AAAAAA", 1, &loads), 1);
    assert_eq!(loads.get(), 1);
}
