//! Handles (a merchant's public name) and slugs (a group-buy's name under a handle).

use crate::error::DomainError;
use crate::principal::Principal;
use std::fmt;
use time::OffsetDateTime;

/// `[a-z0-9-]{3,40}`: the charset and length of handles and slugs.
fn parse_name(raw: &str, field: &str) -> Result<String, DomainError> {
    let ok = (3..=40).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(DomainError::invalid(
            field,
            format!("{field} must be 3-40 characters of a-z, 0-9 and -"),
        ))
    }
}

/// A valid handle (`[a-z0-9-]{3,40}`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Handle(String);

impl Handle {
    /// Parses a handle; `Validation` on field `handle` otherwise.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        parse_name(raw, "handle").map(Self)
    }

    /// The handle text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A valid group-buy slug (`[a-z0-9-]{3,40}`, unique per handle).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    /// Parses a slug; `Validation` on `field` otherwise.
    pub fn parse_field(raw: &str, field: &str) -> Result<Self, DomainError> {
        parse_name(raw, field).map(Self)
    }

    /// Parses a slug; `Validation` on field `slug` otherwise.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::parse_field(raw, "slug")
    }

    /// The slug text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A handle and who owns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandleProfile {
    /// The handle.
    pub handle: Handle,
    /// Display name.
    pub display_name: String,
    /// User id of the owning merchant.
    pub owner_id: String,
    /// When it was claimed.
    pub created_at: OffsetDateTime,
}

impl HandleProfile {
    /// Whether `caller` may manage this handle's group-buys (owner or platform admin).
    pub fn managed_by(&self, caller: &Principal) -> bool {
        self.owner_id == caller.user_id || caller.is_platform_admin()
    }
}

/// A validated request to claim a handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandleDraft {
    /// The handle.
    pub handle: Handle,
    /// Trimmed display name, 1-120 characters.
    pub display_name: String,
}

impl HandleDraft {
    /// Parses the fields of a new handle.
    pub fn parse(handle: &str, display_name: &str) -> Result<Self, DomainError> {
        let handle = Handle::parse(handle)?;
        let display_name = display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 120 {
            return Err(DomainError::invalid(
                "displayName",
                "displayName must be between 1 and 120 characters",
            ));
        }
        Ok(Self {
            handle,
            display_name: display_name.to_owned(),
        })
    }

    /// The profile this draft claims for `owner_id`.
    pub fn into_profile(self, owner_id: &str, now: OffsetDateTime) -> HandleProfile {
        HandleProfile {
            handle: self.handle,
            display_name: self.display_name,
            owner_id: owner_id.to_owned(),
            created_at: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_follow_the_charset_rule() {
        for ok in ["abc", "gharart", "decor-2026", &"a".repeat(40)] {
            assert!(Handle::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["ab", "Gharart", "a_b", "a b", "ümlaut", "", &"a".repeat(41)] {
            let err = Handle::parse(bad).expect_err("must be refused");
            assert!(matches!(err, DomainError::Validation { ref field, .. } if field == "handle"));
        }
        assert!(
            matches!(Slug::parse("A!"), Err(DomainError::Validation { field, .. }) if field == "slug")
        );
    }

    #[test]
    fn display_name_is_trimmed_and_bounded() {
        let d = HandleDraft::parse("gharart", "  Gharart  ").expect("draft");
        assert_eq!(d.display_name, "Gharart");
        assert!(matches!(
            HandleDraft::parse("gharart", " "),
            Err(DomainError::Validation { field, .. }) if field == "displayName"
        ));
    }

    #[test]
    fn owners_and_admins_manage_a_handle() {
        let p = HandleDraft::parse("gharart", "G")
            .expect("draft")
            .into_profile("m1", OffsetDateTime::UNIX_EPOCH);
        let owner = Principal {
            user_id: "m1".into(),
            ..Principal::default()
        };
        let stranger = Principal {
            user_id: "m2".into(),
            ..Principal::default()
        };
        let admin = Principal {
            user_id: "a".into(),
            roles: vec!["platform-admin".into()],
            ..Principal::default()
        };
        assert!(p.managed_by(&owner));
        assert!(!p.managed_by(&stranger));
        assert!(p.managed_by(&admin));
    }
}
