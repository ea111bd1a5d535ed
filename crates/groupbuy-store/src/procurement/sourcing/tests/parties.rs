//! Parties on both backends: versions and If-Match, the audit chain, who reads a
//! counterparty, the 409 that writes nothing, and documents that keep the parties as they
//! were at settlement.

use super::award::allocated;
use super::*;
use groupbuy_domain::platform::Answer;
use groupbuy_domain::procurement::party::{
    PartyFields, PartyProfile, PartyReading, PartyRef, PartyStore,
};
use groupbuy_domain::DomainError;

fn admin() -> Principal {
    Principal {
        user_id: "ops".into(),
        roles: vec!["platform-admin".into()],
        scopes: vec![SCOPE_READ.into(), SCOPE_WRITE.into()],
        ..Principal::default()
    }
}

/// A complete Belgian profile named `name`.
fn complete(name: &str) -> PartyProfile {
    PartyProfile::parse(PartyFields {
        legal_name: Some(format!("{name} SA")),
        postal_address: Some((
            "Rue Haute 1".into(),
            "Brussels".into(),
            Some("1000".into()),
            "BE".into(),
        )),
        vat_id: Some("BE0403578495".into()),
        electronic_address: Some(("0088".into(), "5798000012349".into())),
        contact_email: Some("ap@example.com".into()),
        default_vat: Some(("S".into(), Some(Decimal::from(21)))),
    })
    .expect("complete")
}

/// Every party of the sourcing tests, complete (written by a platform admin).
pub(super) fn fill_parties(db: &Database) {
    let everyone = ["org_acme", "org_a", "org_b", "org_c"]
        .map(PartyRef::organisation)
        .into_iter()
        .chain(["v_mills", "v_farm"].map(PartyRef::vendor));
    for party in everyone {
        db.put_party(
            &admin(),
            &party,
            complete(&party.id),
            None,
            &at("ops", hours(20)),
        )
        .expect("party");
    }
}

fn parties_are_versioned_audited_and_if_match_guarded(db: &Database) {
    let acme = PartyRef::organisation("org_acme");
    let first = db
        .put_party(
            &org("org_acme"),
            &acme,
            complete("Acme"),
            Some("\"0\"".into()),
            &at("acme", t0()),
        )
        .expect("first");
    assert_eq!(first.version, 1);
    let stale = db.put_party(
        &org("org_acme"),
        &acme,
        complete("Acme"),
        Some("\"0\"".into()),
        &at("acme", t0()),
    );
    assert!(
        matches!(stale, Err(DomainError::PreconditionFailed(_))),
        "{stale:?}"
    );
    let second = db
        .put_party(
            &org("org_acme"),
            &acme,
            complete("Acme Two"),
            Some("\"1\"".into()),
            &at("acme", hours(1)),
        )
        .expect("second");
    assert_eq!(second.version, 2);
    let other = db.put_party(
        &org("org_b"),
        &acme,
        complete("Mine"),
        None,
        &at("b", hours(1)),
    );
    assert!(matches!(other, Err(DomainError::Forbidden(_))), "{other:?}");
    match db.party(&org("org_acme"), &acme).expect("own") {
        PartyReading::Whole(r) => {
            assert_eq!(
                (r.version, r.profile.legal_name.as_deref()),
                (2, Some("Acme Two SA"))
            );
        }
        other => panic!("{other:?}"),
    }
    let chain = db
        .read(|c| crate::platform::audit::chain(c, "organisation:org_acme"))
        .expect("chain");
    assert_eq!(
        chain.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["party.update", "party.update"]
    );
}

fn a_counterparty_reads_name_and_country_only_where_they_share_a_pool(db: &Database) {
    let acme = PartyRef::organisation("org_acme");
    db.put_party(
        &org("org_acme"),
        &acme,
        complete("Acme"),
        None,
        &at("acme", t0()),
    )
    .expect("acme");
    // Nobody shares a pool with org_acme yet.
    assert!(matches!(
        db.party(&org("org_a"), &acme),
        Err(DomainError::NotFound(_))
    ));
    let g = allocated(db);
    match db
        .party(&org("org_a"), &acme)
        .expect("a member reads its organiser")
    {
        PartyReading::Counterparty(v) => {
            assert_eq!(
                (v.legal_name.as_deref(), v.country.as_deref()),
                (Some("Acme SA"), Some("BE"))
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(
            db.party(&org("org_z"), &acme),
            Err(DomainError::NotFound(_))
        ),
        "no shared pool"
    );
    assert!(
        matches!(
            db.party(&vendor("v_mills"), &acme),
            Ok(PartyReading::Counterparty(_))
        ),
        "an invited vendor reads the organiser"
    );
    let mills = PartyRef::vendor("v_mills");
    db.put_party(
        &vendor("v_mills"),
        &mills,
        complete("Mills"),
        None,
        &at("mills", t0()),
    )
    .expect_err("a vendor token without groupbuy:write");
    db.put_party(&admin(), &mills, complete("Mills"), None, &at("ops", t0()))
        .expect("admin");
    assert!(
        matches!(
            db.party(&vendor("v_farm"), &mills),
            Err(DomainError::NotFound(_))
        ),
        "vendors never read each other"
    );
    assert!(matches!(
        db.party(&org("org_b"), &mills),
        Ok(PartyReading::Counterparty(_))
    ));
    let _ = g;
}

fn settling_without_party_data_writes_nothing_and_documents_keep_their_parties(db: &Database) {
    let g = allocated(db);
    let acme = org("org_acme");
    let refused = db.settle(&acme, &g.id, &at("acme", hours(30)), Answer::none());
    let Err(DomainError::Conflict(r)) = &refused else {
        panic!("{refused:?}");
    };
    assert_eq!(r.kind(), "party-data-missing");
    assert!(r.message().contains("vendor v_mills: legal_name"), "{r}");
    assert!(
        r.message().contains("organisation org_c: legal_name"),
        "{r}"
    );
    assert_eq!(status(db, &g), GroupBuyStatus::Allocated, "nothing written");
    assert!(db.settlement(&acme, &g.id).is_err());

    fill_parties(db);
    let settled = db
        .settle(&acme, &g.id, &at("acme", hours(30)), Answer::none())
        .expect("settles");
    let receivable = settled.documents.last().expect("a receivable");
    let terms = receivable.document.invoice.clone().expect("invoice terms");
    assert_eq!(terms.seller.legal_name, "org_acme SA");
    assert_eq!(terms.unit_code.as_str(), "XBG");
    assert_eq!(
        terms.buyer_reference,
        g.id.to_string(),
        "no purchase order: the pool's id"
    );
    // A later edit of the organiser changes no issued document.
    let party = PartyRef::organisation("org_acme");
    let mut renamed = complete("Renamed");
    renamed.vat_id = Some("BE0812345603".into());
    db.put_party(&admin(), &party, renamed, None, &at("ops", hours(40)))
        .expect("edit");
    let again = db
        .document(&acme, &g.id, &receivable.id)
        .expect("read back");
    assert_eq!(again, *receivable);
    assert_eq!(
        again
            .document
            .invoice
            .expect("terms")
            .seller
            .vat_id
            .as_deref(),
        Some("BE0403578495")
    );
}

crate::on_both_backends!(
    parties_are_versioned_audited_and_if_match_guarded,
    a_counterparty_reads_name_and_country_only_where_they_share_a_pool,
    settling_without_party_data_writes_nothing_and_documents_keep_their_parties,
);
