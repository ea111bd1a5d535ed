//! The success envelope every JSON response wears (seed 001's "standard response format"),
//! the cursor page every paginated list shares, and how the document shows both: by
//! reference, so each resource is one schema in `components` and generated clients
//! return that one type from every operation.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use groupbuy_domain::platform::StoredResponse;
use groupbuy_domain::Page;
use serde::Serialize;
use std::borrow::Cow;
use time::OffsetDateTime;
use utoipa::__dev::ComposeSchema;
use utoipa::openapi::schema::{
    ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// Schemas collected for `components`.
type Schemas = Vec<(String, RefOr<Schema>)>;

/// `{success, httpStatus, message, action_time, data}`.
#[derive(Debug, Serialize)]
pub struct Envelope<T> {
    /// Always true on success.
    pub success: bool,
    /// HTTP status name, such as `OK` or `CREATED`.
    #[serde(rename = "httpStatus")]
    pub http_status: String,
    /// Human-readable outcome.
    pub message: String,
    /// When the response was produced (RFC 3339, UTC); for a read answered from the read
    /// model, when its data was read from the store (every answer of it is the same bytes).
    pub action_time: String,
    /// The payload.
    pub data: T,
}

/// What an envelope's `data` can be in the document: a resource (by reference), a list of
/// resources, or a page of them. Implemented for each resource with [`crate::payload!`].
pub trait Payload {
    /// The schema `data` shows: a `$ref`, or an array or page of `$ref`s.
    fn data_schema() -> RefOr<Schema>;
    /// Adds the schemas `data_schema` refers to.
    fn register(schemas: &mut Schemas);
}

/// Makes resource types [`Payload`]s shown by reference to their own schema.
#[macro_export]
macro_rules! payload {
    ($($resource:ty),+ $(,)?) => {$(
        impl $crate::envelope::Payload for $resource {
            fn data_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::Ref::from_schema_name(<$resource as utoipa::ToSchema>::name()).into()
            }
            fn register(
                schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>,
            ) {
                schemas.push((
                    <$resource as utoipa::ToSchema>::name().into_owned(),
                    <$resource as utoipa::PartialSchema>::schema(),
                ));
                <$resource as utoipa::ToSchema>::schemas(schemas);
            }
        }
    )+};
}

impl<T: Payload> Payload for Vec<T> {
    fn data_schema() -> RefOr<Schema> {
        ArrayBuilder::new().items(T::data_schema()).into()
    }

    fn register(schemas: &mut Schemas) {
        T::register(schemas);
    }
}

/// An RFC 3339 instant property.
pub fn date_time(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .description(Some(description))
}

/// The envelope's schema: the members every success shares and `data` by reference.
impl<T: Payload> ComposeSchema for Envelope<T> {
    fn compose(_: Vec<RefOr<Schema>>) -> RefOr<Schema> {
        ObjectBuilder::new()
            .description(Some("`{success, httpStatus, message, action_time, data}`."))
            .property(
                "success",
                ObjectBuilder::new()
                    .schema_type(Type::Boolean)
                    .description(Some("Always true on success.")),
            )
            .required("success")
            .property(
                "httpStatus",
                Ref::from_schema_name(crate::openapi::enums::SuccessStatus::name()),
            )
            .required("httpStatus")
            .property(
                "message",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("Human-readable outcome.")),
            )
            .required("message")
            .property(
                "action_time",
                date_time(
                    "When the response was produced (RFC 3339, UTC); for a read answered \
                     from the read model (a strong ETag), when its data was read.",
                ),
            )
            .required("action_time")
            .property("data", T::data_schema())
            .required("data")
            .into()
    }
}

/// Named `Envelope_<Resource>` in `components` (utoipa appends the type arguments).
impl<T: Payload> ToSchema for Envelope<T> {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Envelope")
    }

    fn schemas(schemas: &mut Schemas) {
        schemas.push((
            crate::openapi::enums::SuccessStatus::name().into_owned(),
            crate::openapi::enums::SuccessStatus::schema(),
        ));
        T::register(schemas);
    }
}

/// A cursor page: `{items, next_cursor}`.
#[derive(Debug, Serialize)]
pub struct PageView<T> {
    /// Items in the list's stable order.
    pub items: Vec<T>,
    /// Cursor of the next page, null on the last.
    pub next_cursor: Option<String>,
}

impl<D, T: From<D>> From<Page<D>> for PageView<T> {
    fn from(p: Page<D>) -> Self {
        Self {
            items: p.items.into_iter().map(Into::into).collect(),
            next_cursor: p.next_cursor,
        }
    }
}

/// The page schema of a resource: items by reference.
fn page_schema<T: Payload>() -> RefOr<Schema> {
    ObjectBuilder::new()
        .description(Some(
            "A cursor page: pass next_cursor as `cursor` for the next one.",
        ))
        .property(
            "items",
            ArrayBuilder::new()
                .items(T::data_schema())
                .description(Some("Items in the list's stable order.")),
        )
        .required("items")
        .property(
            "next_cursor",
            ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                .description(Some("Cursor of the next page, null on the last.")),
        )
        .required("next_cursor")
        .into()
}

impl<T: Payload> ComposeSchema for PageView<T> {
    fn compose(_: Vec<RefOr<Schema>>) -> RefOr<Schema> {
        page_schema::<T>()
    }
}

/// Named `PageView_<Resource>` in `components` (utoipa appends the type argument).
impl<T: Payload> ToSchema for PageView<T> {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("PageView")
    }

    fn schemas(schemas: &mut Schemas) {
        T::register(schemas);
    }
}

/// One page schema per resource, referenced from its envelopes.
impl<T: Payload + ToSchema> Payload for PageView<T> {
    fn data_schema() -> RefOr<Schema> {
        Ref::from_schema_name(format!("PageView_{}", T::name())).into()
    }

    fn register(schemas: &mut Schemas) {
        schemas.push((format!("PageView_{}", T::name()), page_schema::<T>()));
        T::register(schemas);
    }
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

/// 200 in the envelope for data read from the store `at` (a read-model view's read time):
/// the response was produced then, and every answer of that data is the same bytes, which
/// is what a strong `ETag` promises.
pub fn ok_at<T: Serialize>(message: &str, data: T, at: OffsetDateTime) -> HttpResponse {
    HttpResponse::Ok().json(Envelope {
        success: true,
        http_status: status_name(StatusCode::OK),
        message: message.to_owned(),
        action_time: rfc3339(at),
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
        headers: Vec::new(),
    }
}

/// The response of a rendered answer.
pub fn send(answer: StoredResponse) -> HttpResponse {
    let mut res =
        HttpResponse::build(StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK));
    res.content_type(answer.content_type);
    for (name, value) in answer.headers {
        res.insert_header((name, value));
    }
    res.body(answer.body)
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
