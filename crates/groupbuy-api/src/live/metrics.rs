//! The instance's live streams on `/metrics`, read when scraped: subscribers now (against
//! `GROUPBUY_LIVE_MAX_SUBSCRIBERS`, beyond which new ones get a 503) and the topics watched.

use super::LiveHub;
use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{IntGauge, Opts, Registry};
use std::sync::{Arc, Weak};

/// The collector: two gauges set from the hub at each scrape. It holds the hub weakly, so
/// the metrics never keep a stopped instance's hub alive.
pub struct LiveMetrics {
    hub: Weak<LiveHub>,
    subscribers: IntGauge,
    limit: IntGauge,
    topics: IntGauge,
    descs: Vec<Desc>,
}

impl LiveMetrics {
    /// Registers `groupbuy_live_subscribers`, `groupbuy_live_max_subscribers` and
    /// `groupbuy_live_topics` of `hub` in `registry`.
    ///
    /// # Errors
    /// A metric that cannot be made or registered (a name clash).
    pub fn register(registry: &Registry, hub: Arc<LiveHub>) -> Result<(), String> {
        let failed = |e: prometheus::Error| format!("live metrics: {e}");
        let gauge = |n: &str, h: &str| IntGauge::with_opts(Opts::new(n, h)).map_err(failed);
        let subscribers = gauge("groupbuy_live_subscribers", "Live event streams open now")?;
        let limit = gauge(
            "groupbuy_live_max_subscribers",
            "Most live event streams this instance serves at once",
        )?;
        let topics = gauge(
            "groupbuy_live_topics",
            "Groups and campaigns with at least one live viewer",
        )?;
        let descs = [&subscribers, &limit, &topics]
            .iter()
            .flat_map(|g| g.desc().into_iter().cloned())
            .collect();
        let metrics = Self {
            hub: Arc::downgrade(&hub),
            subscribers,
            limit,
            topics,
            descs,
        };
        registry.register(Box::new(metrics)).map_err(failed)
    }
}

impl Collector for LiveMetrics {
    fn desc(&self) -> Vec<&Desc> {
        self.descs.iter().collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        if let Some(hub) = self.hub.upgrade() {
            let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
            self.subscribers.set(count(hub.subscribers()));
            self.limit.set(count(hub.settings().max_subscribers));
            self.topics.set(count(hub.topics.lock().len()));
        }
        [&self.subscribers, &self.limit, &self.topics]
            .iter()
            .flat_map(|g| g.collect())
            .collect()
    }
}
