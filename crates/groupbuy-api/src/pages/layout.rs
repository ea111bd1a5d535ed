//! The shell every public page shares: head (title, link preview, canonical URL, the one
//! stylesheet), header and footer. maud escapes every interpolated text and attribute.

use super::text;
use super::viewer::Viewer;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde_json::Value;

/// What a page says about itself to browsers, crawlers and link previews.
pub struct Head<'a> {
    /// `<title>` and `og:title`.
    pub title: &'a str,
    /// `description` and `og:description`.
    pub description: &'a str,
    /// Absolute canonical URL (`GROUPBUY_PUBLIC_URL` and the path).
    pub canonical: Option<String>,
    /// The preview image (`og:image`), when there is one.
    pub image: Option<&'a str>,
    /// schema.org data, written as JSON-LD.
    pub json_ld: Option<Value>,
}

impl<'a> Head<'a> {
    /// A page without a canonical URL, preview image or structured data (the 404 page,
    /// the home page, the console's pages).
    pub fn plain(title: &'a str, description: &'a str) -> Self {
        Self {
            title,
            description,
            canonical: None,
            image: None,
            json_ld: None,
        }
    }
}

/// A whole page: `head` and `body` in the shared shell, the header saying who is signed
/// in (with a sign-out form) or offering to sign in.
pub fn page(head: &Head<'_>, viewer: &Viewer, body: Markup) -> Markup {
    let title = format!("{} · {}", head.title, text::SITE);
    html! {
        (DOCTYPE)
        html lang=(text::LANG) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                meta name="description" content=(head.description);
                @if let Some(url) = &head.canonical {
                    link rel="canonical" href=(url);
                    meta property="og:url" content=(url);
                }
                meta property="og:type" content="website";
                meta property="og:site_name" content=(text::SITE);
                meta property="og:title" content=(head.title);
                meta property="og:description" content=(head.description);
                meta name="twitter:title" content=(head.title);
                meta name="twitter:description" content=(head.description);
                @if let Some(image) = head.image {
                    meta property="og:image" content=(image);
                    meta name="twitter:card" content="summary_large_image";
                    meta name="twitter:image" content=(image);
                } @else {
                    meta name="twitter:card" content="summary";
                }
                link rel="stylesheet" href="/assets/site.css";
                // No favicon request (and its 404) on every page.
                link rel="icon" href="data:,";
                @if let Some(data) = &head.json_ld {
                    script type="application/ld+json" { (PreEscaped(json_ld(data))) }
                }
            }
            body {
                header class="site" {
                    a class="brand" href="/" { (text::SITE) }
                    (account(viewer))
                }
                main id="main" { (body) }
            }
        }
    }
}

/// The header's account corner: who is signed in, the console and a sign-out form
/// (a POST with the session's CSRF token), or a sign-in link back to this page.
fn account(viewer: &Viewer) -> Markup {
    html! {
        nav class="account" aria-label=(text::ACCOUNT) {
            @if let Some(caller) = &viewer.caller {
                span { (text::SIGNED_IN_AS) " " strong { (caller.principal().display_name()) } }
                " "
                a href="/console" { (text::CONSOLE) }
                " "
                form class="inline" method="post" action="/auth/logout" {
                    (viewer.csrf_field())
                    button type="submit" { (text::SIGN_OUT) }
                }
            } @else {
                a href=(viewer.sign_in_url()) { (text::SIGN_IN) }
            }
        }
    }
}

/// `data` as JSON safe inside a `<script>` element: `<`, `>` and `&` (and the two
/// JavaScript line separators) become `\u` escapes, so no text in it can close the
/// element or open a comment, and the JSON still parses to the same value.
pub fn json_ld(data: &Value) -> String {
    let mut out = String::new();
    for c in data.to_string().chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_cannot_close_its_script_and_keeps_its_value() {
        let data = serde_json::json!({"name": "</script><script>alert(1)</script> & <!--"});
        let written = json_ld(&data);
        assert!(!written.contains('<') && !written.contains('>') && !written.contains('&'));
        let back: Value = serde_json::from_str(&written).expect("still JSON");
        assert_eq!(back, data);
    }
}
