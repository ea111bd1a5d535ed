//! Who registers interest: the bearer token's user, else an anonymous visitor named by a
//! signed cookie (HttpOnly, SameSite=Lax, Path=/). A tampered cookie is a new visitor.

use crate::error::ApiError;
use crate::platform::auth::{caller, verified_visitor, VISITOR_COOKIE};
use crate::state::AppState;
use actix_web::cookie::{time::Duration, Cookie, CookieJar, SameSite};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use groupbuy_domain::campaign::VisitorId;
use std::future::{ready, Ready};
use uuid::Uuid;

/// The visitor of a public request.
#[derive(Debug, Clone)]
pub struct Visitor {
    /// `user:<sub>` or `visitor:<uuid>`.
    pub id: VisitorId,
    /// The signed cookie to set when this visitor is new.
    new_cookie: Option<Cookie<'static>>,
}

impl Visitor {
    /// Whether this visitor arrived without a (valid) cookie: a form it posts cannot
    /// carry a token tied to one.
    pub fn is_new(&self) -> bool {
        self.new_cookie.is_some()
    }

    /// Sets the visitor cookie on `res` when this visitor is new (call on writes only).
    pub fn remember(&self, mut res: HttpResponse) -> HttpResponse {
        if let Some(c) = &self.new_cookie {
            if let Err(e) = res.add_cookie(c) {
                tracing::warn!(error = %e, "cannot set the visitor cookie");
            }
        }
        res
    }

    fn resolve(req: &HttpRequest) -> Result<Self, ApiError> {
        let user = caller(req)?.map(|p| p.user_id);
        Self::of(req, user.as_deref())
    }

    /// The visitor of a request whose signed-in user (if any) is `user`: a page's, whose
    /// user comes from the web session rather than a bearer token. Otherwise the visitor
    /// cookie's, or a new anonymous visitor whose cookie [`Self::remember`] sets.
    ///
    /// # Errors
    /// 500 when the application state is missing.
    pub fn of(req: &HttpRequest, user: Option<&str>) -> Result<Self, ApiError> {
        if let Some(user) = user {
            return Ok(Self {
                id: VisitorId::user(user),
                new_cookie: None,
            });
        }
        let state = req
            .app_data::<web::Data<AppState>>()
            .ok_or_else(|| ApiError::internal("application state missing"))?;
        let key = state.jwt.visitor_key();
        if let Some(id) = verified_visitor(req, key) {
            return Ok(Self {
                id: VisitorId::anonymous(id),
                new_cookie: None,
            });
        }
        let id = Uuid::new_v4();
        let mut jar = CookieJar::new();
        jar.signed_mut(key).add(
            Cookie::build(VISITOR_COOKIE, id.to_string())
                .http_only(true)
                .same_site(SameSite::Lax)
                .path("/")
                .max_age(Duration::days(365))
                .finish(),
        );
        Ok(Self {
            id: VisitorId::anonymous(id),
            new_cookie: jar.get(VISITOR_COOKIE).cloned(),
        })
    }
}

impl FromRequest for Visitor {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::resolve(req))
    }
}
