//! The OpenAPI document, generated from the registered routes.

use crate::error::{FieldError, Problem};
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
Send Idempotency-Key on POSTs to make retries safe; X-Request-Id is echoed on every response.",
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
/// an internal error (500), all as problem JSON; 401 on every secured operation.
pub struct CommonProblems;

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
        for item in openapi.paths.paths.values_mut() {
            if let Some(post) = item.post.as_mut() {
                document_idempotency(post, &problem);
            }
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for op in operations.into_iter().flatten() {
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
