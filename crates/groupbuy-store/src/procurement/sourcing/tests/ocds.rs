//! What an OCDS package is read from, on both backends: one snapshot holding the pool,
//! its members, the RFQ and its respondents, the allocation, the settlement and the data
//! of every party named.

use super::award::allocated;
use super::parties::fill_parties;
use super::*;
use groupbuy_domain::procurement::party::PartyRef;

fn the_package_source_follows_the_pool_through_award_and_settlement(db: &Database) {
    let g = allocated(db);
    let outsider = org("org_z");
    let source = db
        .ocds(&outsider, &g.id)
        .expect("a public pool: anyone reads");
    assert_eq!(source.members, ["org_a", "org_b", "org_c"]);
    assert_eq!(source.respondents.len(), 2, "{:?}", source.respondents);
    assert!(source.respondents.iter().any(|v| v == "v_mills"));
    assert!(source.rfq.is_some() && source.award.is_some());
    assert!(source.settlement.is_none() && source.parties.is_empty());
    fill_parties(db);
    let acme = org("org_acme");
    db.settle(&acme, &g.id, &at("acme", hours(30)), Answer::none())
        .expect("settles");
    let settled = db.ocds(&outsider, &g.id).expect("settled");
    assert_eq!(settled.group_buy.status, GroupBuyStatus::Settled);
    assert!(settled.settlement.is_some());
    assert_eq!(settled.parties.len(), 6, "organiser, 3 members, 2 vendors");
    let acme_data = &settled.parties[&PartyRef::organisation("org_acme")];
    assert_eq!(acme_data.legal_name.as_deref(), Some("org_acme SA"));
    // The same facts read twice build the same package.
    let again = db.ocds(&acme, &g.id).expect("again");
    assert_eq!(
        again.release_package("p-", "u", "groupbuy"),
        settled.release_package("p-", "u", "groupbuy")
    );
}

crate::on_both_backends!(the_package_source_follows_the_pool_through_award_and_settlement,);
