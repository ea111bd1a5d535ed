//! Who is looking at a page: signed in through a web session (the identity issue's
//! cookie) or not. Pages take `Option<SessionCaller>` and build a [`Viewer`] for the
//! shared header (sign-in link or sign-out form) and for their own forms.

use crate::web::SessionCaller;
use actix_web::HttpRequest;
use maud::{html, Markup};

/// The signed-in person of a page (or nobody), and where a sign-in should come back to.
pub struct Viewer {
    /// The session, when signed in.
    pub caller: Option<SessionCaller>,
    /// This page's path and query: `return_to` of the sign-in link.
    pub here: String,
}

impl Viewer {
    /// The viewer of `req`.
    pub fn of(req: &HttpRequest, caller: Option<SessionCaller>) -> Self {
        let here = req
            .uri()
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
        Self { caller, here }
    }

    /// Nobody signed in (pages that never show a session, such as the 404 page).
    pub fn anonymous() -> Self {
        Self {
            caller: None,
            here: "/".to_owned(),
        }
    }

    /// The sign-in URL that returns to this page.
    pub fn sign_in_url(&self) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("return_to", &self.here)
            .finish();
        format!("/auth/login?{query}")
    }

    /// The hidden CSRF field every state-changing form of a signed-in page carries
    /// (nothing when signed out: such a form is refused anyway).
    pub fn csrf_field(&self) -> Markup {
        html! {
            @if let Some(caller) = &self.caller {
                input type="hidden" name="csrf" value=(caller.0.csrf);
            }
        }
    }
}

/// A fresh idempotency key for one rendered form: pressing its button twice (or the
/// browser resubmitting it) sends the same key, so the effect happens once.
pub fn idempotency_field() -> Markup {
    html! { input type="hidden" name="idempotency_key" value=(uuid::Uuid::new_v4()); }
}
