//! Campaign events: what transitions say, and the tipping point firing once.

use super::super::group_buy::tests::{draft_gb, t0};
use super::super::group_buy::{Action, GroupBuyStatus};

#[test]
fn transitions_say_what_they_did_about_the_campaign() {
    let owner = crate::platform::Audience::User("m1".into());
    let (published, said) = draft_gb()
        .transition(Action::Publish, &owner, t0())
        .expect("publish");
    assert_eq!(published.status, GroupBuyStatus::Published);
    assert_eq!(said.len(), 1);
    assert_eq!(
        said[0].event_type,
        crate::platform::EventType::CampaignPublished
    );
    assert_eq!(said[0].subject, "campaign:gharart/teak-lamps");
    assert_eq!(said[0].audience, owner);
    assert_eq!(said[0].data["previous_status"], "DRAFT");
    assert_eq!(said[0].data["unit_price"].to_string(), "45000.50");
    // A refused transition says nothing (it is an error).
    assert!(draft_gb().transition(Action::Close, &owner, t0()).is_err());
}

#[test]
fn the_tipping_point_fires_once_and_only_when_published_and_met() {
    let owner = crate::platform::Audience::User("m1".into());
    let mut g = draft_gb();
    g.participants = 50;
    g.quantity = 100;
    assert!(
        g.tipping_point(&owner, t0()).is_none(),
        "a draft does not tip"
    );
    g.status = GroupBuyStatus::Published;
    g.quantity = 99;
    assert!(g.tipping_point(&owner, t0()).is_none(), "quantity not met");
    g.quantity = 100;
    let (reached, said) = g.tipping_point(&owner, t0()).expect("tips");
    assert_eq!(reached.threshold_reached_at, Some(t0()));
    assert_eq!(
        said.event_type,
        crate::platform::EventType::CampaignThresholdReached
    );
    assert!(reached.tipping_point(&owner, t0()).is_none(), "only once");
}
