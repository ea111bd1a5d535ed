//! Conditional GETs in the document: every GET's 200 carries `ETag`, `Cache-Control` and
//! `Vary`, takes `If-None-Match`, and may answer 304 (`platform::conditional`). The reads
//! served from the read model say their tag is strong; the others say why theirs is weak.

use super::headers::{header, string};
use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::{RefOr, ResponseBuilder};
use utoipa::Modify;

/// Adds the conditional-GET parameter, headers and 304 to every GET operation.
pub(super) struct ConditionalGets;

/// The reads answered from the read model, with a strong tag.
const STRONG: [&str; 3] = [
    "groupPurchases.getById",
    "groupPurchases.getByCode",
    "publicGroupBuys.get",
];

/// The `ETag` of a read-model answer.
const STRONG_TAG: &str = "A strong entity tag (`\"...\"`) of this answer: the data's version and, \
     where the answer is the caller's, who asks (no two callers share one). Every answer with \
     this tag is the same bytes: its `action_time` is when the data was read from the store. \
     Send it back as If-None-Match. Weak (`W/\"...\"`) in the rare answer read straight from \
     the store (a read that raced a change)";

/// The `ETag` of every other GET.
const WEAK_TAG: &str = "A weak entity tag of the data (`W/\"...\"`): the answer time \
     (`action_time`, the moment of each answer) does not count, so the tag is the same while \
     the data is, though the bytes are not. Send it back as If-None-Match";

impl Modify for ConditionalGets {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let Some(op) = item.get.as_mut() else {
                continue;
            };
            let strong = op
                .operation_id
                .as_deref()
                .is_some_and(|id| STRONG.contains(&id));
            let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200") else {
                continue;
            };
            let caching = [
                (
                    "Cache-Control",
                    "`public, max-age=2` without credentials, `private, no-cache` with a token \
                     or cookie",
                ),
                ("Vary", "`Authorization, Cookie`"),
            ];
            let tag = if strong { STRONG_TAG } else { WEAK_TAG };
            for (name, what) in [("ETag", tag)].into_iter().chain(caching) {
                ok.headers.insert(name.into(), header(what, string()));
            }
            let mut not_modified = ResponseBuilder::new()
                .description(
                    "Not modified: the If-None-Match tag (or `*`) still names the data; no body \
                     (a read-model answer skips building it), ETag, Cache-Control and Vary \
                     repeated",
                )
                .header("ETag", header("The unchanged entity tag", string()));
            for (name, what) in caching {
                not_modified = not_modified.header(name, header(what, string()));
            }
            let not_modified = not_modified.build();
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
                            "The ETag of a copy you hold (either form: compared weakly), or `*`: \
                             304 without a body while it is current",
                        ))
                        .schema(Some(string()))
                        .build(),
                );
            }
        }
    }
}
