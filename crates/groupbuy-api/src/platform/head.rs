//! `HEAD` on every GET route: the request is routed as GET and answered with GET's status
//! and headers; actix-http's encoder, which saw the original HEAD, sends no body.

use super::fallback::RouteTable;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest};

/// Marks a request that arrived as HEAD and is routed as GET.
#[derive(Debug, Clone, Copy)]
struct HeadRequest;

/// The method the client sent (HEAD for a HEAD routed as GET).
pub fn client_method(req: &HttpRequest) -> Method {
    if req.extensions().get::<HeadRequest>().is_some() {
        Method::HEAD
    } else {
        req.method().clone()
    }
}

/// Routes HEAD as GET unless the path is documented without GET (then the fallback
/// answers 405 naming the allowed methods).
pub async fn head_as_get<B: MessageBody + 'static>(
    mut req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    if req.method() == Method::HEAD {
        let has_get = req
            .app_data::<web::Data<RouteTable>>()
            .and_then(|t| t.allowed(req.path()))
            .is_none_or(|methods| methods.iter().any(|m| m == "GET"));
        if has_get {
            req.extensions_mut().insert(HeadRequest);
            req.head_mut().method = Method::GET;
        }
    }
    next.call(req).await
}
