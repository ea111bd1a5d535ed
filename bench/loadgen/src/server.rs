//! The groupbuy server under test, as a separate process: `groupbuy serve` with its
//! configuration in the environment, stopped with SIGTERM after the run.

use crate::api::SECRET;
use crate::error::{setup, Result};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How every server of the benchmark is started.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// The `groupbuy` binary (release build).
    pub bin: PathBuf,
    /// `GROUPBUY_DB_POOL_SIZE` on PostgreSQL.
    pub pg_pool: u32,
    /// `GROUPBUY_DB_POOL_SIZE` on SQLite.
    pub sqlite_pool: u32,
    /// `GROUPBUY_WORKERS`; `None` leaves the server's default (the number of CPUs).
    pub workers: Option<usize>,
    /// Where the servers' logs go.
    pub log_dir: PathBuf,
}

/// A running server; killed if dropped without [`Server::stop`].
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    log: PathBuf,
}

/// Runs `groupbuy migrate` on `database_url`.
pub fn migrate(bin: &Path, database_url: &str) -> Result<()> {
    let out = Command::new(bin)
        .arg("migrate")
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .map_err(|e| setup(format!("cannot run {}: {e}", bin.display())))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(setup(format!(
            "groupbuy migrate failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}

/// A port free right now (the server binds it a moment later).
fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The status line of `GET /healthz`, if the server answers.
fn healthz(port: u16) -> Option<String> {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf[..n]);
    text.lines().next().map(str::to_owned)
}

/// The last lines of a log, for error messages.
fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

impl Server {
    /// Starts `groupbuy serve` on `database_url` (it migrates on start) and waits for
    /// `/healthz`; `name` names the log file.
    pub fn start(settings: &ServerSettings, database_url: &str, name: &str) -> Result<Self> {
        let port = free_port()?;
        let pool = if database_url.starts_with("postgres") {
            settings.pg_pool
        } else {
            settings.sqlite_pool
        };
        let log = settings.log_dir.join(format!("server-{name}.log"));
        let log_file = std::fs::File::create(&log)?;
        let mut cmd = Command::new(&settings.bin);
        cmd.arg("serve")
            .env("DATABASE_URL", database_url)
            .env("GROUPBUY_BIND", format!("127.0.0.1:{port}"))
            .env("GROUPBUY_JWT_SECRET", SECRET)
            // The benchmark measures the join path, not the limiter: 64 clients looping as
            // fast as they can would hit the per-caller limits.
            .env("GROUPBUY_RATE_LIMITS", "off")
            .env("GROUPBUY_DB_POOL_SIZE", pool.to_string())
            .env("GROUPBUY_SHUTDOWN_TIMEOUT_SECONDS", "5")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file);
        if let Some(w) = settings.workers {
            cmd.env("GROUPBUY_WORKERS", w.to_string());
        }
        // One log line per request costs CPU the 2-core box does not have to spare; the
        // caller's RUST_LOG wins when set.
        if std::env::var_os("RUST_LOG").is_none() {
            cmd.env("RUST_LOG", "warn");
        }
        let child = cmd
            .spawn()
            .map_err(|e| setup(format!("cannot start {}: {e}", settings.bin.display())))?;
        let mut server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = server.child.try_wait()? {
                return Err(setup(format!(
                    "server exited ({status}) before /healthz answered; {}:\n{}",
                    server.log.display(),
                    tail(&server.log)
                )));
            }
            if healthz(port).is_some_and(|l| l.contains(" 200")) {
                return Ok(server);
            }
            if Instant::now() > deadline {
                return Err(setup(format!(
                    "/healthz did not answer 200 within 60 s; {}:\n{}",
                    server.log.display(),
                    tail(&server.log)
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// SIGTERM (graceful shutdown), then SIGKILL after 15 s.
    pub fn stop(mut self) -> Result<()> {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if self.child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
