//! Sourcing use cases on both backends.

mod award;
mod jobs;
mod ocds;
mod parties;
mod push;

use crate::platform::schema::events;
use crate::Database;
use diesel::prelude::*;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::platform::ChangeContext;
use groupbuy_domain::procurement::{
    CommitRequest, GroupBuy, GroupBuyDraft, GroupBuyFields, GroupBuyStatus, InvitedVendor, Item,
    Job, JobStatus, ProcurementStore, ResponseFields, RfqDraft, SourcingStore, SCOPE_FINANCE_WRITE,
    SCOPE_READ, SCOPE_WRITE,
};
use groupbuy_domain::Principal;
use rust_decimal::Decimal;
use std::str::FromStr;
use time::{Duration, OffsetDateTime};

fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_760_000_000).expect("time")
}

fn hours(h: i64) -> OffsetDateTime {
    t0() + Duration::hours(h)
}

/// A user of organisation `org` with the group buy and finance scopes.
fn org(org: &str) -> Principal {
    Principal {
        user_id: format!("u-{org}"),
        scopes: vec![
            SCOPE_READ.into(),
            SCOPE_WRITE.into(),
            SCOPE_FINANCE_WRITE.into(),
        ],
        org_id: Some(org.into()),
        ..Principal::default()
    }
}

/// A vendor's token: role `vendor`, `sub` its id.
fn vendor(id: &str) -> Principal {
    Principal {
        user_id: id.into(),
        roles: vec!["vendor".into()],
        scopes: vec![SCOPE_READ.into()],
        ..Principal::default()
    }
}

fn at(actor: &str, now: OffsetDateTime) -> ChangeContext {
    ChangeContext {
        actor: format!("user:{actor}"),
        request_id: format!("req-{actor}"),
        now,
    }
}

fn worker(now: OffsetDateTime) -> ChangeContext {
    ChangeContext {
        actor: "system:jobs".into(),
        request_id: "worker".into(),
        now,
    }
}

/// `org_acme`'s pool of `target` units, deadline a week after t0.
fn pool(db: &Database, target: i64, rules: serde_json::Value) -> GroupBuy {
    let draft = GroupBuyDraft::parse(
        GroupBuyFields {
            title: "Maize flour".into(),
            description: None,
            items: vec![Item {
                sku: format!("MAIZE-{}", uuid::Uuid::new_v4().simple()),
                name: "Maize flour".into(),
                unit: "bag".into(),
                quantity_per_unit: Some(1),
                unit_code: Some("XBG".into()),
            }],
            target_quantity: target,
            min_commitment: 1,
            deadline: t0() + Duration::days(7),
            currency: None,
            rules,
        },
        t0(),
    )
    .expect("draft");
    db.create(&org("org_acme"), draft, &at("acme", t0()), Answer::none())
        .expect("create")
}

fn commit(db: &Database, member: &str, g: &GroupBuy, quantity: i64, ceiling: &str) {
    db.commit(
        &org(member),
        &g.id,
        CommitRequest {
            quantity,
            price_ceiling: Decimal::from_str(ceiling).expect("ceiling"),
            purchase_order_ref: None,
        },
        None,
        &at(member, t0()),
        Answer::none(),
    )
    .expect("commit");
}

/// The RFQ draft inviting Mills and Farm, due three days after t0.
fn rfq_draft() -> RfqDraft {
    let invited = |id: &str, name: &str| InvitedVendor {
        vendor_id: id.into(),
        name: name.into(),
        contact: None,
    };
    RfqDraft::parse(
        vec![
            invited("v_mills", "Mills Ltd"),
            invited("v_farm", "Farm Co"),
        ],
        t0() + Duration::days(3),
        t0(),
    )
    .expect("rfq draft")
}

/// Claims the next job at `now` and runs it.
fn claim_and_run(db: &Database, now: OffsetDateTime) -> Job {
    let job = db
        .claim_job(now, Duration::minutes(5))
        .expect("claim")
        .expect("a job");
    db.run_job(job, &worker(now)).expect("run")
}

/// The pool SOURCING: queued, claimed and run the RFQ job.
fn sourcing(db: &Database, g: &GroupBuy) -> Job {
    db.enqueue_rfq(
        &org("org_acme"),
        &g.id,
        rfq_draft(),
        None,
        &at("acme", hours(1)),
        Answer::none(),
    )
    .expect("enqueue");
    let done = claim_and_run(db, hours(1));
    assert_eq!(done.status, JobStatus::Succeeded, "{done:?}");
    assert_eq!(status(db, g), GroupBuyStatus::Sourcing);
    done
}

fn quote(price: &str, quantity: i64) -> ResponseFields {
    ResponseFields {
        unit_price: Decimal::from_str(price).expect("price"),
        available_quantity: quantity,
        valid_until: t0() + Duration::days(10),
        lead_time_days: Some(5),
        notes: None,
        vat: Some(("S".into(), Some(Decimal::from(21)))),
    }
}

fn status(db: &Database, g: &GroupBuy) -> GroupBuyStatus {
    db.get(&org("org_acme"), &g.id)
        .expect("get")
        .group_buy
        .status
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
