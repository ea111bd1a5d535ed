//! The OpenAPI document, generated from the registered routes.

mod conditional;
pub mod enums;
mod headers;
mod links;
mod money_rules;
mod negotiation;
mod one_of_fields;
pub mod responses;
pub mod scalars;
mod text_rules;
mod webhooks;

use crate::error::{FieldError, Problem};
use crate::platform::rate_limit::classify;
use actix_web::http::Method;
use actix_web::App;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

/// The document's fixed parts; paths come from the routes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "groupbuy",
        description = "Group buying backend: group purchases (/api/v1), campaigns (/v2) and the platform. \
Every response wears the envelope {success, httpStatus, message, action_time, data}; errors add the RFC 9457 \
members (type, title, status, detail, instance, errors[]) and are served as application/problem+json. \
Send Idempotency-Key on POSTs to make retries safe; X-Request-Id is echoed on every response. \
Rate limits per caller (token subject, else client address) and route class (reads, writes, interest, support, \
plus a daily write quota): every answer of a limited operation carries X-RateLimit-Limit, X-RateLimit-Remaining, \
X-RateLimit-Reset (Unix seconds) and the IETF draft's RateLimit-Policy and RateLimit fields; beyond a limit the \
answer is 429 with Retry-After. \
Money is an exact decimal in its currency's decimal places (see the Money schema). \
HEAD is answered on every GET route, like GET without a body.",
        license(name = "MIT", identifier = "MIT"),
        version = "0.1.0"
    ),
    servers((url = "/", description = "The server that serves this document")),
    modifiers(&BearerAuth),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "platform", description = "Health and readiness"),
        (name = "catalog", description = "Shops and products"),
        (name = "wallet", description = "Wallets and their ledgers"),
        (name = "checkout", description = "Checkout sessions paid from the wallet, and orders"),
        (name = "orders", description = "A shop's orders, and its merchant shipping, delivering or cancelling them (the buyer reads theirs under checkout)"),
        (name = "ledger", description = "The merchant ledger: a shop's balance and statement (orders settled less the platform's commission, cancellations, payouts), and the platform admin's payouts and commission rates"),
        (name = "group-purchases", description = "Group instances: join, transfer, rename, history (seed 001)"),
        (name = "campaigns", description = "Campaigns (/v2): a merchant's handles and group-buys with thresholds, their lifecycle, interests and audit"),
        (name = "campaigns-public", description = "Campaigns (/v2/public): published group-buys and the visitor's own interest (token or visitor cookie)"),
        (name = "campaigns-admin", description = "Campaigns (/v2/platform-admin): the rollup across handles and the support reports"),
        (name = "support", description = "Support reports (/v2/support), rate limited per client IP"),
        (name = "procurement", description = "Procurement (/groupbuy): organisations pool commitments toward a target by a deadline; ETag and If-Match on every group buy; tamper-evident audit"),
        (name = "webhooks", description = "Webhook endpoints receiving your events signed per Standard Webhooks 1.0, their deliveries and the event catalogue"),
    )
)]
pub struct ApiDoc;

/// Adds the bearer JWT security scheme.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "HS256 JWT with sub (not blank), exp (at most 24 h ahead by default) and optional \
                         nbf, name, picture, scope, roles, org_id; no control characters in any claim",
                    ))
                    .build(),
            ),
        );
    }
}

/// Documents the failures every operation can answer, whatever its handler: a malformed
/// path, query or body (400), a body over 1 MiB (413), an unavailable database (503) and
/// an internal error (500), all as problem JSON; 401 on every secured operation; on every
/// rate-limited operation, the rate-limit headers of its success answers and 429.
pub struct CommonProblems;

/// The rate-limit headers: name and description.
const RATE_LIMIT_HEADERS: [(&str, &str); 5] = [
    ("X-RateLimit-Limit", "Requests allowed by the binding policy in its window"),
    ("X-RateLimit-Remaining", "Requests left under the binding policy"),
    ("X-RateLimit-Reset", "When the binding policy's quota is whole again (Unix seconds)"),
    (
        "RateLimit-Policy",
        "Every policy that applies (draft-ietf-httpapi-ratelimit-headers), e.g. \"writes\";q=600;w=60, \"daily-writes\";q=10000;w=86400",
    ),
    (
        "RateLimit",
        "What is left of each policy (draft-ietf-httpapi-ratelimit-headers), e.g. \"writes\";r=599;t=1, \"daily-writes\";r=9999;t=43200",
    ),
];

fn text_header(description: &str) -> utoipa::openapi::header::Header {
    use utoipa::openapi::{Object, Type};
    utoipa::openapi::header::HeaderBuilder::new()
        .schema(Object::with_type(Type::String))
        .description(Some(description))
        .build()
}

/// The 429 answer of a rate-limited operation (inline, so every operation documents its
/// own headers).
fn too_many_requests(
    problem: &dyn Fn(&str) -> utoipa::openapi::Response,
) -> utoipa::openapi::Response {
    let mut response =
        problem("Rate limit exceeded for this caller; retry after Retry-After seconds");
    response.headers.insert(
        "Retry-After".into(),
        text_header("Seconds to wait before retrying"),
    );
    for (name, description) in RATE_LIMIT_HEADERS {
        response
            .headers
            .insert(name.into(), text_header(description));
    }
    response
}

/// The rate-limit headers on every answer of a limited operation (the limiter adds them
/// to whatever the operation answers), and its 429.
fn document_rate_limits(
    op: &mut utoipa::openapi::path::Operation,
    too_many: &utoipa::openapi::Response,
) {
    use utoipa::openapi::RefOr;
    for response in op.responses.responses.values_mut() {
        if let RefOr::T(response) = response {
            for (name, description) in RATE_LIMIT_HEADERS {
                response
                    .headers
                    .entry(name.into())
                    .or_insert_with(|| text_header(description));
            }
        }
    }
    op.responses
        .responses
        .entry("429".to_owned())
        .or_insert_with(|| RefOr::T(too_many.clone()));
}

impl Modify for CommonProblems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    crate::error::PROBLEM_JSON,
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
        };
        let too_many = too_many_requests(&problem);
        for (path, item) in openapi.paths.paths.iter_mut() {
            if let Some(post) = item.post.as_mut() {
                document_idempotency(post, &problem);
            }
            let operations = [
                (Method::GET, &mut item.get),
                (Method::POST, &mut item.post),
                (Method::PUT, &mut item.put),
                (Method::PATCH, &mut item.patch),
                (Method::DELETE, &mut item.delete),
            ];
            for (method, op) in operations {
                let Some(op) = op else { continue };
                let limited = classify(&method, path).is_some();
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let responses = &mut op.responses.responses;
                let mut add = |code: &str, description: &str| {
                    responses
                        .entry(code.to_owned())
                        .or_insert_with(|| problem(description).into());
                };
                add("400", "Malformed path, query, header or body");
                if secured {
                    add("401", "No valid bearer token");
                }
                add("413", "Request body larger than 1 MiB");
                add("500", "Internal server error (nothing leaked)");
                add(
                    "503",
                    "Database unavailable; retry after Retry-After seconds",
                );
                if limited {
                    document_rate_limits(op, &too_many);
                }
            }
        }
    }
}

/// Every POST honours `Idempotency-Key`: the header and its two refusals are documented
/// on each, not only where a handler mentions them.
fn document_idempotency(
    op: &mut utoipa::openapi::path::Operation,
    problem: &dyn Fn(&str) -> utoipa::openapi::Response,
) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::{ObjectBuilder, Required, Type};
    let params = op.parameters.get_or_insert_with(Vec::new);
    let is_key =
        |p: &utoipa::openapi::path::Parameter| p.name.eq_ignore_ascii_case("Idempotency-Key");
    // Required where the handler requires it: the handlers that refuse a request without
    // the key (procurement's `require_idempotency_key`) declare it as a non-optional header.
    let required = params
        .iter()
        .any(|p| is_key(p) && matches!(p.required, Required::True));
    // One documented form, also where a handler names the header itself: 1-255 visible
    // ASCII characters (platform::idempotency refuses anything else with 400).
    params.retain(|p| !is_key(p));
    params.push(
        ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(if required {
                Required::True
            } else {
                Required::False
            })
            .description(Some(if required {
                "Required (400 without it). Makes retries safe: the same key and request \
                 replays the stored response (Idempotent-Replayed: true); keys are per \
                 caller and kept 24 h"
            } else {
                "Makes retries safe: the same key and request replays the stored response \
                 (Idempotent-Replayed: true); keys are per caller and kept 24 h"
            }))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(255))
                    .pattern(Some("^[!-~]+$")),
            ))
            .build(),
    );
    let responses = &mut op.responses.responses;
    responses.entry("409".to_owned()).or_insert_with(|| {
        problem("The first request with this Idempotency-Key is still running").into()
    });
    responses
        .entry("422".to_owned())
        .or_insert_with(|| problem("Idempotency-Key already used for a different request").into());
}

/// The full document, as `GET /openapi.json` serves it.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    finish(api)
}

/// Applies what must see every registered path (utoipa runs `#[openapi]` modifiers before
/// utoipa-actix-web adds the routes).
pub fn finish(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    PublicSecurity.modify(&mut api);
    CommonProblems.modify(&mut api);
    // First: the 304s it adds get the platform's headers too.
    conditional::ConditionalGets.modify(&mut api);
    headers::ResponseHeaders.modify(&mut api);
    VisitorCookie.modify(&mut api);
    negotiation::XmlNegotiation.modify(&mut api);
    webhooks::endpoint_rules(&mut api);
    text_rules::add(&mut api);
    money_rules::add(&mut api);
    one_of_fields::add(&mut api);
    links::add(&mut api);
    api
}

/// Every operation states its security: the ones that declare none are public and say so
/// with `security: []`, so a client never sends (or a linter never misses) a token there.
struct PublicSecurity;

impl Modify for PublicSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for op in operations(openapi) {
            op.security.get_or_insert_with(Vec::new);
        }
    }
}

/// Every operation of the document.
pub(crate) fn operations(
    openapi: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [
            item.get.as_mut(),
            item.post.as_mut(),
            item.put.as_mut(),
            item.patch.as_mut(),
            item.delete.as_mut(),
        ]
        .into_iter()
        .flatten()
    })
}

/// The anonymous visitor's cookie, accepted by the operations on the visitor's interest.
struct VisitorCookie;

impl Modify for VisitorCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::Required;
        for op in operations(openapi) {
            let id = op.operation_id.as_deref().unwrap_or_default();
            if !id.starts_with("publicGroupBuys.") || !id.ends_with("MyInterest") {
                continue;
            }
            op.parameters.get_or_insert_with(Vec::new).push(
                ParameterBuilder::new()
                    .name(crate::platform::auth::VISITOR_COOKIE)
                    .parameter_in(ParameterIn::Cookie)
                    .required(Required::False)
                    .description(Some(
                        "The signed anonymous visitor id the server issued (Set-Cookie); \
                         without a token, it names the visitor. A missing or tampered cookie \
                         is a new visitor.",
                    ))
                    .schema(Some(headers::string().build()))
                    .build(),
            );
        }
    }
}

/// The document as pretty JSON with a trailing newline (what `openapi/openapi.json` holds
/// and `GET /openapi.json` serves), with the top-level `webhooks` OpenAPI 3.1 defines.
pub fn document_json() -> String {
    // utoipa 5 serializes a Link's `operationId` and `requestBody` as `operation_id` and
    // `request_body` (no serde rename): the only snake_case keys it writes, renamed here.
    let paths = document()
        .to_pretty_json()
        .unwrap_or_default()
        .replace("\"operation_id\": ", "\"operationId\": ")
        .replace("\"request_body\": ", "\"requestBody\": ");
    let hooks = serde_json::to_string_pretty(&webhooks::webhooks()).unwrap_or_default();
    // utoipa 5 has no `webhooks` field and serializes only `x-` extensions, and a round
    // trip through `serde_json::Value` would reorder every key: append the member as text.
    let body = paths.trim_end().trim_end_matches('}').trim_end();
    format!(
        "{body},\n  \"webhooks\": {}\n}}\n",
        hooks.replace('\n', "\n  ")
    )
}

/// The served document as a JSON value, parsed once (request bodies are checked against
/// its schemas).
pub fn served_value() -> &'static serde_json::Value {
    static VALUE: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    VALUE.get_or_init(|| serde_json::from_str(served_json()).unwrap_or_default())
}

/// The document as `GET /openapi.json` serves it, built once.
pub fn served_json() -> &'static str {
    static JSON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    JSON.get_or_init(document_json)
}
