//! A browser with a web session, for the pages and their forms: signed in through the
//! development sign-in page of an app started with [`TestApp::all_web`], cookies kept,
//! redirects not followed (a form's answer is its 303 and `Location`).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::{Reply, TestApp};
use reqwest::Method;

/// A signed-in (or anonymous) browser on one app.
pub struct Browser {
    pub client: reqwest::Client,
    address: String,
    /// The session's CSRF token (empty when signed out).
    pub csrf: String,
}

impl TestApp {
    /// A browser without a session (cookies still kept: the visitor cookie, say).
    pub fn anonymous_browser(&self) -> Browser {
        Browser {
            client: client(),
            address: self.address.clone(),
            csrf: String::new(),
        }
    }

    /// A browser signed in as `sub` with `roles` (space-separated) and `org`, through the
    /// development sign-in page (its own CSRF double-submit cookie included).
    pub async fn sign_in(&self, sub: &str, roles: &str, org: Option<&str>) -> Browser {
        let mut browser = self.anonymous_browser();
        let page = browser
            .get("/auth/dev?return_to=/auth/me")
            .await
            .expect_page(200);
        let token = hidden(page.html(), "csrf").expect("the sign-in form's csrf");
        let signed = browser
            .post_form(
                "/auth/dev",
                &[
                    ("csrf", token.as_str()),
                    ("sub", sub),
                    ("name", sub),
                    ("roles", roles),
                    ("org_id", org.unwrap_or("")),
                    ("return_to", "/auth/me"),
                ],
            )
            .await;
        assert_eq!(signed.status, 303, "dev sign-in: {:?}", signed.body);
        let me = browser.get("/auth/me").await.expect(200);
        browser.csrf = me.data()["csrf"].as_str().expect("csrf").to_owned();
        browser
    }
}

impl Browser {
    /// `GET path`.
    pub async fn get(&self, path: &str) -> Reply {
        self.send(
            self.client
                .request(Method::GET, format!("{}{path}", self.address)),
        )
        .await
    }

    /// `POST path` with an `application/x-www-form-urlencoded` body, as a form sends it.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let req = self
            .client
            .request(Method::POST, format!("{}{path}", self.address))
            .form(fields);
        self.send(req).await
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        Reply::of(req).await
    }
}

impl Reply {
    /// Asserts the status of a page (HTML, no envelope); returns self.
    #[track_caller]
    pub fn expect_page(self, status: u16) -> Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status: {}",
            self.body
        );
        self
    }

    /// The body as HTML (a page is no JSON, so the reply kept it as a string).
    pub fn html(&self) -> &str {
        self.body.as_str().expect("an HTML body")
    }
}

/// The `value` of the first hidden input named `name` in `html`.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let tag = format!("name=\"{name}\" value=\"");
    let start = html.find(&tag)? + tag.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}
