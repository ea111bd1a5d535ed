//! The result table: one row per groupbuy figure, its reference and its target.

use crate::stats::Sample;

/// What a row must reach (docs/PERFORMANCE.md lists the targets); `None` parts are not
/// asked for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Target {
    /// groupbuy / reference at least this.
    pub min_ratio: Option<f64>,
    /// p99 below this many milliseconds.
    pub max_p99_ms: Option<f64>,
}

impl Target {
    /// `>= 2.0x, p99 < 100 ms`.
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(r) = self.min_ratio {
            parts.push(format!(">= {r:.2}x"));
        }
        if let Some(p) = self.max_p99_ms {
            parts.push(format!("p99 < {p:.0} ms"));
        }
        if parts.is_empty() {
            "-".into()
        } else {
            parts.join(", ")
        }
    }
}

/// One line of the table.
#[derive(Debug, Clone)]
pub struct Row {
    /// What was measured (`hot join`).
    pub scenario: &'static str,
    /// `postgres` or `sqlite`.
    pub backend: &'static str,
    /// Concurrent clients (connections).
    pub clients: usize,
    /// `joins/s` or `req/s`.
    pub unit: &'static str,
    /// groupbuy's figures; `None` when the row was skipped or failed.
    pub groupbuy: Option<Sample>,
    /// What the reference is.
    pub reference: &'static str,
    /// The reference's rate (tps or joins/s); `None` when it could not run.
    pub reference_rate: Option<f64>,
    /// The target.
    pub target: Target,
    /// What generated the load (`load: wrk`), told next to the reference; `None` for the
    /// join rows (always the built-in client).
    pub load: Option<&'static str>,
    /// Why a figure is missing (skipped, failed).
    pub note: Option<String>,
}

impl Row {
    /// The reference column: the reference, and what generated groupbuy's load.
    pub fn reference_cell(&self) -> String {
        match self.load {
            Some(load) => format!("{}; {load}", self.reference),
            None => self.reference.to_owned(),
        }
    }

    /// groupbuy / reference, when both ran.
    pub fn ratio(&self) -> Option<f64> {
        let g = self.groupbuy.as_ref()?;
        let r = self.reference_rate.filter(|r| *r > 0.0)?;
        Some(g.rate / r)
    }

    /// `yes`, `NO (...)` with the missed parts, or `-` when it cannot be told.
    pub fn met(&self) -> String {
        let Some(g) = &self.groupbuy else {
            return self.note.clone().unwrap_or_else(|| "-".into());
        };
        // A context row (the framework's ceiling) has nothing to meet.
        if self.target.min_ratio.is_none() && self.target.max_p99_ms.is_none() {
            return "-".into();
        }
        let mut missed = Vec::new();
        if let Some(min) = self.target.min_ratio {
            match self.ratio() {
                Some(r) if r >= min => {}
                Some(r) => missed.push(format!("ratio {r:.2} < {min:.2}")),
                None => return "- (no reference)".into(),
            }
        }
        if let Some(max) = self.target.max_p99_ms {
            if g.p99_ms >= max {
                missed.push(format!("p99 {:.0} ms", g.p99_ms));
            }
        }
        if missed.is_empty() {
            "yes".into()
        } else {
            format!("NO ({})", missed.join("; "))
        }
    }
}

fn figure(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.0}"))
}

/// The markdown table.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| scenario | backend | clients | groupbuy (joins/s or req/s) | p50 ms | p99 ms | errors | reference | reference figure | ratio | target | met? |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for r in rows {
        let g = r.groupbuy.as_ref();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.scenario,
            r.backend,
            r.clients,
            g.map_or_else(|| "-".into(), |g| format!("{:.0} {}", g.rate, r.unit)),
            g.map_or_else(|| "-".into(), |g| format!("{:.1}", g.p50_ms)),
            g.map_or_else(|| "-".into(), |g| format!("{:.1}", g.p99_ms)),
            g.map_or_else(|| "-".into(), |g| g.error_count().to_string()),
            r.reference_cell(),
            figure(r.reference_rate),
            r.ratio().map_or_else(|| "-".into(), |x| format!("{x:.2}x")),
            r.target.describe(),
            r.met(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn row(rate: f64, p99: f64, reference: Option<f64>, target: Target) -> Row {
        Row {
            scenario: "hot join",
            backend: "postgres",
            clients: 64,
            unit: "joins/s",
            groupbuy: Some(Sample {
                ok: 100,
                rate,
                p50_ms: 10.0,
                p99_ms: p99,
                errors: BTreeMap::new(),
            }),
            reference: "pgbench",
            reference_rate: reference,
            target,
            load: None,
            note: None,
        }
    }

    #[test]
    fn met_names_what_was_missed() {
        let t = Target {
            min_ratio: Some(2.0),
            max_p99_ms: Some(100.0),
        };
        assert_eq!(row(500.0, 50.0, Some(200.0), t).met(), "yes");
        assert_eq!(
            row(300.0, 150.0, Some(200.0), t).met(),
            "NO (ratio 1.50 < 2.00; p99 150 ms)"
        );
        assert_eq!(row(500.0, 50.0, None, t).met(), "- (no reference)");
        let p99_only = Target {
            min_ratio: None,
            max_p99_ms: Some(100.0),
        };
        assert_eq!(row(500.0, 50.0, None, p99_only).met(), "yes");
        assert_eq!(row(500.0, 50.0, None, Target::default()).met(), "-");
    }

    #[test]
    fn table_has_a_line_per_row_with_the_ratio() {
        let t = Target {
            min_ratio: Some(1.0),
            max_p99_ms: None,
        };
        let text = table(&[row(300.0, 40.0, Some(600.0), t)]);
        assert_eq!(text.lines().count(), 3);
        assert!(text.contains("| 300 joins/s | 10.0 | 40.0 | 0 | pgbench | 600 | 0.50x | >= 1.00x | NO (ratio 0.50 < 1.00) |"));
        let read = Row {
            reference: "-",
            load: Some("load: wrk"),
            ..row(9000.0, 2.0, None, Target::default())
        };
        assert!(table(&[read])
            .contains("| 9000 joins/s | 10.0 | 2.0 | 0 | -; load: wrk | - | - | - | - |"));
    }
}
