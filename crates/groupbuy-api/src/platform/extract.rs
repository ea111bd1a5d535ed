//! Body and parameter parsing that always answers in problem JSON, naming the field.

use crate::error::ApiError;
use crate::platform::{body, integral, text};
use actix_web::dev::Payload;
use actix_web::error::{PathError, QueryPayloadError};
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use parking_lot::RwLock;
use rust_decimal::Decimal;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use std::any::TypeId;
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use utoipa::{IntoParams, ToSchema};

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// A JSON body; malformed JSON is 400, a missing or mistyped field is 422 naming it.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + ToSchema + 'static> FromRequest for JsonBody<T> {
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

/// `T`'s documented schema as JSON, composed once per body type: it cannot change while
/// the process runs, and composing it again for every request cost a few percent of a
/// join's instructions (docs/PERFORMANCE.md).
fn schema_of<T: ToSchema + 'static>() -> Arc<serde_json::Value> {
    static SCHEMAS: OnceLock<RwLock<HashMap<TypeId, Arc<serde_json::Value>>>> = OnceLock::new();
    let schemas = SCHEMAS.get_or_init(RwLock::default);
    if let Some(schema) = schemas.read().get(&TypeId::of::<T>()) {
        return schema.clone();
    }
    let schema = Arc::new(serde_json::to_value(T::schema()).unwrap_or_default());
    schemas.write().insert(TypeId::of::<T>(), schema.clone());
    schema
}

/// Parses JSON bytes into `T`: malformed JSON is 400; a key sent twice (at any depth) is
/// 422 naming it; when serde refuses a field, or two or more fields break `T`'s documented
/// schema, one 422 names every such field.
pub fn parse_json<T: DeserializeOwned + ToSchema + 'static>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "Request body is required (a JSON object)",
        ));
    }
    // Serde would read a struct from a positional array: only objects are bodies here.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::bad_request("Request body must be a JSON object"));
    }
    let mut value = body::unique_value(bytes).map_err(|e| match e {
        body::Parsed::Malformed(m) => ApiError::bad_request(format!("Malformed JSON body: {m}")),
        body::Parsed::Duplicate(field) => ApiError::invalid_field(
            field.clone(),
            format!("{field}: the same key is sent twice"),
        ),
    })?;
    let schema = schema_of::<T>();
    let root = crate::openapi::served_value();
    // `40.0` where the document says integer is an integer (JSON Schema's reading).
    let normalised = integral::normalise(&mut value, &schema, root)
        .then(|| serde_json::to_vec(&value))
        .transpose()
        .map_err(|e| ApiError::bad_request(format!("Malformed JSON body: {e}")))?;
    let bytes = normalised.as_deref().unwrap_or(bytes);
    let mut errors = body::violations(&value, &schema, root);
    match typed::<T>(bytes) {
        // Serde's refusal first (its wording is the established one), then every other
        // field the schema refuses.
        Err(e) if e.status() == actix_web::http::StatusCode::UNPROCESSABLE_ENTITY => {
            let mut all = e.problem().errors;
            errors.retain(|f| !all.iter().any(|a| a.field == f.field));
            all.append(&mut errors);
            Err(ApiError::invalid_fields(all))
        }
        Err(e) => Err(e),
        // A single bad field is left to the domain, whose refusal carries the surface's
        // own status and wording (seed 001 answers some with 400); several are named at once.
        Ok(_) if errors.len() > 1 => Err(ApiError::invalid_fields(errors)),
        Ok(value) => {
            refuse_unsafe_characters(bytes)?;
            Ok(value)
        }
    }
}

/// `T` from JSON bytes, the error naming the first failing field.
fn typed<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
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
    })?;
    // One value per body: `{...}xx` is not JSON (only whitespace may follow).
    de.end()
        .map_err(|e| ApiError::bad_request(format!("Malformed JSON body: {e}")))?;
    Ok(value)
}

/// 422 naming the first string of a (valid JSON) body that holds a refused character
/// ([`crate::platform::text`]).
fn refuse_unsafe_characters(bytes: &[u8]) -> Result<(), ApiError> {
    if !text::json_may_hold_refused(bytes) {
        return Ok(());
    }
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(format!("Malformed JSON body: {e}")))?;
    match text::refused_json_path(&value) {
        None => Ok(()),
        Some(field) => Err(ApiError::invalid_field(
            field.clone(),
            format!("{field}: control characters and Unicode noncharacters (such as U+FFFE) are not allowed"),
        )),
    }
}

/// A PATCH field that may be absent (`None`: keep), null (`Some(None)`: clear) or a value:
/// `#[serde(default, deserialize_with = "nullable")]`.
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Deserializes a decimal (money, hours) that must be a JSON number: `"100"` is refused
/// (rust_decimal alone would read strings too). Use with `#[serde(deserialize_with)]`.
///
/// # Errors
/// When the value is not a JSON number or does not fit a decimal.
pub fn json_number<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    decimal_of(&serde_json::Number::deserialize(d)?).map_err(D::Error::custom)
}

/// [`json_number`] for an optional field (absent or null is `None`); pair it with
/// `#[serde(default)]`.
///
/// # Errors
/// When the value is neither null nor a JSON number.
pub fn optional_json_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    Option::<serde_json::Number>::deserialize(d)?
        .map(|n| decimal_of(&n).map_err(D::Error::custom))
        .transpose()
}

/// The exact decimal of a JSON number (serde_json keeps its text: no float rounding).
fn decimal_of(n: &serde_json::Number) -> Result<Decimal, String> {
    let text = n.to_string();
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .map_err(|_| format!("{text} is not a representable decimal number"))
}

/// Deserializes a page cursor: absent, empty, or the digits of a `next_cursor` (at most
/// 18). Anything else (`-1`, `abc`) fails the query, which is a 400.
///
/// # Errors
/// When the cursor is not one this service hands out.
pub fn cursor<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let raw = Option::<String>::deserialize(d)?;
    match raw {
        Some(c) if !is_cursor(&c) => Err(D::Error::custom(
            "cursor must be the next_cursor of a previous page",
        )),
        other => Ok(other),
    }
}

fn is_cursor(c: &str) -> bool {
    c.len() <= 18 && c.bytes().all(|b| b.is_ascii_digit())
}

fn missing_field(reason: &str) -> Option<String> {
    let rest = reason.strip_prefix("missing field `")?;
    rest.split('`').next().map(str::to_owned)
}

/// An RFC 3339 instant sent in `field` (cut to microseconds, as stored), else a 422
/// naming the field.
///
/// # Errors
/// `Validation` on `field`.
pub fn instant(
    raw: &str,
    field: &str,
) -> Result<time::OffsetDateTime, groupbuy_domain::DomainError> {
    time::OffsetDateTime::parse(raw.trim(), &time::format_description::well_known::Rfc3339)
        .map(groupbuy_domain::clock::truncate_micros)
        .map_err(|_| {
            groupbuy_domain::DomainError::invalid(
                field,
                format!("{field} must be an RFC 3339 date-time"),
            )
        })
}

/// Paging parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Cursor from the previous page.
    #[param(pattern = "^[0-9]{0,18}$")]
    #[serde(default, deserialize_with = "cursor")]
    pub cursor: Option<String>,
    /// Page size, 1-100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// A page size: absent means 20; outside 1-100 is a 422 naming `limit`.
pub fn page_limit(limit: Option<i64>) -> Result<i64, ApiError> {
    limit_or(limit, groupbuy_domain::page::DEFAULT_LIMIT)
}

/// A list's size: absent means `default`; outside 1-100 is a 422 naming `limit`. The one
/// bound of every list, paged or plain.
pub fn limit_or(limit: Option<i64>, default: i64) -> Result<i64, ApiError> {
    use groupbuy_domain::page::MAX_LIMIT;
    match limit {
        None => Ok(default),
        Some(l) if (1..=MAX_LIMIT).contains(&l) => Ok(l),
        Some(_) => Err(ApiError::invalid_field(
            "limit",
            format!("limit must be between 1 and {MAX_LIMIT}"),
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

    #[derive(Debug, Deserialize, ToSchema)]
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
    fn trailing_data_is_a_400_and_control_characters_a_422() {
        let ok = br#"{"shopName": "a", "quantity": 1}"#;
        assert!(parse_json::<Req>(ok).is_ok());
        assert!(parse_json::<Req>(b"{\"shopName\": \"a\", \"quantity\": 1}\n ").is_ok());
        let e = parse_json::<Req>(br#"{"shopName": "a", "quantity": 1}xx"#).unwrap_err();
        assert_eq!(e.problem().status, 400);
        let e = parse_json::<Req>(br#"{"shopName": "a\u0000", "quantity": 1}"#).unwrap_err();
        assert_eq!(e.problem().status, 422);
        assert_eq!(e.problem().errors[0].field, "shopName");
    }

    #[derive(Debug, Deserialize, ToSchema)]
    struct Money {
        #[serde(deserialize_with = "json_number")]
        #[schema(value_type = f64)]
        amount: Decimal,
        #[serde(default, deserialize_with = "optional_json_number")]
        #[schema(value_type = Option<f64>)]
        fee: Option<Decimal>,
    }

    #[test]
    fn money_is_a_json_number_read_exactly() {
        let m = parse_json::<Money>(br#"{"amount": 80000.10, "fee": 1e2}"#).expect("numbers");
        assert_eq!(m.amount.to_string(), "80000.10");
        assert_eq!(m.fee, Some(Decimal::from(100)));
        let m = parse_json::<Money>(br#"{"amount": 1, "fee": null}"#).expect("null fee");
        assert_eq!(m.fee, None);
        for body in [
            &br#"{"amount": "100"}"#[..],
            br#"{"amount": 1, "fee": "2"}"#,
        ] {
            let e = parse_json::<Money>(body).unwrap_err();
            assert_eq!(e.problem().status, 422, "{e}");
        }
        assert_eq!(
            parse_json::<Money>(br#"{"amount": "100"}"#)
                .unwrap_err()
                .problem()
                .errors[0]
                .field,
            "amount"
        );
    }

    #[test]
    fn cursors_are_digits_only() {
        for good in ["", "0", "42", "999999999999999999"] {
            assert!(is_cursor(good), "{good}");
        }
        for bad in ["-1", "+1", "1.5", "abc", " 1", "9999999999999999999"] {
            assert!(!is_cursor(bad), "{bad}");
        }
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
