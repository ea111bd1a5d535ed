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
