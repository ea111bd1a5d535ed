//! A subscription as a `text/event-stream` body: a `retry:` hint, the current state first
//! (unless the client's `Last-Event-ID` already names it), then each change with its
//! `id:`, and a comment line every heartbeat while nothing changes. It ends when the hub
//! closes (shutdown); a client that went away drops it, releasing its place.

use super::{Event, LiveSettings, Subscription};
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use futures_util::stream;
use std::sync::Arc;
use tokio::time::{interval_at, Instant, Interval};

/// The event name the script listens for.
pub const EVENT_NAME: &str = "progress";

struct State {
    sub: Subscription,
    first: Option<Arc<Event>>,
    last_id: Option<String>,
    heartbeat: Interval,
}

/// The event in the stream's wire format.
fn frame(event: &Event) -> Bytes {
    Bytes::from(format!(
        "id: {}\nevent: {EVENT_NAME}\ndata: {}\n\n",
        event.id, event.data
    ))
}

/// The streaming answer of `sub`, starting with `current` unless `last_event_id` names it.
pub fn response(
    sub: Subscription,
    current: Event,
    last_event_id: Option<&str>,
    settings: LiveSettings,
) -> HttpResponse {
    let already = last_event_id == Some(current.id.as_str());
    let state = State {
        sub,
        last_id: Some(current.id.clone()),
        first: (!already).then(|| Arc::new(current)),
        heartbeat: interval_at(Instant::now() + settings.heartbeat, settings.heartbeat),
    };
    let retry = Bytes::from(format!("retry: {}\n\n", settings.retry.as_millis()));
    let opening = stream::iter([Ok::<_, actix_web::Error>(retry)]);
    let events = stream::unfold(state, |mut st| async move {
        if let Some(first) = st.first.take() {
            return Some((Ok(frame(&first)), st));
        }
        loop {
            tokio::select! {
                got = st.sub.next() => {
                    let event = got?;
                    if st.last_id.as_deref() != Some(event.id.as_str()) {
                        st.last_id = Some(event.id.clone());
                        return Some((Ok(frame(&event)), st));
                    }
                }
                _ = st.heartbeat.tick() => {
                    return Some((Ok(Bytes::from_static(b": keep-alive\n\n")), st));
                }
            }
        }
    });
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Accel-Buffering", "no"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .streaming(futures_util::StreamExt::chain(opening, events))
}
