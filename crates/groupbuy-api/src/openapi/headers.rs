//! The response headers the platform sets, documented on the responses that carry them.

use utoipa::Modify;

/// A documented response header.
pub(super) fn header(
    description: &str,
    schema: utoipa::openapi::ObjectBuilder,
) -> utoipa::openapi::Header {
    utoipa::openapi::HeaderBuilder::new()
        .schema(schema)
        .description(Some(description))
        .build()
}

/// A string schema.
pub(super) fn string() -> utoipa::openapi::ObjectBuilder {
    utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::Type::String)
}

/// A non-negative integer schema.
pub(super) fn integer() -> utoipa::openapi::ObjectBuilder {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::Integer)
        .minimum(Some(0))
}

/// Documents the headers the platform sets, on the responses that carry them:
/// `X-Request-Id` everywhere, `Idempotent-Replayed` on POST successes, `Retry-After` on
/// 409/429/503, `WWW-Authenticate` on 401, the `X-RateLimit-*` trio on rate-limited
/// operations and `Set-Cookie` where a visitor cookie is issued.
pub(super) struct ResponseHeaders;

/// Operations whose successes carry the group buy's `ETag` (`"<version>"`).
const SENDS_ETAG: [&str; 5] = [
    "procurementGroupBuys.create",
    "procurementGroupBuys.get",
    "procurementGroupBuys.cancel",
    "commitments.commit",
    "commitments.withdraw",
];

/// Creates whose 201 carries `Location`, the created resource's URL.
const SENDS_LOCATION: [&str; 1] = ["procurementGroupBuys.create"];

/// Whether `response` is a durable job's 202 (`Envelope_JobView`): it carries `Location`
/// (the job's URL) and `Retry-After` (when to poll it).
fn is_job_answer(code: &str, response: &utoipa::openapi::Response) -> bool {
    code == "202"
        && response.content.values().any(|c| {
            matches!(&c.schema, Some(utoipa::openapi::RefOr::Ref(r)) if r.ref_location.ends_with("/Envelope_JobView"))
        })
}

/// Operations limited per client IP (they answer the `X-RateLimit-*` headers).
const RATE_LIMITED: [&str; 1] = ["support.submitReport"];

/// Operations that may issue the visitor cookie.
const SETS_VISITOR_COOKIE: [&str; 1] = ["publicGroupBuys.putMyInterest"];

impl Modify for ResponseHeaders {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        for item in openapi.paths.paths.values_mut() {
            let methods = [
                (false, item.get.as_mut()),
                (true, item.post.as_mut()),
                (false, item.put.as_mut()),
                (false, item.patch.as_mut()),
                (false, item.delete.as_mut()),
            ];
            for (is_post, op) in methods {
                let Some(op) = op else { continue };
                let id = op.operation_id.clone().unwrap_or_default();
                for (code, response) in op.responses.responses.iter_mut() {
                    let RefOr::T(response) = response else {
                        continue;
                    };
                    let job = is_job_answer(code, response);
                    let headers = &mut response.headers;
                    headers.insert(
                        "X-Request-Id".into(),
                        header(
                            "The request id: the caller's X-Request-Id when printable and at most \
                             128 characters, else a generated one; also in every log line",
                            string(),
                        ),
                    );
                    let success = code.starts_with('2');
                    if is_post && success {
                        headers.insert(
                            "Idempotent-Replayed".into(),
                            header(
                                "`true` when this is the stored answer of an earlier request \
                                 with the same Idempotency-Key (absent otherwise)",
                                string().enum_values(Some(["true"])),
                            ),
                        );
                    }
                    if ["409", "429", "503"].contains(&code.as_str()) {
                        headers.insert(
                            "Retry-After".into(),
                            header(
                                "Seconds to wait before retrying (sent with 429 and 503, and \
                                 with 409 while an Idempotency-Key is in flight)",
                                integer(),
                            ),
                        );
                    }
                    if code == "401" {
                        headers.insert("WWW-Authenticate".into(), header("`Bearer`", string()));
                    }
                    if SENDS_ETAG.contains(&id.as_str()) && success {
                        headers.insert(
                            "ETag".into(),
                            header(
                                "The group buy's version as an entity tag (`\"<version>\"`): \
                                 send it as If-Match to change it safely",
                                string(),
                            ),
                        );
                    }
                    if job || (SENDS_LOCATION.contains(&id.as_str()) && code == "201") {
                        headers.insert(
                            "Location".into(),
                            header(
                                "The URL of what was created (a job: poll it until it succeeded \
                                 or failed)",
                                string(),
                            ),
                        );
                    }
                    if job {
                        headers.insert(
                            "Retry-After".into(),
                            header("Seconds to wait before polling the job", integer()),
                        );
                    }
                    if RATE_LIMITED.contains(&id.as_str()) && (success || code == "429") {
                        for (name, what) in [
                            ("X-RateLimit-Limit", "Requests allowed per window"),
                            ("X-RateLimit-Remaining", "Requests left in this window"),
                            (
                                "X-RateLimit-Reset",
                                "When the window resets (Unix time, seconds)",
                            ),
                        ] {
                            headers.insert(name.into(), header(what, integer()));
                        }
                    }
                    if SETS_VISITOR_COOKIE.contains(&id.as_str()) && success {
                        headers.insert(
                            "Set-Cookie".into(),
                            header(
                                "Issues the signed `gb_visitor` cookie (HttpOnly, SameSite=Lax, \
                                 Path=/, one year) when the caller has neither a token nor a \
                                 valid cookie: send it back to stay the same visitor",
                                string(),
                            ),
                        );
                    }
                }
            }
        }
    }
}
