//! The console's organiser pages (`/console/pools`): the procurement pools (`/groupbuy`)
//! a signed-in person may see, with their commitments, the vendors' responses compared
//! side by side, the allocation explained line by line and the settlement documents to
//! download; and the organiser's forms (create, commit, issue the RFQ, allocate, settle).
//! Every page calls the use case its API route calls with the session's [`Principal`], so
//! a pool the API would hide (another organisation's) is a 404 here too.

mod actions;
mod documents;
mod matrix;
mod once;
mod pool;

pub(super) use actions::handle;
pub(super) use once::once;

use super::{respond, shell};
use crate::error::ApiError;
use crate::pages::text::{self, console_org as t};
use crate::pages::viewer::Viewer;
use crate::web::SessionCaller;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use groupbuy_domain::procurement::GroupBuyId;
use groupbuy_domain::{DomainError, Principal};
use maud::{html, Markup};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Registers this section's pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/console/pools", web::get().to(pool::list))
        .route("/console/pools", web::post().to(actions::create))
        .route("/console/pools/{id}", web::get().to(pool::detail))
        .route(
            "/console/pools/{id}/commit",
            web::post().to(actions::commit),
        )
        .route("/console/pools/{id}/rfq", web::post().to(actions::open_rfq))
        .route(
            "/console/pools/{id}/documents/{doc}/{format}",
            web::get().to(documents::download),
        )
        // After the forms with their own handlers (routes match in this order).
        .route("/console/pools/{id}/{step}", web::post().to(actions::step));
}

/// Whether the index offers the pools: to people acting for an organisation (the API's
/// pools are an organisation's) and to platform admins.
pub(super) fn shown_to(p: &Principal) -> bool {
    p.org_id.is_some() || p.is_platform_admin()
}

/// The principal of a signed-in viewer (the same a bearer token with its claims gives).
pub(super) fn principal(viewer: &Viewer) -> Principal {
    viewer
        .caller
        .as_ref()
        .map(SessionCaller::principal)
        .unwrap_or_default()
}

/// A refusal as a page: the console's 404 for what may not be seen (as the API answers),
/// otherwise the refusal's heading and explanation in words, the use case's own message
/// and the API's status code.
pub(super) fn refused(viewer: &Viewer, err: &ApiError) -> HttpResponse {
    refused_back(viewer, err, "/console")
}

/// [`refused`], linking back to `back` (the page whose form was refused).
pub(super) fn refused_back(viewer: &Viewer, err: &ApiError, back: &str) -> HttpResponse {
    let status = err.status();
    if status == StatusCode::NOT_FOUND {
        return not_found(viewer);
    }
    let (title, explain) = t::refusal(status.as_u16());
    let body = html! {
        p class="refusal" { (explain) }
        p { (err.message()) }
        p { a href=(back) { (t::BACK) } }
    };
    respond(status, shell(title, viewer, body))
}

/// A table of the console: an optional `caption`, the column headings, and rows of
/// cells, the first of each heading its row (`<th scope>` throughout).
pub(super) fn table(caption: Option<&str>, cols: &[&str], rows: &[Vec<Markup>]) -> Markup {
    html! {
        table {
            @if let Some(c) = caption { caption { (c) } }
            thead { tr { @for c in cols { th scope="col" { (c) } } } }
            tbody {
                @for row in rows {
                    tr {
                        @for (i, cell) in row.iter().enumerate() {
                            @if i == 0 { th scope="row" { (cell) } } @else { td { (cell) } }
                        }
                    }
                }
            }
        }
    }
}

/// A cell of [`table`]: any text, escaped.
pub(super) fn cell(text: impl maud::Render) -> Markup {
    html! { (text) }
}

/// The console's 404: nothing here, or nothing this person may see.
pub(super) fn not_found(viewer: &Viewer) -> HttpResponse {
    let body = html! { p { (text::NOT_FOUND_BODY) } };
    respond(
        StatusCode::NOT_FOUND,
        shell(text::NOT_FOUND_TITLE, viewer, body),
    )
}

/// A pool id from the path, or `None` (a 404: an id that cannot exist is not found).
pub(super) fn pool_id(raw: &str) -> Option<GroupBuyId> {
    GroupBuyId::parse(raw).ok()
}

/// An instant for people: `2026-12-06 10:00 UTC`.
pub(super) fn when(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// A form's `datetime-local` value (UTC, no offset) or an RFC 3339 instant, as the API's
/// RFC 3339 text.
pub(super) fn utc_instant(raw: &str) -> String {
    let raw = raw.trim();
    let has_offset = raw.ends_with('Z') || raw.get(19..).is_some_and(|r| r.contains(['+', '-']));
    match raw.len() {
        16 => format!("{raw}:00Z"),
        19 if !has_offset => format!("{raw}Z"),
        _ => raw.to_owned(),
    }
}

/// A whole number typed in a form, or the 422 naming the field.
pub(super) fn whole(field: &str, raw: &str) -> Result<i64, ApiError> {
    raw.trim()
        .parse()
        .map_err(|_| ApiError::invalid_field(field, t::whole_number(field)))
}

/// An amount typed in a form, or the 422 naming the field.
pub(super) fn decimal(field: &str, raw: &str) -> Result<rust_decimal::Decimal, ApiError> {
    raw.trim()
        .parse()
        .map_err(|_| ApiError::invalid_field(field, t::decimal(field)))
}

/// An optional text field: blank is absent.
pub(super) fn optional(raw: Option<&String>) -> Option<String> {
    raw.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// The default `datetime-local` value: a week from now (UTC), without seconds.
pub(super) fn in_a_week(now: OffsetDateTime) -> String {
    let t = now + time::Duration::days(7);
    t.format(&Rfc3339)
        .ok()
        .and_then(|s| s.get(..16).map(str::to_owned))
        .unwrap_or_default()
}

/// Runs `f` off the async workers, mapping the use case's refusal to [`ApiError`].
pub(super) async fn run<T, F>(f: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, DomainError> + Send + 'static,
    T: Send + 'static,
{
    crate::state::blocking(f).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_instants_become_rfc3339_utc() {
        assert_eq!(utc_instant("2026-12-06T10:00"), "2026-12-06T10:00:00Z");
        assert_eq!(utc_instant("2026-12-06T10:00:30"), "2026-12-06T10:00:30Z");
        assert_eq!(
            utc_instant("2026-12-06T10:00:00+01:00"),
            "2026-12-06T10:00:00+01:00"
        );
    }
}
