//! The OpenAPI document, generated from the registered routes.

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
answer is 429 with Retry-After.",
        license(name = "MIT", identifier = "MIT"),
        version = "0.1.0"
    ),
    modifiers(&BearerAuth),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "platform", description = "Health and readiness"),
        (name = "catalog", description = "Shops and products"),
        (name = "wallet", description = "Wallets and their ledgers"),
        (name = "checkout", description = "Checkout sessions paid from the wallet, and orders"),
        (name = "group-purchases", description = "Group instances: join, transfer, rename, history (seed 001)"),
        (name = "campaigns", description = "Campaigns (/v2): handles, group-buys with thresholds, public interest, admin rollup, support reports"),
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

/// The reusable 429 answer (`#/components/responses/TooManyRequests`).
const TOO_MANY_REQUESTS: &str = "TooManyRequests";

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

/// Adds the 429 answer to the components.
fn too_many_requests(
    openapi: &mut utoipa::openapi::OpenApi,
    problem: &dyn Fn(&str) -> utoipa::openapi::Response,
) {
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
    openapi
        .components
        .get_or_insert_with(Default::default)
        .responses
        .insert(TOO_MANY_REQUESTS.into(), response.into());
}

/// The rate-limit headers on the success answers of a limited operation, and its 429.
fn document_rate_limits(op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::{Ref, RefOr};
    for (code, response) in op.responses.responses.iter_mut() {
        if let (true, RefOr::T(response)) = (code.starts_with('2'), response) {
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
        .or_insert_with(|| RefOr::Ref(Ref::from_response_name(TOO_MANY_REQUESTS)));
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
        too_many_requests(openapi, &problem);
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
                if classify(&method, path).is_some() {
                    document_rate_limits(op);
                }
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let responses = &mut op.responses.responses;
                let mut add = |code: &str, description: &str| {
                    responses
                        .entry(code.to_owned())
                        .or_insert_with(|| problem(description).into());
                };
                add("400", "Malformed path, query, header or body");
                if secured {
                    add("401", "User not authenticated");
                }
                add("413", "Request body larger than 1 MiB");
                add("500", "Internal server error (nothing leaked)");
                add(
                    "503",
                    "Database unavailable; retry after Retry-After seconds",
                );
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
    use utoipa::openapi::{Object, Required, Type};
    let params = op.parameters.get_or_insert_with(Vec::new);
    if !params
        .iter()
        .any(|p| p.name.eq_ignore_ascii_case("Idempotency-Key"))
    {
        params.push(
            ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "Makes retries safe: the same key and request replays the stored response \
                     (Idempotent-Replayed: true); keys are per caller and kept 24 h",
                ))
                .schema(Some(Object::with_type(Type::String)))
                .build(),
        );
    }
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
    CommonProblems.modify(&mut api);
    api
}

/// The document as pretty JSON with a trailing newline (what `openapi/openapi.json` holds).
pub fn document_json() -> String {
    let mut json = document().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
