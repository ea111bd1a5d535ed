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
                        "HS256 JWT with sub, exp and optional name, picture, scope, roles, org_id",
                    ))
                    .build(),
            ),
        );
    }
}

/// The full document, as `GET /openapi.json` serves it.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    api
}

/// The document as pretty JSON with a trailing newline (what `openapi/openapi.json` holds).
pub fn document_json() -> String {
    let mut json = document().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
