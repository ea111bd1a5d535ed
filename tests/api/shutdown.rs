//! Graceful shutdown of the real binary: SIGTERM stops accepting, lets requests in
//! flight finish with complete answers, stops the sweeps, and exits 0.

use crate::helpers::SECRET;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Runs `groupbuy serve` on a fresh SQLite file and a free port; returns the child, the
/// port and a channel of its log lines (stderr, JSON).
fn serve(dir: &std::path::Path) -> (Child, u16, mpsc::Receiver<String>) {
    serve_with(dir, &[])
}

/// [`serve`] with more environment variables.
pub(crate) fn serve_with(
    dir: &std::path::Path,
    env: &[(&str, &str)],
) -> (Child, u16, mpsc::Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_groupbuy"))
        .arg("serve")
        .envs(env.iter().copied())
        .env("DATABASE_URL", dir.join("shutdown.db"))
        .env("GROUPBUY_BIND", "127.0.0.1:0")
        .env("GROUPBUY_JWT_SECRET", SECRET)
        .env("GROUPBUY_LOG_FORMAT", "json")
        .env("GROUPBUY_SWEEP_INTERVAL_MS", "20")
        .env("GROUPBUY_WORKERS", "2")
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start groupbuy");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let port = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("groupbuy logs that it listens");
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if v["fields"]["message"] == "groupbuy listening" {
            break u16::try_from(v["fields"]["port"].as_u64().expect("port")).expect("port");
        }
    };
    (child, port, rx)
}

pub(crate) fn token(sub: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_groupbuy"))
        .args(["token", "--sub", sub, "--role", "merchant"])
        .env("GROUPBUY_JWT_SECRET", SECRET)
        .output()
        .expect("token");
    String::from_utf8(out.stdout)
        .expect("utf8")
        .trim()
        .to_owned()
}

/// The whole answer on a `Connection: close` request: status and body.
pub(crate) fn read_answer(mut stream: TcpStream) -> (u16, String) {
    let mut raw = String::new();
    stream
        .read_to_string(&mut raw)
        .expect("a complete answer, not a reset");
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("head and body: {raw:?}"));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status line");
    (status, body.to_owned())
}

/// Reads one response head (up to the blank line), byte by byte so nothing after it is
/// consumed.
fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).expect("an interim answer");
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    s
}

#[test]
fn sigterm_finishes_requests_in_flight_then_exits_zero() {
    let dir = std::env::temp_dir().join(format!("groupbuy-shutdown-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    let (mut child, port, logs) = serve(&dir);
    let merchant = token("shutdown-merchant");

    // Requests in flight: each sends its headers with `Expect: 100-continue` and waits
    // for the interim 100, so a worker is known to be handling it; the body follows
    // after SIGTERM.
    let mut in_flight = Vec::new();
    for n in 0..5 {
        let body = format!("{{\"shopName\":\"In flight {n}\"}}");
        let mut s = connect(port);
        write!(
            s,
            "POST /api/v1/shops HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {merchant}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\
             Connection: close\r\n\r\n",
            body.len()
        )
        .expect("send the headers");
        s.flush().expect("flush");
        let interim = read_head(&mut s);
        assert!(interim.starts_with("HTTP/1.1 100"), "{interim}");
        in_flight.push((s, body));
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    // Wait until the server has stopped accepting: shutdown is under way while the
    // requests above are still waiting for their bodies.
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(Instant::now() < deadline, "still accepting after SIGTERM");
        std::thread::sleep(Duration::from_millis(10));
    }
    // actix checks its workers once a second while draining: keep the requests open past
    // that check, so only the shutdown timeout (not luck) lets them finish.
    std::thread::sleep(Duration::from_millis(1500));
    for (s, body) in &mut in_flight {
        s.write_all(body.as_bytes()).expect("send the body");
    }
    for (s, _) in in_flight {
        let (status, body) = read_answer(s);
        assert_eq!(status, 201, "{body}");
        let json: serde_json::Value = serde_json::from_str(&body).expect("a whole JSON body");
        assert_eq!(json["success"], true, "{body}");
    }

    // Exits by itself, with 0 (the bound only keeps a broken build from hanging CI).
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "groupbuy did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0), "{status:?}");
    let said: Vec<String> = logs.try_iter().collect();
    let stopped_jobs: Vec<usize> = said
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains("background job stopped"))
        .map(|(i, _)| i)
        .collect();
    let stopped = said.iter().position(|l| l.contains("groupbuy stopped"));
    // Every registered job, whatever contexts add.
    let jobs = groupbuy_api::jobs::registry(
        Duration::from_secs(1),
        groupbuy_api::jobs::webhook_delivery::DeliverySettings::default(),
        None,
    )
    .names()
    .len();
    assert!(
        stopped_jobs.len() == jobs
            && stopped.is_some_and(|end| stopped_jobs.iter().all(|&j| j < end)),
        "sweeps stop before the process ends: {said:#?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
