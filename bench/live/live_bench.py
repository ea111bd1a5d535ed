#!/usr/bin/env python3
"""Live updates and page benchmarks (docs/PERFORMANCE.md, "Pages and live updates");
Python standard library only, plus wrk (Debian: apt-get install -y wrk). Loopback only.

1. Pages: wrk, 16 connections, GET /g/{code} (HTML) against the JSON read of the same
   group, GET /api/v1/group-purchases/code/{code}; and the page weight without images
   (bytes of /g/{code} + /assets/site.css + /assets/live.js).
2. Fan-out: two instances of the release binary on ONE PostgreSQL database; N event-stream
   subscribers of one group, split across both; J joins made through instance A, one at a
   time; for each join, the time from sending the payment to each subscriber receiving the
   new seat count (p50/p99/max over all subscribers and joins); the memory per subscriber
   (each instance's RSS after the subscriptions minus before, over its subscribers).

Usage: bench/live/live_bench.py --bin target/release/groupbuy
       [--pg postgres://postgres@127.0.0.1:5432/postgres] [--subscribers 2000] [--joins 20]
       [--duration 10]
"""

import argparse
import asyncio
import http.client
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
import uuid

SECRET = "live-bench-secret-of-at-least-32-bytes-long"
PORTS = (18461, 18462)


def psql(url, sql):
    subprocess.run(["psql", url, "-AtqX", "-v", "ON_ERROR_STOP=1", "-c", sql],
                   check=True, capture_output=True, text=True)


def db_url(url, name):
    base, _, query = url.partition("?")
    head, sep, rest = base.partition("://")
    host = rest.split("/", 1)[0]
    return f"{head}{sep}{host}/{name}" + (f"?{query}" if query else "")


def token(binary, sub, roles=(), name=None):
    args = [binary, "token", "--sub", sub]
    for r in roles:
        args += ["--role", r]
    if name:
        args += ["--name", name]
    out = subprocess.run(args, check=True, capture_output=True, text=True,
                         env={**os.environ, "GROUPBUY_JWT_SECRET": SECRET})
    return out.stdout.strip()


def call(port, method, path, tok=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
    if tok:
        headers["Authorization"] = f"Bearer {tok}"
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    res = conn.getresponse()
    raw = res.read()
    conn.close()
    if res.status >= 300:
        raise RuntimeError(f"{method} {path}: {res.status} {raw[:300]!r}")
    return json.loads(raw) if raw and raw[:1] in b"{[" else raw


def serve(binary, url, port, max_subs):
    env = {**os.environ, "DATABASE_URL": url, "GROUPBUY_BIND": f"127.0.0.1:{port}",
           "GROUPBUY_JWT_SECRET": SECRET, "GROUPBUY_WORKERS": "2",
           "GROUPBUY_MAX_CONNECTIONS": str(max_subs + 200),
           "GROUPBUY_LIVE_MAX_SUBSCRIBERS": str(max_subs),
           "GROUPBUY_RATE_LIMITS": "off",
           "RUST_LOG": "warn"}
    p = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    until = time.time() + 60
    while time.time() < until:
        try:
            call(port, "GET", "/healthz")
            return p
        except Exception:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def setup(binary, port):
    """A product of group size 1000, and a group of it with one seat taken: (code, id, product)."""
    merchant = token(binary, "bench-merchant", ["merchant"])
    shop = call(port, "POST", "/api/v1/shops", merchant, {"shopName": "Bench shop"})["data"]["shopId"]
    product = call(port, "POST", f"/api/v1/shops/{shop}/products", merchant, {
        "productName": "Teak lamp", "productImage": "https://img.example/lamp.jpg",
        "regularPrice": 150000, "groupPrice": 80000, "stockQuantity": 100000,
        "groupBuyingEnabled": True, "groupMaxSize": 1000, "groupTimeLimitHours": 24,
        "maxPerCustomer": 1})["data"]["productId"]
    group = buy(binary, port, "bench-buyer-0", product, None)
    return group["groupCode"], group["groupInstanceId"], product


def buy(binary, port, user, product, group, timed=None):
    admin = token(binary, "bench-admin", ["platform-admin"])
    call(port, "POST", f"/api/v1/platform-admin/wallets/{user}/credit", admin,
         {"amount": 1000000, "reference": "bench"})
    t = token(binary, user, name=f"Buyer {user[-4:]}")
    body = {"sessionType": "GROUP_PURCHASE", "productId": product, "quantity": 1}
    if group:
        body["metadata"] = {"groupInstanceId": group}
    session = call(port, "POST", "/api/v1/checkout-sessions", t, body)["data"]["sessionId"]
    if timed is not None:
        timed.append(time.perf_counter())
    paid = call(port, "POST", f"/api/v1/checkout-sessions/{session}/process-payment", t,
                {"paymentMethod": "WALLET"})["data"]
    if timed is not None:
        timed.append(time.perf_counter())
    return paid


def wrk(url, duration):
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{duration}s", "--latency", url],
                         check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    return rps, lat.get("50"), lat.get("99")


def page_weight(port, code):
    sizes = {}
    for path in (f"/g/{code}", "/assets/site.css", "/assets/live.js"):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", path)
        sizes[path] = len(conn.getresponse().read())
        conn.close()
    return sizes


class Subscriber:
    def __init__(self, port, path):
        self.port, self.path = port, path
        self.seen = {}  # seatsOccupied -> perf_counter at receipt

    async def run(self, ready):
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write(f"GET {self.path} HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n".encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 200 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(head[:200])
        buf = b""
        first = True
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                return
            buf += chunk
            for m in re.finditer(rb'"seatsOccupied":(\d+)', chunk):
                self.seen.setdefault(int(m.group(1)), time.perf_counter())
            if first and self.seen:
                first = False
                ready.release()


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * p))]


async def fan_out(args, binary, code, gid, product, pids):
    path = f"/g/{code}/live"
    subs = [Subscriber(PORTS[i % 2], path) for i in range(args.subscribers)]
    before = [rss_kib(p) for p in pids]
    ready = asyncio.Semaphore(0)
    tasks = []
    for i, s in enumerate(subs):
        tasks.append(asyncio.create_task(s.run(ready)))
        if i % 100 == 99:
            await asyncio.sleep(0.05)
    for _ in subs:
        await asyncio.wait_for(ready.acquire(), 60)
    await asyncio.sleep(1)
    after = [rss_kib(p) for p in pids]
    latencies, payments, firsts = [], [], []
    loop = asyncio.get_running_loop()
    for j in range(args.joins):
        sent = []
        data = await loop.run_in_executor(None, buy, binary, PORTS[0], f"bench-buyer-{j + 1}", product, gid, sent)
        seats = data.get("seatsOccupied") or (j + 2)
        until = time.perf_counter() + 10
        while time.perf_counter() < until and not all(seats in s.seen for s in subs):
            await asyncio.sleep(0.01)
        missing = sum(1 for s in subs if seats not in s.seen)
        if missing:
            print(f"join {j}: {missing} subscribers missed seats={seats}", file=sys.stderr)
        this = [(s.seen[seats] - sent[0]) * 1000 for s in subs if seats in s.seen]
        latencies += this
        firsts.append(min(this))
        payments.append((sent[1] - sent[0]) * 1000)
    for t in tasks:
        t.cancel()
    per_instance = [args.subscribers // 2 + (args.subscribers % 2 if i == 0 else 0) for i in range(2)]
    per_sub = [(a - b) / n for a, b, n in zip(after, before, per_instance)]
    return latencies, payments, firsts, before, after, per_sub


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--subscribers", type=int, default=2000)
    ap.add_argument("--joins", type=int, default=20)
    ap.add_argument("--duration", type=int, default=10)
    args = ap.parse_args()
    # Each subscriber is a socket here and in a server (which inherit this limit).
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    binary = os.path.abspath(args.bin)
    name = f"gb_live_{uuid.uuid4().hex[:8]}"
    admin = db_url(args.pg, "postgres")
    psql(admin, f"CREATE DATABASE {name}")
    url = db_url(args.pg, name)
    procs = []
    try:
        procs.append(serve(binary, url, PORTS[0], args.subscribers + 100))
        procs.append(serve(binary, url, PORTS[1], args.subscribers + 100))
        code, gid, product = setup(binary, PORTS[0])
        reader = token(binary, "bench-reader")
        print(f"# PostgreSQL, {binary}, 2 workers per instance, group {code}")
        sizes = page_weight(PORTS[0], code)
        print("page weight (bytes, no images):", sizes, "total", sum(sizes.values()))
        html = wrk(f"http://127.0.0.1:{PORTS[0]}/g/{code}", args.duration)
        print(f"wrk -c16 GET /g/{{code}} (HTML):  {html[0]:.0f} req/s, p50 {html[1]}, p99 {html[2]}")
        script = f"/tmp/{name}.lua"
        with open(script, "w") as f:
            f.write(f'wrk.headers["Authorization"] = "Bearer {reader}"\n')
        out = subprocess.run(["wrk", "-t2", "-c16", f"-d{args.duration}s", "--latency", "-s", script,
                              f"http://127.0.0.1:{PORTS[0]}/api/v1/group-purchases/code/{code}"],
                             check=True, capture_output=True, text=True).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
        print(f"wrk -c16 GET /api/v1/group-purchases/code/{{code}} (JSON): {rps:.0f} req/s, "
              f"p50 {lat.get('50')}, p99 {lat.get('99')}")
        os.remove(script)
        latencies, payments, firsts, before, after, per_sub = asyncio.run(fan_out(args, binary, code, gid, product, [p.pid for p in procs]))
        print(f"fan-out: {args.subscribers} subscribers over 2 instances, {args.joins} joins on instance A")
        print(f"  join-to-receipt: n={len(latencies)} p50 {pct(latencies, 0.5):.1f} ms, "
              f"p99 {pct(latencies, 0.99):.1f} ms, max {max(latencies):.1f} ms")
        print(f"  first subscriber to receive each join: p50 {pct(firsts, 0.5):.1f} ms, "
              f"max {max(firsts):.1f} ms")
        print(f"  the payment request itself (send to answer): p50 {pct(payments, 0.5):.1f} ms, "
              f"max {max(payments):.1f} ms")
        print(f"  RSS KiB before {before}, after {after}; per subscriber "
              f"{', '.join(f'{x:.1f}' for x in per_sub)} KiB")
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
        psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
