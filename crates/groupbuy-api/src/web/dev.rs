//! `/auth/dev`: a development-only sign-in page (pick a subject, roles and organisation),
//! served only with the development secret and no provider; any other mode has no such
//! route (404).

use super::session::{self, Session};
use super::{not_found, now, return_path, see_other, web_auth, Mode, SignInRefusal};
use crate::error::ApiError;
use crate::platform::auth::SCOPE_READ;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use groupbuy_domain::principal::{SCOPE_FINANCE_WRITE, SCOPE_PROCUREMENT_WRITE, SCOPE_WRITE};
use groupbuy_domain::Principal;
use serde::Deserialize;

/// The double-submit cookie of the page's form (there is no session yet to hold it).
const DEV_CSRF_COOKIE: &str = "gb_dev_csrf";

/// `GET /auth/dev`: the form, saying it is for development only.
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<super::signin::LoginQuery>,
) -> Result<HttpResponse, ApiError> {
    let web = web_auth(&req, &state).await?;
    if !matches!(web.mode, Mode::Development) {
        return Err(not_found(&req).await);
    }
    let return_to = return_path(query.return_to.as_deref())?;
    // A same-origin path may still hold quotes or angle brackets: escaped for the attribute.
    let return_to = maud::html! { (return_to) }.into_string();
    let token = session::random_token();
    let cookie = session::write(&web.key, DEV_CSRF_COOKIE, &token, 3600, web.secure);
    // The token is base64url: nothing in the page needs escaping.
    let html = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>groupbuy development sign-in</title></head>
<body>
<h1>Development sign-in</h1>
<p><strong>For development only.</strong> This page exists only while groupbuy runs on the public
development secret without an identity provider; anyone can sign in as anyone.</p>
<form method="post" action="/auth/dev">
<input type="hidden" name="csrf" value="{token}">
<label>Subject <input name="sub" required value="dev-user"></label><br>
<label>Name <input name="name" value="Dev User"></label><br>
<label>Roles (space-separated: merchant vendor platform-admin) <input name="roles"></label><br>
<label>Organisation <input name="org_id"></label><br>
<input type="hidden" name="return_to" value="{return_to}">
<button type="submit">Sign in</button>
</form>
</body></html>"#
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .cookie(cookie)
        .body(html))
}

/// The development sign-in form.
#[derive(Debug, Deserialize)]
pub struct DevForm {
    csrf: Option<String>,
    sub: String,
    name: Option<String>,
    roles: Option<String>,
    org_id: Option<String>,
    return_to: Option<String>,
}

/// `POST /auth/dev`: a session for the chosen subject with every scope.
pub async fn sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<DevForm>,
) -> Result<HttpResponse, ApiError> {
    let web = web_auth(&req, &state).await?;
    if !matches!(web.mode, Mode::Development) {
        return Err(not_found(&req).await);
    }
    let expected = session::read::<String>(&req, &web.key, DEV_CSRF_COOKIE);
    if expected.is_none() || form.csrf != expected {
        return Err(SignInRefusal::Csrf.into());
    }
    let return_to = return_path(form.return_to.as_deref())?;
    let sub = form.sub.trim();
    if sub.is_empty() || sub.chars().count() > 255 || sub.chars().any(char::is_control) {
        return Err(ApiError::invalid_field("sub", "1-255 characters"));
    }
    let blank_is_none = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
    let principal = Principal {
        user_id: sub.to_owned(),
        name: blank_is_none(&form.name),
        picture: None,
        scopes: [
            SCOPE_READ,
            SCOPE_WRITE,
            SCOPE_PROCUREMENT_WRITE,
            SCOPE_FINANCE_WRITE,
        ]
        .map(str::to_owned)
        .to_vec(),
        roles: form
            .roles
            .as_deref()
            .unwrap_or_default()
            .split(' ')
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .collect(),
        org_id: blank_is_none(&form.org_id),
    };
    let session = Session::new(principal, now(&state) + web.session_seconds);
    Ok(see_other(return_to)
        .cookie(session::removal(DEV_CSRF_COOKIE, web.secure))
        .cookie(web.session_cookie(&session))
        .finish())
}
