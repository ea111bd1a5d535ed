//! The browser session: a private (signed and encrypted, AES-256-GCM) cookie holding the
//! principal, its expiry and its CSRF token; the one-shot sign-in cookie holding `state`,
//! `nonce`, the PKCE verifier and where to return; and the checks on `return_to`.

use actix_web::cookie::{Cookie, CookieJar, Key, SameSite};
use actix_web::HttpRequest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use groupbuy_domain::Principal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The session cookie.
pub const SESSION_COOKIE: &str = "gb_session";

/// The cookie carrying a sign-in in progress (to the callback, once).
pub const SIGN_IN_COOKIE: &str = "gb_signin";

/// How long a sign-in at the provider may take, in seconds.
pub const SIGN_IN_SECONDS: i64 = 600;

/// A signed-in browser: who, until when, and the token its forms must carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// `sub`.
    pub sub: String,
    /// Display name.
    pub name: Option<String>,
    /// Picture URL.
    pub picture: Option<String>,
    /// Roles, as a bearer token's would be mapped.
    pub roles: Vec<String>,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Organisation.
    pub org_id: Option<String>,
    /// End of the session (seconds since the epoch).
    pub expires: i64,
    /// The CSRF token every state-changing form of this session carries.
    pub csrf: String,
}

impl Session {
    /// A new session (a new CSRF token) for `principal` until `expires`.
    pub fn new(principal: Principal, expires: i64) -> Self {
        Self {
            sub: principal.user_id,
            name: principal.name,
            picture: principal.picture,
            roles: principal.roles,
            scopes: principal.scopes,
            org_id: principal.org_id,
            expires,
            csrf: random_token(),
        }
    }

    /// The principal a bearer token with the same claims would give.
    pub fn principal(&self) -> Principal {
        Principal {
            user_id: self.sub.clone(),
            name: self.name.clone(),
            picture: self.picture.clone(),
            scopes: self.scopes.clone(),
            roles: self.roles.clone(),
            org_id: self.org_id.clone(),
        }
    }
}

/// A sign-in in progress, kept in [`SIGN_IN_COOKIE`] until the callback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignIn {
    /// `state` sent to the provider.
    pub state: String,
    /// `nonce` the ID token must carry.
    pub nonce: String,
    /// PKCE `code_verifier`.
    pub verifier: String,
    /// Same-origin path to return to.
    pub return_to: String,
    /// When this sign-in lapses (seconds since the epoch).
    pub expires: i64,
}

impl SignIn {
    /// A new sign-in (fresh `state`, `nonce` and verifier) returning to `return_to`.
    pub fn new(return_to: String, now: i64) -> Self {
        Self {
            state: random_token(),
            nonce: random_token(),
            verifier: random_token(),
            return_to,
            expires: now + SIGN_IN_SECONDS,
        }
    }

    /// The PKCE S256 `code_challenge` of the verifier (RFC 7636 section 4.2).
    pub fn challenge(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.verifier.as_bytes()))
    }
}

/// 32 random bytes, base64url: state, nonce, PKCE verifier (43 characters, RFC 7636's
/// minimum) and CSRF tokens.
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// `return_to` when it is a path on this site: starts with one `/`, and holds no
/// backslash or control character (browsers read `/\evil` and `//evil` as another host).
pub fn same_origin_path(return_to: &str) -> Option<String> {
    let bytes = return_to.as_bytes();
    let ok = bytes.first() == Some(&b'/')
        && bytes.get(1) != Some(&b'/')
        && bytes.get(1) != Some(&b'\\')
        && !return_to.contains('\\')
        && !return_to.chars().any(char::is_control)
        && return_to.len() <= 2048;
    ok.then(|| return_to.to_owned())
}

/// The value of the private cookie `name`, when present, authentic and readable.
pub fn read<T: DeserializeOwned>(req: &HttpRequest, key: &Key, name: &str) -> Option<T> {
    let original = req.cookie(name)?;
    let mut jar = CookieJar::new();
    jar.add_original(original);
    let cookie = jar.private(key).get(name)?;
    serde_json::from_str(cookie.value()).ok()
}

/// The private cookie `name` holding `value` (HttpOnly, SameSite=Lax, `Secure` when the
/// site is https), living `max_age` seconds.
pub fn write<T: Serialize>(
    key: &Key,
    name: &'static str,
    value: &T,
    max_age: i64,
    secure: bool,
) -> Cookie<'static> {
    let mut jar = CookieJar::new();
    let json = serde_json::to_string(value).unwrap_or_default();
    jar.private_mut(key).add(
        Cookie::build(name, json)
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(secure)
            .max_age(actix_web::cookie::time::Duration::seconds(max_age))
            .finish(),
    );
    jar.get(name)
        .cloned()
        .unwrap_or_else(|| Cookie::new(name, ""))
}

/// The cookie that removes `name` from the browser.
pub fn removal(name: &'static str, secure: bool) -> Cookie<'static> {
    let mut cookie = Cookie::build(name, "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .finish();
    cookie.make_removal();
    cookie
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_same_origin_paths_are_returned_to() {
        for ok in ["/", "/auth/me", "/shop/a?x=1#y"] {
            assert_eq!(same_origin_path(ok).as_deref(), Some(ok));
        }
        for refused in [
            "https://evil.test/",
            "//evil.test/",
            "/\\evil.test",
            "\\\\evil.test",
            "evil.test",
            "",
            "/a\nb",
            "javascript:alert(1)",
        ] {
            assert_eq!(same_origin_path(refused), None, "{refused:?}");
        }
    }

    #[test]
    fn the_pkce_challenge_is_s256_of_the_verifier() {
        // RFC 7636 appendix B
        let sign_in = SignIn {
            verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into(),
            ..SignIn::new("/".into(), 0)
        };
        assert_eq!(
            sign_in.challenge(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let a = SignIn::new("/".into(), 0);
        let b = SignIn::new("/".into(), 0);
        assert!(a.state != b.state && a.nonce != b.nonce && a.verifier != b.verifier);
        assert!(a.verifier.len() >= 43);
    }

    #[test]
    fn a_cookie_reads_back_only_with_its_key_and_untampered() {
        let key = Key::from(&[7u8; 64]);
        let session = Session::new(
            Principal {
                user_id: "alice".into(),
                roles: vec!["merchant".into()],
                ..Principal::default()
            },
            100,
        );
        let cookie = write(&key, SESSION_COOKIE, &session, 60, true);
        assert!(cookie.http_only().unwrap_or(false) && cookie.secure().unwrap_or(false));
        assert_eq!(cookie.same_site(), Some(SameSite::Lax));
        assert!(!cookie.value().contains("alice"), "encrypted");
        let req = actix_web::test::TestRequest::default()
            .cookie(cookie.clone())
            .to_http_request();
        assert_eq!(read::<Session>(&req, &key, SESSION_COOKIE), Some(session));
        let other = Key::from(&[8u8; 64]);
        assert_eq!(read::<Session>(&req, &other, SESSION_COOKIE), None);
        let mut value = cookie.value().to_owned();
        value.replace_range(10..11, if &value[10..11] == "A" { "B" } else { "A" });
        let tampered = actix_web::test::TestRequest::default()
            .cookie(Cookie::new(SESSION_COOKIE, value))
            .to_http_request();
        assert_eq!(read::<Session>(&tampered, &key, SESSION_COOKIE), None);
    }
}
