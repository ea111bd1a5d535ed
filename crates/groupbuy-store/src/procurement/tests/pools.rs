//! Creating, reading and listing pools: overlap, tenancy, filters.

use super::*;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::procurement::{GroupBuyFilter, GroupBuyId, GroupBuyStatus};
use serde_json::json;

fn creates_and_refuses_an_overlapping_pool(db: &Database) {
    let g = create(db, "acme", &["GLV-1", "MSK-1"], json!({}));
    assert_eq!(
        (g.status, g.version, g.org_id.as_str()),
        (GroupBuyStatus::Open, 1, "acme")
    );
    assert_eq!(g.created_by, "u-acme");
    let again = db.create(
        &org("acme"),
        draft(&["X-9", "MSK-1"], json!({})),
        &ctx("acme"),
        Answer::none(),
    );
    let Err(DomainError::Conflict(refusal)) = again else {
        panic!("expected an overlap conflict, got {again:?}");
    };
    assert!(
        refusal
            .message()
            .starts_with(&format!("Overlaps group buy {}", g.id)),
        "{refusal}"
    );
    assert!(
        refusal.message().ends_with("already pools SKU MSK-1"),
        "{refusal}"
    );
    // Another organisation, or other SKUs, do not overlap.
    create(db, "beta", &["GLV-1"], json!({}));
    create(db, "acme", &["X-9"], json!({}));
    // A pool no longer OPEN frees its SKUs.
    db.cancel(&org("acme"), &g.id, None, &ctx("acme"), Answer::none())
        .expect("cancel");
    create(db, "acme", &["GLV-1"], json!({}));
    let stored = db.get(&org("acme"), &g.id).expect("get").group_buy;
    assert_eq!(stored.items, g.items);
    assert_eq!(stored.rules, g.rules);
    assert_eq!(stored.deadline, g.deadline);
    let nobody = Principal {
        org_id: None,
        ..org("x")
    };
    assert!(matches!(
        db.create(&nobody, draft(&["Z"], json!({})), &ctx("x"), Answer::none()),
        Err(DomainError::Forbidden(r)) if r.message() == "Organisation required"
    ));
    assert_eq!(types(db, &g), ["groupbuy.created", "groupbuy.cancelled"]);
}

fn concurrent_creates_of_one_organisation_never_overlap(db: &Database) {
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let db = db.clone();
            std::thread::spawn(move || {
                db.create(
                    &org("acme"),
                    draft(&["GLV-1"], json!({})),
                    &ctx("acme"),
                    Answer::none(),
                )
            })
        })
        .collect();
    let created = threads
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .filter(Result::is_ok)
        .count();
    assert_eq!(created, 1);
}

fn a_private_pool_is_invisible_to_outsiders(db: &Database) {
    let public = create(db, "acme", &["GLV-1"], json!({}));
    let private = create(
        db,
        "acme",
        &["MSK-1"],
        json!({"visibility": "private", "eligible_orgs": ["gamma"]}),
    );
    let missing = db.get(&org("delta"), &private.id);
    assert!(matches!(missing, Err(DomainError::NotFound(m)) if m == "Group buy not found"));
    let unknown = GroupBuyId::new(uuid::Uuid::new_v4());
    assert!(matches!(
        db.get(&org("acme"), &unknown),
        Err(DomainError::NotFound(_))
    ));
    // The outsider sees only public facts of a public pool.
    let seen = db.get(&org("delta"), &public.id).expect("public");
    assert!(seen.commitments_summary.is_none() && seen.my_commitment.is_none());
    assert!(db.get(&org("gamma"), &private.id).is_ok(), "listed");
    assert!(db.get(&admin(), &private.id).is_ok(), "admin");
    let mine = db.get(&org("acme"), &private.id).expect("organiser");
    assert_eq!(mine.commitments_summary.map(|s| s.count), Some(0));
    let ids = |who: &Principal| -> Vec<GroupBuyId> {
        db.list(who, GroupBuyFilter::default(), None, 20)
            .expect("list")
            .items
            .into_iter()
            .map(|v| v.group_buy.id)
            .collect()
    };
    assert_eq!(ids(&org("delta")), [public.id]);
    assert_eq!(ids(&org("gamma")), [private.id, public.id], "newest first");
    assert_eq!(ids(&org("acme")), [private.id, public.id]);
    assert_eq!(ids(&admin()), [private.id, public.id]);
    // A listed organisation that committed is shown its own commitment; an outsider
    // cannot even learn the pool exists by committing.
    commit(db, "gamma", &private, 2).expect("commit");
    let listed = db
        .list(&org("gamma"), GroupBuyFilter::default(), None, 20)
        .expect("list");
    assert_eq!(
        listed.items[0].my_commitment.as_ref().map(|c| c.quantity),
        Some(2)
    );
    assert!(listed.items.iter().all(|v| v.commitments_summary.is_none()));
    let organised = db
        .list(&org("acme"), GroupBuyFilter::default(), None, 20)
        .expect("list");
    let summaries: Vec<_> = organised
        .items
        .iter()
        .map(|v| v.commitments_summary.map(|s| (s.count, s.total_quantity)))
        .collect();
    assert_eq!(summaries, [Some((1, 2)), Some((0, 0))]);
    assert!(matches!(
        commit(db, "delta", &private, 1),
        Err(DomainError::NotFound(_))
    ));
}

fn lists_filter_and_page(db: &Database) {
    let mut all = Vec::new();
    for (i, by) in ["acme", "beta", "acme", "gamma", "acme"].iter().enumerate() {
        all.push(create(db, by, &[&format!("SKU-{i}")], json!({})));
    }
    db.cancel(&org("acme"), &all[0].id, None, &ctx("acme"), Answer::none())
        .expect("cancel");
    let list = |filter: GroupBuyFilter| -> Vec<GroupBuyId> {
        db.list(&org("zeta"), filter, None, 100)
            .expect("list")
            .items
            .into_iter()
            .map(|v| v.group_buy.id)
            .collect()
    };
    let acme = list(GroupBuyFilter {
        org_id: Some("acme".into()),
        ..GroupBuyFilter::default()
    });
    assert_eq!(acme, [all[4].id, all[2].id, all[0].id]);
    let open_acme = list(GroupBuyFilter {
        org_id: Some("acme".into()),
        status: Some(GroupBuyStatus::Open),
        ..GroupBuyFilter::default()
    });
    assert_eq!(open_acme, [all[4].id, all[2].id]);
    let by_user = list(GroupBuyFilter {
        created_by: Some("u-beta".into()),
        ..GroupBuyFilter::default()
    });
    assert_eq!(by_user, [all[1].id]);
    let before = list(GroupBuyFilter {
        deadline_before: Some(deadline()),
        ..GroupBuyFilter::default()
    });
    assert!(before.is_empty(), "strictly before");
    let after = list(GroupBuyFilter {
        deadline_after: Some(deadline() - Duration::seconds(1)),
        ..GroupBuyFilter::default()
    });
    assert_eq!(after.len(), 5);
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = db
            .list(&org("zeta"), GroupBuyFilter::default(), cursor, 2)
            .expect("page");
        seen.extend(page.items.into_iter().map(|v| v.group_buy.id));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    let newest_first: Vec<_> = all.iter().rev().map(|g| g.id).collect();
    assert_eq!(seen, newest_first);
    assert!(matches!(
        db.list(&org("zeta"), GroupBuyFilter::default(), Some("x".into()), 2),
        Err(DomainError::Validation { .. })
    ));
}

crate::on_both_backends!(
    creates_and_refuses_an_overlapping_pool,
    concurrent_creates_of_one_organisation_never_overlap,
    a_private_pool_is_invisible_to_outsiders,
    lists_filter_and_page,
);
