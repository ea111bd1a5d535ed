//! `groupbuy-bench` (`make bench`): the honest benchmark (docs/PERFORMANCE.md). It starts the release
//! `groupbuy serve` as a separate process on a fresh database per run, drives it over HTTP,
//! checks the invariants in the database after every join run, runs each figure's
//! reference (pgbench, the SQLite script) in the same invocation, and prints the table
//! (also written to bench/results/latest.md).

mod api;
mod checks;
mod db;
mod error;
mod load;
mod references;
mod report;
mod server;
mod stats;
mod wrk;

use crate::api::Read;
use crate::checks::{Expected, Verified};
use crate::db::{Db, PgAdmin};
use crate::error::{setup, BenchError, Result};
use crate::load::Layout;
use crate::report::{Row, Target};
use crate::server::{Server, ServerSettings};
use crate::stats::Sample;
use clap::{Parser, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Participants of the group whose detail is read.
const DETAIL_PARTICIPANTS: usize = 10;
/// Groups of the spread scenario.
const SPREAD_GROUPS: usize = 1000;
/// Clients of the spread scenario's runs.
const SPREAD_CLIENTS: [usize; 2] = [16, 64];

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scenario {
    /// Hot-group joins on PostgreSQL, 16 and 64 clients, vs pgbench of join_cte.sql.
    HotPg,
    /// Hot-group joins on SQLite, 16 and 64 clients, vs sqlite_reference.py.
    HotSqlite,
    /// Joins spread over 1,000 groups on PostgreSQL, 16 and 64 clients, vs pgbench.
    SpreadPg,
    /// Group detail reads, its page and its revalidation (304) on PostgreSQL, 16
    /// connections, vs `pgbench -S`.
    DetailPg,
    /// `GET /healthz`, 16 connections: the framework's own ceiling, no reference.
    Healthz,
}

/// What drives the read scenarios (`detail-pg`, `healthz`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LoadGenerator {
    /// wrk when it is on PATH, else the built-in client.
    Auto,
    /// wrk (fails when it is not on PATH).
    Wrk,
    /// The built-in Rust client (reqwest), whose CPU the server shares on a small box.
    Client,
}

impl Scenario {
    fn on_postgres(self) -> bool {
        self != Self::HotSqlite
    }
}

#[derive(Parser, Debug)]
#[command(
    name = "groupbuy-bench",
    about = "groupbuy under load next to its database references"
)]
struct Cli {
    /// Seconds each run lasts.
    #[arg(long, env = "GROUPBUY_BENCH_SECONDS", default_value_t = 10)]
    seconds: u64,
    /// Scenarios to run, comma-separated (default: all).
    #[arg(long, env = "GROUPBUY_BENCH_ONLY", value_delimiter = ',')]
    only: Vec<Scenario>,
    /// What sends the read scenarios' requests.
    #[arg(long, env = "GROUPBUY_BENCH_LOAD", value_enum, default_value_t = LoadGenerator::Auto)]
    load: LoadGenerator,
    /// The `groupbuy` binary (default: the one next to this binary, i.e. the release build).
    #[arg(long, env = "GROUPBUY_BENCH_SERVER")]
    server: Option<PathBuf>,
    /// PostgreSQL URL used to create and drop the per-run databases.
    #[arg(
        long,
        env = "GROUPBUY_TEST_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    postgres: String,
    /// Prefix of the databases the runs create (and drop).
    #[arg(long, default_value = "gb_bench")]
    db_prefix: String,
    /// GROUPBUY_DB_POOL_SIZE of the server on PostgreSQL.
    #[arg(long, default_value_t = 8)]
    pg_pool: u32,
    /// GROUPBUY_DB_POOL_SIZE of the server on SQLite.
    #[arg(long, default_value_t = 4)]
    sqlite_pool: u32,
    /// GROUPBUY_WORKERS of the server (default: its own, the number of CPUs).
    #[arg(long)]
    workers: Option<usize>,
    /// The directory holding pgbench/ and sqlite_reference.py (default: this crate's bench/).
    #[arg(long)]
    bench_dir: Option<PathBuf>,
    /// Where the table is written too (default: BENCH_DIR/results/latest.md).
    #[arg(long)]
    out: Option<PathBuf>,
    /// The Python interpreter for the SQLite reference.
    #[arg(long, default_value = "python3")]
    python: String,
}

/// Everything a run needs, and what the runs found.
struct Bench {
    cli: Cli,
    /// The directory holding pgbench/ and sqlite_reference.py.
    bench_dir: PathBuf,
    settings: ServerSettings,
    runtime: tokio::runtime::Runtime,
    scratch: PathBuf,
    rows: Vec<Row>,
    notes: Vec<String>,
    broken: Vec<String>,
    /// wrk, when the read scenarios use it.
    wrk: Option<PathBuf>,
}

/// `load: wrk` in the table's reference column.
const LOAD_WRK: &str = "load: wrk";
/// `load: groupbuy-bench client` in the table's reference column.
const LOAD_CLIENT: &str = "load: groupbuy-bench client";

/// Where a run's data lives.
enum Store {
    /// A fresh PostgreSQL database of that name.
    Pg(String),
    /// A fresh SQLite file.
    Sqlite(PathBuf),
}

impl Bench {
    /// A fresh database for `name`: its URL.
    fn fresh(&self, admin: Option<&mut PgAdmin>, store: &Store) -> Result<String> {
        match (store, admin) {
            (Store::Pg(name), Some(admin)) => admin.fresh(name),
            (Store::Pg(_), None) => Err(setup("PostgreSQL run without PostgreSQL")),
            (Store::Sqlite(path), _) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(p));
                }
                path.to_str()
                    .map(str::to_owned)
                    .ok_or_else(|| setup("temporary path is not UTF-8"))
            }
        }
    }

    /// Drops a run's PostgreSQL database (SQLite files go with the scratch directory).
    fn discard(&self, admin: Option<&mut PgAdmin>, store: &Store) -> Result<()> {
        if let (Store::Pg(name), Some(admin)) = (store, admin) {
            admin.drop_database(name)?;
        }
        Ok(())
    }

    /// The invariants on `url`; a broken one is recorded (and fails the invocation).
    fn verify(&mut self, what: &str, url: &str, expected: Expected) -> Result<Option<Verified>> {
        let mut db = Db::open(url)?;
        match checks::verify(&mut db, expected) {
            Ok(v) => {
                self.notes.push(format!(
                    "{what}: invariants hold ({} seats = {} 2xx joins + {} openers; {} completed groups, {} orders)",
                    v.seats, expected.ok_joins, expected.openers, v.completed, v.orders
                ));
                Ok(Some(v))
            }
            Err(BenchError::Invariant(m)) => {
                eprintln!("{what}: INVARIANT BROKEN: {m}");
                self.broken.push(format!("{what}: {m}"));
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// groupbuy's join run: server up, fixtures, load, server down, invariants.
    fn groupbuy_joins(
        &mut self,
        mut admin: Option<&mut PgAdmin>,
        store: &Store,
        what: &str,
        layout: Layout,
        clients: usize,
    ) -> Result<Option<Sample>> {
        let url = self.fresh(admin.as_deref_mut(), store)?;
        eprintln!("running {what} ...");
        let server = Server::start(&self.settings, &url, &what.replace(' ', "-"))?;
        let run =
            self.runtime
                .block_on(load::joins(&server.base, layout, clients, self.cli.seconds));
        server.stop()?;
        let run = run?;
        self.error_note(what, &run.sample);
        let expected = Expected {
            ok_joins: run.sample.ok,
            openers: run.groups,
        };
        let held = self.verify(&format!("groupbuy {what}"), &url, expected)?;
        self.discard(admin, store)?;
        Ok(held.map(|_| run.sample))
    }

    /// Errors by kind, when there were any.
    fn error_note(&mut self, what: &str, sample: &Sample) {
        if !sample.errors.is_empty() {
            let kinds: Vec<String> = sample
                .errors
                .iter()
                .map(|(k, n)| format!("{n} x {k}"))
                .collect();
            self.notes
                .push(format!("groupbuy {what}: errors {}", kinds.join(", ")));
        }
    }

    /// The pgbench join reference over `groups` groups, its invariants checked too.
    fn pgbench_join(
        &mut self,
        admin: &mut PgAdmin,
        what: &str,
        groups: usize,
        clients: usize,
    ) -> Result<Option<f64>> {
        let name = format!("{}_ref_{}_{clients}", self.cli.db_prefix, groups);
        let url = admin.fresh(&name)?;
        eprintln!("running reference {what} ...");
        server::migrate(&self.settings.bin, &url)?;
        references::seed_join_reference(&self.bench_dir, &url)?;
        let run =
            references::pgbench_join(&self.bench_dir, &url, groups, clients, self.cli.seconds)?;
        let expected = Expected {
            ok_joins: run.transactions,
            openers: 0,
        };
        let held = self.verify(&format!("reference {what}"), &url, expected)?;
        admin.drop_database(&name)?;
        Ok(held.map(|_| run.tps))
    }

    fn hot_pg(&mut self, admin: &mut PgAdmin) -> Result<()> {
        for (clients, target) in [
            (
                16,
                Target {
                    min_ratio: Some(1.0),
                    max_p99_ms: None,
                },
            ),
            (
                64,
                Target {
                    min_ratio: Some(2.0),
                    max_p99_ms: Some(100.0),
                },
            ),
        ] {
            let store = Store::Pg(format!("{}_hot_{clients}", self.cli.db_prefix));
            let what = format!("hot join postgres {clients}");
            let groupbuy =
                self.groupbuy_joins(Some(&mut *admin), &store, &what, Layout::Hot, clients)?;
            let reference =
                self.pgbench_join(admin, &format!("pgbench hot {clients}"), 1, clients)?;
            self.rows.push(Row {
                scenario: "hot join",
                backend: "postgres",
                clients,
                unit: "joins/s",
                groupbuy,
                reference: "pgbench join_cte.sql, 1 group (tps)",
                reference_rate: reference,
                target,
                load: None,
                note: None,
            });
        }
        Ok(())
    }

    fn hot_sqlite(&mut self) -> Result<()> {
        let path = self.scratch.join("reference.db");
        let url = self.fresh(None, &Store::Sqlite(path.clone()))?;
        eprintln!("running reference sqlite_reference.py ...");
        server::migrate(&self.settings.bin, &url)?;
        let (rate, joins) =
            references::sqlite_script(&self.cli.python, &self.bench_dir, &path, self.cli.seconds)?;
        let expected = Expected {
            ok_joins: joins,
            openers: 0,
        };
        let reference = self
            .verify("reference sqlite_reference.py", &url, expected)?
            .map(|_| rate);
        for (clients, target) in [
            (
                16,
                Target {
                    min_ratio: Some(0.6),
                    max_p99_ms: Some(50.0),
                },
            ),
            (
                64,
                Target {
                    min_ratio: None,
                    max_p99_ms: Some(100.0),
                },
            ),
        ] {
            let store = Store::Sqlite(self.scratch.join(format!("hot-{clients}.db")));
            let what = format!("hot join sqlite {clients}");
            let groupbuy = self.groupbuy_joins(None, &store, &what, Layout::Hot, clients)?;
            self.rows.push(Row {
                scenario: "hot join",
                backend: "sqlite",
                clients,
                unit: "joins/s",
                groupbuy,
                reference: "sqlite_reference.py, 1 connection (joins/s)",
                reference_rate: reference,
                target,
                load: None,
                note: None,
            });
        }
        Ok(())
    }

    fn spread_pg(&mut self, admin: &mut PgAdmin) -> Result<()> {
        for clients in SPREAD_CLIENTS {
            let store = Store::Pg(format!("{}_spread_{clients}", self.cli.db_prefix));
            let what = format!("spread join postgres {clients}");
            let layout = Layout::Spread(SPREAD_GROUPS);
            let groupbuy =
                self.groupbuy_joins(Some(&mut *admin), &store, &what, layout, clients)?;
            let reference = self.pgbench_join(
                admin,
                &format!("pgbench spread {clients}"),
                SPREAD_GROUPS,
                clients,
            )?;
            self.rows.push(Row {
                scenario: "join, 1,000 groups",
                backend: "postgres",
                clients,
                unit: "joins/s",
                groupbuy,
                reference: "pgbench join_cte.sql, 1,000 groups (tps)",
                reference_rate: reference,
                target: Target {
                    min_ratio: Some(0.75),
                    max_p99_ms: None,
                },
                load: None,
                note: None,
            });
        }
        Ok(())
    }

    /// The load phase of a read scenario: `clients` connections repeating `read` for the
    /// run's seconds, through wrk or the built-in client; the sample and which of the two
    /// it was.
    fn read_load(
        &mut self,
        base: &str,
        read: &Read,
        what: &str,
        clients: usize,
    ) -> Result<(Sample, &'static str)> {
        let seconds = self.cli.seconds;
        match &self.wrk {
            Some(wrk) => {
                let url = format!("{base}{}", read.path);
                let run = wrk::run(wrk, &url, &read.headers(), clients, seconds)?;
                if let Some(spread) = &run.spread {
                    self.notes
                        .push(format!("groupbuy {what}: wrk latency {spread}"));
                }
                Ok((run.sample(what), LOAD_WRK))
            }
            None => {
                let sample = self
                    .runtime
                    .block_on(load::reads(base, read, what, clients, seconds))?;
                Ok((sample, LOAD_CLIENT))
            }
        }
    }

    /// The group detail (JSON, a reader's token), its public page `/g/{code}` (no
    /// credentials) and the detail revalidated with its `ETag` (304), on one server and one
    /// group, each against `pgbench -S` run right after them.
    fn detail_pg(&mut self, admin: &mut PgAdmin) -> Result<()> {
        let clients = 16;
        let name = format!("{}_detail_{clients}", self.cli.db_prefix);
        let url = admin.fresh(&name)?;
        eprintln!("running group detail reads ...");
        let server = Server::start(&self.settings, &url, "detail")?;
        let runs = self
            .runtime
            .block_on(load::detail_fixture(&server.base, DETAIL_PARTICIPANTS))
            .and_then(|fixture| {
                // One token for every connection: the per-caller limits are off.
                let bearer = Some(api::token("reader", &[])?);
                let json = Read {
                    path: fixture.path.clone(),
                    bearer: bearer.clone(),
                    if_none_match: None,
                };
                let page = Read {
                    path: fixture.page.clone(),
                    ..Read::default()
                };
                let revalidated = Read {
                    if_none_match: Some(fixture.etag.clone()),
                    ..json.clone()
                };
                let mut runs = Vec::new();
                for (read, what) in [
                    (json, "detail"),
                    (page, "page"),
                    (revalidated, "detail 304"),
                ] {
                    runs.push(self.read_load(&server.base, &read, what, clients)?);
                }
                Ok(runs)
            });
        server.stop()?;
        let runs = runs?;
        admin.drop_database(&name)?;
        let ref_name = format!("{}_ref_select_{clients}", self.cli.db_prefix);
        let ref_url = admin.fresh(&ref_name)?;
        eprintln!("running reference pgbench -S ...");
        let reference = references::pgbench_select(&ref_url, clients, self.cli.seconds)?;
        admin.drop_database(&ref_name)?;
        let read_target = Target {
            min_ratio: Some(0.5),
            max_p99_ms: Some(20.0),
        };
        let scenarios = [
            "group detail read, 10 participants",
            "group page /g/{code}, same group",
            "group detail revalidated (If-None-Match -> 304)",
        ];
        let full_rate = runs.first().map(|(sample, _)| sample.rate);
        for (scenario, (sample, load)) in scenarios.into_iter().zip(runs) {
            self.error_note(scenario, &sample);
            let revalidation = scenario.ends_with("304)");
            let note = match (revalidation, full_rate) {
                (true, Some(full)) if full > 0.0 => Some(format!(
                    "{:.2}x the 200 read above (a 304 must cost less than a 200: > 1.00x)",
                    sample.rate / full
                )),
                _ => None,
            };
            self.rows.push(Row {
                scenario,
                backend: "postgres",
                clients,
                unit: "req/s",
                groupbuy: Some(sample),
                reference: "pgbench -S, scale 10 (tps)",
                reference_rate: Some(reference.tps),
                target: read_target,
                load: Some(load),
                note,
            });
        }
        Ok(())
    }

    /// `GET /healthz` on the same server set-up as the detail read: what the framework
    /// answers when no handler work and no database is involved.
    fn healthz(&mut self, admin: &mut PgAdmin) -> Result<()> {
        let clients = 16;
        let name = format!("{}_healthz_{clients}", self.cli.db_prefix);
        let url = admin.fresh(&name)?;
        eprintln!("running GET /healthz ...");
        let server = Server::start(&self.settings, &url, "healthz")?;
        let read = Read {
            path: "/healthz".to_owned(),
            ..Read::default()
        };
        let run = self.read_load(&server.base, &read, "healthz", clients);
        server.stop()?;
        let (sample, load) = run?;
        self.error_note("healthz", &sample);
        admin.drop_database(&name)?;
        self.rows.push(Row {
            scenario: "GET /healthz (framework ceiling)",
            backend: "postgres",
            clients,
            unit: "req/s",
            groupbuy: Some(sample),
            reference: "-",
            reference_rate: None,
            target: Target::default(),
            load: Some(load),
            note: None,
        });
        Ok(())
    }

    /// A row for a scenario that could not run.
    fn skipped(&mut self, scenario: Scenario, why: &str) {
        let (name, backend, clients): (&'static str, &'static str, &[usize]) = match scenario {
            Scenario::HotPg => ("hot join", "postgres", &[16, 64]),
            Scenario::HotSqlite => ("hot join", "sqlite", &[16, 64]),
            Scenario::SpreadPg => ("join, 1,000 groups", "postgres", &SPREAD_CLIENTS),
            Scenario::DetailPg => ("group detail, page and 304 reads", "postgres", &[16]),
            Scenario::Healthz => ("GET /healthz (framework ceiling)", "postgres", &[16]),
        };
        for &clients in clients {
            self.rows.push(Row {
                scenario: name,
                backend,
                clients,
                unit: "",
                groupbuy: None,
                reference: "-",
                reference_rate: None,
                target: Target::default(),
                load: None,
                note: Some(format!("skipped: {why}")),
            });
        }
    }

    /// Runs `scenario`; a failure to run it becomes a skipped row and a note.
    fn run(&mut self, scenario: Scenario, admin: Option<&mut PgAdmin>) {
        let result = match (scenario, admin) {
            (Scenario::HotSqlite, _) => self.hot_sqlite(),
            (_, None) => {
                self.skipped(scenario, "PostgreSQL not reachable");
                return;
            }
            (Scenario::HotPg, Some(a)) => self.hot_pg(a),
            (Scenario::SpreadPg, Some(a)) => self.spread_pg(a),
            (Scenario::DetailPg, Some(a)) => self.detail_pg(a),
            (Scenario::Healthz, Some(a)) => self.healthz(a),
        };
        if let Err(e) = result {
            eprintln!("{scenario:?} failed: {e}");
            self.broken
                .push(format!("{scenario:?} did not complete: {e}"));
            self.skipped(scenario, "failed, see below");
        }
    }
}

/// The `groupbuy` binary next to this one (both built by `make bench` in one target dir).
fn default_server() -> Result<PathBuf> {
    let me = std::env::current_exe()?;
    let dir = me
        .parent()
        .ok_or_else(|| setup("this binary has no directory"))?;
    Ok(dir.join("groupbuy"))
}

/// The 1-minute load average (other work on the box skews every figure).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

/// `nproc 2, <cpu>, <date>, commit abc1234, ...`; `load_before` is the load average
/// when the benchmark started.
fn machine_line(
    bench_dir: &Path,
    pg_version: Option<&str>,
    cli: &Cli,
    load_before: &str,
) -> String {
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let date = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(bench_dir)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let commit = git(&["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    format!(
        "Machine: nproc {nproc}, {cpu}, load average {load_before} at start and {} at end; {date}; commit {commit}{}; {}; {} s per run; server pool {} (PostgreSQL) / {} (SQLite), workers {}, release build.",
        load_average(),
        if dirty { " (uncommitted changes)" } else { "" },
        pg_version.unwrap_or("PostgreSQL not used"),
        cli.seconds,
        cli.pg_pool,
        cli.sqlite_pool,
        cli.workers.map_or_else(|| "default".into(), |w| w.to_string()),
    )
}

fn main() -> ExitCode {
    match real_main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("groupbuy-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn real_main() -> Result<ExitCode> {
    let cli = Cli::parse();
    let load_before = load_average();
    let bin = match &cli.server {
        Some(b) => b.clone(),
        None => default_server()?,
    };
    if !bin.exists() {
        return Err(setup(format!(
            "no server binary at {}: build it (`cargo build --release -p groupbuy-api --bin groupbuy`) or pass --server",
            bin.display()
        )));
    }
    let bench_dir = match &cli.bench_dir {
        Some(d) => d.clone(),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(Path::to_path_buf)
            .ok_or_else(|| setup("no bench/ directory above the crate"))?,
    };
    let scratch = std::env::temp_dir().join(format!("groupbuy-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let scenarios: Vec<Scenario> = if cli.only.is_empty() {
        Scenario::value_variants().to_vec()
    } else {
        cli.only.clone()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let settings = ServerSettings {
        bin,
        pg_pool: cli.pg_pool,
        sqlite_pool: cli.sqlite_pool,
        workers: cli.workers,
        log_dir: scratch.clone(),
    };
    let mut admin = None;
    if scenarios.iter().any(|s| s.on_postgres()) {
        match PgAdmin::connect(&cli.postgres) {
            Ok(a) => admin = Some(a),
            Err(e) => eprintln!(
                "PostgreSQL not reachable at {} ({e}): skipping the PostgreSQL scenarios",
                db::redact(&cli.postgres)
            ),
        }
    }
    let pg_version = admin.as_mut().and_then(|a| a.version().ok());
    let reads = scenarios
        .iter()
        .any(|s| matches!(s, Scenario::DetailPg | Scenario::Healthz));
    let wrk = match cli.load {
        LoadGenerator::Client => None,
        LoadGenerator::Auto => wrk::find(),
        LoadGenerator::Wrk => Some(
            wrk::find().ok_or_else(|| setup("--load wrk: no wrk on PATH (apt-get install wrk)"))?,
        ),
    };
    let mut notes = Vec::new();
    if reads {
        notes.push(match &wrk {
            Some(w) => format!(
                "read rows, {LOAD_WRK}: {} with 2 threads, one keep-alive connection per client, one token for all",
                w.display()
            ),
            None => format!(
                "read rows, {LOAD_CLIENT}: reqwest on tokio, one keep-alive connection per client, sharing the server's CPUs{}",
                if cli.load == LoadGenerator::Auto { " (wrk not on PATH)" } else { "" }
            ),
        });
    }
    let mut bench = Bench {
        cli,
        bench_dir,
        settings,
        runtime,
        scratch,
        rows: Vec::new(),
        notes,
        broken: Vec::new(),
        wrk,
    };
    for s in scenarios {
        bench.run(s, admin.as_mut());
    }

    let mut text = format!(
        "{}\n{}\n",
        report::table(&bench.rows),
        machine_line(
            &bench.bench_dir,
            pg_version.as_deref(),
            &bench.cli,
            &load_before
        )
    );
    for n in &bench.notes {
        text.push_str(&format!("- {n}\n"));
    }
    for b in &bench.broken {
        text.push_str(&format!("- FAILED: {b}\n"));
    }
    println!("\n{text}");
    let out = bench
        .cli
        .out
        .clone()
        .unwrap_or_else(|| bench.bench_dir.join("results/latest.md"));
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out, &text)?;
    eprintln!("written to {}", out.display());
    if bench.broken.is_empty() {
        let _ = std::fs::remove_dir_all(&bench.scratch);
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "groupbuy-bench FAILED ({} problem(s)); server logs kept in {}",
            bench.broken.len(),
            bench.scratch.display()
        );
        Ok(ExitCode::FAILURE)
    }
}
