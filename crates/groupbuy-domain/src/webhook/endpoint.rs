//! Webhook endpoints: where events go, which ones, and who may manage them.

use super::target::parse_url;
use crate::error::DomainError;
use crate::platform::{Audience, EventType};
use crate::principal::Principal;
use time::OffsetDateTime;

/// Every secret starts with this (Standard Webhooks' convention).
pub const SECRET_PREFIX: &str = "whsec_";

/// Which event types an endpoint receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventFilter {
    /// `"*"`: every type.
    All,
    /// Only these types.
    Only(Vec<EventType>),
}

impl EventFilter {
    /// Parses `events[]`: event type names or `"*"`; at least one, no unknown names.
    pub fn parse(names: &[String]) -> Result<Self, DomainError> {
        if names.is_empty() {
            return Err(DomainError::invalid(
                "events",
                "events must name at least one event type, or \"*\"",
            ));
        }
        if names.iter().any(|n| n == "*") {
            return Ok(Self::All);
        }
        let mut types = Vec::new();
        for n in names {
            let t = EventType::parse(n).ok_or_else(|| {
                DomainError::invalid(
                    "events",
                    format!("Unknown event type: {n}. See GET /webhooks/event-types"),
                )
            })?;
            if !types.contains(&t) {
                types.push(t);
            }
        }
        Ok(Self::Only(types))
    }

    /// Whether `t` passes.
    pub fn accepts(&self, t: EventType) -> bool {
        match self {
            Self::All => true,
            Self::Only(types) => types.contains(&t),
        }
    }

    /// The names as stored and shown (`["*"]` for all).
    pub fn names(&self) -> Vec<String> {
        match self {
            Self::All => vec!["*".into()],
            Self::Only(types) => types.iter().map(|t| t.as_str().to_owned()).collect(),
        }
    }
}

/// A registered endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEndpoint {
    /// `we_...`.
    pub id: String,
    /// The `sub` that created it.
    pub created_by: String,
    /// The organisation it belongs to (the registering token's `org_id`); `None`: its
    /// creator's personal endpoint.
    pub org_id: Option<String>,
    /// Where deliveries are POSTed.
    pub url: String,
    /// Which events it receives.
    pub events: EventFilter,
    /// The owner's note.
    pub description: Option<String>,
    /// No deliveries while true.
    pub disabled: bool,
    /// Why it was disabled (by its owner, or by a 410 answer).
    pub disabled_reason: Option<String>,
    /// When it was registered (UTC, from the injected clock).
    pub created_at: OffsetDateTime,
}

impl WebhookEndpoint {
    /// Whether `caller` may see and change it. An organisation's endpoint (registered with
    /// a token carrying `org_id`) is managed by whoever acts for that organisation NOW (the
    /// token's current `org_id`), its creator included only while acting for it; a personal
    /// endpoint (no `org_id`) by its creator alone.
    pub fn visible_to(&self, caller: &Principal) -> bool {
        match &self.org_id {
            Some(org) => caller.org_id.as_deref() == Some(org.as_str()),
            None => self.created_by == caller.user_id,
        }
    }

    /// Whether an event for `audience` of type `t` goes to this endpoint: an
    /// organisation's events to that organisation's endpoints, a user's to their personal
    /// ones (never to an organisation's, whose members would read them).
    pub fn wants(&self, audience: &Audience, t: EventType) -> bool {
        let owner = match audience {
            Audience::User(u) => self.org_id.is_none() && *u == self.created_by,
            Audience::Organisation(o) => self.org_id.as_deref() == Some(o.as_str()),
        };
        owner && !self.disabled && self.events.accepts(t)
    }
}

/// The principal a new endpoint is registered for: the caller as its token acts, checked
/// against the owner the request names, if it names one. `vendor_id`: the caller must be
/// that vendor (role `vendor`, `sub` = the id); the endpoint is the vendor's own (no
/// organisation) and receives the events procurement addresses to that vendor. `org_id`:
/// it must be the token's organisation; the endpoint is that organisation's.
///
/// # Errors
/// `NotFound` (404) for another vendor's or organisation's id, as for one that does not
/// exist; `Validation` (422) when both are named.
pub fn registrant(
    caller: &Principal,
    vendor_id: Option<&str>,
    org_id: Option<&str>,
) -> Result<Principal, DomainError> {
    match (vendor_id, org_id) {
        (Some(_), Some(_)) => Err(DomainError::invalid(
            "vendor_id",
            "Name either vendor_id or org_id, not both",
        )),
        (Some(v), None) => {
            if caller.has_role(crate::procurement::ROLE_VENDOR) && caller.user_id == v {
                Ok(Principal {
                    org_id: None,
                    ..caller.clone()
                })
            } else {
                Err(DomainError::NotFound(format!(
                    "Vendor not found with ID: {v}"
                )))
            }
        }
        (None, Some(o)) if caller.org_id.as_deref() != Some(o) => Err(DomainError::NotFound(
            format!("Organisation not found with ID: {o}"),
        )),
        _ => Ok(caller.clone()),
    }
}

/// A new endpoint, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointDraft {
    /// Target URL (http or https).
    pub url: String,
    /// Event filter.
    pub events: EventFilter,
    /// The owner's note, at most 500 characters; a blank one is dropped.
    pub description: Option<String>,
}

impl EndpointDraft {
    /// Validates the request; `allow_private` lets loopback and private addresses through
    /// (development and tests).
    pub fn parse(
        url: &str,
        events: &[String],
        description: Option<String>,
        allow_private: bool,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            url: parse_url(url, allow_private)?,
            events: EventFilter::parse(events)?,
            description: parse_description(description)?,
        })
    }
}

/// A change of an endpoint; absent fields stay.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EndpointPatch {
    /// New URL.
    pub url: Option<String>,
    /// New filter.
    pub events: Option<EventFilter>,
    /// New note (`Some(None)` clears it).
    pub description: Option<Option<String>>,
    /// Disable or re-enable.
    pub disabled: Option<bool>,
}

impl EndpointPatch {
    /// Validates a PATCH body.
    pub fn parse(
        url: Option<&str>,
        events: Option<&[String]>,
        description: Option<Option<String>>,
        disabled: Option<bool>,
        allow_private: bool,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            url: url.map(|u| parse_url(u, allow_private)).transpose()?,
            events: events.map(EventFilter::parse).transpose()?,
            description: description.map(parse_description).transpose()?,
            disabled,
        })
    }

    /// The endpoint after the change: re-enabling clears the reason.
    pub fn apply(self, endpoint: &WebhookEndpoint) -> WebhookEndpoint {
        let mut e = endpoint.clone();
        if let Some(url) = self.url {
            e.url = url;
        }
        if let Some(events) = self.events {
            e.events = events;
        }
        if let Some(d) = self.description {
            e.description = d;
        }
        match self.disabled {
            Some(true) if !e.disabled => {
                e.disabled = true;
                e.disabled_reason = Some("Disabled by its owner".into());
            }
            Some(false) => {
                e.disabled = false;
                e.disabled_reason = None;
            }
            _ => {}
        }
        e
    }
}

fn parse_description(d: Option<String>) -> Result<Option<String>, DomainError> {
    match d {
        Some(d) if d.chars().count() > 500 => Err(DomainError::invalid(
            "description",
            "description must be at most 500 characters",
        )),
        other => Ok(other.filter(|d| !d.trim().is_empty())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn events_are_known_types_or_star() {
        assert_eq!(
            EventFilter::parse(&names(&["*"])).expect("star"),
            EventFilter::All
        );
        let f = EventFilter::parse(&names(&["group.completed", "group.completed"])).expect("ok");
        assert_eq!(f, EventFilter::Only(vec![EventType::GroupCompleted]));
        assert!(f.accepts(EventType::GroupCompleted) && !f.accepts(EventType::GroupFailed));
        assert!(EventFilter::parse(&names(&["group.exploded"])).is_err());
        assert!(EventFilter::parse(&[]).is_err());
    }

    #[test]
    fn endpoints_belong_to_their_creator_and_organisation() {
        let e = WebhookEndpoint {
            id: "we_1".into(),
            created_by: "m1".into(),
            org_id: Some("org-a".into()),
            url: "https://x.example".into(),
            events: EventFilter::All,
            description: None,
            disabled: false,
            disabled_reason: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
        };
        let who = |sub: &str, org: Option<&str>| Principal {
            user_id: sub.into(),
            org_id: org.map(str::to_owned),
            ..Default::default()
        };
        assert!(e.visible_to(&who("m2", Some("org-a"))));
        assert!(!e.visible_to(&who("m2", Some("org-b"))));
        assert!(!e.visible_to(&who("m2", None)));
        // Its creator, moved to another organisation (or acting for none), no longer
        // manages it, and their own events no longer go to it.
        assert!(e.visible_to(&who("m1", Some("org-a"))));
        assert!(!e.visible_to(&who("m1", Some("org-b"))));
        assert!(!e.visible_to(&who("m1", None)));
        assert!(!e.wants(&Audience::User("m1".into()), EventType::GroupCreated));
        let personal = WebhookEndpoint {
            org_id: None,
            ..e.clone()
        };
        assert!(personal.visible_to(&who("m1", Some("org-b"))));
        assert!(!personal.visible_to(&who("m2", None)));
        assert!(personal.wants(&Audience::User("m1".into()), EventType::GroupCreated));
        assert!(!personal.wants(
            &Audience::Organisation("org-a".into()),
            EventType::GroupCreated
        ));
        assert!(e.wants(
            &Audience::Organisation("org-a".into()),
            EventType::GroupCreated
        ));
        assert!(!e.wants(&Audience::User("m2".into()), EventType::GroupCreated));
        let off = EndpointPatch {
            disabled: Some(true),
            ..Default::default()
        }
        .apply(&e);
        assert!(off.disabled && off.disabled_reason.is_some());
        assert!(!off.wants(
            &Audience::Organisation("org-a".into()),
            EventType::GroupCreated
        ));
        let on = EndpointPatch {
            disabled: Some(false),
            ..Default::default()
        }
        .apply(&off);
        assert!(!on.disabled && on.disabled_reason.is_none());
    }

    #[test]
    fn a_vendor_registers_for_itself_and_an_organisation_for_its_own() {
        let vendor = Principal {
            user_id: "v_mills".into(),
            roles: vec![crate::procurement::ROLE_VENDOR.into()],
            org_id: Some("org-x".into()),
            ..Default::default()
        };
        let own = registrant(&vendor, Some("v_mills"), None).expect("its own");
        assert_eq!((own.user_id.as_str(), own.org_id), ("v_mills", None));
        let not_found =
            |r: Result<Principal, DomainError>| matches!(r, Err(DomainError::NotFound(_)));
        assert!(not_found(registrant(&vendor, Some("v_farm"), None)));
        let plain = Principal {
            roles: Vec::new(),
            ..vendor.clone()
        };
        // The id alone is not the vendor: the role must come with it.
        assert!(not_found(registrant(&plain, Some("v_mills"), None)));
        assert_eq!(registrant(&plain, None, Some("org-x")), Ok(plain.clone()));
        assert!(not_found(registrant(&plain, None, Some("org-y"))));
        assert_eq!(registrant(&plain, None, None), Ok(plain.clone()));
        assert!(matches!(
            registrant(&vendor, Some("v_mills"), Some("org-x")),
            Err(DomainError::Validation { .. })
        ));
    }
}
