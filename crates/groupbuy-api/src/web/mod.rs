//! Sign-in for browser pages: OpenID Connect authorization code flow with PKCE (S256),
//! `state` and `nonce` (`/auth/login`, `/auth/callback`), a signed and encrypted session
//! cookie yielding the same principal a bearer token would (`/auth/me`), sign-out with a
//! CSRF token (`/auth/logout`), and, in development only, a sign-in page (`/auth/dev`).
//! The API surfaces keep taking bearer tokens only: nothing here authenticates them.

mod dev;
pub mod session;
mod signin;

use crate::envelope::ok;
use crate::error::ApiError;
use crate::platform::auth::jwks::Jwks;
use crate::platform::fallback::{fallback, RouteTable};
use crate::state::AppState;
use actix_web::cookie::Key;
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use groupbuy_domain::Principal;
use serde::{Deserialize, Serialize};
use session::{Session, SESSION_COOKIE};
use std::future::{ready, Ready};
use std::sync::Arc;

/// How browsers sign in, when they can.
pub struct WebAuth {
    key: Key,
    secure: bool,
    session_seconds: i64,
    mode: Mode,
}

/// Where sessions come from.
pub enum Mode {
    /// The identity provider's sign-in.
    Provider(ProviderClient),
    /// The development sign-in page (development secret, no provider).
    Development,
}

/// This application as the provider's OpenID Connect client.
pub struct ProviderClient {
    /// The provider's keys and endpoints (discovery).
    pub jwks: Arc<Jwks>,
    /// `GROUPBUY_OIDC_CLIENT_ID`: the ID token's audience too.
    pub client_id: String,
    /// `GROUPBUY_OIDC_CLIENT_SECRET` (client_secret_basic); `None` for a public client.
    pub client_secret: Option<String>,
    /// `GROUPBUY_PUBLIC_URL`, without a trailing slash.
    pub public_url: String,
    /// Scopes asked for (`GROUPBUY_OIDC_SCOPES`).
    pub scopes: String,
}

impl WebAuth {
    /// Sign-in in `mode`; cookies encrypted with a key derived from `secret`, `Secure`
    /// when `secure` (an https public URL), sessions lasting `session_seconds`.
    pub fn new(mode: Mode, secret: &[u8], secure: bool, session_seconds: i64) -> Self {
        use sha2::{Digest, Sha512};
        let digest = Sha512::new()
            .chain_update(b"groupbuy session cookie\0")
            .chain_update(secret)
            .finalize();
        Self {
            key: Key::from(&digest[..]),
            secure,
            session_seconds,
            mode,
        }
    }

    /// The cookie carrying a new `session`: encrypted, HttpOnly, as long as a session lasts.
    fn session_cookie(&self, session: &Session) -> actix_web::cookie::Cookie<'static> {
        session::write(
            &self.key,
            SESSION_COOKIE,
            session,
            self.session_seconds,
            self.secure,
        )
    }

    /// The origin of the provider's end-session endpoint, where the sign-out form's answer
    /// redirects: pages must allow it as a `form-action`, or browsers stop the redirect.
    pub fn sign_out_origin(&self) -> Option<String> {
        let Mode::Provider(p) = &self.mode else {
            return None;
        };
        let end = url::Url::parse(&p.jwks.endpoints()?.end_session?).ok()?;
        Some(end.origin().ascii_serialization())
    }

    /// The session of this request: present, authentic and not expired.
    pub fn session(&self, req: &HttpRequest, now: i64) -> Option<Session> {
        session::read::<Session>(req, &self.key, SESSION_COOKIE).filter(|s| s.expires > now)
    }
}

/// Why a browser sign-in or sign-out is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignInRefusal {
    /// `return_to` is not a path on this site.
    #[error("return_to must be a path on this site")]
    OffSiteReturn,
    /// No sign-in in progress (or it lapsed, or was used).
    #[error("No sign-in in progress")]
    NoSignIn,
    /// `state` differs from the one sent.
    #[error("Sign-in state does not match")]
    StateMismatch,
    /// The provider refused, or its answer did not verify.
    #[error("Sign-in refused")]
    Refused,
    /// The provider could not be reached (or its discovery has not loaded).
    #[error("Identity provider unavailable")]
    ProviderUnavailable,
    /// A form without the session's CSRF token.
    #[error("Missing or wrong CSRF token")]
    Csrf,
}

impl From<SignInRefusal> for ApiError {
    fn from(r: SignInRefusal) -> Self {
        let status = match r {
            SignInRefusal::OffSiteReturn
            | SignInRefusal::NoSignIn
            | SignInRefusal::StateMismatch => StatusCode::BAD_REQUEST,
            SignInRefusal::Refused => return ApiError::unauthenticated(),
            SignInRefusal::ProviderUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            SignInRefusal::Csrf => StatusCode::FORBIDDEN,
        };
        ApiError::new(status, "sign-in-refused", r.to_string())
    }
}

/// What `/auth/me` answers.
#[derive(Debug, Serialize, Deserialize)]
pub struct MeView {
    /// `sub`.
    pub sub: String,
    /// Display name.
    pub name: Option<String>,
    /// Roles.
    pub roles: Vec<String>,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Organisation.
    pub org_id: Option<String>,
    /// The CSRF token the session's forms carry (`csrf` field).
    pub csrf: String,
}

/// The sign-in configuration, or the 404 of a route that does not exist in this mode.
async fn web_auth<'a>(req: &HttpRequest, state: &'a AppState) -> Result<&'a WebAuth, ApiError> {
    match state.web.as_deref() {
        Some(web) => Ok(web),
        None => Err(not_found(req).await),
    }
}

async fn not_found(req: &HttpRequest) -> ApiError {
    let table = req
        .app_data::<web::Data<RouteTable>>()
        .cloned()
        .unwrap_or_else(|| web::Data::new(RouteTable::default()));
    match fallback(req.clone(), table).await {
        Err(e) => e,
        Ok(_) => ApiError::not_found("No route"),
    }
}

fn now(state: &AppState) -> i64 {
    state.clock.now().unix_timestamp()
}

/// The signed-in browser of a request, for web pages and their forms: the same
/// [`Principal`] a bearer token with the same claims gives, so no authorization rule is
/// written twice; 401 without a live session (or where no sign-in mode exists).
pub struct SessionCaller(pub Session);

impl SessionCaller {
    /// The caller, for the same authorization checks as the API's.
    pub fn principal(&self) -> Principal {
        self.0.principal()
    }

    /// 403 unless a state-changing form carries this session's CSRF token.
    ///
    /// # Errors
    /// [`SignInRefusal::Csrf`] as a 403.
    pub fn check_csrf(&self, token: Option<&str>) -> Result<(), ApiError> {
        if token == Some(self.0.csrf.as_str()) {
            Ok(())
        } else {
            Err(SignInRefusal::Csrf.into())
        }
    }
}

impl FromRequest for SessionCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let session = req.app_data::<web::Data<AppState>>().and_then(|state| {
            let now = now(state);
            state.web.as_deref()?.session(req, now)
        });
        ready(
            session
                .map(SessionCaller)
                .ok_or_else(ApiError::unauthenticated),
        )
    }
}

/// `GET /auth/me`: the session's principal, or 401.
async fn me(caller: SessionCaller) -> HttpResponse {
    let principal = caller.principal();
    ok(
        "Signed in",
        MeView {
            sub: principal.user_id,
            name: principal.name,
            roles: principal.roles,
            scopes: principal.scopes,
            org_id: principal.org_id,
            csrf: caller.0.csrf,
        },
    )
}

/// A form's CSRF token.
#[derive(Debug, Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

/// `POST /auth/logout` (form with `csrf`): ends the session, then the provider's through
/// its end-session endpoint when it has one.
async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: SessionCaller,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, ApiError> {
    let web = web_auth(&req, &state).await?;
    caller.check_csrf(form.csrf.as_deref())?;
    let location = match &web.mode {
        Mode::Provider(p) => p.jwks.endpoints().and_then(|e| e.end_session).map(|end| {
            url::Url::parse_with_params(
                &end,
                [
                    ("client_id", p.client_id.as_str()),
                    ("post_logout_redirect_uri", &format!("{}/", p.public_url)),
                ],
            )
            .map_or(end, String::from)
        }),
        Mode::Development => None,
    };
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", location.unwrap_or_else(|| "/".into())))
        .cookie(session::removal(SESSION_COOKIE, web.secure))
        .finish())
}

/// Registers `/auth/*` (outside the OpenAPI document: pages for browsers, not API).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/auth/login", web::get().to(signin::login))
        .route("/auth/callback", web::get().to(signin::callback))
        .route("/auth/me", web::get().to(me))
        .route("/auth/logout", web::post().to(logout))
        .route("/auth/dev", web::get().to(dev::page))
        .route("/auth/dev", web::post().to(dev::sign_in));
}

/// Where a sign-in returns to: `return_to` (default `/auth/me`), a same-origin path only.
fn return_path(return_to: Option<&str>) -> Result<String, SignInRefusal> {
    session::same_origin_path(return_to.unwrap_or("/auth/me")).ok_or(SignInRefusal::OffSiteReturn)
}

/// A 303 to `location`, for the sign-in redirects.
fn see_other(location: String) -> actix_web::HttpResponseBuilder {
    let mut builder = HttpResponse::SeeOther();
    builder.insert_header(("Location", location));
    builder
}
