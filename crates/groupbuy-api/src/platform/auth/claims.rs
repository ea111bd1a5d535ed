//! The claims groupbuy reads from a verified token, found where the configured JSON pointers
//! say ([`ClaimMap`]: Keycloak's `realm_access.roles`, Auth0's namespaced claims, Azure's
//! `scp` array), checked ([`Claims::refusal`]) and turned into the one [`Principal`] every
//! authorization rule reads.

use super::{MAX_ID_CLAIM_CHARS, MAX_ROLES, MAX_TEXT_CLAIM_CHARS};
use crate::platform::text;
use groupbuy_domain::Principal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECONDS: u64 = 5;

/// The most audiences a token may name.
const MAX_AUDIENCES: usize = 32;

/// The claims groupbuy reads from a token (DESIGN.md section 5), in groupbuy's own layout:
/// what `groupbuy token` mints and what [`ClaimMap::read`] produces from any layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Profile picture URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// Space-separated scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    /// Expiry (seconds since the epoch); required.
    pub exp: i64,
    /// Issued at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Issuer, checked only when configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Audience (the first one when the token names several; all are bounded by
    /// [`ClaimMap::read`]), checked only when configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
}

impl Claims {
    /// Why these (signature-checked) claims are refused, if they are: a blank `sub`, a
    /// control character in any claim ([`text`]), or an `exp` later than `max_ttl`
    /// seconds after `now` (plus the clock leeway).
    pub fn refusal(&self, now: i64, max_ttl: i64) -> Option<&'static str> {
        if self.sub.trim().is_empty() {
            return Some("empty sub");
        }
        let texts = [Some(&self.sub), self.name.as_ref(), self.picture.as_ref()]
            .into_iter()
            .chain([self.scope.as_ref(), self.org_id.as_ref()])
            .chain([self.iss.as_ref(), self.aud.as_ref()])
            .flatten()
            .chain(&self.roles);
        if texts.into_iter().any(|t| text::has_refused_char(t, false)) {
            return Some("control character in a claim");
        }
        let long = |t: Option<&String>, max: usize| t.is_some_and(|t| t.chars().count() > max);
        let ids = [Some(&self.sub), self.org_id.as_ref(), self.iss.as_ref()]
            .into_iter()
            .chain([self.aud.as_ref()])
            .chain(self.roles.iter().map(Some));
        let texts = [
            self.name.as_ref(),
            self.picture.as_ref(),
            self.scope.as_ref(),
        ];
        if self.roles.len() > MAX_ROLES
            || ids.into_iter().any(|t| long(t, MAX_ID_CLAIM_CHARS))
            || texts.into_iter().any(|t| long(t, MAX_TEXT_CLAIM_CHARS))
        {
            return Some("claim too long");
        }
        if self.exp.saturating_sub(now) > max_ttl.saturating_add(LEEWAY_SECONDS as i64) {
            return Some("lifetime longer than the configured maximum");
        }
        None
    }

    /// The caller these claims name. Scopes are split on ASCII spaces only (RFC 6749
    /// section 3.3), so `"x\u{3000}groupbuy:read"` is one unknown scope. A blank `org_id`
    /// (`""`, `"   "`) is no organisation: normalised here once, so no surface can treat
    /// blank as one organisation shared by every such token.
    pub(crate) fn into_principal(self) -> Principal {
        Principal {
            user_id: self.sub,
            name: self.name,
            picture: self.picture,
            scopes: self
                .scope
                .unwrap_or_default()
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            roles: self.roles,
            org_id: self.org_id.filter(|o| !o.trim().is_empty()),
        }
    }
}

/// Where a token keeps roles, organisation, scopes, name and picture: JSON pointers
/// (RFC 6901) into its payload, from `GROUPBUY_JWT_*_CLAIM`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimMap {
    roles: Pointer,
    org: Pointer,
    scope: Pointer,
    name: Pointer,
    picture: Pointer,
}

impl Default for ClaimMap {
    fn default() -> Self {
        Self {
            roles: Pointer::top("roles"),
            org: Pointer::top("org_id"),
            scope: Pointer::top("scope"),
            name: Pointer::top("name"),
            picture: Pointer::top("picture"),
        }
    }
}

/// Where the display name is read when the name claim is absent (OIDC standard claim).
const NAME_FALLBACK: &str = "preferred_username";

/// A JSON pointer (RFC 6901) split into its unescaped tokens once, when configured: every
/// request reads five claims through these, and re-parsing a pointer string per read
/// (`serde_json::Value::pointer`) cost more than verifying the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pointer(Vec<String>);

impl Pointer {
    /// The pointer `/a/b~1c` as tokens `a`, `b/c`.
    fn parse(pointer: &str) -> Self {
        Self(
            pointer
                .split('/')
                .skip(1)
                .map(|t| t.replace("~1", "/").replace("~0", "~"))
                .collect(),
        )
    }

    /// The pointer to the top-level claim `name`.
    fn top(name: &str) -> Self {
        Self(vec![name.to_owned()])
    }

    /// The value it points at in `payload`, read as `Value::pointer` reads it (array
    /// indices without leading zeros or sign).
    fn find<'a>(&self, payload: &'a Value) -> Option<&'a Value> {
        self.0.iter().try_fold(payload, |at, token| match at {
            Value::Object(map) => map.get(token),
            Value::Array(items) => {
                if token.starts_with('+') || (token.starts_with('0') && token.len() != 1) {
                    return None;
                }
                token.parse::<usize>().ok().and_then(|i| items.get(i))
            }
            _ => None,
        })
    }
}

impl ClaimMap {
    /// A map from settings looked up by name (`GROUPBUY_JWT_ROLES_CLAIM`, `..._ORG_CLAIM`,
    /// `..._SCOPE_CLAIM`, `..._NAME_CLAIM`, `..._PICTURE_CLAIM`); unset ones keep the
    /// defaults. A value starting with `/` is a JSON pointer; any other is one top-level
    /// claim's name (`name` is `/name`; `https://x/roles` is `/https:~1~1x~1roles`).
    ///
    /// # Errors
    /// A message naming a blank setting.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let d = Self::default();
        let get = |name: &str, default: Pointer| -> Result<Pointer, String> {
            match lookup(name) {
                Some(v) => pointer(&v)
                    .map(|p| Pointer::parse(&p))
                    .ok_or_else(|| format!("{name} must not be blank")),
                None => Ok(default),
            }
        };
        Ok(Self {
            roles: get("GROUPBUY_JWT_ROLES_CLAIM", d.roles)?,
            org: get("GROUPBUY_JWT_ORG_CLAIM", d.org)?,
            scope: get("GROUPBUY_JWT_SCOPE_CLAIM", d.scope)?,
            name: get("GROUPBUY_JWT_NAME_CLAIM", d.name)?,
            picture: get("GROUPBUY_JWT_PICTURE_CLAIM", d.picture)?,
        })
    }

    /// The claims of a verified payload, read where this map says. A claim of the wrong
    /// shape (roles that are not strings, an object for a scope) refuses the token rather
    /// than being read as absent, so a misconfigured pointer is noticed, not silently
    /// granting less or more.
    ///
    /// # Errors
    /// Why the payload is refused.
    pub fn read(&self, payload: &Value) -> Result<Claims, &'static str> {
        let sub = string(payload.get("sub"))?.ok_or("no sub")?;
        let exp = number(payload.get("exp"))?.ok_or("no exp")?;
        let audiences = strings(payload.get("aud"))?;
        if audiences.len() > MAX_AUDIENCES
            || audiences
                .iter()
                .any(|a| a.chars().count() > MAX_ID_CLAIM_CHARS || text::has_refused_char(a, false))
        {
            return Err("aud refused");
        }
        let name = match string(self.name.find(payload))? {
            Some(name) => Some(name),
            None => string(payload.get(NAME_FALLBACK))?,
        };
        let scopes = strings(self.scope.find(payload))?;
        Ok(Claims {
            sub,
            name,
            picture: string(self.picture.find(payload))?,
            scope: (!scopes.is_empty()).then(|| scopes.join(" ")),
            roles: strings(self.roles.find(payload))?,
            org_id: string(self.org.find(payload))?,
            exp,
            iat: number(payload.get("iat"))?,
            iss: string(payload.get("iss"))?,
            aud: audiences.into_iter().next(),
        })
    }

    /// The payload of `claims` in this map's layout, for `groupbuy token`: what it mints
    /// is what `serve` reads with the same settings.
    pub fn write(&self, claims: &Claims) -> Value {
        let mut payload = Value::Object(Map::new());
        let mut put = |pointer: &Pointer, value: Value| set(&mut payload, pointer, value);
        put(&Pointer::top("sub"), claims.sub.clone().into());
        put(&Pointer::top("exp"), claims.exp.into());
        let (iat, iss, aud) = (
            Pointer::top("iat"),
            Pointer::top("iss"),
            Pointer::top("aud"),
        );
        let optional = [
            (&iat, claims.iat.map(Value::from)),
            (&iss, claims.iss.clone().map(Value::from)),
            (&aud, claims.aud.clone().map(Value::from)),
            (&self.name, claims.name.clone().map(Value::from)),
            (&self.picture, claims.picture.clone().map(Value::from)),
            (&self.scope, claims.scope.clone().map(Value::from)),
            (&self.org, claims.org_id.clone().map(Value::from)),
        ];
        for (pointer, value) in optional {
            if let Some(value) = value {
                put(pointer, value);
            }
        }
        if !claims.roles.is_empty() {
            put(&self.roles, claims.roles.clone().into());
        }
        payload
    }
}

/// The JSON pointer of a setting: itself when it starts with `/`, else the pointer to the
/// top-level claim of that name; `None` when blank.
fn pointer(setting: &str) -> Option<String> {
    let setting = setting.trim();
    if setting.is_empty() || setting == "/" {
        None
    } else if setting.starts_with('/') {
        Some(setting.to_owned())
    } else {
        Some(format!(
            "/{}",
            setting.replace('~', "~0").replace('/', "~1")
        ))
    }
}

/// The string a claim holds; `None` when absent or null.
fn string(claim: Option<&Value>) -> Result<Option<String>, &'static str> {
    match claim {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err("a claim that should be a string is not"),
    }
}

/// The whole number of seconds a claim holds (a fractional one is truncated).
fn number(claim: Option<&Value>) -> Result<Option<i64>, &'static str> {
    match claim {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
            .map(Some)
            .ok_or("a time claim out of range"),
        Some(_) => Err("a time claim that is not a number"),
    }
}

/// The strings a claim holds: an array of strings, or one string split on ASCII spaces
/// (the OAuth `scope` form; a role never contains a space).
fn strings(claim: Option<&Value>) -> Result<Vec<String>, &'static str> {
    match claim {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(s
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or("a list claim holds a non-string")
            })
            .collect(),
        Some(_) => Err("a list claim that is neither a string nor an array"),
    }
}

/// Sets `value` at `pointer`, creating the objects on the way.
fn set(payload: &mut Value, pointer: &Pointer, value: Value) {
    let Some((last, path)) = pointer.0.split_last() else {
        return;
    };
    let mut at = payload;
    for token in path {
        if !at.is_object() {
            *at = Value::Object(Map::new());
        }
        let Value::Object(map) = at else { return };
        at = map
            .entry(token.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if !at.is_object() {
        *at = Value::Object(Map::new());
    }
    if let Value::Object(map) = at {
        map.insert(last.clone(), value);
    }
}

#[cfg(test)]
#[path = "claims_tests.rs"]
mod tests;
