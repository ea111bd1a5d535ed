//! Shops and products over HTTP.

use crate::helpers::TestApp;
use serde_json::json;

#[actix_web::test]
async fn a_merchant_creates_a_shop_and_a_product() {
    for app in TestApp::all().await {
        let shop = app.shop("m1").await;
        let got = app
            .get(&format!("/api/v1/shops/{shop}"), None)
            .await
            .expect(200);
        assert_eq!(got.data()["ownerId"], "m1");
        let p = app
            .product(
                "m1",
                json!({"groupPrice": 80000.5, "groupTimeLimitHours": 0.25}),
            )
            .await;
        assert_eq!(p["groupPrice"].to_string(), "80000.50");
        assert_eq!(p["regularPrice"].to_string(), "150000.00");
        assert_eq!(p["currency"], "TZS");
        let id = p["productId"].as_str().expect("id");
        let got = app
            .get(&format!("/api/v1/products/{id}"), None)
            .await
            .expect(200);
        assert_eq!(got.data()["availableQuantity"], 1000);
        assert_eq!(got.data()["reservedQuantity"], 0);
        assert_eq!(got.data()["groupTimeLimitHours"].to_string(), "0.25");
    }
}

#[actix_web::test]
async fn product_validation_names_each_field() {
    for app in TestApp::all().await {
        let shop = app.shop("m1").await;
        let t = app.token("m1", &["merchant"]);
        let base = json!({"productName": "P", "regularPrice": 100, "groupPrice": 80, "stockQuantity": 5,
                          "groupBuyingEnabled": true, "groupMaxSize": 3, "groupTimeLimitHours": 1});
        let cases = [
            (json!({"groupPrice": 100}), "groupPrice"),
            (json!({"groupPrice": 0}), "groupPrice"),
            (json!({"regularPrice": -1}), "regularPrice"),
            (json!({"regularPrice": 100.001}), "regularPrice"),
            (json!({"groupMaxSize": 0}), "groupMaxSize"),
            (json!({"groupTimeLimitHours": 0}), "groupTimeLimitHours"),
            (json!({"stockQuantity": -1}), "stockQuantity"),
            (json!({"maxPerCustomer": 0}), "maxPerCustomer"),
            (json!({"currency": "XXX"}), "currency"),
            (json!({"productName": " "}), "productName"),
        ];
        for (patch, field) in cases {
            let mut body = base.clone();
            for (k, v) in patch.as_object().expect("object") {
                body[k] = v.clone();
            }
            let r = app
                .post(&format!("/api/v1/shops/{shop}/products"), Some(&t), body)
                .await
                .expect(422);
            assert_eq!(r.body["errors"][0]["field"], field, "{}", r.body);
        }
    }
}

#[actix_web::test]
async fn ownership_is_enforced_with_404() {
    for app in TestApp::all().await {
        let shop = app.shop("m1").await;
        let intruder = app.token("m2", &["merchant"]);
        let body = json!({"productName": "P", "regularPrice": 100, "groupPrice": 80, "stockQuantity": 5,
                          "groupBuyingEnabled": true, "groupMaxSize": 3, "groupTimeLimitHours": 1});
        app.post(
            &format!("/api/v1/shops/{shop}/products"),
            Some(&intruder),
            body,
        )
        .await
        .expect(404);
        let p = app.product("m1", json!({})).await;
        let id = p["productId"].as_str().expect("id");
        app.patch(
            &format!("/api/v1/products/{id}"),
            Some(&intruder),
            json!({"stockQuantity": 1}),
        )
        .await
        .expect(404);
        let owner = app.token("m1", &["merchant"]);
        let r = app
            .patch(
                &format!("/api/v1/products/{id}"),
                Some(&owner),
                json!({"stockQuantity": 7, "productImage": null}),
            )
            .await
            .expect(200);
        assert_eq!(r.data()["stockQuantity"], 7);
        assert!(r.data()["productImage"].is_null());
        app.patch(
            &format!("/api/v1/products/{id}"),
            Some(&owner),
            json!({"groupPrice": 200000}),
        )
        .await
        .expect(422);
        app.get(&format!("/api/v1/products/{}", uuid::Uuid::new_v4()), None)
            .await
            .expect(404);
    }
}
