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
import os, subprocess, sys
from callgrind_server import WORK, Server, token
BIN, TAG, N = sys.argv[1], sys.argv[2], int(sys.argv[3])
REVALIDATE = sys.argv[4:] == ["304"]
PORT = 18000 + (os.getpid() % 1000)
DB = f"gb_cg_{TAG}"
subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"DROP DATABASE IF EXISTS {DB}"], check=True)
subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {DB}"], check=True)
srv = Server(BIN, f"postgres://postgres@127.0.0.1:5432/{DB}", PORT, f"{WORK}/callgrind.{TAG}", f"{WORK}/{TAG}.log")
conn, call = srv.conn, srv.call
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
srv.zero()
for _ in range(N):
    conn.request("GET", path, headers=read); r = conn.getresponse(); r.read(); assert r.status == want, r.status
total, parts = srv.instructions_since_zero()
print(f"{TAG}: {total} instructions over {N} reads = {total // N} per read ({len(parts)} part files)")
