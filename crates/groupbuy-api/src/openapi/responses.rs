//! Error responses many operations share, declared once and listed by name in
//! `#[utoipa::path(responses(...))]` (utoipa's `IntoResponses`): each is the problem
//! document (`Problem`, `application/problem+json`) with the same status and description
//! wherever it appears, so the document is what the repeated tuples said. Responses whose
//! description names the route's own resource or scope stay written at the route.

use crate::error::Problem;
use utoipa::IntoResponses;

/// Declares a shared problem response: `status`, `description`, body `Problem`.
macro_rules! problem_response {
    ($(#[$doc:meta])* $name:ident, $status:literal, $description:literal) => {
        $(#[$doc])*
        #[derive(IntoResponses)]
        #[response(
            status = $status,
            description = $description,
            content_type = "application/problem+json"
        )]
        pub struct $name(#[allow(dead_code)] Problem);
    };
}

problem_response!(
    /// 401: the request carries no valid bearer token.
    Unauthenticated,
    401,
    "No valid bearer token"
);
problem_response!(
    /// 403: the token lacks the operation's scope.
    MissingScope,
    403,
    "Missing scope"
);
problem_response!(
    /// 403: a merchant action by a caller who is neither a merchant nor a platform admin,
    /// or whose token lacks the write scope.
    MissingMerchantRole,
    403,
    "Missing role merchant (platform admins pass) or scope"
);
problem_response!(
    /// 403: a platform-admin action by anyone else, or a token lacking the write scope.
    MissingPlatformAdminRole,
    403,
    "Missing role platform-admin or scope"
);
problem_response!(
    /// 404: no such resource, or one the caller may not see (the same answer, so
    /// existence does not leak).
    NotYours,
    404,
    "Not found (or not yours)"
);
problem_response!(
    /// 400: the body is not the JSON the operation reads.
    MalformedBody,
    400,
    "Malformed body"
);
problem_response!(
    /// 422: a field is out of its rules; `errors[]` names each.
    InvalidField,
    422,
    "Invalid field"
);
