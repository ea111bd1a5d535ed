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

fn document() -> serde_json::Value {
    serde_json::from_str(&groupbuy_api::openapi::document_json()).expect("json")
}

/// Every operation of the document with its method and path.
fn operations(doc: &serde_json::Value) -> Vec<(String, String, serde_json::Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            ops.push((method.clone(), path.clone(), op.clone()));
        }
    }
    ops
}

/// Every schema object of the document, with where it is.
fn schemas(value: &serde_json::Value, at: String, out: &mut Vec<(String, serde_json::Value)>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(props) = map.get("properties").and_then(|p| p.as_object()) {
                for (name, schema) in props {
                    out.push((format!("{at}.{name}"), schema.clone()));
                }
            }
            for (k, v) in map {
                schemas(v, format!("{at}/{k}"), out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                schemas(v, format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The `$ref` of a property, through a nullable `oneOf`.
fn reference(schema: &serde_json::Value) -> Option<String> {
    schema["$ref"].as_str().map(str::to_owned).or_else(|| {
        schema["oneOf"]
            .as_array()?
            .iter()
            .find_map(|s| s["$ref"].as_str().map(str::to_owned))
    })
}

#[test]
fn envelopes_and_pages_reference_their_resources() {
    let doc = document();
    let components = doc["components"]["schemas"].as_object().expect("schemas");
    let mut envelopes = 0;
    for (name, schema) in components {
        let data = &schema["properties"]["data"];
        if name.starts_with("Envelope_") {
            envelopes += 1;
            let target = reference(data)
                .or_else(|| data["items"]["$ref"].as_str().map(str::to_owned))
                .unwrap_or_else(|| panic!("{name}.data inlines its schema: {data}"));
            let target = target.trim_start_matches("#/components/schemas/");
            assert!(components.contains_key(target), "{name} -> {target}");
        }
        if name.starts_with("PageView_") {
            let item = schema["properties"]["items"]["items"]["$ref"]
                .as_str()
                .unwrap_or_else(|| panic!("{name}.items inlines its schema"));
            assert!(
                item.ends_with(name.trim_start_matches("PageView_")),
                "{name}"
            );
        }
    }
    assert!(envelopes > 10);
    // the resource a client gets back is the one schema, not a copy per operation
    let product = &doc["paths"]["/api/v1/products/{productId}"]["get"]["responses"]["200"];
    assert_eq!(
        product["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/Envelope_ProductView"
    );
    assert_eq!(
        components["Envelope_ProductView"]["properties"]["data"]["$ref"],
        "#/components/schemas/ProductView"
    );
}

#[test]
fn timestamps_are_dates_and_closed_sets_are_enums() {
    let doc = document();
    let components = &doc["components"]["schemas"];
    let mut found = Vec::new();
    schemas(&doc, String::new(), &mut found);
    let enum_of = |schema: &serde_json::Value| -> bool {
        let target = reference(schema)
            .or_else(|| schema["items"]["$ref"].as_str().map(str::to_owned))
            .map(|r| r.trim_start_matches("#/components/schemas/").to_owned());
        match target {
            Some(t) => components[t.as_str()]["enum"].is_array(),
            None => schema["enum"].is_array(),
        }
    };
    let (mut dates, mut sets) = (0, 0);
    for (at, schema) in &found {
        let name = at.rsplit('.').next().unwrap_or_default();
        if name.ends_with("At") || name == "at" || name == "action_time" {
            assert_eq!(schema["format"], "date-time", "{at}: {schema}");
            dates += 1;
        }
        let closed = [
            "status",
            "kind",
            "action",
            "currency",
            "httpStatus",
            "sessionType",
        ];
        let code = schema["type"] == "integer"; // Problem.status: the number, 400-599
        let counts = name == "countsByStatus"; // an object keyed by the statuses
        if !code
            && !counts
            && (closed.contains(&name)
                || name.ends_with("Status")
                || name == "paymentMethod"
                || name == "allowedActions")
        {
            assert!(enum_of(schema), "{at} is not an enum: {schema}");
            sets += 1;
        }
        assert!(
            schema["pattern"]
                .as_str()
                .is_none_or(|p| !p.starts_with("^[A-Z_]+$")),
            "{at}"
        );
    }
    assert!(dates > 40, "{dates}");
    assert!(sets > 20, "{sets}");
    // query filters are the same enums
    let my_groups = &doc["paths"]["/api/v1/group-purchases/my-groups"]["get"]["parameters"][0];
    assert_eq!(
        my_groups["schema"]["$ref"],
        "#/components/schemas/GroupStatus"
    );
}

#[test]
fn money_is_exact_and_documented() {
    let doc = document();
    let mut found = Vec::new();
    schemas(&doc, String::new(), &mut found);
    let money = [
        "regularPrice",
        "groupPrice",
        "unitPrice",
        "totalAmount",
        "amount",
        "balance",
        "balanceAfter",
        "amountPaid",
        "totalPaid",
        "savingsAmount",
    ];
    let mut n = 0;
    for (at, schema) in &found {
        let name = at.rsplit('.').next().unwrap_or_default();
        // A currency's `then` narrows an amount declared as money next to it.
        if money.contains(&name) && !at.contains("/then") {
            let r = reference(schema).unwrap_or_else(|| panic!("{at} is not Money: {schema}"));
            assert!(
                r.ends_with("/Money") || r.ends_with("/PositiveMoney"),
                "{at}"
            );
            n += 1;
        }
    }
    assert!(n > 20, "{n}");
    let m = &doc["components"]["schemas"]["Money"];
    assert_eq!(m["type"], "number");
    assert_eq!(m["x-decimal-places"]["TZS"], 2);
    assert!(m["description"]
        .as_str()
        .unwrap_or_default()
        .contains("422"));
    // Each currency's step and bounds next to the currency a body sends (issue 17, item 14).
    assert_eq!(
        doc["components"]["schemas"]["PositiveMoney"]["multipleOf"],
        0.001
    );
    let rules = doc["components"]["schemas"]["CreditRequest"]["allOf"]
        .as_array()
        .expect("per-currency rules");
    let tzs = rules
        .iter()
        .find(|r| {
            r["if"]["properties"]["currency"]["enum"]
                .as_array()
                .is_some_and(|codes| codes.contains(&serde_json::json!("TZS")))
        })
        .expect("a rule for TZS");
    assert_eq!(tzs["then"]["properties"]["amount"]["multipleOf"], 0.01);
    assert_eq!(
        tzs["then"]["properties"]["amount"]["maximum"],
        10_000_000_000_000_i64
    );
}

#[test]
fn operations_read_well_in_a_client_and_state_their_security() {
    let doc = document();
    assert!(doc["servers"].as_array().is_some_and(|s| !s.is_empty()));
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    let mut ids = std::collections::BTreeSet::new();
    for (method, path, op) in operations(&doc) {
        let id = op["operationId"].as_str().unwrap_or_default();
        let (group, verb) = id.split_once('.').unwrap_or_default();
        assert!(
            !group.is_empty()
                && !verb.is_empty()
                && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
                && group.starts_with(|c: char| c.is_ascii_lowercase())
                && verb.starts_with(|c: char| c.is_ascii_lowercase()),
            "{method} {path}: operationId {id:?} is not `resource.verb`"
        );
        assert!(ids.insert(id.to_owned()), "duplicate operationId {id}");
        let tag = op["tags"][0].as_str().unwrap_or_default();
        assert!(
            tags.contains(&tag),
            "{method} {path}: tag {tag:?} undeclared"
        );
        let security = op["security"]
            .as_array()
            .unwrap_or_else(|| panic!("{method} {path} states no security"));
        // public `[]`, bearer `[{bearer}]`, optional `[{}, {bearer}]`
        let bearer = security.iter().any(|s| s.get("bearer").is_some());
        let anonymous = security
            .iter()
            .any(|s| s.as_object().is_some_and(|o| o.is_empty()));
        assert_eq!(
            op["responses"].get("401").is_some(),
            bearer,
            "{method} {path}: 401 documented iff a token is read"
        );
        for (code, response) in op["responses"].as_object().expect("responses") {
            assert!(
                response["headers"].get("X-Request-Id").is_some(),
                "{method} {path} {code}: X-Request-Id undocumented"
            );
            if method == "post" && code.starts_with('2') {
                assert!(response["headers"].get("Idempotent-Replayed").is_some());
            }
            if code == "503" || code == "429" {
                assert!(response["headers"].get("Retry-After").is_some());
            }
        }
        if path.ends_with("/my-interest") {
            assert!(bearer && anonymous, "{method} {path}: token optional");
            let params = op["parameters"].as_array().expect("params");
            assert!(params
                .iter()
                .any(|p| p["in"] == "cookie" && p["name"] == "gb_visitor"));
        }
    }
    assert!(ids.contains("groupPurchases.getById"));
    let public = &doc["paths"]["/api/v1/products/{productId}"]["get"]["security"];
    assert_eq!(public, &serde_json::json!([]));
    let report = &doc["paths"]["/v2/support/report"]["post"]["responses"];
    assert!(report["201"]["headers"]
        .get("X-RateLimit-Remaining")
        .is_some());
    assert!(report["429"]["headers"].get("Retry-After").is_some());
}

#[test]
fn the_document_is_the_same_on_every_generation() {
    let first = groupbuy_api::openapi::document_json();
    for _ in 0..8 {
        assert!(
            groupbuy_api::openapi::document_json() == first,
            "unstable order"
        );
    }
}

#[test]
fn every_event_type_is_a_documented_webhook_with_its_payload() {
    let doc = document();
    let hooks = doc["webhooks"].as_object().expect("top-level webhooks");
    for t in <groupbuy_domain::platform::EventType as groupbuy_domain::IntoEnumIterator>::iter() {
        let op = &hooks[t.as_str()]["post"];
        let schema = &op["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(schema["properties"]["type"]["enum"][0], t.as_str());
        assert!(
            schema["properties"]["data"]["properties"].is_object(),
            "{t}: data schema"
        );
        let headers: Vec<_> = op["parameters"]
            .as_array()
            .expect("headers")
            .iter()
            .map(|p| p["name"].as_str().expect("name"))
            .collect();
        assert_eq!(
            headers,
            [
                "webhook-id",
                "webhook-timestamp",
                "webhook-signature",
                "X-Request-Id"
            ]
        );
    }
    assert_eq!(
        hooks.len(),
        <groupbuy_domain::platform::EventType as groupbuy_domain::IntoEnumIterator>::iter().count()
    );
    // The rest of the document is utoipa's, untouched by appending the member (but for
    // the links' `operationId` and `requestBody`, which utoipa 5 writes in snake_case).
    let mut without = doc.clone();
    without.as_object_mut().expect("object").remove("webhooks");
    let utoipa = serde_json::to_string(&groupbuy_api::openapi::document()).expect("json");
    let paths: serde_json::Value = serde_json::from_str(
        &utoipa
            .replace("\"operation_id\":", "\"operationId\":")
            .replace("\"request_body\":", "\"requestBody\":"),
    )
    .expect("json");
    assert_eq!(without, paths);
}

/// Whether a parameter or property schema is a string (maybe nullable).
fn is_string(schema: &serde_json::Value) -> bool {
    schema["type"] == "string"
        || schema["type"]
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t == "string"))
}

/// A free string's pattern refuses a control character (the server's rule for every
/// string of a body, a path or a query); enums and formats say their own set.
fn assert_states_characters(at: &str, schema: &serde_json::Value) {
    if !is_string(schema) || schema.get("enum").is_some() || schema.get("format").is_some() {
        return;
    }
    let pattern = schema["pattern"]
        .as_str()
        .unwrap_or_else(|| panic!("{at}: a free string without a pattern"));
    let re = regex::Regex::new(pattern).unwrap_or_else(|e| panic!("{at}: {pattern}: {e}"));
    assert!(
        !re.is_match("ab\u{1}cd"),
        "{at}: {pattern} accepts a control character"
    );
}

/// The string schemas a request body reaches (through `$ref`, `oneOf` and `items`).
fn body_strings(
    doc: &serde_json::Value,
    schema: &serde_json::Value,
    at: &str,
    seen: &mut std::collections::BTreeSet<String>,
    out: &mut Vec<(String, serde_json::Value)>,
) {
    if let Some(r) = schema["$ref"].as_str() {
        if seen.insert(r.to_owned()) {
            let name = r.trim_start_matches("#/components/schemas/");
            body_strings(doc, &doc["components"]["schemas"][name], name, seen, out);
        }
        return;
    }
    for s in schema["oneOf"].as_array().into_iter().flatten() {
        body_strings(doc, s, at, seen, out);
    }
    if schema.get("items").is_some() {
        body_strings(doc, &schema["items"], &format!("{at}[]"), seen, out);
    }
    for (name, p) in schema["properties"].as_object().into_iter().flatten() {
        body_strings(doc, p, &format!("{at}.{name}"), seen, out);
    }
    if is_string(schema) {
        out.push((at.to_owned(), schema.clone()));
    }
}

/// What validation enforces, the schema says (so a generator following it is not refused):
/// ids in paths have their exact spelling, and every free string a request sends refuses
/// the control characters the server refuses.
#[test]
fn request_strings_say_what_the_server_accepts() {
    let doc = document();
    let mut strings = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (method, path, op) in operations(&doc) {
        for p in op["parameters"].as_array().into_iter().flatten() {
            if p["in"] != "header" {
                let at = format!("{method} {path} {}", p["name"]);
                strings.push((at, p["schema"].clone()));
            }
        }
        for c in op["requestBody"]["content"]
            .as_object()
            .into_iter()
            .flatten()
        {
            body_strings(
                &doc,
                &c.1["schema"],
                &format!("{method} {path}"),
                &mut seen,
                &mut strings,
            );
        }
    }
    assert!(
        strings.len() > 50,
        "only {} request strings found",
        strings.len()
    );
    for (at, schema) in &strings {
        assert_states_characters(at, schema);
    }
    let param = |path: &str, name: &str| {
        let op = &doc["paths"][path]["get"];
        let p = op["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == name));
        p.map(|p| p["schema"].clone()).unwrap_or_default()
    };
    let exact = [
        ("/groupbuy/{id}", "id", "^gb_[0-9a-f]{32}$"),
        ("/groupbuy/jobs/{job_id}", "job_id", "^job_[0-9a-f]{32}$"),
        ("/webhooks/endpoints/{id}", "id", "^we_[0-9a-f]{32}$"),
        ("/v2/handles/{handle}", "handle", "^[a-z0-9-]{3,40}$"),
        (
            "/api/v1/group-purchases/code/{groupCode}",
            "groupCode",
            "^GP-[A-Z0-9]{6}$",
        ),
        ("/groupbuy", "cursor", "^[0-9]{0,18}$"),
    ];
    for (path, name, pattern) in exact {
        assert_eq!(param(path, name)["pattern"], pattern, "{path} {name}");
    }
    // An optional body is left out, never sent as `null` (a 400).
    let interest =
        &doc["paths"]["/v2/public/group-buys/{handle}/{groupBuySlug}/my-interest"]["put"];
    let body = &interest["requestBody"];
    assert_eq!(
        body["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/InterestBody"
    );
    assert!(
        body.get("required").is_none(),
        "the interest body is optional"
    );
    let create = &doc["components"]["schemas"]["CreateGroupBuyBody"]["properties"];
    assert_eq!(
        (
            create["items"]["minItems"].as_u64(),
            create["items"]["maxItems"].as_u64()
        ),
        (Some(1), Some(100))
    );
}
