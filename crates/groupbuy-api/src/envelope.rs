//! The success envelope every JSON response wears (seed 001's "standard response format").

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use groupbuy_domain::platform::StoredResponse;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

/// `{success, httpStatus, message, action_time, data}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Envelope<T> {
    /// Always true on success.
    pub success: bool,
    /// HTTP status name, such as `OK` or `CREATED`.
    #[serde(rename = "httpStatus")]
    pub http_status: String,
    /// Human-readable outcome.
    pub message: String,
    /// When the response was produced (RFC 3339, UTC).
    pub action_time: String,
    /// The payload.
    pub data: T,
}

/// `OK`, `BAD_REQUEST`, `UNPROCESSABLE_ENTITY`...: the status name the envelope shows.
pub fn status_name(status: StatusCode) -> String {
    status
        .canonical_reason()
        .unwrap_or("UNKNOWN")
        .to_ascii_uppercase()
        .replace([' ', '-'], "_")
}

/// The current instant as the envelope writes it: RFC 3339 UTC, whole seconds.
pub fn action_time() -> String {
    rfc3339(OffsetDateTime::now_utc())
}

/// An instant as JSON shows it: RFC 3339 UTC, whole seconds (`2025-10-02T14:30:45Z`).
pub fn rfc3339(t: OffsetDateTime) -> String {
    groupbuy_domain::platform::rfc3339(t)
}

/// A success response in the envelope.
pub fn respond<T: Serialize>(status: StatusCode, message: &str, data: T) -> HttpResponse {
    HttpResponse::build(status).json(Envelope {
        success: true,
        http_status: status_name(status),
        message: message.to_owned(),
        action_time: action_time(),
        data,
    })
}

/// A success answer rendered to the exact bytes sent, so an Idempotency-Key can store
/// it in the transaction that produces it.
pub fn render<T: Serialize>(status: StatusCode, message: &str, data: T) -> StoredResponse {
    let body = serde_json::to_string(&Envelope {
        success: true,
        http_status: status_name(status),
        message: message.to_owned(),
        action_time: action_time(),
        data,
    })
    .unwrap_or_else(|e| {
        tracing::error!(error = %e, "response not serializable");
        String::from("{}")
    });
    StoredResponse {
        status: status.as_u16(),
        body,
        content_type: "application/json".into(),
    }
}

/// The response of a rendered answer.
pub fn send(answer: StoredResponse) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK))
        .content_type(answer.content_type)
        .body(answer.body)
}

/// 200 in the envelope.
pub fn ok<T: Serialize>(message: &str, data: T) -> HttpResponse {
    respond(StatusCode::OK, message, data)
}

/// 201 in the envelope.
pub fn created<T: Serialize>(message: &str, data: T) -> HttpResponse {
    respond(StatusCode::CREATED, message, data)
}

/// Serde helpers for instants in DTOs.
pub mod timestamp {
    use serde::Serializer;
    use time::OffsetDateTime;

    /// Serializes an instant as RFC 3339 UTC.
    pub fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::rfc3339(*t))
    }

    /// Optional instants.
    pub mod option {
        use serde::Serializer;
        use time::OffsetDateTime;

        /// Serializes an optional instant as RFC 3339 UTC or null.
        pub fn serialize<S: Serializer>(
            t: &Option<OffsetDateTime>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => s.serialize_str(&super::super::rfc3339(*t)),
                None => s.serialize_none(),
            }
        }
    }
}
