//! Tenancy: scopes, who each caller is to a pool, what each sees.

use super::super::group_buy::tests::{caller, pool, t0};
use super::*;
use crate::procurement::commitment::CommitmentStatus;
use crate::procurement::ids::CommitmentId;
use crate::procurement::rules::Rules;
use uuid::Uuid;

fn private() -> GroupBuy {
    pool(Rules {
        visibility: Visibility::Private,
        eligible_orgs: Some(vec!["org_beta".into()]),
        ..Rules::default()
    })
}

fn admin() -> Principal {
    Principal {
        roles: vec!["platform-admin".into()],
        org_id: None,
        ..caller("ops")
    }
}

fn commitment(org: &str, quantity: i64, ceiling: i64, status: CommitmentStatus) -> Commitment {
    let g = pool(Rules::default());
    Commitment {
        id: CommitmentId::new(Uuid::from_u128(quantity as u128)),
        group_buy_id: g.id,
        member_id: org.into(),
        quantity,
        price_ceiling: Money::from_minor(ceiling, g.currency),
        purchase_order_ref: None,
        status,
        created_at: t0(),
        updated_at: t0(),
    }
}

#[test]
fn reads_need_the_read_scope_and_writes_the_write_scope_and_an_organisation() {
    let mut p = caller("org_beta");
    assert_eq!(require_read(&p), Ok(()));
    assert_eq!(require_write(&p), Ok("org_beta"));
    p.scopes = vec!["groupbuy:write".into()];
    assert_eq!(
        require_read(&p),
        Err(ProcurementRefusal::MissingScope("groupbuy:read"))
    );
    p.scopes = vec!["groupbuy:read".into()];
    let err = require_write(&p).expect_err("no write scope");
    assert_eq!(err.to_string(), "Missing scope: groupbuy:write");
    p.scopes.push("groupbuy:write".into());
    p.org_id = Some(" ".into());
    assert_eq!(
        require_write(&p),
        Err(ProcurementRefusal::OrganisationRequired)
    );
}

#[test]
fn each_caller_is_placed_by_precedence() {
    let g = private();
    assert_eq!(
        Viewer::of(&caller("org_acme"), &g, true),
        Viewer::Organiser("org_acme".into())
    );
    assert_eq!(Viewer::of(&admin(), &g, false), Viewer::PlatformAdmin(None));
    assert_eq!(
        Viewer::of(&caller("org_gamma"), &g, true),
        Viewer::Member("org_gamma".into())
    );
    assert_eq!(
        Viewer::of(&caller("org_beta"), &g, false),
        Viewer::Eligible("org_beta".into())
    );
    assert_eq!(
        Viewer::of(&caller("org_zeta"), &g, false),
        Viewer::Outsider(Some("org_zeta".into()))
    );
    let mut anonymous = caller("x");
    anonymous.org_id = None;
    assert_eq!(Viewer::of(&anonymous, &g, false), Viewer::Outsider(None));
}

#[test]
fn a_private_pool_is_seen_by_all_but_outsiders_and_a_public_one_by_everyone() {
    let g = private();
    let sees = |p: &Principal, committed| can_see(&g, p, committed);
    assert!(sees(&caller("org_acme"), false));
    assert!(sees(&admin(), false));
    assert!(sees(&caller("org_gamma"), true));
    assert!(sees(&caller("org_beta"), false));
    assert!(!sees(&caller("org_zeta"), false));
    let outsider = Viewer::of(&caller("org_zeta"), &g, false);
    assert_eq!(
        outsider.require_visible(&g),
        Err(ProcurementRefusal::GroupBuyNotFound)
    );
    let public = pool(Rules::default());
    assert!(can_see(&public, &caller("org_zeta"), false));
}

#[test]
fn only_the_organiser_and_admins_read_the_audit_and_every_commitment() {
    let g = private();
    let v = |p: &Principal, c| Viewer::of(p, &g, c);
    assert_eq!(
        v(&caller("org_acme"), false).require_audit_reader(&g),
        Ok(())
    );
    assert_eq!(v(&admin(), false).require_audit_reader(&g), Ok(()));
    assert_eq!(
        v(&caller("org_beta"), false)
            .require_audit_reader(&g)
            .map_err(|e| e.to_string()),
        Err("Only the organising organisation may read the audit trail of this group buy".into())
    );
    assert_eq!(
        v(&caller("org_zeta"), false).require_audit_reader(&g),
        Err(ProcurementRefusal::GroupBuyNotFound)
    );
    assert_eq!(
        v(&caller("org_acme"), false).commitments_scope(),
        CommitmentsScope::All
    );
    assert_eq!(
        v(&admin(), false).commitments_scope(),
        CommitmentsScope::All
    );
    assert_eq!(
        v(&caller("org_gamma"), true).commitments_scope(),
        CommitmentsScope::OnlyOf("org_gamma".into())
    );
    let mut anonymous = caller("x");
    anonymous.org_id = None;
    assert_eq!(
        Viewer::of(&anonymous, &pool(Rules::default()), false).commitments_scope(),
        CommitmentsScope::Nothing
    );
}

#[test]
fn the_summary_counts_active_commitments_only() {
    let all = [
        commitment("org_b", 10, 950, CommitmentStatus::Active),
        commitment("org_c", 25, 1200, CommitmentStatus::Active),
        commitment("org_d", 99, 1, CommitmentStatus::Withdrawn),
    ];
    let s = CommitmentsSummary::of(&all);
    assert_eq!((s.count, s.total_quantity), (2, 35));
    assert_eq!(s.lowest_price_ceiling.map(|m| m.minor()), Some(950));
    assert_eq!(s.highest_price_ceiling.map(|m| m.minor()), Some(1200));
    let wire = serde_json::to_value(s).expect("json");
    assert_eq!(wire["lowest_price_ceiling"].to_string(), "9.50");
    let none = CommitmentsSummary::of(&[]);
    assert_eq!((none.count, none.lowest_price_ceiling), (0, None));
}

#[test]
fn each_viewer_sees_only_what_is_theirs() {
    let g = pool(Rules::default());
    let summary = CommitmentsSummary::of(&[commitment("org_b", 10, 950, CommitmentStatus::Active)]);
    let mine = commitment("org_b", 10, 950, CommitmentStatus::Active);
    let organiser = Viewer::of(&caller("org_acme"), &g, false);
    let view = GroupBuyView::new(g.clone(), &organiser, None, Some(summary));
    assert_eq!(view.commitments_summary, Some(summary));
    assert_eq!(view.stats, g.stats());
    let member = Viewer::of(&caller("org_b"), &g, true);
    let view = GroupBuyView::new(g.clone(), &member, Some(mine.clone()), Some(summary));
    assert_eq!(
        view.commitments_summary, None,
        "members never see the summary"
    );
    assert_eq!(view.my_commitment, Some(mine.clone()));
    assert_eq!(
        view.stats.members, None,
        "nor how many organisations committed"
    );
    assert_eq!(view.stats.committed_quantity, g.stats().committed_quantity);
    // Someone else's commitment, or a withdrawn one, is never "mine".
    let other = Viewer::of(&caller("org_c"), &g, false);
    assert_eq!(
        GroupBuyView::new(g.clone(), &other, Some(mine), None).my_commitment,
        None
    );
    let withdrawn = commitment("org_b", 10, 950, CommitmentStatus::Withdrawn);
    assert_eq!(
        GroupBuyView::new(g, &member, Some(withdrawn), None).my_commitment,
        None
    );
}
