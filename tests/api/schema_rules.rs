//! The document states what validation enforces (issue 17, item 14), so a client, or a
//! fuzzer, following it sends what the server accepts: each rule below is one the server
//! answered with 422 to data the schema allowed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{json, Value};

fn schema(name: &str) -> &'static Value {
    &groupbuy_api::openapi::served_value()["components"]["schemas"][name]
}

#[test]
fn webhook_endpoints_list_the_event_types_and_the_url_shape() {
    for body in ["CreateEndpointRequest", "UpdateEndpointRequest"] {
        let props = &schema(body)["properties"];
        let names = props["events"]["items"]["enum"].as_array().expect("enum");
        for t in <groupbuy_domain::platform::EventType as groupbuy_domain::IntoEnumIterator>::iter()
        {
            assert!(
                names.contains(&json!(t.as_str())),
                "{body} lacks {}",
                t.as_str()
            );
        }
        assert!(names.contains(&json!("*")), "{body}");
        assert_eq!(props["events"]["minItems"], 1, "{body}");
        let url =
            regex::Regex::new(props["url"]["pattern"].as_str().expect("pattern")).expect("regex");
        for good in ["https://hooks.example.com/groupbuy", "HTTP://h:8080/x?y#z"] {
            assert!(url.is_match(good), "{good}");
        }
        for bad in [
            "/relative",
            "ftp://h/x",
            "https://",
            "https://u:p@h/x",
            "https://h /x",
        ] {
            assert!(!url.is_match(bad), "{bad}");
        }
    }
}

#[test]
fn bounds_the_domain_enforces_are_in_the_schema() {
    let create = &schema("CreateGroupBuyBody")["properties"];
    for field in ["target_quantity", "min_commitment"] {
        assert_eq!(create[field]["maximum"], 1_000_000_000, "{field}");
    }
    let hours = &schema("CreateProductRequest")["properties"]["groupTimeLimitHours"];
    assert!(hours["minimum"].as_f64().expect("minimum") * 3600.0 >= 1.0);
    assert_eq!(
        schema("UpdateProductRequest")["properties"]["groupMaxSize"]["minimum"],
        1
    );
    // A campaign's thresholds set at least one of the two.
    let rule = &schema("ThresholdsBody")["allOf"][0];
    assert_eq!(
        rule["if"]["properties"]["minParticipants"],
        json!({"type": "null"})
    );
    assert_eq!(rule["then"]["required"], json!(["minQuantity"]));
    // The example a client copies is one the server accepts.
    let example = &schema("CreateProductRequest")["example"];
    assert!(example["groupPrice"].as_f64() < example["regularPrice"].as_f64());
}

#[test]
fn a_created_product_links_to_the_checkout_that_takes_its_id() {
    let doc = groupbuy_api::openapi::served_value();
    let link = &doc["paths"]["/api/v1/shops/{shopId}/products"]["post"]["responses"]["201"]
        ["links"]["checkoutSessions.create"];
    assert_eq!(link["operationId"], "checkoutSessions.create");
    assert_eq!(
        link["requestBody"],
        json!({"productId": "$response.body#/data/productId"})
    );
}
