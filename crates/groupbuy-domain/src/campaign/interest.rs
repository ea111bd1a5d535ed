//! A visitor's interest in a group-buy: at most one per (group-buy, visitor).

use crate::error::DomainError;
use time::OffsetDateTime;
use uuid::Uuid;

/// Who registers interest: `user:<sub>` for a token's user, `visitor:<uuid>` for an
/// anonymous visitor identified by the signed cookie.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VisitorId(String);

impl VisitorId {
    /// The visitor behind a bearer token.
    pub fn user(sub: &str) -> Self {
        Self(format!("user:{sub}"))
    }

    /// An anonymous visitor.
    pub fn anonymous(id: Uuid) -> Self {
        Self(format!("visitor:{id}"))
    }

    /// A stored visitor id.
    pub fn from_stored(s: String) -> Self {
        Self(s)
    }

    /// The id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The signed-in user behind it (`user:<sub>`); `None` for an anonymous visitor, who
    /// has no wallet to pay a pre-order from.
    pub fn user_id(&self) -> Option<&str> {
        self.0.strip_prefix("user:")
    }
}

/// One visitor's interest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interest {
    /// Random UUID the store gives it on first registration; kept across updates.
    pub id: Uuid,
    /// The group-buy.
    pub group_buy_id: Uuid,
    /// Who registered it: a token's user or an anonymous cookie visitor; unique per group-buy.
    pub visitor: VisitorId,
    /// Units wanted (>= 1).
    pub quantity: i64,
    /// Free-text note.
    pub note: Option<String>,
    /// First registration.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

/// A validated register-or-update request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterestRequest {
    /// Units wanted (default 1).
    pub quantity: i64,
    /// Trimmed note, up to 1000 characters; empty means none.
    pub note: Option<String>,
}

impl InterestRequest {
    /// Parses `{quantity?, note?}`.
    pub fn parse(quantity: Option<i64>, note: Option<String>) -> Result<Self, DomainError> {
        let quantity = quantity.unwrap_or(1);
        if quantity < 1 {
            return Err(DomainError::invalid(
                "quantity",
                "quantity must be at least 1",
            ));
        }
        if quantity > 1_000_000 {
            return Err(DomainError::invalid(
                "quantity",
                "quantity must be at most 1000000",
            ));
        }
        let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
        if note.as_ref().is_some_and(|n| n.chars().count() > 1000) {
            return Err(DomainError::invalid(
                "note",
                "note must be at most 1000 characters",
            ));
        }
        Ok(Self { quantity, note })
    }
}

/// The result of registering or updating an interest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterestOutcome {
    /// The interest as stored.
    pub interest: Interest,
    /// True when this call registered it (201), false when it updated it (200).
    pub created: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantity_defaults_to_one_and_must_be_positive() {
        assert_eq!(InterestRequest::parse(None, None).expect("ok").quantity, 1);
        for bad in [0, -3] {
            assert!(matches!(
                InterestRequest::parse(Some(bad), None),
                Err(DomainError::Validation { field, .. }) if field == "quantity"
            ));
        }
        let r = InterestRequest::parse(Some(2), Some("  ".into())).expect("ok");
        assert_eq!(r.note, None);
        assert!(InterestRequest::parse(Some(1), Some("x".repeat(1001))).is_err());
    }

    #[test]
    fn visitor_ids_are_namespaced() {
        assert_eq!(VisitorId::user("u1").as_str(), "user:u1");
        assert_eq!(VisitorId::user("u1").user_id(), Some("u1"));
        assert_eq!(VisitorId::anonymous(Uuid::nil()).user_id(), None);
        assert!(VisitorId::anonymous(Uuid::nil())
            .as_str()
            .starts_with("visitor:"));
    }
}
