//! How many payments each join batch carried, on `/metrics` as the histogram
//! `groupbuy_join_batch_size`, read from the store's counters when scraped (the store
//! counts; it knows nothing of Prometheus). Batches of one: joins arrive one at a time;
//! larger ones: a hot group's payers share transactions. On SQLite, where the writer
//! commits consecutive writes together instead (`groupbuy_store`'s `db/writer.rs`), also
//! `groupbuy_sqlite_commit_size`: the write jobs each COMMIT carried.

use groupbuy_store::{Database, JoinBatchSizes};
use prometheus::core::{Collector, Desc};
use prometheus::proto::{Bucket, Histogram, Metric, MetricFamily, MetricType};
use prometheus::Registry;
use std::collections::HashMap;

const NAME: &str = "groupbuy_join_batch_size";
const HELP: &str = "Payments applied together in one join batch (one transaction)";
const COMMIT_NAME: &str = "groupbuy_sqlite_commit_size";
const COMMIT_HELP: &str = "SQLite: write jobs (checkouts, payments, any write) committed together";

/// The collector: the database's batch sizes as a histogram at each scrape.
pub struct JoinBatchMetrics {
    db: Database,
    descs: [Desc; 2],
}

impl JoinBatchMetrics {
    /// Registers `groupbuy_join_batch_size` of `db` in `registry`.
    ///
    /// # Errors
    /// A metric that cannot be made or registered (a name clash).
    pub fn register(registry: &Registry, db: Database) -> Result<(), String> {
        let failed = |e: prometheus::Error| format!("join batch metrics: {e}");
        let desc = |name: &str, help: &str| {
            Desc::new(name.into(), help.into(), Vec::new(), HashMap::new()).map_err(failed)
        };
        let descs = [desc(NAME, HELP)?, desc(COMMIT_NAME, COMMIT_HELP)?];
        registry
            .register(Box::new(Self { db, descs }))
            .map_err(failed)
    }
}

/// The histogram family `name` of `sizes`.
fn family(name: &str, help: &str, sizes: &JoinBatchSizes) -> MetricFamily {
    #[allow(clippy::cast_precision_loss)] // counts of batches and payments: far below 2^52
    let buckets = sizes
        .buckets
        .iter()
        .map(|&(bound, below)| {
            let mut b = Bucket::default();
            b.set_upper_bound(bound as f64);
            b.set_cumulative_count(below);
            b
        })
        .collect();
    let mut histogram = Histogram::default();
    histogram.set_bucket(buckets);
    histogram.set_sample_count(sizes.count);
    #[allow(clippy::cast_precision_loss)]
    histogram.set_sample_sum(sizes.sum as f64);
    let mut metric = Metric::default();
    metric.set_histogram(histogram);
    let mut family = MetricFamily::default();
    family.set_name(name.into());
    family.set_help(help.into());
    family.set_field_type(MetricType::HISTOGRAM);
    family.set_metric(vec![metric]);
    family
}

impl Collector for JoinBatchMetrics {
    fn desc(&self) -> Vec<&Desc> {
        self.descs.iter().collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let mut families = vec![family(NAME, HELP, &self.db.join_batch_sizes())];
        if let Some(commits) = self.db.sqlite_commit_sizes() {
            families.push(family(COMMIT_NAME, COMMIT_HELP, &commits));
        }
        families
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prometheus::{Encoder, TextEncoder};

    #[test]
    fn batch_sizes_read_as_a_prometheus_histogram() {
        let sizes = JoinBatchSizes {
            buckets: vec![(1, 2), (2, 2), (4, 3)],
            count: 4,
            sum: 12,
        };
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&[family(NAME, HELP, &sizes)], &mut out)
            .expect("encode");
        let text = String::from_utf8(out).expect("utf-8");
        for line in [
            "# TYPE groupbuy_join_batch_size histogram",
            "groupbuy_join_batch_size_bucket{le=\"1\"} 2",
            "groupbuy_join_batch_size_bucket{le=\"4\"} 3",
            "groupbuy_join_batch_size_bucket{le=\"+Inf\"} 4",
            "groupbuy_join_batch_size_sum 12",
            "groupbuy_join_batch_size_count 4",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in {text}");
        }
    }
}
