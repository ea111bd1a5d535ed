//! Conditional GETs in the document: every GET's 200 carries `ETag`, `Cache-Control` and
//! `Vary`, takes `If-None-Match`, and may answer 304 (`platform::conditional`).

use super::headers::{header, string};
use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::{RefOr, ResponseBuilder};
use utoipa::Modify;

/// Adds the conditional-GET parameter, headers and 304 to every GET operation.
pub(super) struct ConditionalGets;

impl Modify for ConditionalGets {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let Some(op) = item.get.as_mut() else {
                continue;
            };
            let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200") else {
                continue;
            };
            for (name, what) in [
                (
                    "ETag",
                    "A weak entity tag of the data (`W/\"...\"`; the answer time does not count): \
                     send it back as If-None-Match",
                ),
                (
                    "Cache-Control",
                    "`public, max-age=2` without credentials, `private, no-cache` with a token \
                     or cookie",
                ),
                ("Vary", "`Authorization, Cookie`"),
            ] {
                ok.headers.insert(name.into(), header(what, string()));
            }
            let not_modified = ResponseBuilder::new()
                .description(
                    "Not modified: the If-None-Match tag still names the data (no body; \
                     ETag and Cache-Control repeated)",
                )
                .header("ETag", header("The unchanged entity tag", string()))
                .build();
            op.responses
                .responses
                .insert("304".into(), RefOr::T(not_modified));
            let parameters = op.parameters.get_or_insert_with(Vec::new);
            if !parameters.iter().any(|p| p.name == "If-None-Match") {
                parameters.push(
                    ParameterBuilder::new()
                        .name("If-None-Match")
                        .parameter_in(ParameterIn::Header)
                        .description(Some(
                            "The ETag of a copy you hold: 304 without a body while it is current",
                        ))
                        .schema(Some(string()))
                        .build(),
                );
            }
        }
    }
}
