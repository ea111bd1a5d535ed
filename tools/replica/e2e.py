"""The real `groupbuy` binary on a PostgreSQL streaming replica and through PgBouncer in
transaction pooling mode, black-box over HTTP (tools/replica/run.sh starts both and tears
them down; this script runs the workloads).

Each run: one instance on a fresh database, the reliability suite's randomized workload
(reliability/workload.py: payments, joins, transfers, renames, payouts, campaigns...),
beside it
- shoppers who join a group and at once read it with their own token: each must see
  themselves with every seat they bought (read-your-writes), and
- viewers who never write, reading group details, `/g/{code}` pages, available groups and
  campaign listings (the reads a replica serves);
then the suite's invariants on the primary, no 5xx anywhere, and:
- replica run: the replica served reads (its pool's checkouts in /metrics, and the
  transactions the replica's own pg_stat_database counted), the fallbacks (expected 0),
  and the replay lag pg_stat_replication showed during the run;
- PgBouncer run: DATABASE_URL through PgBouncer, DATABASE_DIRECT_URL for LISTEN and the
  migration lock, GROUPBUY_PG_STATEMENT_CACHE=off; PgBouncer's SHOW STATS proves the
  traffic went through it.

Environment: REPLICA_PG_URL, BOUNCER_PG_URL (set by run.sh), GROUPBUY_TEST_POSTGRES_URL
(the primary's maintenance database), REPLICA_E2E_SECONDS (load per run, default 25).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "reliability"))

from harness import (  # noqa: E402
    Server,
    Stats,
    TransportError,
    drop_database,
    fresh_database,
    new_key,
    query,
    request,
    stop_all,
    token,
)
import harness  # noqa: E402
from workload import Workload, check_invariants  # noqa: E402

# The servers' extra settings for the current run. Only `serve` gets them: the CLI the
# harness runs for tokens and migrations works on a placeholder SQLite URL, beside which
# a replica URL is (rightly) refused at start.
SERVER_ENV: dict = {}
_harness_env = harness.server_env


def server_env(db_url: str, port: int, sweep_ms: int) -> dict:
    env = _harness_env(db_url, port, sweep_ms)
    if port:  # `serve`; run_cli passes port 0
        env.update(SERVER_ENV)
    return env


harness.server_env = server_env

SECONDS = float(os.environ.get("REPLICA_E2E_SECONDS", "25"))
METRICS_TOKEN = "replica-e2e-metrics-token"
SEED = int(os.environ.get("REPLICA_E2E_SEED") or random.randrange(1, 1_000_000))


def on_database(url: str, name: str) -> str:
    """`url` with its database replaced by `name`."""
    u = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + name, u.query, ""))


def database_name(url: str) -> str:
    return urllib.parse.urlsplit(url).path.lstrip("/")


def metrics(server: Server) -> dict:
    """The unlabelled samples of /metrics."""
    r = request(server.port, "GET", "/metrics", token=METRICS_TOKEN)
    out = {}
    for line in r.raw.decode().splitlines():
        parts = line.split(" ")
        if len(parts) == 2 and not line.startswith("#") and "{" not in parts[0]:
            try:
                out[parts[0]] = float(parts[1])
            except ValueError:
                pass
    return out


class Run:
    """What one run saw."""

    def __init__(self, label: str):
        self.label = label
        self.violations: list[str] = []
        self.figures: dict = {}
        self.lock = threading.Lock()
        self.codes: list[str] = []
        self.statuses: dict = {}

    def note(self, what: str, status: int | None) -> None:
        with self.lock:
            key = f"{what}:{status}"
            self.statuses[key] = self.statuses.get(key, 0) + 1
            if status is None or (status >= 500 and status != 503):
                self.violations.append(f"{what} answered {status}")

    def violation(self, text: str) -> None:
        with self.lock:
            self.violations.append(text)


def call(run: Run, server: Server, what: str, method: str, path: str, tok=None, body=None, key=None):
    try:
        r = request(server.port, method, path, tok, body, key)
    except TransportError:
        run.note(what, None)
        return None
    run.note(what, r.status)
    return r


def shopper(run: Run, server: Server, wl: Workload, name: str, stop_at: float) -> None:
    """Joins (or opens) groups and at once reads each with its own token: it must see
    itself with every seat it holds there (a replica that has not replayed the join would
    show a group without it)."""
    rng = random.Random(f"{SEED}-{name}")
    tok = token(name)
    c = wl.client(rng)
    held: dict[str, int] = {}
    checks = 0
    while time.monotonic() < stop_at:
        product = rng.choice([p for p in wl.products if p.max_size >= 6])
        body = {"sessionType": "GROUP_PURCHASE", "productId": product.id, "quantity": 1}
        with wl.lock:
            open_groups = list(product.groups[-3:])
        if open_groups and rng.random() < 0.7:
            body["metadata"] = {"groupInstanceId": rng.choice(open_groups)[0]}
        # Recorded by the workload, whose invariants account for every stored session; under
        # the product's lock like its own payments (its stock edits read, then write).
        product.lock.acquire_read()
        try:
            r = wl.post(c, "session", "/api/v1/checkout-sessions", tok, body, new_key("session"), {"user": name})
            run.note("shopper checkout", r and r.status)
            if r is None or r.status != 201:
                continue
            sid = r.data["sessionId"]
            r = wl.post(c, "payment", f"/api/v1/checkout-sessions/{sid}/process-payment", tok,
                        {"paymentMethod": "WALLET"}, new_key("pay"), {"user": name, "session": sid})
            run.note("shopper pay", r and r.status)
        finally:
            product.lock.release_read()
        if r is None or r.status != 200:
            continue
        gid, code = r.data["groupInstanceId"], r.data.get("groupCode")
        held[gid] = held.get(gid, 0) + 1
        if code:
            with run.lock:
                run.codes.append(code)
        r = call(run, server, "shopper read", "GET", f"/api/v1/group-purchases/{gid}", tok)
        checks += 1
        if r is None or r.status != 200:
            run.violation(f"{name} could not read group {gid} after joining it: {r and r.status}")
            continue
        d = r.data
        if not d.get("isUserMember") or (d.get("myQuantity") or 0) < held[gid]:
            run.violation(f"{name} joined {gid} and read isUserMember={d.get('isUserMember')} "
                          f"myQuantity={d.get('myQuantity')} (holds {held[gid]}): not its own write")
    with run.lock:
        run.figures["own_read_checks"] = run.figures.get("own_read_checks", 0) + checks


def viewer(run: Run, server: Server, wl: Workload, name: str, stop_at: float) -> None:
    """Never writes: group details, group pages, available groups and campaign listings."""
    rng = random.Random(f"{SEED}-{name}")
    tok = token(name)
    while time.monotonic() < stop_at:
        product = rng.choice(wl.products)
        with wl.lock:
            groups = list(product.groups[-5:])
        with run.lock:
            codes = list(run.codes[-20:])
        pick = rng.random()
        if pick < 0.35 and groups:
            call(run, server, "viewer detail", "GET", f"/api/v1/group-purchases/{rng.choice(groups)[0]}", tok)
        elif pick < 0.6 and codes:
            call(run, server, "viewer page", "GET", f"/g/{rng.choice(codes)}", None)
        elif pick < 0.85:
            call(run, server, "viewer available", "GET", f"/api/v1/group-purchases/product/{product.id}/available")
        else:
            call(run, server, "viewer campaigns", "GET", f"/v2/public/group-buys/{wl.handle}")


def lag_sampler(run: Run, admin: str, stop: threading.Event) -> None:
    """The largest replay lag (seconds) and WAL distance (bytes) pg_stat_replication shows."""
    worst_s, worst_bytes, samples = 0.0, 0, 0
    while not stop.is_set():
        rows = query(admin, """SELECT COALESCE(EXTRACT(EPOCH FROM replay_lag), 0),
                                      COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0)
                               FROM pg_stat_replication WHERE state = 'streaming'""")
        for seconds, distance in rows:
            worst_s, worst_bytes = max(worst_s, float(seconds)), max(worst_bytes, int(distance))
            samples += 1
        stop.wait(0.25)
    run.figures["replay_lag_max_ms"] = round(worst_s * 1000, 2)
    run.figures["replay_distance_max_bytes"] = worst_bytes
    run.figures["lag_samples"] = samples


def replica_commits(replica_admin: str, name: str) -> int:
    rows = query(replica_admin, "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s", (name,))
    return int(rows[0][0]) if rows else 0


def bouncer_transactions(bouncer_admin: str, name: str) -> int:
    """PgBouncer's SHOW STATS: transactions it pooled for database `name`."""
    u = urllib.parse.urlsplit(bouncer_admin)
    out = subprocess.run(
        ["psql", "-h", u.hostname, "-p", str(u.port), "-U", "postgres", "-d", "pgbouncer", "-A", "-F", "|", "-c", "SHOW STATS"],
        capture_output=True, text=True, check=True, timeout=10,
    ).stdout.splitlines()
    header = out[0].split("|")
    for line in out[1:]:
        row = dict(zip(header, line.split("|")))
        if row.get("database") == name:
            return int(row["total_xact_count"])
    return 0


def workload_run(label: str, mode: str) -> Run:
    run = Run(label)
    admin = os.environ["GROUPBUY_TEST_POSTGRES_URL"]
    url = fresh_database(label)  # created and migrated on the primary, directly
    name = database_name(url)
    env = {"GROUPBUY_METRICS_TOKEN": METRICS_TOKEN}
    server_url = url
    if mode == "replica":
        replica_admin = os.environ["REPLICA_PG_URL"]
        env["DATABASE_READ_URL"] = on_database(replica_admin, name)
        # The new database reaches the replica by WAL replay: wait for it.
        for _ in range(100):
            if query(replica_admin, "SELECT count(*) FROM pg_database WHERE datname = %s", (name,))[0][0]:
                break
            time.sleep(0.1)
        commits_before = replica_commits(replica_admin, name)
    else:
        server_url = on_database(os.environ["BOUNCER_PG_URL"], name)
        env["DATABASE_DIRECT_URL"] = url
        env["GROUPBUY_PG_STATEMENT_CACHE"] = "off"
    SERVER_ENV.clear()
    SERVER_ENV.update(env)
    try:
        server = Server(label, server_url)
        server.start()
        stats = Stats()
        wl = Workload(label, [server], SEED, stats, lambda: time.monotonic() + 60, users=12)
        wl.setup()
        shoppers = [f"{label}-shopper{i}" for i in range(3)]
        viewers = [f"{label}-viewer{i}" for i in range(4)]
        for s in shoppers:
            wl.credit(wl.client(random.Random(SEED)), s, 100_000)
        stop_at = time.monotonic() + SECONDS
        stop = threading.Event()
        threads = [threading.Thread(target=wl.run, args=(6, SECONDS))]
        threads += [threading.Thread(target=shopper, args=(run, server, wl, s, stop_at)) for s in shoppers]
        threads += [threading.Thread(target=viewer, args=(run, server, wl, v, stop_at)) for v in viewers]
        sampler = threading.Thread(target=lag_sampler, args=(run, admin, stop)) if mode == "replica" else None
        for t in threads + ([sampler] if sampler else []):
            t.start()
        for t in threads:
            t.join()
        stop.set()
        if sampler:
            sampler.join()
        m = metrics(server)
        time.sleep(1.0)  # the sweeps finish the refunds they started
        server.stop()
        if server.panicked():
            run.violation(f"{label} panicked (see {server.log_path})")
        v, figs = check_invariants(url, wl)
        run.violations += v + wl.violations
        run.violations += [f"inconsistent read: {x}" for x in wl.inconsistent_reads]
        if stats.server_errors:
            run.violation(f"workload saw {stats.server_errors} answers 5xx: {wl.server_error_samples[:3]}")
        run.figures["workload_operations"] = sum(wl.ops.values())
        run.figures["workload_requests"] = stats.requests
        run.figures["extra_requests"] = sum(run.statuses.values())
        run.figures["primary_pool_checkouts"] = int(m.get("groupbuy_db_pool_checkouts_total", 0))
        if mode == "replica":
            served = int(m.get("groupbuy_db_replica_pool_checkouts_total", 0))
            run.figures["replica_pool_checkouts"] = served
            run.figures["replica_fallbacks"] = int(m.get("groupbuy_db_read_replica_fallbacks_total", -1))
            run.figures["replica_transactions"] = replica_commits(os.environ["REPLICA_PG_URL"], name) - commits_before
            if served == 0 or run.figures["replica_transactions"] <= 0:
                run.violation("the replica served no reads")
        else:
            pooled = bouncer_transactions(os.environ["BOUNCER_PG_URL"], name)
            run.figures["pgbouncer_transactions"] = pooled
            if pooled == 0:
                run.violation("no transaction went through PgBouncer")
        if run.figures.get("own_read_checks", 0) == 0:
            run.violation("no shopper read its own join")
        run.figures.update(figs)
    finally:
        SERVER_ENV.clear()
        stop_all()
        drop_database(url)
    return run


def main() -> int:
    print(f"replica-e2e: seed {SEED}, {SECONDS:.0f} s of load per run")
    failed = 0
    for label, mode in [("replica", "replica"), ("pgbouncer", "pgbouncer")]:
        started = time.monotonic()
        run = workload_run(f"rep_{label}", mode)
        print(f"== {label} ({time.monotonic() - started:.0f} s)")
        print("   figures: " + ", ".join(f"{k}={v}" for k, v in run.figures.items()))
        print("   answers: " + ", ".join(f"{k}={n}" for k, n in sorted(run.statuses.items())))
        if run.violations:
            failed += 1
            print(f"   VIOLATIONS ({len(run.violations)}):")
            for v in run.violations[:25]:
                print("   - " + v)
        else:
            print("   no violations")
    print(f"replica-e2e: {2 - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
