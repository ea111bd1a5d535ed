"""What a revalidation costs against a full read: wrk against a 10-member group's detail
(`GET /api/v1/group-purchases/{id}`, one reader's token) on a fresh PostgreSQL database,
once answered 200 (no If-None-Match) and once 304 (the detail's strong ETag sent back as
If-None-Match), alternated RUNS times so the shared machine's drift hits both alike.

    python3 bench/etag_wrk.py target/release/groupbuy [RUNS] [SECONDS] [CONNECTIONS]

Prints req/s and p99 of each run and the 304/200 ratio of the medians.
"""
import base64, hashlib, hmac, http.client, json, os, re, statistics, subprocess, sys, time, uuid
BIN = sys.argv[1]
RUNS, SECONDS, CONNS = (int(a) for a in (sys.argv[2:] + ["3", "10", "16"][len(sys.argv) - 2:])[:3])
SECRET = b"groupbuy-bench-secret-of-at-least-32-bytes"
PORT = 19000 + (os.getpid() % 1000)
DB = "gb_etag_bench"
psql = ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c"]
subprocess.run(psql + [f"DROP DATABASE IF EXISTS {DB}"], check=True)
subprocess.run(psql + [f"CREATE DATABASE {DB}"], check=True)
def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=")
def token(sub, roles=()):
    h = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    c = {"sub": sub, "name": sub, "scope": "groupbuy:read groupbuy:write", "exp": int(time.time()) + 6 * 3600}
    if roles: c["roles"] = list(roles)
    p = b64(json.dumps(c).encode())
    return (h + b"." + p + b"." + b64(hmac.new(SECRET, h + b"." + p, hashlib.sha256).digest())).decode()
env = dict(os.environ, DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB}", GROUPBUY_BIND=f"127.0.0.1:{PORT}",
           GROUPBUY_JWT_SECRET=SECRET.decode(), GROUPBUY_RATE_LIMITS="off", RUST_LOG="warn",
           GROUPBUY_SWEEP_INTERVAL_MS="3600000", GROUPBUY_WEBHOOK_POLL_MS="3600000")
srv = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30); conn.request("GET", "/healthz")
            r = conn.getresponse(); r.read()
            if r.status == 200: break
        except OSError: time.sleep(0.2)
    def call(method, path, tok, body=None):
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers={
            "Authorization": f"Bearer {tok}", "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())})
        r = conn.getresponse(); data = r.read()
        return r.status, (json.loads(data) if data else None), r.getheader("ETag")
    m, a = token("bench-merchant", ["merchant"]), token("bench-admin", ["platform-admin"])
    shop = call("POST", "/api/v1/shops", m, {"shopName": "Bench"})[1]["data"]["shopId"]
    prod = call("POST", f"/api/v1/shops/{shop}/products", m, {"productName": "Bench product", "regularPrice": 150000,
        "groupPrice": 80000, "stockQuantity": 1000000, "groupBuyingEnabled": True, "groupMaxSize": 1000000,
        "groupTimeLimitHours": 24})[1]["data"]["productId"]
    group = None
    for i in range(10):
        u = f"member-{i}"; call("POST", f"/api/v1/platform-admin/wallets/{u}/credit", a, {"amount": 10000000, "reference": "bench"})
        body = {"sessionType": "GROUP_PURCHASE", "productId": prod, "quantity": 1}
        if group: body["metadata"] = {"groupInstanceId": group}
        s = call("POST", "/api/v1/checkout-sessions", token(u), body)[1]
        st, p, _ = call("POST", f"/api/v1/checkout-sessions/{s['data']['sessionId']}/process-payment", token(u), {"paymentMethod": "WALLET"})
        assert st == 200, (st, p)
        group = group or p["data"]["groupInstanceId"]
    path, rt = f"/api/v1/group-purchases/{group}", token("reader")
    time.sleep(0.5)  # the joins' announcements land before the tag is taken
    st, d, tag = call("GET", path, rt)
    assert st == 200 and len(d["data"]["participants"]) == 10 and not tag.startswith("W/"), (st, tag)
    def wrk(extra):
        hdr = ["-H", f"Authorization: Bearer {rt}"] + (["-H", f"If-None-Match: {extra}"] if extra else [])
        out = subprocess.run(["wrk", "-t2", f"-c{CONNS}", f"-d{SECONDS}s", "--latency", *hdr, f"http://127.0.0.1:{PORT}{path}"],
                             capture_output=True, text=True, check=True).stdout
        assert "Non-2xx" not in out or extra, out  # a 304 counts as non-2xx for wrk
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
        return rps, p99
    full, revalidated = [], []
    for run in range(RUNS):
        f, r = wrk(None), wrk(tag)
        full.append(f[0]); revalidated.append(r[0])
        print(f"run {run + 1}: 200 {f[0]:,.0f} req/s p99 {f[1]} | 304 {r[0]:,.0f} req/s p99 {r[1]}", flush=True)
    print(f"median: 200 {statistics.median(full):,.0f} req/s, 304 {statistics.median(revalidated):,.0f} req/s, "
          f"ratio {statistics.median(revalidated) / statistics.median(full):.2f}")
finally:
    srv.terminate(); srv.wait(timeout=30)
