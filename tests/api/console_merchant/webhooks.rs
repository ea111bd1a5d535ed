//! Webhooks in the console: an endpoint's secret shown once, a test event's delivery
//! listed; another owner's endpoint is 404; forms without CSRF change nothing.

use super::{assert_escaped, see_other, send, HOSTILE};
use crate::browser::hidden;
use crate::helpers::TestApp;

/// The text of the first `<code>` element.
fn code(html: &str) -> Option<&str> {
    let start = html.find("<code>")? + "<code>".len();
    Some(&html[start..start + html[start..].find("</code>")?])
}

#[actix_web::test]
async fn an_endpoint_shows_its_secret_once_and_lists_its_test_delivery() {
    for app in TestApp::all_web().await {
        let w1 = app.sign_in("w1", "merchant", None).await;
        let list = w1.get("/console/webhooks").await.expect_page(200);
        let key = hidden(list.html(), "idempotency_key").expect("a key");
        let fields = [
            ("idempotency_key", key.as_str()),
            ("url", "https://hooks.example.com/in"),
            ("events", ""),
            ("description", HOSTILE),
        ];
        let created = send(&w1, "/console/webhooks", &fields)
            .await
            .expect_page(201);
        let secret = code(created.html()).expect("the secret").to_owned();
        assert!(secret.len() >= 32, "{secret}");
        // Sent again: done already, and the secret is not shown again.
        let again = send(&w1, "/console/webhooks", &fields)
            .await
            .expect_page(201);
        assert!(!again.html().contains(&secret));
        assert!(code(again.html()).is_none());

        let api = app
            .get("/webhooks/endpoints", Some(&app.token("w1", &["merchant"])))
            .await
            .expect(200);
        let items = api.data()["items"].as_array().unwrap().clone();
        assert_eq!(
            items.len(),
            1,
            "one endpoint however often the form is sent"
        );
        let id = items[0]["id"].as_str().unwrap().to_owned();
        let list = w1.get("/console/webhooks").await.expect_page(200);
        assert_escaped(list.html());
        assert!(!list.html().contains(&secret));
        let page = format!("/console/webhooks/{id}");
        let html = w1.get(&page).await.expect_page(200);
        assert!(!html.html().contains(&secret));
        assert!(html.html().contains("No deliveries yet."));

        // Without CSRF nothing is sent; with it, a test delivery appears.
        assert_eq!(
            w1.post_form(&format!("{page}/test"), &[])
                .await
                .status
                .as_u16(),
            403
        );
        assert!(w1.get(&page).await.html().contains("No deliveries yet."));
        let sent = send(&w1, &format!("{page}/test"), &[]).await;
        assert!(see_other(&sent).contains("done=test-sent"));
        let html = w1.get(&page).await.expect_page(200);
        assert!(
            !html.html().contains("No deliveries yet."),
            "{}",
            html.html()
        );
        assert!(html.html().contains("/retry"));

        // Another owner: 404 to read, 404 to act.
        let w2 = app.sign_in("w2", "merchant", None).await;
        w2.get(&page).await.expect_page(404);
        assert_eq!(
            send(&w2, &format!("{page}/test"), &[])
                .await
                .status
                .as_u16(),
            404
        );
        assert!(!w2.get("/console/webhooks").await.html().contains(&id));
        let refused = send(&w1, &format!("{page}/replay"), &[("since", "yesterday")]).await;
        assert_eq!(refused.status.as_u16(), 422);
        assert!(refused
            .html()
            .contains("since must be an RFC 3339 date-time"));

        // A new secret, shown on that answer once; another owner can neither rotate nor delete.
        let key = hidden(w1.get(&page).await.html(), "idempotency_key").expect("a key");
        assert_eq!(
            send(&w2, &format!("{page}/rotate"), &[("idempotency_key", "k")])
                .await
                .status
                .as_u16(),
            404
        );
        let rotated = send(&w1, &format!("{page}/rotate"), &[("idempotency_key", &key)])
            .await
            .expect_page(200);
        let second = code(rotated.html()).expect("the new secret").to_owned();
        assert_ne!(second, secret);
        let again = send(&w1, &format!("{page}/rotate"), &[("idempotency_key", &key)])
            .await
            .expect_page(200);
        assert!(
            code(again.html()).is_none(),
            "pressed twice: rotated once, shown once"
        );
        assert!(!w1.get(&page).await.html().contains(&second));
        assert_eq!(
            send(&w2, &format!("{page}/delete"), &[])
                .await
                .status
                .as_u16(),
            404
        );
        assert!(see_other(&send(&w1, &format!("{page}/delete"), &[]).await)
            .contains("done=endpoint-deleted"));
        w1.get(&page).await.expect_page(404);
    }
}
