//! Seed 001 over HTTP: the four scenarios, every message, and money conservation.

use crate::helpers::{Reply, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

/// Creates a checkout session and pays it; returns the payment reply.
async fn buy(app: &TestApp, user: &str, product: &str, qty: i64, group: Option<&str>) -> Reply {
    buy_as(app, &app.token(user, &[]), product, qty, group).await
}

/// Creates a checkout session with the bearer token `t` and pays it.
pub async fn buy_as(app: &TestApp, t: &str, product: &str, qty: i64, group: Option<&str>) -> Reply {
    let mut body = json!({"sessionType": "GROUP_PURCHASE", "productId": product, "quantity": qty});
    if let Some(g) = group {
        body["metadata"] = json!({"groupInstanceId": g});
    }
    let session = app.post("/api/v1/checkout-sessions", Some(t), body).await;
    if session.status != 201 {
        return session;
    }
    let id = session.data()["sessionId"]
        .as_str()
        .expect("session id")
        .to_owned();
    app.post(
        &format!("/api/v1/checkout-sessions/{id}/process-payment"),
        Some(t),
        json!({"paymentMethod": "WALLET"}),
    )
    .await
}

fn group_id(r: &Reply) -> String {
    r.data()["groupInstanceId"]
        .as_str()
        .expect("group id")
        .to_owned()
}

#[actix_web::test]
async fn scenario_1_create_and_complete_a_group() {
    for app in TestApp::all().await {
        let p = app.product("m1", json!({"groupMaxSize": 10})).await;
        let pid = p["productId"].as_str().expect("id");
        for u in ["a", "b", "c"] {
            app.credit(u, 1_000_000.0).await;
        }
        let created = buy(&app, "a", pid, 2, None).await.expect(200);
        assert_eq!(created.data()["status"], "COMPLETED");
        assert!(created.data()["groupCode"]
            .as_str()
            .expect("code")
            .starts_with("GP-"));
        assert!(created.data()["transactionId"].is_string());
        let g = group_id(&created);
        buy(&app, "b", pid, 3, Some(&g)).await.expect(200);
        let ta = app.token("a", &[]);
        let detail = app
            .get(&format!("/api/v1/group-purchases/{g}"), Some(&ta))
            .await
            .expect(200);
        let d = detail.data();
        assert_eq!(d["seatsOccupied"], 5);
        assert_eq!(d["progressPercentage"].to_string(), "50.00");
        assert_eq!(d["savingsAmount"].to_string(), "70000.00");
        assert_eq!(d["savingsPercentage"].to_string(), "46.67");
        assert_eq!(d["isUserMember"], true);
        assert_eq!(d["myQuantity"], 2);
        assert_eq!(
            d["groupName"],
            format!(
                "{}-Premium Wireless Headphones",
                d["groupCode"].as_str().expect("code")
            )
        );
        let parts = d["participants"].as_array().expect("participants");
        assert_eq!(parts[0]["contributionPercentage"].to_string(), "40.00");
        assert!(parts[0]["purchaseHistory"].is_array(), "own history shown");
        assert!(
            parts[1].get("purchaseHistory").is_none(),
            "others' history hidden"
        );
        buy(&app, "c", pid, 5, Some(&g)).await.expect(200);
        let done = app
            .get(&format!("/api/v1/group-purchases/{g}"), Some(&ta))
            .await
            .expect(200);
        assert_eq!(done.data()["status"], "COMPLETED");
        assert_eq!(done.data()["isFull"], true);
        assert!(done.data()["completedAt"].is_string());
        for u in ["a", "b", "c"] {
            let t = app.token(u, &[]);
            let orders = app
                .get("/api/v1/orders/my-orders", Some(&t))
                .await
                .expect(200);
            let items = orders.data()["items"].as_array().expect("items").clone();
            assert_eq!(items.len(), 1);
            let oid = items[0]["orderId"].as_str().expect("order id");
            assert_eq!(items[0]["groupInstanceId"], g.as_str());
            app.get(&format!("/api/v1/orders/{oid}"), Some(&t))
                .await
                .expect(200);
            let other = app.token("intruder", &[]);
            app.get(&format!("/api/v1/orders/{oid}"), Some(&other))
                .await
                .expect(404);
        }
        let product = app
            .get(&format!("/api/v1/products/{pid}"), None)
            .await
            .expect(200);
        assert_eq!(product.data()["stockQuantity"], 990);
        assert_eq!(product.data()["reservedQuantity"], 0);
        let r = buy(&app, "a", pid, 1, Some(&g)).await.expect(400);
        assert_eq!(r.message(), "Group is full. Seats occupied: 10/10");
    }
}

#[actix_web::test]
async fn scenario_2_transfer_between_groups() {
    for app in TestApp::all().await {
        let p = app.product("m1", json!({})).await;
        let pid = p["productId"].as_str().expect("id");
        app.credit("a", 1_000_000.0).await;
        app.credit("b", 1_000_000.0).await;
        let g1 = group_id(&buy(&app, "a", pid, 3, None).await.expect(200));
        let g2 = group_id(&buy(&app, "b", pid, 1, None).await.expect(200));
        let ta = app.token("a", &[]);
        let r = app
            .post(
                "/api/v1/group-purchases/transfer",
                Some(&ta),
                json!({"sourceGroupId": g1, "targetGroupId": g2, "quantity": 2}),
            )
            .await
            .expect(200);
        assert_eq!(r.message(), "Seats transferred successfully");
        assert_eq!(r.data()["quantity"], 2);
        assert_eq!(r.data()["hasTransferred"], true);
        let reason = r.data()["transferHistory"][0]["reason"]
            .as_str()
            .expect("reason")
            .to_owned();
        assert!(
            reason.starts_with("Transferred 2 seats from group GP-"),
            "{reason}"
        );
        let mine = app
            .get("/api/v1/group-purchases/my-participations", Some(&ta))
            .await
            .expect(200);
        let list = mine.data().as_array().expect("list").clone();
        assert_eq!(list.len(), 2);
        let in_g1 = list
            .iter()
            .find(|p| p["groupInstanceId"] == g1.as_str())
            .expect("still in g1");
        assert_eq!(in_g1["quantity"], 1);
        // the seed's refusals
        let cases: Vec<(Value, u16, &str)> = vec![
            (
                json!({"sourceGroupId": g1, "targetGroupId": g1, "quantity": 1}),
                400,
                "Source and target groups must be different",
            ),
            (
                json!({"sourceGroupId": g1, "targetGroupId": g2, "quantity": 2}),
                400,
                "Not enough seats to transfer. You have: 1, requested: 2",
            ),
        ];
        for (body, status, message) in cases {
            assert_eq!(
                app.post("/api/v1/group-purchases/transfer", Some(&ta), body)
                    .await
                    .expect(status)
                    .message(),
                message
            );
        }
        let stranger = app.token("z", &[]);
        let r = app
            .post(
                "/api/v1/group-purchases/transfer",
                Some(&stranger),
                json!({"sourceGroupId": g1, "targetGroupId": g2, "quantity": 1}),
            )
            .await
            .expect(404);
        assert_eq!(r.message(), "You are not a participant in the source group");
        // a different product
        let other = app.product("m1", json!({})).await;
        let g3 = group_id(
            &buy(&app, "a", other["productId"].as_str().expect("id"), 1, None)
                .await
                .expect(200),
        );
        let r = app
            .post(
                "/api/v1/group-purchases/transfer",
                Some(&ta),
                json!({"sourceGroupId": g1, "targetGroupId": g3, "quantity": 1}),
            )
            .await
            .expect(400);
        assert_eq!(
            r.message(),
            "Cannot transfer between groups with different products"
        );
    }
}

#[actix_web::test]
async fn scenario_3_expiry_fails_and_refunds() {
    for app in TestApp::all_with(Duration::from_millis(100)).await {
        // 0.0003 h is about a second: a short-lived group, expired by the app's own sweep.
        let p = app
            .product("m1", json!({"groupTimeLimitHours": 0.0003}))
            .await;
        let pid = p["productId"].as_str().expect("id");
        app.credit("a", 500_000.0).await;
        app.credit("b", 500_000.0).await;
        let g = group_id(&buy(&app, "a", pid, 2, None).await.expect(200));
        buy(&app, "b", pid, 1, Some(&g)).await.expect(200);
        assert_eq!(app.balance("a").await, "340000.00");
        let ta = app.token("a", &[]);
        let mut status = String::new();
        for _ in 0..60 {
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
            let d = app
                .get(&format!("/api/v1/group-purchases/{g}"), Some(&ta))
                .await
                .expect(200);
            status = d.data()["status"].as_str().unwrap_or_default().to_owned();
            // The sweep fails the group, then refunds its participants one by one.
            let refunded = d.data()["participants"]
                .as_array()
                .expect("p")
                .iter()
                .all(|p| p["status"] == "REFUNDED");
            if status == "FAILED" && refunded {
                assert_eq!(d.data()["isExpired"], true);
                break;
            }
        }
        assert_eq!(status, "FAILED");
        assert_eq!(app.balance("a").await, "500000.00");
        assert_eq!(app.balance("b").await, "500000.00");
        let r = buy(&app, "b", pid, 1, Some(&g)).await.expect(400);
        assert!(
            r.message().starts_with("Group has expired at: "),
            "{}",
            r.message()
        );
        let ledger = app
            .get("/api/v1/wallet/transactions", Some(&ta))
            .await
            .expect(200);
        assert_eq!(ledger.data()["items"][0]["kind"], "REFUND");
    }
}

#[actix_web::test]
async fn scenario_4_hybrid_multiple_purchases() {
    for app in TestApp::all().await {
        let p = app.product("m1", json!({})).await;
        let pid = p["productId"].as_str().expect("id");
        app.credit("a", 1_000_000.0).await;
        let g = group_id(&buy(&app, "a", pid, 2, None).await.expect(200));
        buy(&app, "a", pid, 3, Some(&g)).await.expect(200);
        let ta = app.token("a", &[]);
        let mine = app
            .get("/api/v1/group-purchases/my-participations", Some(&ta))
            .await
            .expect(200);
        let p0 = &mine.data()[0];
        assert_eq!(p0["quantity"], 5);
        assert_eq!(p0["purchaseCount"], 2);
        assert_eq!(p0["purchaseHistory"].as_array().expect("history").len(), 2);
        assert_eq!(p0["totalPaid"].to_string(), "400000.00");
    }
}

#[actix_web::test]
async fn refusal_messages_of_the_spec() {
    for app in TestApp::all().await {
        app.credit("a", 10_000_000.0).await;
        let disabled = app
            .product("m1", json!({"groupBuyingEnabled": false}))
            .await;
        let r = buy(
            &app,
            "a",
            disabled["productId"].as_str().expect("id"),
            1,
            None,
        )
        .await
        .expect(400);
        assert_eq!(r.message(), "Group buying is not enabled for this product");
        let small = app.product("m1", json!({"groupMaxSize": 5})).await;
        let sid = small["productId"].as_str().expect("id");
        assert_eq!(
            buy(&app, "a", sid, 8, None).await.expect(400).message(),
            "Quantity (8) exceeds group max size (5)"
        );
        // only WALLET
        let ta = app.token("a", &[]);
        let s = app
            .post(
                "/api/v1/checkout-sessions",
                Some(&ta),
                json!({"sessionType": "GROUP_PURCHASE", "productId": sid, "quantity": 1}),
            )
            .await
            .expect(201);
        let id = s.data()["sessionId"].as_str().expect("id");
        app.post(
            &format!("/api/v1/checkout-sessions/{id}/process-payment"),
            Some(&ta),
            json!({"paymentMethod": "CARD"}),
        )
        .await
        .expect(400);
        let other = app.token("b", &[]);
        app.get(&format!("/api/v1/checkout-sessions/{id}"), Some(&other))
            .await
            .expect(404);
        assert_eq!(
            app.get(&format!("/api/v1/checkout-sessions/{id}"), Some(&ta))
                .await
                .expect(200)
                .data()["status"],
            "PENDING_PAYMENT"
        );
        // insufficient balance leaves everything as it was
        let r = buy(&app, "poor", sid, 1, None).await.expect(400);
        assert!(
            r.message().starts_with("Insufficient wallet balance"),
            "{}",
            r.message()
        );
        assert_eq!(
            app.get(&format!("/api/v1/products/{sid}"), None)
                .await
                .expect(200)
                .data()["reservedQuantity"],
            0
        );
        // lookups
        let r = app
            .get(
                &format!("/api/v1/group-purchases/{}", uuid::Uuid::nil()),
                Some(&ta),
            )
            .await
            .expect(404);
        assert_eq!(
            r.message(),
            format!("Group not found with ID: {}", uuid::Uuid::nil())
        );
        let r = app
            .get("/api/v1/group-purchases/code/GP-INVALID", Some(&ta))
            .await
            .expect(404);
        assert_eq!(r.message(), "Group not found with code: GP-INVALID");
        let r = app
            .get(
                &format!(
                    "/api/v1/group-purchases/product/{}/available",
                    uuid::Uuid::nil()
                ),
                None,
            )
            .await
            .expect(404);
        assert_eq!(r.message(), "Product not found");
        app.get("/api/v1/group-purchases/my-groups?status=BOGUS", Some(&ta))
            .await
            .expect(400);
        app.get("/api/v1/group-purchases/my-groups", None)
            .await
            .expect(401);
    }
}

#[actix_web::test]
async fn reads_rename_and_admin_delete() {
    for app in TestApp::all().await {
        let p = app.product("m1", json!({})).await;
        let pid = p["productId"].as_str().expect("id");
        app.credit("a", 1_000_000.0).await;
        app.credit("b", 1_000_000.0).await;
        let g1 = group_id(&buy(&app, "a", pid, 4, None).await.expect(200));
        let g2 = group_id(&buy(&app, "b", pid, 1, None).await.expect(200));
        let avail = app
            .get(
                &format!("/api/v1/group-purchases/product/{pid}/available"),
                None,
            )
            .await
            .expect(200);
        let groups = avail.data().as_array().expect("list").clone();
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0]["isUserMember"], false);
        assert_eq!(groups[0]["progressPercentage"].to_string(), "40.00");
        assert_eq!(
            groups[0]["participants"][0]["contributionPercentage"].to_string(),
            "100.00"
        );
        let ta = app.token("a", &[]);
        let code = groups[0]["groupCode"].as_str().expect("code");
        assert_eq!(
            app.get(&format!("/api/v1/group-purchases/code/{code}"), Some(&ta))
                .await
                .expect(200)
                .data()["groupInstanceId"],
            g1.as_str()
        );
        let mine = app
            .get("/api/v1/group-purchases/my-groups?status=OPEN", Some(&ta))
            .await
            .expect(200);
        assert_eq!(mine.data().as_array().expect("list").len(), 1);
        assert_eq!(
            app.get(
                "/api/v1/group-purchases/my-groups?status=COMPLETED",
                Some(&ta)
            )
            .await
            .expect(200)
            .data()
            .as_array()
            .expect("list")
            .len(),
            0
        );
        // rename rules
        let r = app
            .patch(
                &format!("/api/v1/groups/{g1}/name"),
                Some(&ta),
                json!({"groupName": "  Dar es Salaam Deal "}),
            )
            .await
            .expect(200);
        assert_eq!(r.message(), "Group name updated successfully");
        assert_eq!(r.data()["groupName"], "Dar es Salaam Deal");
        let tb = app.token("b", &[]);
        let r = app
            .patch(
                &format!("/api/v1/groups/{g2}/name"),
                Some(&tb),
                json!({"groupName": "Dar es Salaam Deal"}),
            )
            .await
            .expect(400);
        assert_eq!(r.message(), "Group name already taken: Dar es Salaam Deal");
        assert_eq!(
            app.patch(
                &format!("/api/v1/groups/{g1}/name"),
                Some(&tb),
                json!({"groupName": "Mine"})
            )
            .await
            .expect(400)
            .message(),
            "Only the group initiator can change the group name"
        );
        assert_eq!(
            app.patch(
                &format!("/api/v1/groups/{g1}/name"),
                Some(&ta),
                json!({"groupName": "ab"})
            )
            .await
            .expect(400)
            .message(),
            "Group name must be between 3 and 100 characters"
        );
        assert_eq!(
            app.patch(
                &format!("/api/v1/groups/{}/name", uuid::Uuid::new_v4()),
                Some(&ta),
                json!({"groupName": "abc"})
            )
            .await
            .expect(404)
            .message(),
            "Group not found"
        );
        app.patch(
            &format!("/api/v1/groups/{g1}/name"),
            None,
            json!({"groupName": "abc"}),
        )
        .await
        .expect(401);
        // admin delete refunds
        let admin = app.token("admin", &["platform-admin"]);
        app.delete(
            &format!("/api/v1/platform-admin/group-purchases/{g2}"),
            Some(&tb),
        )
        .await
        .expect(403);
        app.delete(
            &format!("/api/v1/platform-admin/group-purchases/{g2}"),
            Some(&admin),
        )
        .await
        .expect(200);
        assert_eq!(app.balance("b").await, "1000000.00");
        assert_eq!(
            app.patch(
                &format!("/api/v1/groups/{g2}/name"),
                Some(&tb),
                json!({"groupName": "Other"})
            )
            .await
            .expect(400)
            .message(),
            "Cannot rename deleted group"
        );
    }
}

#[actix_web::test]
async fn payment_is_idempotent_with_a_key() {
    for app in TestApp::all().await {
        let p = app.product("m1", json!({})).await;
        app.credit("a", 200_000.0).await;
        let ta = app.token("a", &[]);
        let s = app.post("/api/v1/checkout-sessions", Some(&ta), json!({"sessionType": "GROUP_PURCHASE", "productId": p["productId"], "quantity": 1})).await.expect(201);
        let path = format!(
            "/api/v1/checkout-sessions/{}/process-payment",
            s.data()["sessionId"].as_str().expect("id")
        );
        let first = app
            .call(
                Method::POST,
                &path,
                Some(&ta),
                Some(json!({"paymentMethod": "WALLET"})),
                &[("idempotency-key", "pay-1")],
            )
            .await
            .expect(200);
        let again = app
            .call(
                Method::POST,
                &path,
                Some(&ta),
                Some(json!({"paymentMethod": "WALLET"})),
                &[("idempotency-key", "pay-1")],
            )
            .await
            .expect(200);
        assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
        assert_eq!(first.data()["transactionId"], again.data()["transactionId"]);
        assert_eq!(app.balance("a").await, "120000.00");
    }
}

#[actix_web::test]
async fn two_instances_sweeping_refund_each_group_once() {
    for app in TestApp::all_with(Duration::from_secs(3600)).await {
        // Groups of about a second (0.0003 h), opened while only this instance exists and
        // its sweep is idle; then two instances sweep every 50 ms over the same database.
        let p = app
            .product(
                "m1",
                json!({"groupTimeLimitHours": 0.0003, "groupMaxSize": 5}),
            )
            .await;
        let pid = p["productId"].as_str().expect("id");
        let users: Vec<String> = (0..12).map(|i| format!("sweep-{i}")).collect();
        for u in &users {
            app.credit(u, 160_000.0).await;
            buy(&app, u, pid, 2, None).await.expect(200);
        }
        let first = app.sibling().await;
        let second = app.sibling().await;
        let mut refunded = 0;
        for _ in 0..100 {
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
            refunded = 0;
            for u in &users {
                if first.balance(u).await == "160000.00" {
                    refunded += 1;
                }
            }
            if refunded == users.len() {
                break;
            }
        }
        assert_eq!(refunded, users.len(), "every group failed and refunded");
        let t = app.token(&users[0], &[]);
        let failed = app
            .get("/api/v1/group-purchases/my-groups?status=FAILED", Some(&t))
            .await
            .expect(200);
        assert_eq!(failed.data().as_array().map_or(0, Vec::len), 1);
        // Give the sweepers a few more rounds to misbehave, then count refunds per user.
        actix_web::rt::time::sleep(Duration::from_millis(300)).await;
        for u in &users {
            let t = first.token(u, &[]);
            let ledger = second
                .get("/api/v1/wallet/transactions", Some(&t))
                .await
                .expect(200);
            let refunds = ledger.data()["items"]
                .as_array()
                .expect("items")
                .iter()
                .filter(|e| e["kind"] == "REFUND")
                .count();
            assert_eq!(refunds, 1, "{u} refunded exactly once on {}", app.backend);
            assert_eq!(first.balance(u).await, "160000.00");
        }
    }
}

#[actix_web::test]
async fn group_lists_are_bounded_by_limit() {
    for app in TestApp::all().await {
        let product = app.product("m1", json!({})).await;
        let p = product["productId"]
            .as_str()
            .expect("product id")
            .to_owned();
        for buyer in ["ann", "bob", "cid"] {
            app.credit(buyer, 800_000.0).await;
            buy(&app, buyer, &p, 1, None).await.expect(200);
        }
        let ann = app.token("ann", &[]);
        let path = format!("/api/v1/group-purchases/product/{p}/available");
        let all = app.get(&path, None).await.expect(200);
        assert_eq!(
            all.data().as_array().map(Vec::len),
            Some(3),
            "default bound is 50"
        );
        let two = app.get(&format!("{path}?limit=2"), None).await.expect(200);
        let two = two.data().as_array().expect("array").clone();
        assert_eq!(two.len(), 2);
        assert_eq!(
            two[0],
            all.data()[0],
            "the oldest first, as without a bound"
        );
        for bad in ["0", "101"] {
            let r = app
                .get(&format!("{path}?limit={bad}"), None)
                .await
                .expect(422);
            assert_eq!(r.body["errors"][0]["field"], "limit");
        }
        let mine = app
            .get("/api/v1/group-purchases/my-groups?limit=1", Some(&ann))
            .await
            .expect(200);
        assert_eq!(mine.data().as_array().map(Vec::len), Some(1));
        app.get("/api/v1/group-purchases/my-groups?limit=0", Some(&ann))
            .await
            .expect(422);
    }
}
