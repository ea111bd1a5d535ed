//! The public progress a live stream carries: exactly what the public pages show (the
//! ACTIVE participants' names and pictures, never their ids or payments), with the
//! sentences the page shows, so the script holds no words.

use super::Event;
use crate::envelope::rfc3339;
use crate::pages::text;
use groupbuy_domain::campaign::{GroupBuy, ThresholdProgress};
use groupbuy_domain::group_purchase::{GroupDetail, GroupStatus};
use serde_json::{json, Value};

/// A group's progress: seats, status, expiry and the active participants.
pub fn group(d: &GroupDetail) -> Event {
    let g = &d.group;
    let participants: Vec<Value> = d
        .active()
        .map(|p| {
            let name = &p.participant.user_name;
            json!({
                "name": name,
                "picture": p.participant.user_picture,
                "pictureAlt": format!("{} {name}", text::PICTURE_OF),
            })
        })
        .collect();
    let data = json!({
        "kind": "group",
        "code": g.code.as_str(),
        "status": g.status.as_str(),
        "statusText": format!("{}: {}", text::STATUS, text::group_status(g.status.as_str())),
        "open": g.status == GroupStatus::Open,
        "failed": g.status == GroupStatus::Failed,
        "seatsOccupied": g.seats_occupied,
        "totalSeats": g.total_seats,
        "seatsText": text::seats(g.seats_occupied, g.total_seats),
        "progressText": format!("{}%", d.progress_percentage()),
        "expiresAt": rfc3339(g.expires_at),
        "participants": participants,
        "noParticipantsText": text::NO_PARTICIPANTS,
    });
    Event::of(data.to_string())
}

/// A campaign's progress: each set threshold's current and target, met, status.
pub fn campaign(g: &GroupBuy) -> Event {
    let p = g.progress();
    let threshold = |kind: &str, t: &ThresholdProgress, label: String| {
        json!({
            "kind": kind,
            "current": t.current,
            "target": t.target,
            "met": t.met,
            "text": label,
            "metText": met_text(t.met),
        })
    };
    let mut thresholds = Vec::new();
    if let Some(t) = &p.participants {
        thresholds.push(threshold(
            "participants",
            t,
            text::participants_progress(t.current, t.target),
        ));
    }
    if let Some(t) = &p.quantity {
        thresholds.push(threshold(
            "quantity",
            t,
            text::quantity_progress(t.current, t.target),
        ));
    }
    let status = g.status.as_str();
    let data = json!({
        "kind": "campaign",
        "status": status,
        "statusText": format!("{}: {}", text::STATUS, text::campaign_status(status)),
        "open": status == "PUBLISHED",
        "met": p.met,
        "closesAt": rfc3339(g.closes_at),
        "participants": g.participants,
        "quantity": g.quantity,
        "countsText": text::console_merchant::counts(g.participants, g.quantity),
        "thresholds": thresholds,
    });
    Event::of(data.to_string())
}

/// Whether a threshold is met, in the console's words (the public page shows the bar only).
pub fn met_text(met: bool) -> &'static str {
    if met {
        text::console_merchant::MET
    } else {
        text::console_merchant::NOT_MET
    }
}
