//! A closed pre-order campaign's signed-in pledger on the campaign page: their pre-order
//! (amount, payment window, status) and a "Pay from wallet" button
//! (`POST /c/{handle}/{slug}/preorder/pay`) that pays it through `pay_preorder`, the use
//! case process-payment calls for a pre-order session, once per form (its idempotency key,
//! [`once_for_key`]).

use super::interest::{back, parsed, refuse, InterestForm};
use super::text::join as words;
use super::viewer::{idempotency_field, Viewer};
use crate::envelope::rfc3339;
use crate::error::ApiError;
use crate::platform::auth::Auth;
use crate::platform::idempotency::{form_fingerprint, once_for_key, KeyedRequest};
use crate::platform::request::change;
use crate::state::{blocking, AppState};
use crate::web::SessionCaller;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use groupbuy_domain::campaign::{Preorder, PreorderStatus};
use groupbuy_domain::platform::StoredResponse;
use maud::{html, Markup};

/// The pledger's pre-order, with the pay form while it can be paid.
pub fn section(viewer: &Viewer, p: &Preorder, base: &str, now: time::OffsetDateTime) -> Markup {
    let payable = p.status == PreorderStatus::PendingPayment && now < p.expires_at;
    html! {
        section class="preorder" aria-labelledby="preorder-heading" {
            h2 id="preorder-heading" { (words::PREORDER_HEADING) }
            dl {
                dt { (words::PREORDER_AMOUNT) }
                dd { (p.total_amount.display_grouped()) }
                dt { (words::PREORDER_PAY_BY) }
                dd {
                    (rfc3339(p.expires_at)) " · "
                    (super::text::time_left((p.expires_at - now).whole_seconds()))
                }
            }
            @if payable {
                form method="post" action={ (base) "/preorder/pay" } {
                    (viewer.csrf_field())
                    (idempotency_field())
                    button type="submit" { (words::PAY_BUTTON) }
                }
            } @else if p.status == PreorderStatus::Paid {
                p { (words::PREORDER_PAID) }
            } @else {
                p { (words::PREORDER_EXPIRED) }
            }
        }
    }
}

/// `POST /c/{handle}/{slug}/preorder/pay`: pays the signed-in pledger's pre-order from
/// the wallet (`pay_preorder`, as process-payment does), once per form.
pub async fn pay(
    req: HttpRequest,
    caller: Option<SessionCaller>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<InterestForm>,
) -> Result<HttpResponse, ApiError> {
    let path = path.into_inner();
    let outcome = match &caller {
        Some(caller) => pay_once(&req, &state, caller, &path, &form).await,
        None => Err(ApiError::unauthenticated()),
    };
    match outcome {
        Ok(()) => Ok(back(&path, "paid=1")),
        Err(e) => refuse(&req, caller, &state, &path, &form, e).await,
    }
}

async fn pay_once(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    caller: &SessionCaller,
    path: &(String, String),
    form: &InterestForm,
) -> Result<(), ApiError> {
    caller.check_csrf(form.csrf.as_deref())?;
    let buyer = Auth(caller.principal()).writer()?.clone();
    let (handle, slug) = parsed(path).ok_or_else(|| ApiError::not_found("Not found"))?;
    let key = super::join::form_key(form.idempotency_key.as_deref())?;
    let (preorders, user) = (state.preorders.clone(), buyer.user_id.clone());
    let session = blocking(move || preorders.my_preorder(&handle, &slug, &user))
        .await?
        .ok_or_else(|| ApiError::not_found("No pre-order"))?;
    let owner = format!("user:{}", buyer.user_id);
    let request = KeyedRequest {
        owner: owner.clone(),
        key: format!("form:{key}:preorder"),
        fingerprint: form_fingerprint(req.path(), &[("session", &session.id.to_string())]),
    };
    let (preorders, id) = (state.preorders.clone(), session.id);
    let ctx = change(owner, state.clock.now());
    once_for_key(
        state,
        request,
        move |answer| preorders.pay_preorder(&buyer, id, &ctx, answer),
        |p: &Preorder| StoredResponse {
            status: StatusCode::OK.as_u16(),
            body: serde_json::json!({"sessionId": p.id}).to_string(),
            content_type: "application/json".into(),
            headers: Vec::new(),
        },
    )
    .await?;
    Ok(())
}
