#!/usr/bin/env python3
"""Scale benchmark of groupbuy on PostgreSQL (docs/PERFORMANCE.md, "Scale"); Python standard library only.

1. Reads: the release binary serves a nearly empty database (100 groups, 1,000
   participants) and then the seeded one (100,000 groups, 1,000,000 participants); one
   client on one keep-alive connection measures p50/p99 of group detail, group by code,
   available (limit 50, on a product with ~1,000 OPEN groups), my-groups and
   my-participations. Both databases have the same per-group shape (10 participants, 4
   participations per buyer, 50 groups returned by `available`), so the responses are the
   same size and only the data volume differs.
2. Plans: EXPLAIN ANALYZE of every statement those reads run on the seeded database, taken
   by auto_explain from the server log while one request of each kind is made.
3. Sweep: the server's own expiry job (GROUPBUY_SWEEP_INTERVAL_MS=10) on a database seeded
   with 100,000 OPEN groups past expiry; timed from the server's start until no expired
   OPEN group and no owed refund is left; then checked: every member refunded exactly once,
   every ledger adds up to its wallet, one `group.failed` per group.

Usage: bench/scale.py --bin target/release/groupbuy [--pg postgres://postgres@127.0.0.1:5432/postgres]
       [--prefix gb_scale] [--reuse] [--requests 2000] [--pg-log /var/log/postgresql/...]
"""

import argparse
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import time

PORT = 18431  # the seeded database's server; the nearly empty one's is PORT + 1


def psql(url, sql):
    out = subprocess.run(
        ["psql", url, "-AtqX", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True, capture_output=True, text=True,
    )
    return out.stdout.strip()


def db_url(url, name):
    """`url` (a server, with or without a database) pointing at database `name`."""
    base, _, query = url.partition("?")
    head, sep, rest = base.partition("://")
    host = rest.split("/", 1)[0]
    return f"{head}{sep}{host}/{name}" + (f"?{query}" if query else "")


def exists(base, name):
    return psql(db_url(base, "postgres"), f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def seed(args, name, groups, participants, expired):
    """Creates and seeds database `name` (or keeps it with --reuse when it is seeded)."""
    url = db_url(args.pg, name)
    admin = db_url(args.pg, "postgres")
    if args.reuse and exists(args.pg, name):
        try:
            n = int(psql(url, "SELECT count(*) FROM group_instances"))
        except subprocess.CalledProcessError:
            n = 0
        if n > 0:
            print(f"reusing {name} ({n} groups)", flush=True)
            return url
    psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(admin, f"CREATE DATABASE {name}")
    env = dict(os.environ, DATABASE_URL=url, RUST_LOG="warn")
    cmd = [args.bin, "seed", "--groups", str(groups), "--participants", str(participants),
           "--expired", str(expired)]
    print("$ DATABASE_URL=" + url + " " + " ".join(cmd[1:]), flush=True)
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    print("  " + out.stdout.strip(), flush=True)
    return url


class Server:
    """The release binary serving `url` on `port`, until stopped."""

    def __init__(self, args, url, port=PORT, **extra):
        env = dict(os.environ, DATABASE_URL=url, GROUPBUY_BIND=f"127.0.0.1:{port}",
                   RUST_LOG="warn", GROUPBUY_RATE_LIMITS="off")
        env.update({k: str(v) for k, v in extra.items()})
        self.log = open(f"/tmp/groupbuy-scale-{os.getpid()}-{port}.log", "w")
        self.started = time.monotonic()
        self.proc = subprocess.Popen([args.bin, "serve"], env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise SystemExit("the server did not start; see " + self.log.name)
            time.sleep(0.02)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def token(args, sub):
    return subprocess.run([args.bin, "token", "--sub", sub], check=True, capture_output=True,
                          text=True).stdout.strip()


def targets(args, url):
    """The requests of each read, spread over many groups and buyers (rows all over the
    tables, not one hot row)."""
    rnd = random.Random(11)
    groups = psql(url, "SELECT id || ' ' || code FROM group_instances WHERE status = 'OPEN' "
                       "AND expires_at > now() ORDER BY random() LIMIT 500").splitlines()
    # The product with the most OPEN groups: `available` must skip the most rows there.
    product = psql(url, "SELECT product_id FROM group_instances WHERE status = 'OPEN' "
                        "GROUP BY product_id ORDER BY count(*) DESC, product_id LIMIT 1")
    users = psql(url, "SELECT user_id FROM wallets ORDER BY random() LIMIT 40").splitlines()
    tokens = {u: token(args, u) for u in users}
    pick = lambda xs: xs[rnd.randrange(len(xs))]  # noqa: E731
    first = tokens[users[0]]
    return {
        "GET group detail": lambda: (f"/api/v1/group-purchases/{pick(groups).split()[0]}", first),
        "GET group by code": lambda: (f"/api/v1/group-purchases/code/{pick(groups).split()[1]}", first),
        "GET available (limit 50)": lambda: (
            f"/api/v1/group-purchases/product/{product}/available?limit=50", first),
        "GET my-groups": lambda: ("/api/v1/group-purchases/my-groups", tokens[pick(users)]),
        "GET my-participations": lambda: (
            "/api/v1/group-purchases/my-participations", tokens[pick(users)]),
    }


class Client:
    """One keep-alive connection to a server."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, make):
        """One request: (milliseconds, body bytes)."""
        path, tok = make()
        t = time.perf_counter()
        self.conn.request("GET", path, headers={"Authorization": f"Bearer {tok}"})
        resp = self.conn.getresponse()
        body = resp.read()
        dt = time.perf_counter() - t
        if resp.status != 200:
            raise SystemExit(f"{path}: {resp.status} {body[:300]!r}")
        return dt * 1000, len(body)


def summary(samples):
    times = sorted(t for t, _ in samples)
    q = lambda p: times[min(len(times) - 1, int(p * len(times)))]  # noqa: E731
    return {"p50": q(0.50), "p99": q(0.99), "bytes": sum(b for _, b in samples) // len(samples)}


def measure(make, n, warmup):
    """p50/p99 (ms) of n sequential requests on one keep-alive connection."""
    c = Client(PORT)
    samples = [c.get(make) for _ in range(warmup + n)][warmup:]
    return summary(samples)


def reads(args, small_url, big_url):
    """Both databases served at once, requests alternating between them, so both see the
    same machine (this 2-core box is shared): one sequential client per server."""
    big = Server(args, big_url, PORT, GROUPBUY_SWEEP_INTERVAL_MS=600_000)
    small = Server(args, small_url, PORT + 1, GROUPBUY_SWEEP_INTERVAL_MS=600_000)
    try:
        tb, ts = targets(args, big_url), targets(args, small_url)
        cb, cs = Client(PORT), Client(PORT + 1)
        out = {}
        for name in tb:
            for _ in range(args.requests // 10):
                cb.get(tb[name])
                cs.get(ts[name])
            sb, ss = [], []
            for _ in range(args.requests):
                sb.append(cb.get(tb[name]))
                ss.append(cs.get(ts[name]))
            out[name] = (summary(ss), summary(sb))
        return out
    finally:
        big.stop()
        small.stop()


def plans(args, url, name):
    """auto_explain's plans of every statement one request of each read runs."""
    try:
        log = open(args.pg_log, "rb")
    except OSError as e:
        return f"(no plans: cannot read the server log {args.pg_log}: {e})"
    log.seek(0, os.SEEK_END)
    admin = db_url(args.pg, "postgres")
    settings = {
        "session_preload_libraries": "'auto_explain'",
        "auto_explain.log_min_duration": "0",
        "auto_explain.log_analyze": "on",
        "auto_explain.log_buffers": "on",
        "auto_explain.log_timing": "on",
    }
    for k, v in settings.items():
        psql(admin, f"ALTER DATABASE {name} SET {k} = {v}")
    try:
        server = Server(args, url, GROUPBUY_SWEEP_INTERVAL_MS=600_000)
        try:
            t = targets(args, url)
            marks = []
            for label, make in t.items():
                time.sleep(0.3)
                marks.append((label, log.seek(0, os.SEEK_END)))
                measure(make, 1, 0)
            time.sleep(0.5)
        finally:
            server.stop()
    finally:
        for k in settings:
            psql(admin, f"ALTER DATABASE {name} RESET {k}")
    log.seek(0, os.SEEK_END)
    marks.append(("end", log.tell()))
    out = []
    for (label, start), (_, end) in zip(marks, marks[1:]):
        log.seek(start)
        text = log.read(end - start).decode("utf-8", "replace")
        out.append(f"### {label}\n")
        for block in re.split(r"\n(?=\d{4}-\d\d-\d\d )", text):
            if "Query Text:" not in block or name not in block or "group_" not in block:
                continue
            query = block.split("Query Text:", 1)[1].split("\n", 1)
            sql = " ".join(query[0].split())
            plan = query[1] if len(query) > 1 else ""
            total = re.search(r"duration: ([\d.]+) ms", block).group(1)
            sql = re.sub(r"SELECT .*? FROM", "SELECT ... FROM", sql, count=1)
            sql = re.sub(r'"(\w+)"', r"\1", sql)
            out.append(f"-- {total} ms: {sql[:400]}\n{plan.rstrip()}\n")
    log.close()
    return "\n".join(out)


def sweep(args, url):
    due = psql(url, "SELECT count(*) FROM group_instances WHERE status = 'OPEN' AND expires_at <= now()")
    owed = psql(url, "SELECT count(*) FROM group_participants p JOIN group_instances g "
                     "ON g.id = p.group_id WHERE g.status = 'OPEN' AND g.expires_at <= now() "
                     "AND p.status = 'ACTIVE'")
    before = psql(url, "SELECT now()::timestamp")
    server = Server(args, url, GROUPBUY_SWEEP_INTERVAL_MS=10)
    started = server.started
    try:
        while True:
            # EXISTS, not count(*): the poll must not compete with the sweep for the CPU.
            left = psql(url, "SELECT EXISTS (SELECT 1 FROM group_instances WHERE status = 'OPEN' "
                             "AND expires_at <= now()) OR EXISTS (SELECT 1 FROM group_refunds_owed)")
            if left == "f":
                break
            if time.monotonic() - started > 900:
                raise SystemExit(f"sweep still unfinished after 900 s ({left} left)")
            time.sleep(0.1)
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    checks = {
        "groups failed": psql(url, f"SELECT count(*) FROM events WHERE event_type = 'group.failed' "
                                   f"AND created_at >= '{before}'"),
        "refunds paid": psql(url, f"SELECT count(*) FROM wallet_ledger WHERE kind = 'REFUND' "
                                  f"AND created_at >= '{before}'"),
        "refunds paid twice": psql(url, "SELECT count(*) FROM (SELECT user_id, reference FROM "
                                        "wallet_ledger WHERE kind = 'REFUND' GROUP BY 1, 2 "
                                        "HAVING count(*) > 1) d"),
        "ACTIVE members of FAILED groups": psql(
            url, "SELECT count(*) FROM group_participants p JOIN group_instances g "
                 "ON g.id = p.group_id WHERE g.status = 'FAILED' AND p.status = 'ACTIVE'"),
        "wallets not equal to their ledger": psql(
            url, "SELECT count(*) FROM wallets w WHERE balance_minor <> (SELECT "
                 "balance_after_minor FROM wallet_ledger l WHERE l.user_id = w.user_id "
                 "ORDER BY seq DESC LIMIT 1)"),
        "stock still held by FAILED groups": psql(
            url, "SELECT count(*) FROM products p WHERE reserved_quantity <> (SELECT "
                 "COALESCE(sum(total_seats), 0) FROM group_instances g WHERE "
                 "g.product_id = p.id AND g.status = 'OPEN')"),
    }
    ok = (checks["groups failed"] == due and checks["refunds paid"] == owed
          and all(checks[k] == "0" for k in list(checks)[2:]))
    return {"due": int(due), "owed": int(owed), "seconds": elapsed, "checks": checks, "ok": ok}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bin", required=True)
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres",
                   help="the PostgreSQL server (any database on it)")
    p.add_argument("--prefix", default="gb_scale")
    p.add_argument("--reuse", action="store_true", help="keep databases seeded by an earlier run")
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--pg-log", default="/var/log/postgresql/postgresql-15-main.log")
    p.add_argument("--sweep-participants", type=int, default=336_000)
    p.add_argument("--skip-sweep", action="store_true")
    args = p.parse_args()

    empty_name, big_name, sweep_name = (f"{args.prefix}_empty", f"{args.prefix}_1m",
                                        f"{args.prefix}_sweep")
    t = time.monotonic()
    empty = seed(args, empty_name, 100, 1_000, 0)
    big = seed(args, big_name, 100_000, 1_000_000, 0)
    print(f"seeding took {time.monotonic() - t:.0f} s", flush=True)

    print(f"\nreads: {args.requests} sequential requests per endpoint and database, one "
          "keep-alive connection each, alternating", flush=True)
    measured = reads(args, empty, big)
    rows = [("endpoint", "empty p50", "empty p99", "1M p50", "1M p99", "p50 ratio", "bytes")]
    for name, (a, b) in measured.items():
        rows.append((name, f"{a['p50']:.2f} ms", f"{a['p99']:.2f} ms", f"{b['p50']:.2f} ms",
                     f"{b['p99']:.2f} ms", f"{b['p50'] / a['p50']:.2f}x", str(b["bytes"])))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    print(line(rows[0]))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows[1:]:
        print(line(r))

    with open(f"/tmp/{args.prefix}_plans.txt", "w") as f:
        f.write(plans(args, big, big_name))
    print(f"\nplans of the seeded database's reads: /tmp/{args.prefix}_plans.txt", flush=True)

    if args.skip_sweep:
        return
    n = args.sweep_participants
    # Always seeded afresh: the sweep consumes it.
    fresh = argparse.Namespace(**{**vars(args), "reuse": False})
    swept = seed(fresh, sweep_name, 112_000, n, 100_000)
    print("\nsweep: the server's expiry job (GROUPBUY_SWEEP_INTERVAL_MS=10, 200 groups a pass)",
          flush=True)
    s = sweep(args, swept)
    print(f"{s['due']} expired groups failed and {s['owed']} participants refunded in "
          f"{s['seconds']:.1f} s (server start to nothing owed)")
    print(json.dumps(s["checks"], indent=1))
    if not s["ok"]:
        raise SystemExit("sweep checks FAILED")


if __name__ == "__main__":
    sys.exit(main())
