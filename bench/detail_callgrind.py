"""Instructions per group-detail read of a groupbuy binary, under callgrind: repeatable
whatever else the machine runs, where req/s on a shared 2-core box move by 10 %.

Seeds a 10-member group over HTTP on a fresh PostgreSQL database, zeroes the counters,
sends N reads with a bearer token on one keep-alive connection, dumps and prints the
instructions per read (all threads; the sweeps and webhook poller are slowed to an hour so
they do not run in the window). Usage (docs/PERFORMANCE.md):

    python3 bench/detail_callgrind.py target/release/groupbuy head 300
    python3 bench/detail_callgrind.py target/release/groupbuy head 300 304   # revalidations

With a fourth argument `304`, each read sends the detail's ETag as If-None-Match and must be
answered 304 (what a revalidation costs against a full 200).
"""
import base64, glob, hashlib, hmac, http.client, json, os, re, subprocess, sys, tempfile, time, uuid
BIN, TAG, N = sys.argv[1], sys.argv[2], int(sys.argv[3])
REVALIDATE = sys.argv[4:] == ["304"]
SECRET = b"groupbuy-bench-secret-of-at-least-32-bytes"
PORT = 18000 + (os.getpid() % 1000)
DB = f"gb_cg_{TAG}"
subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"DROP DATABASE IF EXISTS {DB}"], check=True)
subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {DB}"], check=True)
def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=")
def token(sub, roles=()):
    h = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    c = {"sub": sub, "name": sub, "scope": "groupbuy:read groupbuy:write", "exp": int(time.time()) + 6 * 3600}
    if roles: c["roles"] = list(roles)
    p = b64(json.dumps(c).encode())
    s = b64(hmac.new(SECRET, h + b"." + p, hashlib.sha256).digest())
    return (h + b"." + p + b"." + s).decode()
WORK = os.environ.get("CALLGRIND_DIR", tempfile.gettempdir())
out = f"{WORK}/callgrind.{TAG}"
for f in glob.glob(out + "*"): os.remove(f)
env = dict(os.environ, DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB}", GROUPBUY_BIND=f"127.0.0.1:{PORT}",
           GROUPBUY_JWT_SECRET=SECRET.decode(), GROUPBUY_RATE_LIMITS="off", GROUPBUY_WORKERS="1", RUST_LOG="warn",
           GROUPBUY_DB_POOL_SIZE="4", GROUPBUY_SWEEP_INTERVAL_MS="3600000", GROUPBUY_WEBHOOK_POLL_MS="3600000")
srv = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}.%p", "--dump-instr=no", BIN, "serve"],
                       env=env, stdout=subprocess.DEVNULL, stderr=open(f"{WORK}/{TAG}.log", "w"))
conn = None
for _ in range(600):  # valgrind starts the server about 50 times slower
    try:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120); conn.request("GET", "/healthz"); r = conn.getresponse(); r.read()
        if r.status == 200: break
    except OSError: time.sleep(0.5)
def call(method, path, tok, body=None):
    hdr = {"Authorization": f"Bearer {tok}", "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=hdr)
    r = conn.getresponse(); data = r.read()
    return r.status, (json.loads(data) if data else None)
m, a = token("bench-merchant", ["merchant"]), token("bench-admin", ["platform-admin"])
st, shop = call("POST", "/api/v1/shops", m, {"shopName": "Bench"}); shop = shop["data"]["shopId"]
st, prod = call("POST", f"/api/v1/shops/{shop}/products", m, {"productName": "Bench product", "regularPrice": 150000, "groupPrice": 80000,
  "stockQuantity": 1000000, "groupBuyingEnabled": True, "groupMaxSize": 1000000, "groupTimeLimitHours": 24}); prod = prod["data"]["productId"]
group = None
for i in range(10):
    u = f"member-{i}"; call("POST", f"/api/v1/platform-admin/wallets/{u}/credit", a, {"amount": 10000000, "reference": "bench"})
    body = {"sessionType": "GROUP_PURCHASE", "productId": prod, "quantity": 1}
    if group: body["metadata"] = {"groupInstanceId": group}
    st, s = call("POST", "/api/v1/checkout-sessions", token(u), body)
    st, p = call("POST", f"/api/v1/checkout-sessions/{s['data']['sessionId']}/process-payment", token(u), {"paymentMethod": "WALLET"})
    assert st == 200, (st, p)
    group = group or p["data"]["groupInstanceId"]
path = f"/api/v1/group-purchases/{group}"
rt = token("reader")
st, d = call("GET", path, rt); assert st == 200 and len(d["data"]["participants"]) == 10, (st, d)
for _ in range(20): call("GET", path, rt)
conn.request("GET", path, headers={"Authorization": f"Bearer {rt}"}); r = conn.getresponse(); r.read()
read = {"Authorization": f"Bearer {rt}"}
if REVALIDATE: read["If-None-Match"] = r.getheader("ETag")
want = 304 if REVALIDATE else 200
subprocess.run(["callgrind_control", "-z", str(srv.pid)], check=True, stdout=subprocess.DEVNULL)
for _ in range(N):
    conn.request("GET", path, headers=read); r = conn.getresponse(); r.read(); assert r.status == want, r.status
subprocess.run(["callgrind_control", "-d", str(srv.pid)], check=True, stdout=subprocess.DEVNULL)
time.sleep(1)
srv.terminate(); srv.wait(timeout=120)
total = 0
files = sorted(glob.glob(out + "*"), key=os.path.getmtime)
# The dump taken after the reads (the file with ".1" part suffix) holds the reads only.
parts = [f for f in files if re.search(r"\.\d+\.1$", f) or re.search(r"\.\d+\.1-\d+$", f)]
for f in parts:
    for line in open(f):
        if line.startswith("summary:") or line.startswith("totals:"):
            total += int(line.split()[1]); break
print(f"{TAG}: {total} instructions over {N} reads = {total // N} per read ({len(parts)} part files)")
