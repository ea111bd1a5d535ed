//! The committed OpenAPI document matches the code (`make openapi` regenerates it).

use std::path::PathBuf;

#[test]
fn committed_openapi_document_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../openapi/openapi.json");
    let generated = groupbuy_api::openapi::document_json();
    if std::env::var("GROUPBUY_WRITE_OPENAPI").is_ok() {
        std::fs::write(&path, &generated).expect("write openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: run `make openapi` and commit it"
    );
}

#[test]
fn every_operation_documents_its_responses() {
    let doc: serde_json::Value =
        serde_json::from_str(&groupbuy_api::openapi::document_json()).expect("json");
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path} has no responses"
            );
        }
    }
}
