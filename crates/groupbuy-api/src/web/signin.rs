//! The provider's sign-in: the redirect with PKCE, `state` and `nonce`, and the callback
//! that checks them, exchanges the code and verifies the ID token with the same keys and
//! claim mapping as bearer tokens.

use super::session::{self, Session, SignIn, SIGN_IN_COOKIE, SIGN_IN_SECONDS};
use super::{now, return_path, see_other, web_auth, Mode, ProviderClient, SignInRefusal, WebAuth};
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::Value;

/// `GET /auth/login` parameters.
#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    pub(super) return_to: Option<String>,
}

/// `GET /auth/login?return_to=/path`: to the provider (or, in development, the
/// development sign-in page).
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, ApiError> {
    let web = web_auth(&req, &state).await?;
    let return_to = return_path(query.return_to.as_deref())?;
    let provider = match &web.mode {
        Mode::Provider(p) => p,
        Mode::Development => {
            let page = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("return_to", &return_to)
                .finish();
            return Ok(see_other(format!("/auth/dev?{page}")).finish());
        }
    };
    let endpoints = provider
        .jwks
        .endpoints()
        .ok_or(SignInRefusal::ProviderUnavailable)?;
    let sign_in = SignIn::new(return_to, now(&state));
    let location = url::Url::parse_with_params(
        &endpoints.authorization,
        [
            ("response_type", "code"),
            ("client_id", &provider.client_id),
            ("redirect_uri", &redirect_uri(provider)),
            ("scope", &provider.scopes),
            ("state", &sign_in.state),
            ("nonce", &sign_in.nonce),
            ("code_challenge", &sign_in.challenge()),
            ("code_challenge_method", "S256"),
        ],
    )
    .map_err(|_| SignInRefusal::ProviderUnavailable)?;
    let cookie = session::write(
        &web.key,
        SIGN_IN_COOKIE,
        &sign_in,
        SIGN_IN_SECONDS,
        web.secure,
    );
    Ok(see_other(location.into()).cookie(cookie).finish())
}

/// `GET /auth/callback` parameters.
#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
}

/// `GET /auth/callback`: the sign-in cookie's `state` must match, the code is exchanged
/// (with the PKCE verifier), the ID token verified (keys, issuer, audience = client id,
/// times, `nonce`) and mapped; then a new session, and back to `return_to`. The sign-in
/// cookie is spent whatever the outcome.
pub async fn callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, ApiError> {
    let web = web_auth(&req, &state).await?;
    let spent = session::removal(SIGN_IN_COOKIE, web.secure);
    match finish(&req, &state, web, &query).await {
        Ok((session, return_to)) => {
            let cookie = web.session_cookie(&session);
            Ok(see_other(return_to).cookie(spent).cookie(cookie).finish())
        }
        Err(refusal) => {
            tracing::info!(%refusal, "browser sign-in refused");
            let mut response = actix_web::ResponseError::error_response(&ApiError::from(refusal));
            let _ = response.add_cookie(&spent);
            Ok(response)
        }
    }
}

async fn finish(
    req: &HttpRequest,
    state: &AppState,
    web: &WebAuth,
    query: &CallbackQuery,
) -> Result<(Session, String), SignInRefusal> {
    let Mode::Provider(provider) = &web.mode else {
        return Err(SignInRefusal::NoSignIn);
    };
    let now = now(state);
    let sign_in = session::read::<SignIn>(req, &web.key, SIGN_IN_COOKIE)
        .filter(|s| s.expires > now)
        .ok_or(SignInRefusal::NoSignIn)?;
    if query.state.as_deref() != Some(sign_in.state.as_str()) {
        return Err(SignInRefusal::StateMismatch);
    }
    let code = query.code.as_deref().ok_or(SignInRefusal::Refused)?;
    let tokens = exchange(provider, code, &sign_in.verifier).await?;
    let id_token = tokens
        .get("id_token")
        .and_then(Value::as_str)
        .ok_or(SignInRefusal::Refused)?;
    let payload = provider
        .jwks
        .verify_id_token(id_token, &provider.client_id)
        .await
        .map_err(|reason| {
            tracing::debug!(reason, "ID token refused");
            SignInRefusal::Refused
        })?;
    if payload.get("nonce").and_then(Value::as_str) != Some(sign_in.nonce.as_str()) {
        return Err(SignInRefusal::Refused);
    }
    let mut principal = state
        .jwt
        .principal(&payload)
        .ok_or(SignInRefusal::Refused)?;
    // An ID token rarely carries scopes: those granted to this sign-in are in the token
    // response (RFC 6749 section 5.1).
    if principal.scopes.is_empty() {
        principal.scopes = tokens
            .get("scope")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
    }
    Ok((
        Session::new(principal, now + web.session_seconds),
        sign_in.return_to,
    ))
}

/// The code exchanged at the token endpoint (client_secret_basic, PKCE verifier).
async fn exchange(
    provider: &ProviderClient,
    code: &str,
    verifier: &str,
) -> Result<Value, SignInRefusal> {
    let endpoints = provider
        .jwks
        .endpoints()
        .ok_or(SignInRefusal::ProviderUnavailable)?;
    let redirect = redirect_uri(provider);
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", &redirect),
        ("code_verifier", verifier),
    ];
    let mut request = provider.jwks.client().post(&endpoints.token);
    match &provider.client_secret {
        Some(secret) => request = request.basic_auth(&provider.client_id, Some(secret)),
        None => form.push(("client_id", &provider.client_id)),
    }
    let response = request.form(&form).send().await.map_err(|e| {
        tracing::warn!(error = %e, "token endpoint unreachable");
        SignInRefusal::ProviderUnavailable
    })?;
    if !response.status().is_success() {
        tracing::info!(status = %response.status(), "the provider refused the code");
        return Err(SignInRefusal::Refused);
    }
    response.json().await.map_err(|_| SignInRefusal::Refused)
}

fn redirect_uri(provider: &ProviderClient) -> String {
    format!("{}/auth/callback", provider.public_url)
}
