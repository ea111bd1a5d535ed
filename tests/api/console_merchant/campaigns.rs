//! Campaigns in the console: claim a handle, create, publish, a refused close naming the
//! unmet thresholds, the close after interest arrives; another owner's campaign is 404.

use super::{assert_escaped, see_other, send, HOSTILE};
use crate::browser::hidden;
use crate::helpers::TestApp;

const PAGE: &str = "/console/campaigns/gharart/lamps";
const API: &str = "/v2/handles/gharart/group-buys/lamps";

#[actix_web::test]
async fn an_owner_creates_publishes_and_closes_a_campaign_once_its_threshold_is_met() {
    for app in TestApp::all_web().await {
        let m1 = app.sign_in("m1", "merchant", None).await;
        let token = app.token("m1", &["merchant"]);
        let start = m1.get("/console/campaigns").await.expect_page(200);
        let key = hidden(start.html(), "idempotency_key").expect("a key");
        let claimed = send(
            &m1,
            "/console/campaigns",
            &[
                ("idempotency_key", &key),
                ("handle", "gharart"),
                ("display_name", "Gharart"),
            ],
        )
        .await;
        assert!(see_other(&claimed).starts_with("/console/campaigns/gharart"));
        let start = m1.get("/console/campaigns").await.expect_page(200);
        assert!(
            start.html().contains("href=\"/console/campaigns/gharart\""),
            "the owner's handles are listed"
        );
        let opened = m1.get("/console/campaigns?handle=gharart").await;
        assert_eq!(see_other(&opened), "/console/campaigns/gharart");

        let list = m1.get("/console/campaigns/gharart").await.expect_page(200);
        let key = hidden(list.html(), "idempotency_key").expect("a key");
        let fields = [
            ("idempotency_key", key.as_str()),
            ("slug", "lamps"),
            ("title", HOSTILE),
            ("unit_price", "45000"),
            ("min_participants", "1"),
            ("closes_at", "2099-01-01T00:00:00Z"),
        ];
        let created = send(&m1, "/console/campaigns/gharart", &fields).await;
        assert!(see_other(&created).starts_with(PAGE));
        // The same form again: the same campaign, no second one and no refusal.
        assert!(
            see_other(&send(&m1, "/console/campaigns/gharart", &fields).await).starts_with(PAGE)
        );
        let api = app.get(API, Some(&token)).await.expect(200);
        assert_eq!(api.data()["status"], "DRAFT");
        let list = m1.get("/console/campaigns/gharart").await.expect_page(200);
        assert_escaped(list.html());
        assert_eq!(list.html().matches(&format!("href=\"{PAGE}\"")).count(), 1);

        let page = m1.get(PAGE).await.expect_page(200);
        assert_escaped(page.html());
        assert!(page.html().contains("Status: Draft"));
        assert!(
            !page.html().contains("data-live-src"),
            "a draft has no public stream to follow"
        );
        // The draft's terms, edited by its form (pre-filled with them).
        assert!(page.html().contains("Edit the draft"));
        assert!(page
            .html()
            .contains("name=\"unit_price\" inputmode=\"decimal\" required value=\"45000.00\""));
        let edit = [
            ("title", "Oak lamps"),
            ("description", ""),
            ("unit_price", "39000"),
            ("currency", "TZS"),
            ("min_participants", "1"),
            ("min_quantity", ""),
            ("max_quantity", "40"),
            ("closes_at", "2099-06-01T00:00:00Z"),
        ];
        let saved = send(&m1, &format!("{PAGE}/edit"), &edit).await;
        assert_eq!(see_other(&saved), format!("{PAGE}?done=campaign-edited"));
        let api = app.get(API, Some(&token)).await.expect(200);
        assert_eq!(api.data()["title"], "Oak lamps");
        assert_eq!(api.data()["unitPrice"].to_string(), "39000.00");
        assert_eq!(api.data()["maxQuantity"], 40);
        let bad = send(
            &m1,
            &format!("{PAGE}/edit"),
            &[
                ("title", "x"),
                ("unit_price", "cheap"),
                ("closes_at", "2099-06-01T00:00:00Z"),
            ],
        )
        .await;
        assert_eq!(bad.status.as_u16(), 422, "{}", bad.body);
        assert!(
            bad.html().contains("Price per unit must be a number"),
            "{}",
            bad.html()
        );
        let other = app.sign_in("m3", "merchant", None).await;
        assert_eq!(
            send(&other, &format!("{PAGE}/edit"), &edit)
                .await
                .status
                .as_u16(),
            404
        );
        assert_eq!(
            app.get(API, Some(&token)).await.expect(200).data()["title"],
            "Oak lamps"
        );

        assert!(see_other(&send(&m1, &format!("{PAGE}/publish"), &[]).await).starts_with(PAGE));
        let published = m1.get(PAGE).await.expect_page(200);
        assert!(
            !published.html().contains("Edit the draft"),
            "published terms are final"
        );
        let stale = send(&m1, &format!("{PAGE}/edit"), &edit).await;
        assert_eq!(stale.status.as_u16(), 409, "{}", stale.body);
        assert!(
            stale.html().contains("only a DRAFT can be edited"),
            "{}",
            stale.html()
        );
        assert_eq!(
            app.get(API, Some(&token)).await.expect(200).data()["status"],
            "PUBLISHED"
        );

        // A close before the threshold: refused with the unmet one named, nothing changed.
        let refused = send(&m1, &format!("{PAGE}/close"), &[]).await;
        assert_eq!(refused.status.as_u16(), 409, "{}", refused.body);
        assert!(
            refused.html().contains("thresholds not met"),
            "{}",
            refused.html()
        );
        assert!(
            refused.html().contains("participants 0/1"),
            "{}",
            refused.html()
        );
        assert_eq!(
            app.get(API, Some(&token)).await.expect(200).data()["status"],
            "PUBLISHED"
        );

        // Interest arrives; the page counts it, and the close succeeds.
        app.interest_as("u1", "lamps", 2).await.expect(201);
        let page = m1.get(PAGE).await.expect_page(200);
        assert!(
            page.html().contains("1 participant, 2 units"),
            "{}",
            page.html()
        );
        // Published, the page follows the public stream: the counts and the threshold's
        // words and bar are the elements live.js keeps current without a reload.
        for marked in [
            "data-live-src=\"/c/gharart/lamps/live\"",
            "data-live=\"counts\"",
            "data-live=\"label-participants\"",
            "data-live=\"met-participants\"",
            "data-live=\"bar-participants\"",
            "src=\"/assets/live.js\"",
        ] {
            assert!(page.html().contains(marked), "{marked}");
        }
        assert!(page.html().contains("user:u1") || page.html().contains("u1"));

        // Another merchant sees nothing and changes nothing; a form without CSRF neither.
        let m2 = app.sign_in("m2", "merchant", None).await;
        m2.get(PAGE).await.expect_page(404);
        m2.get("/console/campaigns/gharart").await.expect_page(404);
        let theirs = m2.get("/console/campaigns").await.expect_page(200);
        assert!(!theirs
            .html()
            .contains("href=\"/console/campaigns/gharart\""));
        assert_eq!(
            send(&m2, &format!("{PAGE}/close"), &[])
                .await
                .status
                .as_u16(),
            404
        );
        assert_eq!(
            m1.post_form(&format!("{PAGE}/close"), &[])
                .await
                .status
                .as_u16(),
            403
        );
        assert_eq!(
            app.get(API, Some(&token)).await.expect(200).data()["status"],
            "PUBLISHED"
        );

        assert!(see_other(&send(&m1, &format!("{PAGE}/close"), &[]).await).starts_with(PAGE));
        assert_eq!(
            app.get(API, Some(&token)).await.expect(200).data()["status"],
            "CLOSED"
        );
        let page = m1.get(PAGE).await.expect_page(200);
        assert!(
            page.html().contains("close"),
            "the audit trail names the close"
        );
    }
}

#[actix_web::test]
async fn a_pre_order_campaign_shows_how_its_pledges_stand() {
    for app in TestApp::all_web().await {
        let m1 = crate::preorder::preorder_campaign(&app).await;
        for user in ["p1", "p2"] {
            let t = app.token(user, &[]);
            crate::preorder::pledge(&app, Some(&t), 2).await.expect(201);
        }
        let console = app.sign_in("m1", "merchant", None).await;
        let page = "/console/campaigns/kilimo/coffee";
        let open = console.get(page).await.expect_page(200);
        assert!(open.html().contains("0 pledged: 0 paid"), "{}", open.html());
        app.post(
            "/v2/handles/kilimo/group-buys/coffee/close",
            Some(&m1),
            serde_json::json!({}),
        )
        .await
        .expect(200);
        let closed = console.get(page).await.expect_page(200);
        assert!(
            closed.html().contains(
                "2 pledged: 0 paid (orders to ship), 2 awaiting payment, 0 expired unpaid."
            ),
            "{}",
            closed.html()
        );
    }
}
