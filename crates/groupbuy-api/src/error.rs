//! The one error type of the API: every failure becomes the envelope plus RFC 9457
//! problem members, served as `application/problem+json`.

use crate::envelope::{action_time, status_name};
use crate::platform::request::current_request;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use groupbuy_domain::group_purchase::GroupPurchaseRefusal;
use groupbuy_domain::DomainError;
use serde::Serialize;
use utoipa::ToSchema;

/// The content type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One field-level validation failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The request field (JSON path) at fault.
    pub field: String,
    /// Why it was refused.
    pub reason: String,
}

/// The error body: the envelope (`success` false, `data` = message) and RFC 9457 members.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Always false.
    pub success: bool,
    /// HTTP status name (`BAD_REQUEST`).
    #[serde(rename = "httpStatus")]
    #[schema(value_type = crate::openapi::enums::ProblemStatus)]
    pub http_status: String,
    /// What went wrong, for humans.
    pub message: String,
    /// When (RFC 3339 UTC).
    #[schema(format = DateTime)]
    pub action_time: String,
    /// The message again (seed 001 clients read it here).
    pub data: String,
    /// Problem type URI.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the problem type.
    pub title: String,
    /// HTTP status code.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// Same as `message`.
    pub detail: String,
    /// The request path.
    pub instance: String,
    /// The request id (also in the `X-Request-Id` header).
    #[serde(rename = "requestId")]
    pub request_id: String,
    /// Field-level failures, for validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// An error answer: status, problem kind, message and optional details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    kind: &'static str,
    message: String,
    errors: Vec<FieldError>,
    headers: Vec<(header::HeaderName, String)>,
}

impl ApiError {
    /// An error with `status`, problem `kind` and `message`.
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            message: message.into(),
            errors: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// 400 for a malformed request.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", message)
    }

    /// 401 with the message of seed 001.
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "User not authenticated",
        )
        .with_header(header::WWW_AUTHENTICATE, "Bearer")
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", message)
    }

    /// Whether this is exactly the answer `error` maps to (status, kind and message).
    pub fn is(&self, error: DomainError) -> bool {
        let other = Self::from(error);
        (self.status, self.kind, &self.message) == (other.status, other.kind, &other.message)
    }

    /// 422 for one invalid field.
    pub fn invalid_field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        let reason = reason.into();
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            reason.clone(),
        );
        e.errors.push(FieldError {
            field: field.into(),
            reason,
        });
        e
    }

    /// 422 for several invalid fields, each named in `errors[]`; the message lists them.
    pub fn invalid_fields(errors: Vec<FieldError>) -> Self {
        let message = errors
            .iter()
            .map(|e| e.reason.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        let mut e = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", message);
        e.errors = errors;
        e
    }

    /// 500 that reveals nothing; the cause is logged.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal server error",
        )
    }

    /// Adds a response header (Retry-After, Allow...).
    pub fn with_header(mut self, name: header::HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The problem kind (`group-full`, `insufficient-balance`...): what a page matches on
    /// to say the refusal in its own words.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The body this error answers with.
    pub fn problem(&self) -> Problem {
        let (request_id, path) = current_request();
        Problem {
            success: false,
            http_status: status_name(self.status),
            message: self.message.clone(),
            action_time: action_time(),
            data: self.message.clone(),
            problem_type: format!("https://groupbuy.dev/problems/{}", self.kind),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.message.clone(),
            instance: path,
            request_id,
            errors: self.errors.clone(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status);
        builder.content_type(PROBLEM_JSON);
        for (name, value) in &self.headers {
            builder.insert_header((name.clone(), value.clone()));
        }
        let body = serde_json::to_string(&self.problem()).unwrap_or_default();
        builder.body(body)
    }
}

/// The one place domain errors become HTTP.
impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::NotFound(m) => Self::not_found(m),
            DomainError::Validation { field, message } => Self::invalid_field(field, message),
            DomainError::Rule(r) => Self::new(StatusCode::BAD_REQUEST, r.kind(), r.message()),
            DomainError::Conflict(r) => Self::new(StatusCode::CONFLICT, r.kind(), r.message()),
            DomainError::Forbidden(r) => Self::new(StatusCode::FORBIDDEN, r.kind(), r.message()),
            DomainError::PreconditionFailed(m) => {
                Self::new(StatusCode::PRECONDITION_FAILED, "precondition-failed", m)
            }
            DomainError::Unavailable(m) => {
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", m)
                    .with_header(header::RETRY_AFTER, "1")
            }
            DomainError::Internal(m) => Self::internal(m),
        }
    }
}

/// A group-purchase refusal answers like the domain error it becomes.
impl From<GroupPurchaseRefusal> for ApiError {
    fn from(r: GroupPurchaseRefusal) -> Self {
        DomainError::from(r).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use groupbuy_domain::Refusal;

    #[test]
    fn domain_errors_map_to_their_statuses() {
        let cases = [
            (DomainError::NotFound("x".into()), 404),
            (DomainError::invalid("f", "bad"), 422),
            (DomainError::Rule(Refusal::new("some-rule", "no")), 400),
            (DomainError::Conflict(Refusal::new("some-state", "no")), 409),
            (
                DomainError::Forbidden(Refusal::new("some-right", "no")),
                403,
            ),
            (DomainError::PreconditionFailed("stale".into()), 412),
            (DomainError::Unavailable("busy".into()), 503),
            (DomainError::Internal("secret".into()), 500),
        ];
        for (err, status) in cases {
            assert_eq!(ApiError::from(err).status_code().as_u16(), status);
        }
    }

    #[test]
    fn each_refusal_answers_with_its_own_problem_type_and_seed_001_status() {
        let full = ApiError::from(GroupPurchaseRefusal::GroupFull {
            occupied: 3,
            total: 3,
        });
        assert_eq!(full.status_code().as_u16(), 400);
        let problem = full.problem();
        assert_eq!(
            problem.problem_type,
            "https://groupbuy.dev/problems/group-full"
        );
        assert_eq!(problem.detail, "Group is full. Seats occupied: 3/3");
        let conflict = ApiError::from(GroupPurchaseRefusal::SeatsTakenMeanwhile);
        assert_eq!(conflict.status_code().as_u16(), 409);
        assert_eq!(
            conflict.problem().problem_type,
            "https://groupbuy.dev/problems/changed-meanwhile"
        );
        let absent = ApiError::from(GroupPurchaseRefusal::NotParticipant);
        assert_eq!(absent.status_code().as_u16(), 404);
    }

    #[test]
    fn a_refused_order_transition_is_a_409_with_its_own_type() {
        use groupbuy_domain::order::{OrderRefusal, OrderStatus};
        let e = ApiError::from(DomainError::from(OrderRefusal::NotCancellable(
            OrderStatus::Shipped,
        )));
        assert_eq!(e.status_code().as_u16(), 409);
        let problem = e.problem();
        assert_eq!(
            problem.problem_type,
            "https://groupbuy.dev/problems/order-not-cancellable"
        );
        assert_eq!(
            problem.detail,
            "Cannot cancel an order with status: SHIPPED. Only a CONFIRMED order can be cancelled"
        );
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let e = ApiError::from(DomainError::Internal(
            "connection string postgres://secret".into(),
        ));
        assert_eq!(e.message(), "Internal server error");
    }
}
