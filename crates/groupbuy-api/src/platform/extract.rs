//! Body and parameter parsing that always answers in problem JSON, naming the field.

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::error::{PathError, QueryPayloadError};
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use utoipa::IntoParams;

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// A JSON body; malformed JSON is 400, a missing or mistyped field is 422 naming it.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = bytes.await.map_err(|e| {
                let status = e.as_response_error().status_code();
                if status == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        status,
                        "payload-too-large",
                        "Request body is larger than the 1 MiB limit",
                    )
                } else {
                    ApiError::bad_request(format!("Could not read the request body: {e}"))
                }
            })?;
            parse_json(&bytes).map(JsonBody)
        })
    }
}

/// Parses JSON bytes into `T` with the error naming the failing field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "Request body is required (a JSON object)",
        ));
    }
    // Serde would read a struct from a positional array: only objects are bodies here.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::bad_request("Request body must be a JSON object"));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::bad_request(format!("Malformed JSON body: {inner}"));
        }
        let text = inner.to_string();
        let reason = text.split(" at line ").next().unwrap_or(&text).to_owned();
        let field = missing_field(&reason)
            .map(|f| {
                if path == "." {
                    f
                } else {
                    format!("{path}.{f}")
                }
            })
            .unwrap_or_else(|| if path == "." { "body".to_owned() } else { path });
        ApiError::invalid_field(field.clone(), format!("{field}: {reason}"))
    })
}

fn missing_field(reason: &str) -> Option<String> {
    let rest = reason.strip_prefix("missing field `")?;
    rest.split('`').next().map(str::to_owned)
}

/// Paging parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Cursor from the previous page.
    #[param(pattern = "^[0-9]{0,18}$")]
    pub cursor: Option<String>,
    /// Page size, 1-100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// A page size: absent means 20; outside 1-100 is a 422 naming `limit`.
pub fn page_limit(limit: Option<i64>) -> Result<i64, ApiError> {
    use groupbuy_domain::page::{DEFAULT_LIMIT, MAX_LIMIT};
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(l) if (1..=MAX_LIMIT).contains(&l) => Ok(l),
        Some(_) => Err(ApiError::invalid_field(
            "limit",
            "limit must be between 1 and 100",
        )),
    }
}

/// Path parameters that do not parse (a bad UUID) are a 400 in problem JSON, unless the
/// path is really a literal route under another method (`GET /group-purchases/transfer`
/// reaches `/{groupId}`), which is a 405.
pub fn path_error(err: PathError, req: &HttpRequest) -> actix_web::Error {
    if let Some(table) = req.app_data::<web::Data<crate::platform::fallback::RouteTable>>() {
        if let Some(methods) = table.allowed_literal(req.path()) {
            if !methods.iter().any(|m| m == req.method().as_str()) {
                return crate::platform::fallback::method_not_allowed(req, &methods).into();
            }
        }
    }
    ApiError::bad_request(format!("Invalid path parameter: {err}")).into()
}

/// Query strings that do not parse (a bad enum value) are a 400 in problem JSON.
pub fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request(format!("Invalid query parameter: {err}")).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Req {
        shop_name: String,
        quantity: i64,
    }

    #[test]
    fn names_the_missing_field() {
        let err = parse_json::<Req>(br#"{"quantity": 1}"#).expect_err("must be refused");
        assert_eq!(err.problem().errors[0].field, "shopName");
        assert_eq!(err.problem().status, 422);
    }

    #[test]
    fn names_the_mistyped_field() {
        let err = parse_json::<Req>(br#"{"shopName": "a", "quantity": "x"}"#)
            .expect_err("must be refused");
        assert_eq!(err.problem().errors[0].field, "quantity");
    }

    #[test]
    fn only_objects_are_bodies() {
        assert_eq!(
            parse_json::<Req>(br#"["a", 1]"#)
                .unwrap_err()
                .problem()
                .status,
            400
        );
        assert_eq!(
            parse_json::<Req>(b"  42").unwrap_err().problem().status,
            400
        );
        assert!(parse_json::<Req>(br#" {"shopName": "a", "quantity": 1}"#).is_ok());
    }

    #[test]
    fn page_limits_are_bounded() {
        assert_eq!(page_limit(None).expect("default"), 20);
        assert_eq!(page_limit(Some(100)).expect("max"), 100);
        assert_eq!(
            page_limit(Some(0)).unwrap_err().problem().errors[0].field,
            "limit"
        );
        assert!(page_limit(Some(101)).is_err());
    }

    #[test]
    fn malformed_json_is_a_400() {
        assert_eq!(
            parse_json::<Req>(b"{oops")
                .expect_err("must be refused")
                .problem()
                .status,
            400
        );
        assert_eq!(
            parse_json::<Req>(b"")
                .expect_err("must be refused")
                .problem()
                .status,
            400
        );
    }
}
