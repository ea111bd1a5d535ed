//! Whole numbers spelled with a fraction or an exponent (`40.0`, `1e3`) in integer fields
//! (issue 17, item 14): JSON Schema counts them as integers, so a client following the
//! document may send them, and every integer field of every body accepts them; a number
//! with a fraction (`10.5`) is still refused with a 422 naming its field.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::helpers::TestApp;
use serde_json::{json, Value};

/// A JSON number as written (`1e3` stays `1e3` on the wire).
fn number(text: &str) -> Value {
    serde_json::from_str(text).expect("a JSON number")
}

#[actix_web::test]
async fn integral_floats_are_integers_and_fractions_are_refused() {
    for app in TestApp::all().await {
        let m = app.token("m1", &["merchant"]);
        let shop = app.shop("m1").await;
        let path = format!("/api/v1/shops/{shop}/products");
        let body = |stock: Value, size: Value| {
            json!({"productName": "Lamp", "regularPrice": 100, "groupPrice": 80,
                "stockQuantity": stock, "groupBuyingEnabled": true,
                "groupMaxSize": size, "groupTimeLimitHours": 24})
        };
        let created = app
            .post(&path, Some(&m), body(number("40.0"), number("1e1")))
            .await
            .expect(201);
        assert_eq!(created.data()["stockQuantity"], 40, "{}", created.body);
        assert_eq!(created.data()["groupMaxSize"], 10, "{}", created.body);
        // The same product sent with plain integers is the same product.
        let plain = app
            .post(&path, Some(&m), body(json!(40), json!(10)))
            .await
            .expect(201);
        assert_eq!(
            plain.data()["stockQuantity"],
            created.data()["stockQuantity"]
        );

        let refused = app
            .post(&path, Some(&m), body(number("40.5"), json!(10)))
            .await
            .expect(422);
        assert_eq!(
            refused.body["errors"][0]["field"], "stockQuantity",
            "{}",
            refused.body
        );
        let reason = refused.body["errors"][0]["reason"]
            .as_str()
            .unwrap_or_default();
        assert!(reason.contains("40.5"), "{reason}");

        // Beyond 64 bits a whole number is not one any integer field holds.
        app.post(&path, Some(&m), body(number("1e30"), json!(10)))
            .await
            .expect(422);
    }
}
