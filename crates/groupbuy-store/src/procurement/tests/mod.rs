//! Procurement use cases on both backends.

mod audit;
mod commit;
mod concurrency;
mod lifecycle;
mod pools;

use crate::platform::schema::events;
use crate::Database;
use diesel::prelude::*;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::platform::ChangeContext;
use groupbuy_domain::procurement::{
    CommitOutcome, CommitRequest, GroupBuy, GroupBuyDraft, GroupBuyFields, Item, ProcurementStore,
    SCOPE_READ, SCOPE_WRITE,
};
use groupbuy_domain::{DomainError, Principal};
use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};

fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_760_000_000).expect("time")
}

/// The pools' deadline: a week after t0.
fn deadline() -> OffsetDateTime {
    t0() + Duration::days(7)
}

/// A user of organisation `org` with both scopes.
fn org(org: &str) -> Principal {
    Principal {
        user_id: format!("u-{org}"),
        scopes: vec![SCOPE_READ.into(), SCOPE_WRITE.into()],
        org_id: Some(org.into()),
        ..Principal::default()
    }
}

fn admin() -> Principal {
    Principal {
        user_id: "admin".into(),
        roles: vec!["platform-admin".into()],
        scopes: vec![SCOPE_READ.into()],
        ..Principal::default()
    }
}

fn ctx(actor: &str) -> ChangeContext {
    at(actor, t0())
}

fn at(actor: &str, now: OffsetDateTime) -> ChangeContext {
    ChangeContext {
        actor: format!("user:{actor}"),
        request_id: format!("req-{actor}"),
        now,
    }
}

/// A pool of `skus` (target 10 units, smallest commitment 1) with `rules`.
fn draft(skus: &[&str], rules: serde_json::Value) -> GroupBuyDraft {
    GroupBuyDraft::parse(
        GroupBuyFields {
            title: "Nitrile gloves".into(),
            description: None,
            items: skus
                .iter()
                .map(|sku| Item {
                    sku: (*sku).into(),
                    name: "Gloves".into(),
                    unit: "box".into(),
                    quantity_per_unit: Some(100),
                    unit_code: None,
                })
                .collect(),
            target_quantity: 10,
            min_commitment: 1,
            deadline: deadline(),
            currency: None,
            rules,
        },
        t0(),
    )
    .expect("draft")
}

fn create(db: &Database, by: &str, skus: &[&str], rules: serde_json::Value) -> GroupBuy {
    db.create(&org(by), draft(skus, rules), &ctx(by), Answer::none())
        .expect("create")
}

fn commit(
    db: &Database,
    by: &str,
    g: &GroupBuy,
    quantity: i64,
) -> Result<CommitOutcome, DomainError> {
    db.commit(
        &org(by),
        &g.id,
        CommitRequest {
            quantity,
            price_ceiling: Decimal::new(1250, 2),
            purchase_order_ref: None,
        },
        None,
        &ctx(by),
        Answer::none(),
    )
}

/// (type, request id) of the stored events of `g`, in order.
fn stored_events(db: &Database, g: &GroupBuy) -> Vec<(String, String)> {
    db.read(|c| {
        Ok(events::table
            .filter(events::subject.eq(g.subject()))
            .select((events::event_type, events::request_id))
            .order(events::seq)
            .load(c)?)
    })
    .expect("events")
}

fn types(db: &Database, g: &GroupBuy) -> Vec<String> {
    stored_events(db, g).into_iter().map(|(t, _)| t).collect()
}
