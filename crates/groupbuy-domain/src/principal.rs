//! Who is calling: the verified claims of a bearer token.

/// The authenticated caller, as the API verified it from the token.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Principal {
    /// Stable user id (`sub`).
    pub user_id: String,
    /// Display name (`name`), used as `userName` in group views.
    pub name: Option<String>,
    /// Profile picture URL (`picture`).
    pub picture: Option<String>,
    /// Granted scopes (`scope`, space separated in the token).
    pub scopes: Vec<String>,
    /// Roles such as `merchant` or `platform-admin`.
    pub roles: Vec<String>,
    /// Organisation of the caller (`org_id`).
    pub org_id: Option<String>,
}

/// Scope to read (every surface).
pub const SCOPE_READ: &str = "groupbuy:read";
/// Scope to change anything (every surface).
pub const SCOPE_WRITE: &str = "groupbuy:write";
/// Scope to run a procurement pool's sourcing: RFQ and allocation.
pub const SCOPE_PROCUREMENT_WRITE: &str = "procurement:write";
/// Scope to settle a procurement pool and read its documents.
pub const SCOPE_FINANCE_WRITE: &str = "finance:write";

/// The platform administrator role.
pub const ROLE_PLATFORM_ADMIN: &str = "platform-admin";
/// The merchant role (may own shops and handles).
pub const ROLE_MERCHANT: &str = "merchant";

impl Principal {
    /// Whether the caller holds `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }

    /// Whether the caller was granted `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// Whether the caller is a platform administrator.
    pub fn is_platform_admin(&self) -> bool {
        self.has_role(ROLE_PLATFORM_ADMIN)
    }

    /// The name shown to other users: the token's name, else the user id.
    pub fn display_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.user_id.clone())
    }
}

/// The 403 for a token without `scope`: one text and one problem `type` on every surface
/// (procurement's own refusal says the same).
pub fn missing_scope(scope: &str) -> crate::DomainError {
    crate::DomainError::Forbidden(crate::error::Refusal::new(
        "missing-scope",
        format!("Missing scope: {scope}"),
    ))
}

/// The 403 for a caller without `role` (`merchant`, `platform-admin`, `vendor`).
pub fn missing_role(role: &str) -> crate::DomainError {
    crate::DomainError::Forbidden(crate::error::Refusal::new(
        "missing-role",
        format!("Missing required role: {role}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DomainError;

    #[test]
    fn a_missing_scope_reads_the_same_as_procurements_refusal() {
        let DomainError::Forbidden(r) = missing_scope("groupbuy:write") else {
            panic!("a missing scope is a 403");
        };
        assert_eq!(
            (r.kind(), r.message()),
            ("missing-scope", "Missing scope: groupbuy:write")
        );
        let ours = crate::procurement::ProcurementRefusal::MissingScope("groupbuy:write");
        assert_eq!(ours.to_string(), r.message());
    }

    #[test]
    fn a_missing_role_names_the_role_with_its_own_type() {
        let DomainError::Forbidden(r) = missing_role("merchant") else {
            panic!("a missing role is a 403");
        };
        assert_eq!(
            (r.kind(), r.message()),
            ("missing-role", "Missing required role: merchant")
        );
    }
}
