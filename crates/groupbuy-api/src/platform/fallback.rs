//! What answers when no route matched: 405 with `Allow` when the path exists under
//! another method, else 404, both as problem JSON. HEAD counts as GET: every path with
//! GET allows HEAD, and messages name the method the client sent.

use super::head::client_method;
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
                let mut methods: Vec<String> =
                    ["get", "put", "post", "delete", "patch", "head", "options"]
                        .iter()
                        .filter(|m| json.get(**m).is_some())
                        .map(|m| m.to_ascii_uppercase())
                        .collect();
                // HEAD is answered wherever GET is (platform::head).
                if methods.iter().any(|m| m == "GET") && !methods.iter().any(|m| m == "HEAD") {
                    methods.push("HEAD".into());
                }
                (segments, methods)
            })
            .collect();
        Self { routes }
    }

    /// Methods of the templates matching `path` with literal segments only.
    pub fn allowed_literal(&self, path: &str) -> Option<Vec<String>> {
        let segments: Vec<&str> = path.split('/').collect();
        let methods: Vec<String> = self
            .routes
            .iter()
            .filter(|(tpl, _)| {
                tpl.len() == segments.len() && tpl.iter().zip(&segments).all(|(t, s)| t == s)
            })
            .flat_map(|(_, m)| m.iter().cloned())
            .collect();
        (!methods.is_empty()).then_some(methods)
    }

    /// Methods allowed on `path`, if any template matches it.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let segments: Vec<&str> = path.split('/').collect();
        // Each matching template with how many literal segments it matched: the most
        // literal ones win, so `/group-purchases/transfer` is not also `/{groupId}`.
        let matches: Vec<(usize, &Vec<String>)> = self
            .routes
            .iter()
            .filter(|(tpl, _)| tpl.len() == segments.len())
            .filter_map(|(tpl, methods)| {
                let mut literal = 0;
                for (t, s) in tpl.iter().zip(&segments) {
                    if t == s {
                        literal += 1;
                    } else if !(t.starts_with('{') && t.ends_with('}') && !s.is_empty()) {
                        return None;
                    }
                }
                Some((literal, methods))
            })
            .collect();
        let best = matches.iter().map(|(l, _)| *l).max()?;
        let mut methods: Vec<String> = matches
            .iter()
            .filter(|(l, _)| *l == best)
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
    let method = client_method(req);
    match table.allowed(req.path()) {
        Some(methods) if !methods.iter().any(|m| m == method.as_str()) => {
            method_not_allowed(req, &methods)
        }
        _ => ApiError::not_found(format!("No route for {} {}", method, req.path())),
    }
}

/// 405 with the `Allow` header.
pub fn method_not_allowed(req: &HttpRequest, methods: &[String]) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        format!(
            "Method {} is not allowed on {}; allowed: {}",
            client_method(req),
            req.path(),
            methods.join(", ")
        ),
    )
    .with_header(header::ALLOW, methods.join(", "))
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
        let table = RouteTable {
            routes: vec![
                (
                    vec!["".into(), "g".into(), "{id}".into()],
                    vec!["GET".into()],
                ),
                (
                    vec!["".into(), "g".into(), "transfer".into()],
                    vec!["POST".into()],
                ),
            ],
        };
        assert_eq!(table.allowed("/g/transfer"), Some(vec!["POST".into()]));
    }
}
