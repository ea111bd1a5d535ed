//! The hosted join: the form of a group page (`POST /g/{code}/join`) and of a product page
//! (`POST /p/{productId}/open`). A signed-in shopper picks a number of seats and pays from
//! the wallet through the API's own use cases (`create_checkout`, then `pay`), each run
//! once per form: the form's idempotency key (one per rendered form) guards both steps
//! with the API's idempotency protocol ([`once_for_key`]), so pressing the button twice,
//! or the browser sending the form again, pays once. Refusals re-render the page with the
//! refusal in a shopper's words and a 4xx; success is a 303 to the group's page.

use super::text::join as words;
use super::viewer::{idempotency_field, Viewer};
use crate::error::ApiError;
use crate::platform::auth::Auth;
use crate::platform::idempotency::{form_fingerprint, once_for_key, KeyedRequest};
use crate::platform::request::change;
use crate::state::{blocking, AppState};
use crate::web::SessionCaller;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use groupbuy_domain::group_purchase::{CheckoutRequest, CheckoutSession};
use groupbuy_domain::platform::StoredResponse;
use groupbuy_domain::Principal;
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;

/// What a join or open form submits.
#[derive(Debug, Default, Deserialize)]
pub struct JoinForm {
    /// The session's CSRF token.
    pub csrf: Option<String>,
    /// This rendered form's idempotency key.
    pub idempotency_key: Option<String>,
    /// Seats, as typed (kept on a refusal).
    pub quantity: Option<String>,
}

/// A join or open form as it is (re-)rendered.
pub struct JoinSection {
    /// Where the form posts.
    pub action: String,
    /// The section's heading.
    pub heading: &'static str,
    /// The button's text.
    pub button: &'static str,
    /// The most seats the product lets one customer take (the input's `max`).
    pub max: i64,
    /// The seats shown in the input (what was typed, on a refusal).
    pub quantity: String,
    /// The refusal to show, if the last submission was refused.
    pub refusal: Option<&'static str>,
    /// The platform's own join link (`GROUPBUY_JOIN_URL`), shown instead of the form.
    pub app_link: Option<String>,
}

impl JoinSection {
    /// A fresh form posting to `action`, for up to `max` seats.
    pub fn new(action: String, heading: &'static str, button: &'static str, max: i64) -> Self {
        Self {
            action,
            heading,
            button,
            max: max.max(1),
            quantity: "1".into(),
            refusal: None,
            app_link: None,
        }
    }

    /// The form again after `form` was refused with `error`.
    pub fn refused(mut self, form: &JoinForm, error: &ApiError) -> Self {
        self.quantity = form.quantity.clone().unwrap_or_else(|| "1".into());
        self.refusal = Some(words::refusal(error.kind()));
        self
    }
}

/// The most seats one customer may take in a group of `size` seats capped at `cap`.
pub fn seat_limit(size: i32, cap: Option<i32>) -> i64 {
    i64::from(cap.map_or(size, |c| c.min(size)))
}

/// `GROUPBUY_JOIN_URL` for the group `code`: `{code}` replaced, URL-encoded.
pub fn app_link(template: Option<&str>, code: &str) -> Option<String> {
    let encoded: String = url::form_urlencoded::byte_serialize(code.as_bytes()).collect();
    template.map(|t| t.replace("{code}", &encoded))
}

/// The section: the app link when configured, a sign-in invitation when signed out, else
/// the wallet balance and the form (with the last refusal, if any).
pub async fn section(state: &AppState, viewer: &Viewer, s: &JoinSection) -> Markup {
    let balance = match &viewer.caller {
        Some(caller) => wallet_balance(state, caller.principal()).await,
        None => None,
    };
    html! {
        section class="join" aria-labelledby="join-heading" {
            h2 id="join-heading" { (s.heading) }
            @if let Some(link) = &s.app_link {
                p { a class="button" href=(link) { (words::JOIN_IN_APP) } }
            } @else if viewer.caller.is_none() {
                p {
                    (words::SIGN_IN_TO_JOIN) " "
                    a href=(viewer.sign_in_url()) { (words::SIGN_IN_LINK) }
                }
            } @else {
                (refusal_box(s.refusal))
                @if let Some(balance) = balance {
                    p class="wallet" { (words::WALLET_BALANCE) ": " strong { (balance) } }
                }
                form method="post" action=(s.action) {
                    (viewer.csrf_field())
                    (idempotency_field())
                    label for="join-quantity" { (words::QUANTITY) }
                    input id="join-quantity" type="number" name="quantity" min="1"
                        max=(s.max) value=(s.quantity) required;
                    button type="submit" { (s.button) }
                }
            }
        }
    }
}

/// The refusal of the last submission, if any (also on a page that no longer offers the
/// form: the group filled or ended meanwhile).
pub fn refusal_box(refusal: Option<&'static str>) -> Markup {
    html! {
        @if let Some(refusal) = refusal {
            div class="refusal" role="alert" {
                h3 { (words::REFUSED) }
                p { (refusal) }
            }
        }
    }
}

/// The viewer's wallet balance for people, when their session may read it.
async fn wallet_balance(state: &AppState, principal: Principal) -> Option<String> {
    let user = Auth(principal).reader().ok()?.user_id.clone();
    let (wallets, now) = (state.wallets.clone(), state.clock.now());
    blocking(move || wallets.wallet(&user, now))
        .await
        .ok()
        .map(|w| w.balance.display_grouped())
}

/// Opens and pays a checkout session for `form` (posted to `path`) once: the session's
/// checkout and its payment each run under the form's key (suffixed per step) with the
/// API's idempotency protocol; a repeated submission receives the first one's results.
/// Returns the group's code.
///
/// # Errors
/// 403 without the session's CSRF token (or the write scope); the use cases' refusals;
/// 400 for a form without its key or a quantity that is no number (422 validation).
pub async fn checkout_and_pay(
    state: &web::Data<AppState>,
    caller: &SessionCaller,
    form: &JoinForm,
    path: &str,
    product_id: Uuid,
    group: Option<Uuid>,
) -> Result<String, ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    let buyer = Auth(caller.principal()).writer()?.clone();
    let key = form_key(form.idempotency_key.as_deref())?;
    let typed = form.quantity.as_deref().unwrap_or("1").trim().to_owned();
    let quantity: i64 = typed
        .parse()
        .map_err(|_| ApiError::invalid_field("quantity", "quantity must be a whole number"))?;
    let request = CheckoutRequest::parse("GROUP_PURCHASE", product_id, quantity, group)?;
    let owner = format!("user:{}", buyer.user_id);
    let fingerprint = form_fingerprint(path, &[("quantity", &typed)]);
    let step = |name: &str| KeyedRequest {
        owner: owner.clone(),
        key: format!("form:{key}:{name}"),
        fingerprint: fingerprint.clone(),
    };
    let store = state.group_purchases.clone();
    let (who, ctx) = (buyer.clone(), change(owner.clone(), state.clock.now()));
    let created = once_for_key(
        state,
        step("checkout"),
        move |answer| store.create_checkout(&who, request, &ctx, answer),
        step_answer,
    )
    .await?;
    let session_id = stored_field(&created, "sessionId")
        .and_then(|id| Uuid::parse_str(&id).ok())
        .ok_or_else(|| ApiError::internal("a checkout step's stored answer has no session"))?;
    let store = state.group_purchases.clone();
    let ctx = change(owner.clone(), state.clock.now());
    let paid = once_for_key(
        state,
        step("pay"),
        move |answer| store.pay(&buyer, session_id, &ctx, answer),
        step_answer,
    )
    .await?;
    stored_field(&paid, "groupCode")
        .ok_or_else(|| ApiError::internal("a payment step's stored answer has no group"))
}

/// A form's idempotency key: 1-100 visible ASCII characters (the rendered form's UUID).
pub fn form_key(key: Option<&str>) -> Result<String, ApiError> {
    match key.map(str::trim) {
        Some(k) if !k.is_empty() && k.len() <= 100 && k.chars().all(|c| c.is_ascii_graphic()) => {
            Ok(k.to_owned())
        }
        _ => Err(ApiError::bad_request(
            "The form has no idempotency key; reload the page",
        )),
    }
}

/// What a step stores on its key: the session and its group, enough for a repeated
/// submission to carry on where the first one got.
fn step_answer(s: &CheckoutSession) -> StoredResponse {
    StoredResponse {
        status: StatusCode::OK.as_u16(),
        body: serde_json::json!({"sessionId": s.id, "groupCode": s.group_code}).to_string(),
        content_type: "application/json".into(),
        headers: Vec::new(),
    }
}

fn stored_field(stored: &StoredResponse, name: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(&stored.body).ok()?;
    value[name].as_str().map(str::to_owned)
}

/// The 303 to the group page after a join or an opening (`notice`: `joined`, `opened`).
pub fn to_group(code: &str, notice: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", format!("/g/{code}?{notice}=1")))
        .finish()
}

/// A notice after a redirect (`?joined=1`, `?opened=1`).
#[derive(Debug, Default)]
pub struct Notice {
    joined: bool,
    opened: bool,
}

impl Notice {
    /// The notice of a page's query string (anything else in it is ignored).
    pub fn of(query: &str) -> Self {
        let mut notice = Self::default();
        for (name, _) in url::form_urlencoded::parse(query.as_bytes()) {
            notice.joined |= name == "joined";
            notice.opened |= name == "opened";
        }
        notice
    }

    /// The notice's markup (nothing without one).
    pub fn markup(&self) -> Markup {
        let text = if self.opened {
            Some(words::YOU_OPENED)
        } else if self.joined {
            Some(words::YOU_JOINED)
        } else {
            None
        };
        html! {
            @if let Some(text) = text {
                p class="notice" role="status" { (text) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_link_carries_the_code_encoded() {
        let link = app_link(Some("https://shop.example/join?code={code}"), "GP-A B&C");
        assert_eq!(
            link.as_deref(),
            Some("https://shop.example/join?code=GP-A+B%26C")
        );
        assert_eq!(app_link(None, "GP-ABC123"), None);
    }

    #[test]
    fn the_seat_limit_is_the_cap_within_the_group_size() {
        assert_eq!(seat_limit(10, None), 10);
        assert_eq!(seat_limit(10, Some(3)), 3);
        assert_eq!(seat_limit(4, Some(9)), 4);
    }

    #[test]
    fn a_form_key_is_short_visible_ascii() {
        assert!(form_key(Some("2b1c")).is_ok());
        assert!(form_key(None).is_err());
        assert!(form_key(Some("")).is_err());
        assert!(form_key(Some("a b")).is_err());
        assert!(form_key(Some(&"k".repeat(101))).is_err());
    }
}
