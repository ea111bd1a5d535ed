//! A deadline on receiving a request body. actix-http times out request heads (about 5 s)
//! but never a body: a client that sends its headers and then trickles or stalls the body
//! held its connection, and its file descriptor, for good (1,100 such sockets made a
//! server with the common 1,024 open-file limit unreachable). Whoever reads the body
//! (the JSON extractor, the idempotency layer) sees it end in an error once the deadline
//! passes; the answer is then 408 in the problem envelope and the connection is closed.

use crate::error::ApiError;
use actix_http::ConnectionType;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use futures_util::{Stream, StreamExt};
use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

/// How long a request body may take to arrive, counted from when its head was read.
#[derive(Debug, Clone, Copy)]
pub struct BodyDeadline(pub Duration);

/// Bounds the time to receive the body (see the module documentation).
pub async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limit = req.app_data::<web::Data<BodyDeadline>>().map(|d| d.0);
    let payload = req.take_payload();
    let expired = Rc::new(Cell::new(false));
    match limit {
        Some(limit) if !matches!(payload, Payload::None) => req.set_payload(Payload::Stream {
            payload: within(payload, limit, expired.clone()).boxed_local(),
        }),
        _ => req.set_payload(payload),
    }
    let res = next.call(req).await?.map_into_boxed_body();
    if !expired.get() {
        return Ok(res);
    }
    let message = format!(
        "The request body did not arrive within {} ms",
        limit.unwrap_or_default().as_millis()
    );
    let error = ApiError::new(StatusCode::REQUEST_TIMEOUT, "request-timeout", message);
    let (req, _) = res.into_parts();
    let mut res = ServiceResponse::from_err(error, req);
    // The rest of the body may still be on its way: the connection cannot carry another
    // request.
    res.response_mut()
        .head_mut()
        .set_connection_type(ConnectionType::Close);
    Ok(res)
}

/// `payload` that ends in an error once `limit` has passed, noting so in `expired`.
fn within(
    mut payload: Payload,
    limit: Duration,
    expired: Rc<Cell<bool>>,
) -> impl Stream<Item = Result<web::Bytes, PayloadError>> {
    let mut deadline = Box::pin(actix_web::rt::time::sleep(limit));
    futures_util::stream::poll_fn(move |cx| match payload.poll_next_unpin(cx) {
        Poll::Pending if deadline.as_mut().poll(cx).is_ready() => {
            expired.set(true);
            Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "request body deadline passed",
            )))))
        }
        other => other,
    })
}
