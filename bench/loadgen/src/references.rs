//! The references, run by the same invocation on the same machine: pgbench on the
//! one-statement join (bench/pgbench/join_cte.sql), `pgbench -S`, and the single-connection
//! SQLite script (bench/sqlite_reference.py).

use crate::error::{setup, Result};
use std::path::Path;
use std::process::Command;

/// What a pgbench run reported.
#[derive(Debug, Clone, Copy)]
pub struct PgbenchRun {
    /// `tps = ...` (without initial connection time).
    pub tps: f64,
    /// `number of transactions actually processed`.
    pub transactions: u64,
}

/// Runs `cmd`; its stdout, or an error with its stderr.
fn output(cmd: &mut Command, what: &str) -> Result<String> {
    let out = cmd
        .output()
        .map_err(|e| setup(format!("cannot run {what}: {e}")))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(stdout)
    } else {
        Err(setup(format!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr),
            stdout
        )))
    }
}

/// The first number after `prefix` on a line starting with it.
fn number_after(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(prefix))?
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .find(|s| !s.is_empty())?
        .parse()
        .ok()
}

/// Parses pgbench's summary.
pub fn parse_pgbench(text: &str) -> Result<PgbenchRun> {
    let tps = number_after(text, "tps =").ok_or_else(|| setup(format!("no tps in: {text}")))?;
    let transactions = number_after(text, "number of transactions actually processed:")
        .ok_or_else(|| setup(format!("no transaction count in: {text}")))?;
    if let Some(failed) = number_after(text, "number of failed transactions:") {
        if failed > 0.0 {
            return Err(setup(format!("pgbench: {failed} failed transactions")));
        }
    }
    Ok(PgbenchRun {
        tps,
        transactions: transactions as u64,
    })
}

/// Seeds a migrated database with `setup.sql` (shop, product, 1,000 groups, wallets).
pub fn seed_join_reference(bench_dir: &Path, url: &str) -> Result<()> {
    output(
        Command::new("psql")
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f"])
            .arg(bench_dir.join("pgbench/setup.sql"))
            .arg(url),
        "psql setup.sql",
    )?;
    Ok(())
}

/// pgbench of join_cte.sql over `groups` groups with `clients` connections (2 threads).
pub fn pgbench_join(
    bench_dir: &Path,
    url: &str,
    groups: usize,
    clients: usize,
    seconds: u64,
) -> Result<PgbenchRun> {
    let text = output(
        Command::new("pgbench")
            .args(["-n", "-j", "2", "-c", &clients.to_string()])
            .args([
                "-T",
                &seconds.to_string(),
                "-D",
                &format!("groups={groups}"),
                "-f",
            ])
            .arg(bench_dir.join("pgbench/join_cte.sql"))
            .arg(url),
        "pgbench join_cte.sql",
    )?;
    parse_pgbench(&text)
}

/// `pgbench -i -s 10` then `pgbench -S` with `clients` connections: primary-key reads.
pub fn pgbench_select(url: &str, clients: usize, seconds: u64) -> Result<PgbenchRun> {
    output(
        Command::new("pgbench").args(["-i", "-q", "-s", "10", url]),
        "pgbench -i",
    )?;
    let text = output(
        Command::new("pgbench")
            .args(["-n", "-S", "-j", "2", "-c", &clients.to_string()])
            .args(["-T", &seconds.to_string(), url]),
        "pgbench -S",
    )?;
    parse_pgbench(&text)
}

/// The Python script on the migrated SQLite file `db_path`: (joins/s, joins).
pub fn sqlite_script(
    python: &str,
    bench_dir: &Path,
    db_path: &Path,
    seconds: u64,
) -> Result<(f64, u64)> {
    let text = output(
        Command::new(python)
            .arg(bench_dir.join("sqlite_reference.py"))
            .arg(db_path)
            .arg(seconds.to_string()),
        "sqlite_reference.py",
    )?;
    let v: serde_json::Value = serde_json::from_str(text.trim())
        .map_err(|e| setup(format!("sqlite_reference.py printed {text:?}: {e}")))?;
    match (v["joins_per_s"].as_f64(), v["joins"].as_u64()) {
        (Some(rate), Some(joins)) => Ok((rate, joins)),
        _ => Err(setup(format!("sqlite_reference.py printed {text:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pgbench_summary_is_read() {
        let text = "transaction type: join_cte.sql\nscaling factor: 1\nquery mode: simple\n\
            number of clients: 16\nnumber of threads: 2\nmaximum number of tries: 1\n\
            duration: 5 s\nnumber of transactions actually processed: 2563\n\
            number of failed transactions: 0 (0.000%)\nlatency average = 31.2 ms\n\
            initial connection time = 21.3 ms\ntps = 512.643 (without initial connection time)\n";
        let run = parse_pgbench(text).map_err(|e| e.to_string());
        let run = run.as_ref().map(|r| (r.tps, r.transactions));
        assert_eq!(run, Ok((512.643, 2563)));
        assert!(parse_pgbench("number of failed transactions: 3 (1%)\ntps = 1\nnumber of transactions actually processed: 4").is_err());
    }
}
