//! What answers when no route matched: 405 with `Allow` when the path exists under
//! another method, else 404, both as problem JSON.

use crate::error::ApiError;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest};

/// The documented routes: path templates (`/api/v1/shops/{shopId}`) and their methods.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<String>)>,
}

impl RouteTable {
    /// The table of an OpenAPI document (every route is documented, so it is complete).
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> Self {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path.split('/').map(str::to_owned).collect();
                let json = serde_json::to_value(item).unwrap_or_default();
                let methods = ["get", "put", "post", "delete", "patch", "head", "options"]
                    .iter()
                    .filter(|m| json.get(**m).is_some())
                    .map(|m| m.to_ascii_uppercase())
                    .collect();
                (segments, methods)
            })
            .collect();
        Self { routes }
    }

    /// Methods allowed on `path`, if any template matches it.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let segments: Vec<&str> = path.split('/').collect();
        let mut methods: Vec<String> = self
            .routes
            .iter()
            .filter(|(tpl, _)| {
                tpl.len() == segments.len()
                    && tpl.iter().zip(&segments).all(|(t, s)| {
                        (t.starts_with('{') && t.ends_with('}') && !s.is_empty()) || t == s
                    })
            })
            .flat_map(|(_, m)| m.iter().cloned())
            .collect();
        if methods.is_empty() {
            return None;
        }
        methods.sort();
        methods.dedup();
        Some(methods)
    }
}

/// The default service.
pub async fn fallback(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<actix_web::HttpResponse, ApiError> {
    Err(refusal(&req, &table))
}

fn refusal(req: &HttpRequest, table: &RouteTable) -> ApiError {
    match table.allowed(req.path()) {
        Some(methods) if !methods.iter().any(|m| m == req.method().as_str()) => ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            format!(
                "Method {} is not allowed on {}; allowed: {}",
                req.method(),
                req.path(),
                methods.join(", ")
            ),
        )
        .with_header(header::ALLOW, methods.join(", ")),
        _ => ApiError::not_found(format!("No route for {} {}", req.method(), req.path())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_templates_segment_by_segment() {
        let table = RouteTable {
            routes: vec![
                (
                    vec!["".into(), "a".into(), "{id}".into()],
                    vec!["GET".into()],
                ),
                (
                    vec!["".into(), "a".into(), "{id}".into()],
                    vec!["PATCH".into()],
                ),
            ],
        };
        assert_eq!(
            table.allowed("/a/1"),
            Some(vec!["GET".into(), "PATCH".into()])
        );
        assert_eq!(table.allowed("/a/1/b"), None);
        assert_eq!(table.allowed("/b/1"), None);
    }
}
