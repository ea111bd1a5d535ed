//! OpenAPI `links` from each operation that hands out an id to the operations that take
//! it in their path, so a client (or schemathesis' stateful phase) can follow a create to
//! what it created instead of guessing ids that only ever answer 404.

use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::{OpenApi, RefOr};

/// (source operation, its status, target path prefix, (parameter, JSON pointer) pairs).
type Source = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// Where ids come from: the operation and status that answer them, the path prefix the
/// operations taking them live under, and each path parameter's value in that answer.
/// Parameters of the source's own path not listed here pass through (`$request.path`).
const SOURCES: &[Source] = &[
    (
        "procurementGroupBuys.create",
        "201",
        "/groupbuy/{id}",
        &[("id", "/data/id")],
    ),
    (
        "rfq.open",
        "202",
        "/groupbuy/jobs/{job_id}",
        &[("job_id", "/data/id")],
    ),
    (
        "allocation.create",
        "202",
        "/groupbuy/jobs/{job_id}",
        &[("job_id", "/data/id")],
    ),
    (
        "shops.create",
        "201",
        "/api/v1/shops/{shopId}",
        &[("shopId", "/data/shopId")],
    ),
    (
        "products.create",
        "201",
        "/api/v1/products/{productId}",
        &[("productId", "/data/productId")],
    ),
    (
        "products.create",
        "201",
        "/api/v1/group-purchases/product/{productId}",
        &[("productId", "/data/productId")],
    ),
    (
        "checkoutSessions.create",
        "201",
        "/api/v1/checkout-sessions/{sessionId}",
        &[("sessionId", "/data/sessionId")],
    ),
    (
        "checkoutSessions.processPayment",
        "200",
        "/api/v1/group-purchases/code/{groupCode}",
        &[("groupCode", "/data/groupCode")],
    ),
    (
        "checkoutSessions.processPayment",
        "200",
        "/api/v1/group-purchases/{groupId}",
        &[("groupId", "/data/groupInstanceId")],
    ),
    (
        "checkoutSessions.processPayment",
        "200",
        "/api/v1/groups/{groupId}",
        &[("groupId", "/data/groupInstanceId")],
    ),
    (
        "orders.listMine",
        "200",
        "/api/v1/orders/{orderId}",
        &[("orderId", "/data/items/0/orderId")],
    ),
    (
        "orders.listByShop",
        "200",
        "/api/v1/orders/{orderId}",
        &[("orderId", "/data/items/0/orderId")],
    ),
    (
        "handles.create",
        "201",
        "/v2/handles/{handle}",
        &[("handle", "/data/handle")],
    ),
    (
        "handles.create",
        "201",
        "/v2/public/group-buys/{handle}",
        &[("handle", "/data/handle")],
    ),
    (
        "groupBuys.create",
        "201",
        "/v2/handles/{handle}/group-buys/{groupBuySlug}",
        &[("groupBuySlug", "/data/slug")],
    ),
    (
        "groupBuys.create",
        "201",
        "/v2/public/group-buys/{handle}/{groupBuySlug}",
        &[("groupBuySlug", "/data/slug")],
    ),
    (
        "checkoutSessions.processPayment",
        "200",
        "/api/v1/platform-admin/group-purchases/{groupId}",
        &[("groupId", "/data/groupInstanceId")],
    ),
    (
        "settlement.create",
        "201",
        "/groupbuy/{id}/settlement/documents/{doc_id}",
        &[("doc_id", "/data/documents/0/id")],
    ),
    (
        "settlement.get",
        "200",
        "/groupbuy/{id}/settlement/documents/{doc_id}",
        &[("doc_id", "/data/documents/0/id")],
    ),
    (
        "webhooks.createEndpoint",
        "201",
        "/webhooks/endpoints/{id}",
        &[("id", "/data/id")],
    ),
    (
        "webhooks.sendTest",
        "202",
        "/webhooks/deliveries/{id}",
        &[("id", "/data/id")],
    ),
];

/// (source operation, its status, target operation, (body field, JSON pointer) pairs).
type BodySource = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// Ids an operation takes in its body, not its path: (source operation, its status, target
/// operation, (body field, JSON pointer in the source's answer) pairs). The link's
/// `requestBody` names only these fields; a client (and schemathesis, which merges it into
/// the body it generates) fills in the rest.
const BODY_SOURCES: &[BodySource] = &[(
    "products.create",
    "201",
    "checkoutSessions.create",
    &[("productId", "/data/productId")],
)];

/// The `{name}` parameters of a path template.
fn path_params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

/// Adds the links of [`SOURCES`]: from the source's answer to every operation under the
/// prefix whose path parameters are all known; then those of [`BODY_SOURCES`].
pub fn add(api: &mut OpenApi) {
    add_path_links(api);
    for op in super::operations(api) {
        let id = op.operation_id.clone().unwrap_or_default();
        for (source, status, target, fields) in BODY_SOURCES {
            let Some(RefOr::T(response)) = (*source == id)
                .then(|| op.responses.responses.get_mut(*status))
                .flatten()
            else {
                continue;
            };
            let body: serde_json::Map<String, serde_json::Value> = fields
                .iter()
                .map(|(field, pointer)| {
                    (
                        (*field).to_owned(),
                        format!("$response.body#{pointer}").into(),
                    )
                })
                .collect();
            let link = LinkBuilder::new()
                .operation_id(*target)
                .request_body(Some(serde_json::Value::Object(body)));
            response
                .links
                .insert((*target).to_owned(), link.build().into());
        }
    }
}

/// The path-parameter links of [`SOURCES`].
fn add_path_links(api: &mut OpenApi) {
    let mut targets = Vec::new();
    for (path, item) in &api.paths.paths {
        let ops = [&item.get, &item.put, &item.post, &item.delete, &item.patch];
        for op in ops.into_iter().flatten() {
            if let Some(id) = &op.operation_id {
                targets.push((path.clone(), id.clone()));
            }
        }
    }
    for (source_path, item) in api.paths.paths.iter_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in ops.into_iter().flatten() {
            let id = op.operation_id.clone().unwrap_or_default();
            for (source, status, prefix, values) in SOURCES {
                if *source != id {
                    continue;
                }
                let Some(RefOr::T(response)) = op.responses.responses.get_mut(*status) else {
                    continue;
                };
                let own = path_params(source_path);
                for (target_path, target_id) in &targets {
                    let under =
                        target_path == prefix || target_path.starts_with(&format!("{prefix}/"));
                    if !under || *target_id == id {
                        continue;
                    }
                    let mut link = LinkBuilder::new().operation_id(target_id.clone());
                    let mut complete = true;
                    for name in path_params(target_path) {
                        if let Some((_, pointer)) = values.iter().find(|(n, _)| *n == name) {
                            link = link.parameter(name, format!("$response.body#{pointer}"));
                        } else if own.contains(&name) {
                            link = link.parameter(name, format!("$request.path.{name}"));
                        } else {
                            complete = false;
                        }
                    }
                    if complete {
                        response
                            .links
                            .insert(target_id.clone(), link.build().into());
                    }
                }
            }
        }
    }
}
