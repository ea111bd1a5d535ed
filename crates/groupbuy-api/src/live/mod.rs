//! Live updates of public progress: ONE listener per instance hears the store's changes
//! ([`groupbuy_store::live::LiveChanges`]) and a fan-out thread reads each changed topic's
//! public progress ONCE, then hands it to every subscriber of that topic through a tokio
//! broadcast channel; no subscriber queries the database after its first read.

mod metrics;
pub mod progress;
pub mod stream;

pub use metrics::LiveMetrics;

use groupbuy_domain::DomainError;
use groupbuy_store::live::{LiveChange, LiveChanges, LiveListener, OnChange};
use parking_lot::Mutex;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Weak};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// How many events a slow subscriber may fall behind before it skips to newer ones.
const BACKLOG: usize = 16;

/// Limits and rhythm of the event streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveSettings {
    /// Most subscribers of this instance at once (`GROUPBUY_LIVE_MAX_SUBSCRIBERS`).
    pub max_subscribers: usize,
    /// Comment lines between events keep proxies from closing a quiet stream
    /// (`GROUPBUY_LIVE_HEARTBEAT_MS`).
    pub heartbeat: Duration,
    /// The reconnection delay the stream suggests to browsers (`retry:`).
    pub retry: Duration,
}

impl Default for LiveSettings {
    fn default() -> Self {
        Self {
            max_subscribers: 10_000,
            heartbeat: Duration::from_secs(15),
            retry: Duration::from_secs(3),
        }
    }
}

/// One state of a topic as sent: `id` names the content (equal content, equal id, on
/// every instance), so a client resuming with `Last-Event-ID` is sent only what differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// A digest of `data`.
    pub id: String,
    /// The public progress, JSON.
    pub data: String,
}

impl Event {
    /// The event carrying `data`.
    pub fn of(data: String) -> Self {
        Self {
            id: digest(&data),
            data,
        }
    }
}

/// FNV-1a 64 of `text` in hex: stable across instances and builds (unlike `DefaultHasher`).
fn digest(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// Reads a topic's public progress (on the fan-out thread); `None` when it is gone.
pub type Reader = Arc<dyn Fn() -> Result<Option<Event>, DomainError> + Send + Sync>;

struct Topic {
    tx: broadcast::Sender<Arc<Event>>,
    /// What the fan-out last sent (so an unchanged re-read is not sent again).
    last: Option<Arc<Event>>,
    read: Reader,
}

/// The instance's subscribers by topic, and the listener feeding them.
pub struct LiveHub {
    topics: Mutex<HashMap<LiveChange, Topic>>,
    subscribers: AtomicUsize,
    settings: LiveSettings,
    closed: watch::Sender<bool>,
    listener: Mutex<Option<LiveListener>>,
}

impl std::fmt::Debug for LiveHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveHub")
            .field("subscribers", &self.subscribers())
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// The instance is at its subscriber limit, or shutting down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unavailable;

impl LiveHub {
    /// Starts the instance's listener on `store` and its fan-out thread; `first` hears
    /// every change on the listener's thread before the fan-out does (the read model drops
    /// what changed, so the fan-out's re-read is fresh), so the instance needs one
    /// listening connection for both.
    ///
    /// # Errors
    /// A message when the listener cannot start.
    pub fn start(
        store: &dyn LiveChanges,
        settings: LiveSettings,
        first: OnChange,
    ) -> Result<Arc<Self>, String> {
        let hub = Arc::new(Self {
            topics: Mutex::default(),
            subscribers: AtomicUsize::new(0),
            settings,
            closed: watch::channel(false).0,
            listener: Mutex::default(),
        });
        let (tx, rx) = mpsc::channel::<LiveChange>();
        let tx = Mutex::new(tx);
        let listener = store
            .listen(Arc::new(move |change| {
                first(change.clone());
                // The fan-out thread ends only with the hub; a send then fails harmlessly.
                let _ = tx.lock().send(change);
            }))
            .map_err(|e| format!("live updates cannot listen: {e}"))?;
        *hub.listener.lock() = Some(listener);
        let weak = Arc::downgrade(&hub);
        std::thread::Builder::new()
            .name("groupbuy-live-fanout".into())
            .spawn(move || fan_out(&weak, &rx))
            .map_err(|e| e.to_string())?;
        Ok(hub)
    }

    /// The stream settings.
    pub fn settings(&self) -> LiveSettings {
        self.settings
    }

    /// Subscribers now.
    pub fn subscribers(&self) -> usize {
        self.subscribers.load(Ordering::Relaxed)
    }

    /// Takes a subscriber's place on `topic` (created with `read` if new), before its
    /// first read, so no change after that read is missed.
    ///
    /// # Errors
    /// [`Unavailable`] at the limit or after [`LiveHub::close`].
    pub fn subscribe(
        self: &Arc<Self>,
        topic: LiveChange,
        read: Reader,
    ) -> Result<Subscription, Unavailable> {
        if *self.closed.borrow() {
            return Err(Unavailable);
        }
        let max = self.settings.max_subscribers;
        self.subscribers
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .map_err(|_| Unavailable)?;
        let rx = self
            .topics
            .lock()
            .entry(topic.clone())
            .or_insert_with(|| Topic {
                tx: broadcast::channel(BACKLOG).0,
                last: None,
                read,
            })
            .tx
            .subscribe();
        Ok(Subscription {
            rx: Some(rx),
            closed: self.closed.subscribe(),
            hub: self.clone(),
            topic,
        })
    }

    /// Ends every stream and refuses new ones (server shutdown).
    pub fn close(&self) {
        self.closed.send_replace(true);
        self.listener.lock().take();
    }

    /// Re-reads `change`'s topics that have subscribers and sends what differs.
    fn refresh(&self, change: &LiveChange) {
        let targets: Vec<(LiveChange, Reader)> = {
            let topics = self.topics.lock();
            match change {
                LiveChange::Everything => topics
                    .iter()
                    .map(|(k, t)| (k.clone(), t.read.clone()))
                    .collect(),
                one => topics
                    .get(one)
                    .map(|t| vec![(one.clone(), t.read.clone())])
                    .unwrap_or_default(),
            }
        };
        for (topic, read) in targets {
            // A change just committed: a replica may not have replayed it yet.
            let event = match groupbuy_store::reads_on_primary(|| read()) {
                Ok(Some(event)) => Arc::new(event),
                Ok(None) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, ?topic, "live progress could not be read");
                    continue;
                }
            };
            let mut topics = self.topics.lock();
            if let Some(t) = topics.get_mut(&topic) {
                if t.last.as_ref().is_none_or(|l| l.id != event.id) {
                    t.last = Some(event.clone());
                    // No receiver left: the topic is removed by the last one's drop.
                    let _ = t.tx.send(event);
                }
            }
        }
    }
}

/// The fan-out thread: coalesces the changes heard meanwhile, refreshes each once.
fn fan_out(hub: &Weak<LiveHub>, rx: &mpsc::Receiver<LiveChange>) {
    while let Ok(first) = rx.recv() {
        let mut pending: HashSet<LiveChange> = HashSet::from([first]);
        pending.extend(rx.try_iter());
        let Some(hub) = hub.upgrade() else { return };
        if pending.contains(&LiveChange::Everything) {
            hub.refresh(&LiveChange::Everything);
        } else {
            for change in &pending {
                hub.refresh(change);
            }
        }
    }
}

/// A subscriber's place: its receiver, and its count released on drop (client gone,
/// stream ended).
pub struct Subscription {
    rx: Option<broadcast::Receiver<Arc<Event>>>,
    closed: watch::Receiver<bool>,
    hub: Arc<LiveHub>,
    topic: LiveChange,
}

impl Subscription {
    /// The next event, `None` when the hub closes; skips ahead when it fell behind.
    pub async fn next(&mut self) -> Option<Arc<Event>> {
        let rx = self.rx.as_mut()?;
        loop {
            tokio::select! {
                got = rx.recv() => match got {
                    Ok(event) => return Some(event),
                    Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = self.closed.wait_for(|c| *c) => return None,
            }
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        drop(self.rx.take());
        let mut topics = self.hub.topics.lock();
        if topics
            .get(&self.topic)
            .is_some_and(|t| t.tx.receiver_count() == 0)
        {
            topics.remove(&self.topic);
        }
        drop(topics);
        self.hub.subscribers.fetch_sub(1, Ordering::AcqRel);
    }
}
