//! The console (`/console`): what merchants, campaign owners, organisers and platform
//! admins do through the API, as pages and forms for a signed-in browser. Every page
//! reads and writes through the same use cases and the same [`Principal`] as the API, so
//! what a person sees and may do follows the API's authorization; nothing is written twice.

mod admin;
mod campaign;
mod form;
mod merchant;
mod organiser;
mod webhooks;

use super::layout::{self, Head};
use super::viewer::Viewer;
use super::{html_response, text};
use crate::web::SessionCaller;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use groupbuy_domain::Principal;
use maud::{html, Markup};

/// Registers `/console` and every section's pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/console", web::get().to(index))
        .configure(merchant::configure)
        .configure(campaign::configure)
        .configure(webhooks::configure)
        .configure(organiser::configure)
        .configure(admin::configure);
}

/// A console section: where it lives, its name, and who sees it in the index.
struct Section {
    href: &'static str,
    label: &'static str,
    shown_to: fn(&Principal) -> bool,
}

/// The sections, in the index's order. A section shown to someone the API would refuse
/// is harmless (its pages answer the same refusal), but the index only offers what the
/// person can use.
const SECTIONS: &[Section] = &[
    Section {
        href: "/console/shops",
        label: text::console_merchant::SHOPS,
        shown_to: is_merchant,
    },
    Section {
        href: "/console/campaigns",
        label: text::console_merchant::CAMPAIGNS,
        shown_to: is_merchant,
    },
    Section {
        href: "/console/webhooks",
        label: text::console_merchant::WEBHOOKS,
        shown_to: |_| true,
    },
    Section {
        href: "/console/pools",
        label: text::console_org::POOLS,
        shown_to: organiser::shown_to,
    },
    Section {
        href: "/console/admin",
        label: text::console_org::ADMIN,
        shown_to: Principal::is_platform_admin,
    },
];

/// Merchants (and platform admins, who may act for any shop or handle).
fn is_merchant(p: &Principal) -> bool {
    p.has_role(groupbuy_domain::principal::ROLE_MERCHANT) || p.is_platform_admin()
}

/// The signed-in viewer of a console page, or the redirect to sign in and come back.
pub fn signed_in(
    req: &HttpRequest,
    caller: Option<SessionCaller>,
) -> Result<Viewer, Box<HttpResponse>> {
    let viewer = Viewer::of(req, caller);
    if viewer.caller.is_some() {
        Ok(viewer)
    } else {
        Err(Box::new(
            HttpResponse::SeeOther()
                .insert_header(("Location", viewer.sign_in_url()))
                .finish(),
        ))
    }
}

/// A console page: `body` under `title`, in the shared shell with the console's
/// navigation, never indexed by search engines.
pub fn shell(title: &str, viewer: &Viewer, body: Markup) -> Markup {
    let head = Head::plain(title, title);
    let principal = viewer.caller.as_ref().map(SessionCaller::principal);
    let body = html! {
        nav class="console-nav" aria-label=(text::CONSOLE) {
            a href="/console" { (text::CONSOLE) }
            @for s in SECTIONS {
                @if principal.as_ref().is_some_and(|p| (s.shown_to)(p)) {
                    " · " a href=(s.href) { (s.label) }
                }
            }
        }
        h1 { (title) }
        (body)
    };
    layout::page(&head, viewer, body)
}

/// The "Next page" link of one list of a page (its cursor in `?{list}=`, the status filter
/// kept), or nothing on the last page: the console reads lists a page (100) at a time.
pub fn next_page(here: &str, list: &str, cursor: Option<&str>, status: Option<&str>) -> Markup {
    let Some(cursor) = cursor else {
        return html! {};
    };
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair(list, cursor);
    if let Some(s) = status {
        q.append_pair("status", s);
    }
    html! { p { a href={ (here) "?" (q.finish()) } { (text::console_merchant::NEXT_PAGE) } } }
}

/// The `?cursor=` of a page showing one list.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ListCursor {
    /// The list's cursor, as its "Next page" link sent it.
    pub cursor: Option<String>,
}

/// A console answer: the page with the pages' headers, never cached (it is someone's).
pub fn respond(status: StatusCode, markup: Markup) -> HttpResponse {
    let mut response = html_response(status, markup);
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    response
}

/// `GET /console`: the sections this person can use.
async fn index(req: HttpRequest, caller: Option<SessionCaller>) -> HttpResponse {
    let viewer = match signed_in(&req, caller) {
        Ok(v) => v,
        Err(redirect) => return *redirect,
    };
    let principal = viewer.caller.as_ref().map(SessionCaller::principal);
    let body = html! {
        ul class="sections" {
            @for s in SECTIONS {
                @if principal.as_ref().is_some_and(|p| (s.shown_to)(p)) {
                    li { a href=(s.href) { (s.label) } }
                }
            }
        }
    };
    respond(StatusCode::OK, shell(text::CONSOLE, &viewer, body))
}
