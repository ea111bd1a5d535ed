//! Responses, the allocation job with the worked pro-rata example, and settling once.

use super::*;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::procurement::settlement::DocumentKind;
use groupbuy_domain::procurement::JobType;
use groupbuy_domain::DomainError;
use serde_json::json;

/// A 50 (ceiling 10.00), B 30 (10.00), C 20 (12.00), target 100, SOURCING.
fn pooled(db: &Database) -> GroupBuy {
    let g = pool(db, 100, json!({}));
    commit(db, "org_a", &g, 50, "10.00");
    commit(db, "org_b", &g, 30, "10.00");
    commit(db, "org_c", &g, 20, "12.00");
    sourcing(db, &g);
    g
}

fn respond(
    db: &Database,
    g: &GroupBuy,
    who: &str,
    fields: ResponseFields,
    h: i64,
) -> Result<groupbuy_domain::procurement::ResponseOutcome, DomainError> {
    db.submit_response(
        &vendor(who),
        &g.id,
        fields,
        &at(who, hours(h)),
        Answer::none(),
    )
}

/// Mills 9.00 for 60 (revised from 9.50), Farm 11.00 for 100.
fn quoted(db: &Database) -> GroupBuy {
    let g = pooled(db);
    respond(db, &g, "v_mills", quote("9.50", 60), 2).expect("mills");
    respond(db, &g, "v_farm", quote("11.00", 100), 3).expect("farm");
    respond(db, &g, "v_mills", quote("9.00", 60), 4).expect("mills revised");
    g
}

/// Allocated by its job at t0 + 1 day.
pub(super) fn allocated(db: &Database) -> GroupBuy {
    let g = quoted(db);
    let job = db
        .enqueue_allocation(
            &org("org_acme"),
            &g.id,
            &at("acme", hours(24)),
            Answer::none(),
        )
        .expect("enqueue allocation");
    assert_eq!(job.job_type, JobType::Allocate);
    let done = claim_and_run(db, hours(24));
    assert_eq!(done.status, JobStatus::Succeeded, "{done:?}");
    assert_eq!(
        done.result_url,
        Some(format!("/groupbuy/{}/allocation", g.id))
    );
    assert_eq!(status(db, &g), GroupBuyStatus::Allocated);
    g
}

fn responses_are_versioned_and_refused_when_closed(db: &Database) {
    let g = pooled(db);
    let first = respond(db, &g, "v_mills", quote("9.50", 60), 2).expect("first");
    assert!(first.created);
    assert_eq!(first.response.version, 1);
    let revised = respond(db, &g, "v_mills", quote("9.00", 60), 3).expect("revised");
    assert!(!revised.created);
    assert_eq!(
        (revised.response.id, revised.response.version),
        (first.response.id, 2)
    );
    let kept: i64 = db
        .read(|c| {
            use super::super::schema::procurement_vendor_responses as rsp;
            Ok(rsp::table.count().get_result(c)?)
        })
        .expect("count");
    assert_eq!(kept, 2, "earlier versions are kept");
    let view = db.rfq(&org("org_acme"), &g.id, hours(1)).expect("rfq");
    assert_eq!(view.responses.len(), 1);
    assert_eq!(view.responses[0].version, 2);
    let uninvited = respond(db, &g, "v_other", quote("8.00", 10), 3);
    assert!(
        matches!(uninvited, Err(DomainError::NotFound(_))),
        "{uninvited:?}"
    );
    let not_vendor = db.submit_response(
        &org("org_a"),
        &g.id,
        quote("8.00", 10),
        &at("a", hours(3)),
        Answer::none(),
    );
    assert!(
        matches!(not_vendor, Err(DomainError::Forbidden(_))),
        "{not_vendor:?}"
    );
    let late = respond(db, &g, "v_farm", quote("11.00", 100), 24 * 3 + 1);
    assert!(
        matches!(&late, Err(DomainError::Conflict(r)) if r.message().contains("closed")),
        "{late:?}"
    );
    let types: Vec<String> = stored_events(db, &g).into_iter().map(|(t, _)| t).collect();
    assert_eq!(
        types
            .iter()
            .filter(|t| *t == "vendor.response.received")
            .count(),
        2
    );
}

fn the_allocation_job_shares_the_short_vendor_pro_rata(db: &Database) {
    let g = allocated(db);
    let award = db.allocation(&org("org_acme"), &g.id).expect("organiser");
    let lines: Vec<(&str, &str, i64, i64)> = award
        .results
        .iter()
        .map(|l| {
            (
                l.member_id.as_str(),
                l.vendor_id.as_str(),
                l.quantity,
                l.amount_minor,
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            ("org_a", "v_mills", 30, 27_000),
            ("org_b", "v_mills", 18, 16_200),
            ("org_c", "v_mills", 12, 10_800),
            ("org_c", "v_farm", 8, 8_800),
        ]
    );
    assert_eq!(
        award.results[0].explanation,
        "pro rata share of 60 units among 3 members needing 100"
    );
    assert_eq!(award.results[0].rule, "lowest price within ceiling");
    let short: Vec<(&str, i64, &str)> = award
        .unfilled
        .iter()
        .map(|u| (u.member_id.as_str(), u.quantity, u.reason.as_str()))
        .collect();
    assert_eq!(
        short,
        vec![
            ("org_a", 20, "not enough supply within price ceiling 10.00"),
            ("org_b", 12, "not enough supply within price ceiling 10.00"),
        ]
    );
    let mine = db.allocation(&org("org_b"), &g.id).expect("member");
    assert_eq!((mine.results.len(), mine.unfilled.len()), (1, 1));
    let farm = db.allocation(&vendor("v_farm"), &g.id).expect("vendor");
    assert_eq!(farm.totals.allocated_quantity, 8);
    let stranger = db.allocation(&org("org_z"), &g.id);
    assert!(
        matches!(stranger, Err(DomainError::NotFound(_))),
        "{stranger:?}"
    );
    assert_eq!(
        stored_events(db, &g).last().map(|(t, _)| t.as_str()),
        Some("allocation.created")
    );
    let late = respond(db, &g, "v_farm", quote("10.00", 100), 25);
    assert!(matches!(late, Err(DomainError::Conflict(_))), "{late:?}");
}

fn settling_balances_and_happens_once(db: &Database) {
    let g = allocated(db);
    super::parties::fill_parties(db);
    let acme = org("org_acme");
    let member = db.settle(&org("org_a"), &g.id, &at("a", hours(30)), Answer::none());
    assert!(
        matches!(member, Err(DomainError::Forbidden(_))),
        "{member:?}"
    );
    let settled = db
        .settle(&acme, &g.id, &at("acme", hours(30)), Answer::none())
        .expect("settle");
    let sum = |kind| {
        settled
            .documents
            .iter()
            .filter(|d| d.document.kind == kind)
            .map(|d| d.document.total_minor)
            .sum::<i64>()
    };
    let fees: i64 = settled.documents.iter().map(|d| d.document.fee_minor).sum();
    assert_eq!(
        sum(DocumentKind::Receivable),
        sum(DocumentKind::Payable) + fees
    );
    assert_eq!(sum(DocumentKind::Payable), 62_800);
    assert_eq!(settled.documents.len(), 5, "2 payables, 3 receivables");
    let twice = db.settle(&acme, &g.id, &at("acme", hours(31)), Answer::none());
    assert!(
        matches!(&twice, Err(DomainError::Conflict(r)) if r.message() == "Group buy already settled"),
        "{twice:?}"
    );
    assert_eq!(status(db, &g), GroupBuyStatus::Settled);
    let read = db.settlement(&acme, &g.id).expect("read back");
    assert_eq!(read, settled);
    let mine = db.settlement(&org("org_b"), &g.id).expect("member");
    assert_eq!(mine.documents.len(), 1);
    assert_eq!(mine.documents[0].document.kind, DocumentKind::Receivable);
    let payable = settled
        .documents
        .iter()
        .find(|d| d.document.counterparty == "v_farm")
        .expect("farm's payable");
    let farm = db
        .document(&vendor("v_farm"), &g.id, &payable.id)
        .expect("farm reads its payable");
    assert_eq!(&farm, payable);
    let theirs = db.document(&vendor("v_mills"), &g.id, &payable.id);
    assert!(
        matches!(theirs, Err(DomainError::NotFound(_))),
        "{theirs:?}"
    );
    assert_eq!(
        stored_events(db, &g).last().map(|(t, _)| t.as_str()),
        Some("settlement.completed")
    );
}

/// Twelve settle requests at once (a retry storm, two instances): exactly one settles, the
/// rest are told it is settled, and the money is written once.
fn concurrent_settles_write_the_money_once(db: &Database) {
    let g = allocated(db);
    super::parties::fill_parties(db);
    let outcomes: Vec<_> = (0..12)
        .map(|i| {
            let (db, id) = (db.clone(), g.id);
            std::thread::spawn(move || {
                db.settle(
                    &org("org_acme"),
                    &id,
                    &at(&format!("acme-{i}"), hours(30)),
                    Answer::none(),
                )
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .collect();
    let settled: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    assert_eq!(settled.len(), 1, "exactly one settlement: {outcomes:?}");
    for o in outcomes.iter().filter_map(|o| o.as_ref().err()) {
        assert!(
            matches!(o, DomainError::Conflict(r) if r.message() == "Group buy already settled"),
            "{o:?}"
        );
    }
    let read = db.settlement(&org("org_acme"), &g.id).expect("read back");
    assert_eq!(&read, settled[0]);
    let completed = stored_events(db, &g)
        .iter()
        .filter(|(t, _)| t == "settlement.completed")
        .count();
    // Once: the organiser's, and one per document to its counterparty (tests/push.rs).
    assert_eq!(
        completed,
        1 + settled[0].documents.len(),
        "one settlement.completed each"
    );
}

crate::on_both_backends!(
    concurrent_settles_write_the_money_once,
    responses_are_versioned_and_refused_when_closed,
    the_allocation_job_shares_the_short_vendor_pro_rata,
    settling_balances_and_happens_once,
);
