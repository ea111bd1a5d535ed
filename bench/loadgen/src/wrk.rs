//! The read scenarios' load phase through `wrk` (C, epoll) when it is installed: on a
//! 2-core box the Rust client's own CPU (reqwest on tokio, ~35 % of the machine) is taken
//! from the server it measures, while the reference (`pgbench -S`) is lean C.

use crate::error::{setup, Result};
use crate::stats::Sample;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// wrk's threads: one per core of the box the benchmark is written for.
const THREADS: usize = 2;

/// What wrk printed, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct WrkRun {
    /// `Requests/sec:` (every response, whatever its status).
    pub requests_per_sec: f64,
    /// `N requests in ...` (every response, whatever its status).
    pub requests: u64,
    /// The 50 % line of `--latency`, in milliseconds.
    pub p50_ms: f64,
    /// The 99 % line of `--latency`, in milliseconds.
    pub p99_ms: f64,
    /// `Non-2xx or 3xx responses: N` (0 when the line is absent).
    pub non_2xx: u64,
    /// `Socket errors: connect a, read b, write c, timeout d`, the non-zero ones by kind.
    pub socket_errors: BTreeMap<String, u64>,
    /// `avg 4.08ms, stdev 5.27ms, max 37.88ms` from the thread stats, as printed: the
    /// shape of the tail the two percentiles leave out.
    pub spread: Option<String>,
}

impl WrkRun {
    /// The run as a table sample: only 2xx/3xx answers count as done, and the error kinds
    /// are named after `what` (`detail non-2xx`, `detail socket timeout`).
    pub fn sample(&self, what: &str) -> Sample {
        let ok = self.requests.saturating_sub(self.non_2xx);
        // wrk's rate counts every response; the table's counts the successful ones.
        let rate = if self.requests == 0 {
            0.0
        } else {
            self.requests_per_sec * ok as f64 / self.requests as f64
        };
        let mut errors = BTreeMap::new();
        if self.non_2xx > 0 {
            errors.insert(format!("{what} non-2xx"), self.non_2xx);
        }
        for (kind, n) in &self.socket_errors {
            errors.insert(format!("{what} socket {kind}"), *n);
        }
        Sample {
            ok,
            rate,
            p50_ms: self.p50_ms,
            p99_ms: self.p99_ms,
            errors,
        }
    }
}

/// `wrk` on PATH, if any.
pub fn find() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("wrk"))
        .find(|p| p.is_file())
}

/// `wrk -t2 -c<connections> -d<seconds>s --latency [-H header]... <url>`, parsed.
pub fn run(
    wrk: &Path,
    url: &str,
    headers: &[String],
    connections: usize,
    seconds: u64,
) -> Result<WrkRun> {
    let mut cmd = Command::new(wrk);
    cmd.arg(format!("-t{}", THREADS.min(connections.max(1))))
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"))
        .arg("--latency");
    for h in headers {
        cmd.arg("-H").arg(h);
    }
    let out = cmd
        .arg(url)
        .output()
        .map_err(|e| setup(format!("cannot run {}: {e}", wrk.display())))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(setup(format!(
            "wrk failed ({}): {}{text}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    parse(&text)
}

/// A wrk duration (`812.00us`, `4.21ms`, `1.03s`, `1.50m`) in milliseconds.
fn millis(text: &str) -> Option<f64> {
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    let n: f64 = number.parse().ok()?;
    let scale = match unit {
        "us" => 0.001,
        "ms" => 1.0,
        "s" => 1000.0,
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        _ => return None,
    };
    Some(n * scale)
}

/// The rest of the first line that starts (once trimmed) with `prefix`.
fn after<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(prefix))
        .map(str::trim)
}

/// Parses wrk's report (run with `--latency`).
pub fn parse(text: &str) -> Result<WrkRun> {
    let missing = |what: &str| setup(format!("no {what} in wrk's output: {text}"));
    let requests_per_sec = after(text, "Requests/sec:")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| missing("Requests/sec"))?;
    let requests = text
        .lines()
        .find_map(|l| {
            let (n, rest) = l.trim().split_once(' ')?;
            rest.starts_with("requests in ").then(|| n.parse().ok())?
        })
        .ok_or_else(|| missing("request count"))?;
    let percentile = |p: &str| {
        after(text, p)
            .and_then(millis)
            .ok_or_else(|| missing(&format!("{p} latency line (was --latency given?)")))
    };
    let p50_ms = percentile("50%")?;
    let p99_ms = percentile("99%")?;
    let non_2xx = match after(text, "Non-2xx or 3xx responses:") {
        Some(n) => n.parse().map_err(|_| missing("non-2xx count"))?,
        None => 0,
    };
    let spread = after(text, "Latency ").and_then(|l| {
        let v: Vec<&str> = l.split_whitespace().collect();
        (v.len() >= 3 && millis(v[0]).is_some())
            .then(|| format!("avg {}, stdev {}, max {}", v[0], v[1], v[2]))
    });
    let mut socket_errors = BTreeMap::new();
    if let Some(list) = after(text, "Socket errors:") {
        for part in list.split(',') {
            let (kind, n) = part
                .trim()
                .split_once(' ')
                .ok_or_else(|| missing("socket error counts"))?;
            let n: u64 = n
                .trim()
                .parse()
                .map_err(|_| missing("socket error counts"))?;
            if n > 0 {
                socket_errors.insert(kind.to_owned(), n);
            }
        }
    }
    Ok(WrkRun {
        requests_per_sec,
        requests,
        p50_ms,
        p99_ms,
        non_2xx,
        socket_errors,
        spread,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLEAN: &str = "Running 5s test @ http://127.0.0.1:40123/api/v1/group-purchases/abc
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.08ms    5.27ms  37.88ms   89.74%
    Req/Sec     1.71k   291.84     2.32k    68.29%
  Latency Distribution
     50%  812.00us
     75%    4.49ms
     90%    9.45ms
     99%   27.11ms
  17140 requests in 5.00s, 8.45MB read
Requests/sec:   3427.50
Transfer/sec:      1.69MB
";

    const ERRORS: &str = "Running 5s test @ http://127.0.0.1:40123/healthz
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   600.00ms  300.00ms   1.99s    70.00%
    Req/Sec    10.00     5.00     20.00     70.00%
  Latency Distribution
     50%  512.50ms
     75%  800.00ms
     90%    1.20s
     99%    1.99s
  200 requests in 5.00s, 20.00KB read
  Socket errors: connect 0, read 3, write 0, timeout 7
  Non-2xx or 3xx responses: 50
Requests/sec:     40.00
Transfer/sec:      4.00KB
";

    #[test]
    fn a_clean_run_is_read_in_milliseconds() {
        let run = parse(CLEAN).expect("a clean report");
        assert_eq!(run.requests, 17140);
        assert!((run.requests_per_sec - 3427.5).abs() < 1e-9);
        assert!((run.p50_ms - 0.812).abs() < 1e-9);
        assert!((run.p99_ms - 27.11).abs() < 1e-9);
        assert_eq!(run.non_2xx, 0);
        assert!(run.socket_errors.is_empty());
        assert_eq!(
            run.spread.as_deref(),
            Some("avg 4.08ms, stdev 5.27ms, max 37.88ms")
        );
        let s = run.sample("detail");
        assert_eq!((s.ok, s.error_count()), (17140, 0));
        assert!((s.rate - 3427.5).abs() < 1e-9);
    }

    #[test]
    fn errors_are_non_2xx_plus_socket_errors() {
        let run = parse(ERRORS).expect("a report with errors");
        assert!((run.p50_ms - 512.5).abs() < 1e-9);
        assert!((run.p99_ms - 1990.0).abs() < 1e-9);
        assert_eq!(run.non_2xx, 50);
        let s = run.sample("healthz");
        assert_eq!(s.ok, 150);
        // Only the 2xx answers count in the rate: 150 of wrk's 200 responses.
        assert!((s.rate - 30.0).abs() < 1e-9);
        assert_eq!(s.error_count(), 60);
        assert_eq!(s.errors["healthz non-2xx"], 50);
        assert_eq!(s.errors["healthz socket read"], 3);
        assert_eq!(s.errors["healthz socket timeout"], 7);
        assert!(!s.errors.contains_key("healthz socket connect"));
    }

    #[test]
    fn units_and_bad_reports() {
        assert_eq!(millis("250.00us"), Some(0.25));
        assert_eq!(millis("4.5ms"), Some(4.5));
        assert_eq!(millis("2s"), Some(2000.0));
        assert_eq!(millis("1.50m"), Some(90_000.0));
        assert_eq!(millis("7"), None);
        assert_eq!(millis("3.0ns"), None);
        // Without --latency there is no distribution to read.
        let no_latency = CLEAN.replace("     50%  812.00us\n", "");
        assert!(parse(&no_latency).is_err());
        assert!(parse("unable to connect to 127.0.0.1:1 Connection refused").is_err());
    }
}
