//! The console's merchant, campaign and webhook pages on every backend: what a merchant
//! sees and does through forms, that the API then shows; another merchant's objects are
//! 404; forms without their CSRF token are 403 and change nothing; hostile names escaped.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod campaigns;
mod shops;
mod webhooks;

use crate::browser::Browser;
use crate::helpers::Reply;

/// A name that would run script if it were not escaped.
pub const HOSTILE: &str = r#"<script>alert(1)</script>"><img src=x onerror=alert(1)>"#;

/// The page shows no markup from [`HOSTILE`], only its escaped text.
#[track_caller]
pub fn assert_escaped(html: &str) {
    assert!(!html.contains("<script>alert(1)"), "unescaped script");
    assert!(!html.contains("<img src=x"), "unescaped img");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "escaped name missing"
    );
}

/// The `Location` of a 303 answer.
#[track_caller]
pub fn see_other(r: &Reply) -> String {
    assert_eq!(r.status.as_u16(), 303, "expected a redirect: {}", r.body);
    r.header("location").expect("a Location")
}

/// Sends the form at `path` with the browser's CSRF token and `fields`.
pub async fn send(b: &Browser, path: &str, fields: &[(&str, &str)]) -> Reply {
    let mut all = vec![("csrf", b.csrf.as_str())];
    all.extend_from_slice(fields);
    b.post_form(path, &all).await
}
