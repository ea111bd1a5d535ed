//! `GET /`: where the brand link and a sign-out land: what the site is, a way to open a
//! group by the code a friend sent (`GET /g?code=GP-...`), and the console or sign-in.

use super::layout::{self, Head};
use super::viewer::Viewer;
use super::{html_response, text};
use crate::web::SessionCaller;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;
use serde::Deserialize;

/// `GET /`.
pub async fn page(req: HttpRequest, caller: Option<SessionCaller>) -> HttpResponse {
    let viewer = Viewer::of(&req, caller);
    let head = Head::plain(text::HOME_TITLE, text::HOME_INTRO);
    let body = html! {
        h1 { (text::HOME_TITLE) }
        p { (text::HOME_INTRO) }
        form method="get" action="/g" {
            label for="code" { (text::GROUP_CODE) }
            " "
            input id="code" name="code" required maxlength="32" autocomplete="off"
                placeholder="GP-A3X7K9";
            " "
            button type="submit" { (text::OPEN_GROUP_BY_CODE) }
        }
    };
    html_response(StatusCode::OK, layout::page(&head, &viewer, body))
}

/// `GET /g?code=` parameters.
#[derive(Debug, Deserialize)]
pub struct CodeQuery {
    code: Option<String>,
}

/// `GET /g?code=GP-...`: the home page's form, to that group's page (the code trimmed and
/// upper-cased as people type it; the group page answers 404 for a code it does not know).
pub async fn by_code(query: web::Query<CodeQuery>) -> HttpResponse {
    let code: String = query
        .code
        .as_deref()
        .unwrap_or_default()
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let location = if code.is_empty() {
        "/".to_owned()
    } else {
        format!("/g/{code}")
    };
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
        .finish()
}
