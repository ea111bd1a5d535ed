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
import glob, os, sys
from callgrind_server import WORK, Server, token
BIN, TAG, N = sys.argv[1], sys.argv[2], int(sys.argv[3])
PORT = 19000 + (os.getpid() % 1000)
DB = f"{WORK}/gb_join_cg_{TAG}.db"
for f in glob.glob(DB + "*"): os.remove(f)
srv = Server(BIN, f"sqlite://{DB}", PORT, f"{WORK}/callgrind.join.{TAG}", f"{WORK}/join-{TAG}.log")
call = srv.call
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
srv.zero()
for u in users[21:]: join(u, group)
total, parts = srv.instructions_since_zero()
print(f"{TAG}: {total} instructions over {N} joins = {total // N} per join ({len(parts)} part files: {' '.join(parts)})")
