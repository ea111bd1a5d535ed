"""Instructions per hot-group join (checkout + payment) of a groupbuy binary on SQLite, under
callgrind: repeatable whatever else the machine runs, where joins/s on a shared 2-core box
move by 20 %.

Seeds a shop, a product and an open group over HTTP on a fresh SQLite file, funds N buyers,
zeroes the counters, runs N joins (each a checkout and its payment with an Idempotency-Key,
as the bench's clients send them) on one keep-alive connection, dumps and prints the
instructions per join (all threads: the request's worker, the blocking pool, the SQLite
writer; the sweeps and webhook poller are slowed to an hour so they do not run in the
window). Usage (docs/PERFORMANCE.md):

    python3 bench/join_callgrind.py target/release/groupbuy head 200

The dump keeps per-function counts: `callgrind_annotate --inclusive=yes FILE` shows where
a join's instructions go.
"""
import base64, glob, hashlib, hmac, http.client, json, os, re, subprocess, sys, tempfile, time, uuid
BIN, TAG, N = sys.argv[1], sys.argv[2], int(sys.argv[3])
SECRET = b"groupbuy-bench-secret-of-at-least-32-bytes"
PORT = 19000 + (os.getpid() % 1000)
WORK = os.environ.get("CALLGRIND_DIR", tempfile.gettempdir())
DB = f"{WORK}/gb_join_cg_{TAG}.db"
for f in glob.glob(DB + "*"): os.remove(f)
def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=")
def token(sub, roles=()):
    h = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    c = {"sub": sub, "name": sub, "scope": "groupbuy:read groupbuy:write", "exp": int(time.time()) + 6 * 3600}
    if roles: c["roles"] = list(roles)
    p = b64(json.dumps(c).encode())
    s = b64(hmac.new(SECRET, h + b"." + p, hashlib.sha256).digest())
    return (h + b"." + p + b"." + s).decode()
out = f"{WORK}/callgrind.join.{TAG}"
for f in glob.glob(out + "*"): os.remove(f)
env = dict(os.environ, DATABASE_URL=f"sqlite://{DB}", GROUPBUY_BIND=f"127.0.0.1:{PORT}",
           GROUPBUY_JWT_SECRET=SECRET.decode(), GROUPBUY_RATE_LIMITS="off", GROUPBUY_WORKERS="1", RUST_LOG="warn",
           GROUPBUY_DB_POOL_SIZE="4", GROUPBUY_SWEEP_INTERVAL_MS="3600000", GROUPBUY_WEBHOOK_POLL_MS="3600000")
srv = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}.%p", "--dump-instr=no", BIN, "serve"],
                       env=env, stdout=subprocess.DEVNULL, stderr=open(f"{WORK}/join-{TAG}.log", "w"))
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
def join(user, group):
    tok = token(user)
    body = {"sessionType": "GROUP_PURCHASE", "productId": prod, "quantity": 1}
    if group: body["metadata"] = {"groupInstanceId": group}
    st, s = call("POST", "/api/v1/checkout-sessions", tok, body); assert st == 201, (st, s)
    st, p = call("POST", f"/api/v1/checkout-sessions/{s['data']['sessionId']}/process-payment", tok, {"paymentMethod": "WALLET"})
    assert st == 200, (st, p)
    return p["data"]["groupInstanceId"]
users = [f"buyer-{i}" for i in range(N + 21)]
for u in users:
    call("POST", f"/api/v1/platform-admin/wallets/{u}/credit", a, {"amount": 10000000, "reference": "bench"})
group = join(users[0], None)
for u in users[1:21]: join(u, group)  # warm: statement caches, the read model, the pool
subprocess.run(["callgrind_control", "-z", str(srv.pid)], check=True, stdout=subprocess.DEVNULL)
for u in users[21:]: join(u, group)
subprocess.run(["callgrind_control", "-d", str(srv.pid)], check=True, stdout=subprocess.DEVNULL)
time.sleep(1)
srv.terminate(); srv.wait(timeout=120)
total = 0
files = sorted(glob.glob(out + "*"), key=os.path.getmtime)
# The dump taken after the joins (the file with ".1" part suffix) holds the joins only.
parts = [f for f in files if re.search(r"\.\d+\.1$", f) or re.search(r"\.\d+\.1-\d+$", f)]
for f in parts:
    for line in open(f):
        if line.startswith("summary:") or line.startswith("totals:"):
            total += int(line.split()[1]); break
print(f"{TAG}: {total} instructions over {N} joins = {total // N} per join ({len(parts)} part files: {' '.join(parts)})")
