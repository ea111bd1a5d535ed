"""Plumbing for the reliability suite: servers, databases, tokens and an HTTP client.

Everything here talks to 127.0.0.1 only. Every server started is registered so that
`stop_all()` (called from a `finally` and at exit) kills it, whatever happened.
"""

from __future__ import annotations

import atexit
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field

import psycopg

HOST = "127.0.0.1"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.environ.get(
    "RELIABILITY_BINARY",
    os.path.join(os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target"), "debug", "groupbuy"),
)
SECRET = "reliability-" + uuid.uuid4().hex
LOG_DIR = os.environ.get("RELIABILITY_LOG_DIR", "/tmp/groupbuy-reliability")


class TransportError(Exception):
    """No HTTP answer: refused, reset, or timed out."""


@dataclass
class Reply:
    """One HTTP answer."""

    status: int
    headers: dict
    raw: bytes
    at: float = 0.0

    @property
    def json(self):
        try:
            return json.loads(self.raw)
        except ValueError:
            return None

    @property
    def data(self):
        j = self.json
        return j.get("data") if isinstance(j, dict) else None

    def in_flight(self) -> bool:
        """The key's first request is still running (409 idempotency-key-in-use)."""
        return self.status == 409 and b"idempotency-key-in-use" in self.raw


def request(port, method, path, token=None, body=None, key=None, headers=None, timeout=15.0):
    """Sends one request on a fresh connection; raises TransportError without an answer."""
    hdrs = {"Accept": "application/json"}
    if token:
        hdrs["Authorization"] = "Bearer " + token
    if key:
        hdrs["Idempotency-Key"] = key
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    hdrs.update(headers or {})
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=payload, headers=hdrs)
        res = conn.getresponse()
        raw = res.read()
        return Reply(res.status, {k.lower(): v for k, v in res.getheaders()}, raw, time.monotonic())
    except (OSError, http.client.HTTPException) as e:
        raise TransportError(f"{method} {path}: {e!r}") from None
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- servers

_servers: list["Server"] = []
_servers_lock = threading.Lock()


def server_env(db_url: str, port: int, sweep_ms: int) -> dict:
    """The server's environment: every GROUPBUY_* variable of ours passes through (e.g. rate
    limits set generously by the Makefile), then the harness's own settings win."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        GROUPBUY_BIND=f"{HOST}:{port}",
        GROUPBUY_JWT_SECRET=SECRET,
        GROUPBUY_SWEEP_INTERVAL_MS=str(sweep_ms),
        RUST_LOG=os.environ.get("RELIABILITY_RUST_LOG", "warn"),
    )
    env.setdefault("GROUPBUY_WORKERS", "2")
    # Every harness client comes from 127.0.0.1: the limits would refuse the load itself.
    # Rate limiting has its own black-box tests (tests/api/rate_limit.rs).
    env.setdefault("GROUPBUY_RATE_LIMITS", "off")
    return env


class Server:
    """One `groupbuy serve` process in its own process group."""

    def __init__(self, name: str, db_url: str, sweep_ms: int = 500):
        self.name = name
        self.db_url = db_url
        self.port = free_port()
        self.sweep_ms = sweep_ms
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        os.makedirs(LOG_DIR, exist_ok=True)
        self.log_path = os.path.join(LOG_DIR, f"{name}.log")
        with _servers_lock:
            _servers.append(self)

    def start(self, wait_s: float = 30.0) -> None:
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [BINARY, "serve"],
            env=server_env(self.db_url, self.port, self.sweep_ms),
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        self.starts += 1
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
            try:
                if request(self.port, "GET", "/healthz", timeout=1).status == 200:
                    return
            except TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not become healthy; see {self.log_path}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL, no chance to clean up."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 5 s."""
        if not self.alive():
            return
        self._signal(signal.SIGTERM, wait=5.0)
        if self.alive():
            self._signal(signal.SIGKILL)

    def _signal(self, sig, wait: float = 10.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            pass

    def panicked(self) -> bool:
        try:
            with open(self.log_path, "rb") as f:
                return b"panicked" in f.read()
        except OSError:
            return False


def stop_all() -> None:
    with _servers_lock:
        servers = list(_servers)
    for s in servers:
        if s.alive():
            s._signal(signal.SIGKILL)


atexit.register(stop_all)


def run_cli(*args: str, db_url: str | None = None) -> str:
    env = server_env(db_url or "unused.db", 0, 1000)
    out = subprocess.run([BINARY, *args], env=env, capture_output=True, check=True, timeout=60)
    return out.stdout.decode().strip()


_tokens: dict = {}


def token(sub: str, *roles: str, org: str | None = None, scope: str | None = None) -> str:
    """A token for `sub` (cached), signed with this run's secret; `org` and `scope` as the
    CLI's `--org` and `--scope` (its default scopes when None)."""
    k = (sub, roles, org, scope)
    if k not in _tokens:
        args = ["token", "--sub", sub, "--name", sub, "--ttl", "7200"]
        for r in roles:
            args += ["--role", r]
        if org is not None:
            args += ["--org", org]
        if scope is not None:
            args += ["--scope", scope]
        _tokens[k] = run_cli(*args)
    return _tokens[k]


# ---------------------------------------------------------------- databases


def admin_url() -> str:
    url = os.environ.get("RELIABILITY_PG_URL") or os.environ.get("GROUPBUY_TEST_POSTGRES_URL")
    if not url:
        raise SystemExit("set GROUPBUY_TEST_POSTGRES_URL (or RELIABILITY_PG_URL) to a PostgreSQL maintenance database")
    return url


def db_url(name: str) -> str:
    u = urllib.parse.urlsplit(admin_url())
    return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + name, u.query, ""))


def admin_sql(sql: str) -> None:
    with psycopg.connect(admin_url(), autocommit=True) as c:
        c.execute(sql)


_databases: list[str] = []


def drop_all_databases() -> None:
    """Drops every database this run created (also those of aborted scenarios)."""
    for url in _databases:
        try:
            drop_database(url)
        except psycopg.Error:
            pass


def fresh_database(label: str) -> str:
    """Creates gb_rel_<label>_<pid>, migrated; returns its URL."""
    name = f"gb_rel_{label}_{os.getpid()}"
    admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin_sql(f'CREATE DATABASE "{name}"')
    url = db_url(name)
    _databases.append(url)
    run_cli("migrate", db_url=url)
    return url


def drop_database(url: str) -> None:
    if os.environ.get("RELIABILITY_KEEP_DBS"):
        return
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(url: str, sql: str, params=()) -> list:
    with psycopg.connect(url) as c:
        return c.execute(sql, params).fetchall()


def terminate_backends(url: str) -> int:
    """pg_terminate_backend on every connection to the database (the service's)."""
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin_url(), autocommit=True) as c:
        rows = c.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchall()
    return sum(1 for r in rows if r[0])


# ---------------------------------------------------------------- client with retries


@dataclass
class Stats:
    """Counters of what the clients saw."""

    requests: int = 0
    transport_errors: int = 0
    server_errors: int = 0  # 500 and other 5xx but 503
    unavailable: int = 0  # 503 (pool exhausted, documented)
    in_flight_409: int = 0
    by_status: dict = field(default_factory=dict)
    error_times: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, status: int | None, at: float) -> None:
        with self.lock:
            self.requests += 1
            if status is None:
                self.transport_errors += 1
                self.error_times.append(at)
                return
            self.by_status[status] = self.by_status.get(status, 0) + 1
            if status == 503:
                self.unavailable += 1
                self.error_times.append(at)
            elif status >= 500:
                self.server_errors += 1
                self.error_times.append(at)


class Client:
    """Sends requests to a set of instances; retries what got no definitive answer with the
    same Idempotency-Key (transport errors, 5xx, 409 in flight) until `deadline()`."""

    def __init__(self, servers: list[Server], stats: Stats, deadline_fn, rng: random.Random):
        self.servers = servers
        self.stats = stats
        self.deadline = deadline_fn
        self.rng = rng
        self.server_error_samples: list = []

    def call(self, method, path, token=None, body=None, key=None, retry=True, park=False):
        """Returns (final Reply or None if the deadline passed, attempts, replies seen)."""
        seen = []
        attempts = 0
        while True:
            attempts += 1
            server = self.rng.choice(self.servers)
            try:
                r = request(server.port, method, path, token, body, key)
            except TransportError:
                self.stats.note(None, time.monotonic())
                r = None
            if r is not None:
                self.stats.note(r.status, r.at)
                seen.append(r)
                if r.status >= 500 and r.status != 503 and len(self.server_error_samples) < 5:
                    self.server_error_samples.append(f"{method} {path} -> {r.status} {r.raw[:200]!r}")
                if r.in_flight():
                    with self.stats.lock:
                        self.stats.in_flight_409 += 1
                definitive = not (r.status >= 500 or r.in_flight() or r.status == 429)
                # A key orphaned by a crash is in flight until its lease ends: park it
                # (the caller retries it after the load) rather than block a client.
                if definitive or not retry or (park and r.in_flight()):
                    return r, attempts, seen
            elif not retry:
                return None, attempts, seen
            if time.monotonic() > self.deadline():
                return None, attempts, seen
            time.sleep(0.05 if r is None else 0.25)


def new_key(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"
