//! What a timed run measured: rate, percentiles, errors by kind.

use std::collections::BTreeMap;
use std::time::Duration;

/// One client's record: the latency of every successful operation and its errors by kind.
#[derive(Debug, Default)]
pub struct ClientRecord {
    /// Latencies of the operations answered 2xx.
    pub latencies: Vec<Duration>,
    /// Failed operations by kind (`"payment 409"`, `"checkout transport"`).
    pub errors: BTreeMap<String, u64>,
}

impl ClientRecord {
    /// Counts one failure of `kind`.
    pub fn error(&mut self, kind: String) {
        *self.errors.entry(kind).or_default() += 1;
    }
}

/// A run's figures.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Operations answered 2xx.
    pub ok: u64,
    /// Successful operations per second over the whole run (last answer included).
    pub rate: f64,
    /// Median latency of the successful operations, in milliseconds.
    pub p50_ms: f64,
    /// 99th percentile, in milliseconds.
    pub p99_ms: f64,
    /// Failed operations by kind.
    pub errors: BTreeMap<String, u64>,
}

impl Sample {
    /// Merges the clients' records of a run that lasted `elapsed`.
    pub fn from_records(records: Vec<ClientRecord>, elapsed: Duration) -> Self {
        let mut latencies = Vec::new();
        let mut errors = BTreeMap::new();
        for r in records {
            latencies.extend(r.latencies);
            for (kind, n) in r.errors {
                *errors.entry(kind).or_default() += n;
            }
        }
        latencies.sort_unstable();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let secs = elapsed.as_secs_f64().max(f64::EPSILON);
        Self {
            ok: latencies.len() as u64,
            rate: latencies.len() as f64 / secs,
            p50_ms: ms(percentile(&latencies, 50.0)),
            p99_ms: ms(percentile(&latencies, 99.0)),
            errors,
        }
    }

    /// All failed operations.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }
}

/// The nearest-rank percentile `p` (0-100] of `sorted` (ascending); zero when empty.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|m| Duration::from_millis(*m)).collect()
    }

    #[test]
    fn nearest_rank_percentiles() {
        let hundred: Vec<u64> = (1..=100).collect();
        let d = ms(&hundred);
        assert_eq!(percentile(&d, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&d, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&d, 100.0), Duration::from_millis(100));
        assert_eq!(percentile(&ms(&[7]), 99.0), Duration::from_millis(7));
        assert_eq!(percentile(&ms(&[1, 2, 3]), 50.0), Duration::from_millis(2));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }

    #[test]
    fn records_merge_into_rate_and_errors() {
        let mut a = ClientRecord {
            latencies: ms(&[10, 30]),
            ..ClientRecord::default()
        };
        a.error("payment 409".into());
        let mut b = ClientRecord {
            latencies: ms(&[20]),
            ..ClientRecord::default()
        };
        b.error("payment 409".into());
        b.error("checkout 503".into());
        let s = Sample::from_records(vec![a, b], Duration::from_secs(2));
        assert_eq!(s.ok, 3);
        assert!((s.rate - 1.5).abs() < 1e-9);
        assert!((s.p50_ms - 20.0).abs() < 1e-9);
        assert_eq!(s.error_count(), 3);
        assert_eq!(s.errors["payment 409"], 2);
    }
}
