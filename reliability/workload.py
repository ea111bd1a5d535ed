"""The randomized workload of scenarios 1-3 and the invariants checked afterwards.

The workload records what it was told (every 2xx, every key it sent) so that the checks
can compare the database with the acknowledged history, not only with itself.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field

import preorders
from harness import Client, Stats, new_key, query, request, token

MINOR = 100  # TZS has two decimals
INITIAL_STOCK = 100_000
INITIAL_CREDIT = 200_000


class RWLock:
    """Writer-preferring readers-writer lock: payments on a product share it, a stock edit
    takes it alone so its delta is exact (no completion can move stock in between)."""

    def __init__(self):
        self._c = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting = 0

    def acquire_read(self):
        with self._c:
            while self._writer or self._waiting:
                self._c.wait()
            self._readers += 1

    def release_read(self):
        with self._c:
            self._readers -= 1
            self._c.notify_all()

    def acquire_write(self):
        with self._c:
            self._waiting += 1
            while self._writer or self._readers:
                self._c.wait()
            self._waiting -= 1
            self._writer = True

    def release_write(self):
        with self._c:
            self._writer = False
            self._c.notify_all()


@dataclass
class Product:
    id: str
    max_size: int
    short: bool
    lock: RWLock = field(default_factory=RWLock)
    stock_delta: int = 0  # accepted stock edits of the harness
    groups: list = field(default_factory=list)  # (group_id, initiator)


@dataclass
class Posted:
    """One POST the harness sent under one Idempotency-Key."""

    kind: str
    key: str
    status: int | None  # final answer, None = never answered
    data: dict | None
    info: dict


class Workload:
    """Shared state of one run of the workload."""

    def __init__(self, label: str, servers, seed: int, stats: Stats, deadline_fn, users: int = 16):
        self.label = label
        self.servers = servers
        self.rng = random.Random(seed)
        self.seed = seed
        self.stats = stats
        self.deadline_fn = deadline_fn
        self.lock = threading.Lock()
        self.users = [f"{label}-u{i}" for i in range(users)]
        self.merchant = f"{label}-merchant"
        self.admin = f"{label}-admin"
        self.products: list[Product] = []
        self.shop = None
        self.posted: list[Posted] = []
        self.ops: dict = {}
        self.inconsistent_reads: list = []
        self.violations: list = []
        self.user_groups: dict = {u: [] for u in self.users}
        self.handle = None
        self.slug = None
        self.server_error_samples: list = []
        self.parked: list = []

    def client(self, rng) -> Client:
        return Client(self.servers, self.stats, self.deadline_fn, rng)

    # ------------------------------------------------------------ setup
    def setup(self):
        c = self.client(random.Random(self.seed))
        mt = token(self.merchant, "merchant")
        r, _, _ = c.call("POST", "/api/v1/shops", mt, {"shopName": f"{self.label} shop"}, new_key("shop"))
        expect(r, 201, "create shop")
        shop = r.data["shopId"]
        self.shop = shop
        # Four long-lived products of various group sizes, two whose groups live 7.2 s and
        # rarely fill, so the sweep fails them and refunds during the run.
        specs = [(3, False), (4, False), (6, False), (10, False), (40, True), (60, True)]
        for i, (size, short) in enumerate(specs):
            body = {
                "productName": f"{self.label} product {i}",
                "regularPrice": 200,
                "groupPrice": 150 + i,
                "stockQuantity": INITIAL_STOCK,
                "groupBuyingEnabled": True,
                "groupMaxSize": size,
                "groupTimeLimitHours": 0.002 if short else 24,
            }
            r, _, _ = c.call("POST", f"/api/v1/shops/{shop}/products", mt, body, new_key("product"))
            expect(r, 201, "create product")
            self.products.append(Product(r.data["productId"], size, short))
        self.handle = f"rel{uuid.uuid4().hex[:10]}"
        r, _, _ = c.call("POST", "/v2/handles", mt, {"handle": self.handle, "displayName": "Reliability"}, new_key("h"))
        expect(r, 201, "create handle")
        self.slug = "lamps"
        closes = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 7 * 86400))
        gb = {
            "slug": self.slug,
            "title": "Lamps",
            "unitPrice": 450,
            "currency": "TZS",
            "thresholds": {"minParticipants": 2},
            "maxQuantity": 1_000_000,
            "closesAt": closes,
        }
        r, _, _ = c.call("POST", f"/v2/handles/{self.handle}/group-buys", mt, gb, new_key("gb"))
        expect(r, 201, "create group-buy")
        r, _, _ = c.call("POST", f"/v2/handles/{self.handle}/group-buys/{self.slug}/publish", mt, None, new_key("pub"))
        expect(r, 200, "publish group-buy")
        for u in self.users:
            self.credit(c, u, INITIAL_CREDIT)
        for u in self.users:
            token(u)

    # ------------------------------------------------------------ operations
    def record(self, kind, key, r, info):
        if r is not None and isinstance(r.json, dict):
            info["message"] = r.json.get("message")
        p = Posted(kind, key, r.status if r is not None else None, r.data if r is not None else None, info)
        with self.lock:
            self.posted.append(p)
            self.ops[kind] = self.ops.get(kind, 0) + 1
        return p

    def post(self, c, kind, path, tok, body, key, info):
        """A POST whose final answer is recorded; parked when its key is in flight."""
        r, _, seen = c.call("POST", path, tok, body, key, park=True)
        info["retried"] = len(seen) > 1 or r is None
        if r is not None and r.in_flight():
            with self.lock:
                self.parked.append((kind, path, tok, body, key, info))
            return None
        self.record(kind, key, r, info)
        return r

    def drain(self) -> int:
        """Retries every parked key (same key) until it has a final answer or the deadline."""
        c = self.client(random.Random(self.seed + 99))
        with self.lock:
            parked, self.parked = self.parked, []
        for kind, path, tok, body, key, info in parked:
            r, _, _ = c.call("POST", path, tok, body, key)
            info["retried"] = True
            self.record(kind, key, r, info)
        return len(parked)

    def count(self, kind):
        with self.lock:
            self.ops[kind] = self.ops.get(kind, 0) + 1

    def credit(self, c, user, amount):
        key = new_key("credit")
        ref = "rel " + key
        self.post(
            c,
            "credit",
            f"/api/v1/platform-admin/wallets/{user}/credit",
            token(self.admin, "platform-admin"),
            {"amount": amount, "reference": ref},
            key,
            {"user": user, "minor": amount * MINOR, "reference": ref},
        )

    def pay(self, c, rng):
        user = rng.choice(self.users)
        p = rng.choice(self.products)
        qty = rng.choice([1, 1, 2]) if p.max_size > 3 else 1
        body = {"sessionType": "GROUP_PURCHASE", "productId": p.id, "quantity": qty}
        with self.lock:
            candidates = p.groups[-4:]
        if candidates and rng.random() < 0.75:
            body["metadata"] = {"groupInstanceId": rng.choice(candidates)[0]}
        t = token(user)
        p.lock.acquire_read()
        try:
            key = new_key("session")
            r = self.post(c, "session", "/api/v1/checkout-sessions", t, body, key, {"user": user})
            if r is None or r.status != 201:
                return
            sid = r.data["sessionId"]
            key = new_key("pay")
            r = self.post(c, "payment", f"/api/v1/checkout-sessions/{sid}/process-payment", t, {"paymentMethod": "WALLET"}, key, {"user": user, "session": sid})
            if r is not None and r.status == 200:
                g = r.data["groupInstanceId"]
                with self.lock:
                    if "metadata" not in body:
                        p.groups.append((g, user))
                    self.user_groups[user].append((g, p))
        finally:
            p.lock.release_read()

    def transfer(self, c, rng):
        user = rng.choice(self.users)
        with self.lock:
            mine = list(self.user_groups[user][-6:])
        if not mine:
            return
        src, p = rng.choice(mine)
        with self.lock:
            targets = [g for g, _ in p.groups[-4:] if g != src]
        if not targets:
            return
        p.lock.acquire_read()
        try:
            key = new_key("transfer")
            body = {"sourceGroupId": src, "targetGroupId": rng.choice(targets), "quantity": 1}
            r = self.post(c, "transfer", "/api/v1/group-purchases/transfer", token(user), body, key, {"user": user})
            if r is not None and r.status == 200:
                with self.lock:
                    self.user_groups[user].append((body["targetGroupId"], p))
        finally:
            p.lock.release_read()

    def rename_group(self, c, rng):
        p = rng.choice(self.products)
        with self.lock:
            if not p.groups:
                return
            g, initiator = rng.choice(p.groups[-6:])
        r, _, _ = c.call("PATCH", f"/api/v1/groups/{g}/name", token(initiator), {"groupName": f"grp {uuid.uuid4().hex[:8]}"})
        self.count("rename_group")
        self.check_status(r, "rename group")

    def rename_product(self, c, rng):
        """A PATCH that does not mention stock: must never move it."""
        p = rng.choice(self.products)
        body = {"productName": f"{self.label} product {uuid.uuid4().hex[:6]}"}
        if rng.random() < 0.5:
            body["regularPrice"] = rng.choice([200, 210, 220])
        r, _, _ = c.call("PATCH", f"/api/v1/products/{p.id}", token(self.merchant, "merchant"), body)
        self.count("edit_product")
        self.check_status(r, "rename product")

    def edit_stock(self, c, rng):
        """Stock and name in one PATCH, alone on the product (see RWLock)."""
        p = rng.choice(self.products)
        d = rng.randint(-20, 50)
        p.lock.acquire_write()
        try:
            r, _, _ = c.call("GET", f"/api/v1/products/{p.id}")
            if r is None or r.status != 200:
                self.check_status(r, "read product")
                return
            new = r.data["stockQuantity"] + d
            body = {"stockQuantity": new, "productName": f"{self.label} restock {uuid.uuid4().hex[:6]}"}
            r, _, _ = c.call("PATCH", f"/api/v1/products/{p.id}", token(self.merchant, "merchant"), body)
            self.count("edit_stock")
            if r is not None and r.status == 200:
                p.stock_delta += d
            else:
                self.check_status(r, "edit stock")
        finally:
            p.lock.release_write()

    def fulfil(self, c, rng):
        """The merchant ships or cancels one of its CONFIRMED orders, or delivers a SHIPPED
        one, with a key. A cancellation gives units back to stock, so it shares the
        product's lock with payments (a stock edit then sees no restock in between)."""
        mt = token(self.merchant, "merchant")
        status = rng.choice(["CONFIRMED", "CONFIRMED", "SHIPPED"])
        r, _, _ = c.call("GET", f"/api/v1/shops/{self.shop}/orders?status={status}&limit=20", mt)
        self.count("list_orders")
        self.check_status(r, "list orders")
        if r is None or r.status != 200 or not r.data["items"]:
            return
        o = rng.choice(r.data["items"])
        if status == "SHIPPED":
            action, body = "deliver", None
        elif rng.random() < 0.5:
            action, body = "ship", {"carrier": "Reliability Post", "trackingNumber": f"RP{uuid.uuid4().hex[:12]}"}
        else:
            action, body = "cancel", {"reason": "reliability cancellation"}
        p = next((x for x in self.products if x.id == o["productId"]), None)
        if p is None:
            return
        p.lock.acquire_read()
        try:
            key = new_key(action)
            path = f"/api/v1/orders/{o['orderId']}/{action}"
            self.post(c, action, path, mt, body, key, {"order": o["orderId"]})
        finally:
            p.lock.release_read()

    def payout(self, c, rng):
        """A platform admin pays out part of the shop's balance, with a key (required).
        Concurrent with settlements and cancellations: a 409 (insufficient-shop-balance)
        is a legitimate refusal; a 201 must be in the ledger once."""
        key = new_key("payout")
        ref = "rel payout " + key
        amount = rng.randint(100, 2000)
        self.post(
            c,
            "payout",
            f"/api/v1/platform-admin/shops/{self.shop}/payouts",
            token(self.admin, "platform-admin"),
            {"amount": amount, "reference": ref},
            key,
            {"minor": amount * MINOR, "reference": ref},
        )

    def preorder(self, c, rng):
        preorders.cycle(self, c, rng)

    def interest(self, c, rng):
        user = rng.choice(self.users)
        path = f"/v2/public/group-buys/{self.handle}/{self.slug}/my-interest"
        if rng.random() < 0.25:
            r, _, _ = c.call("DELETE", path, token(user))
        else:
            r, _, _ = c.call("PUT", path, token(user), {"quantity": rng.randint(1, 3)})
        self.count("interest")
        self.check_status(r, "interest")

    def read_group(self, c, rng):
        user = rng.choice(self.users)
        with self.lock:
            mine = list(self.user_groups[user][-4:])
        if not mine:
            return
        g, _ = rng.choice(mine)
        r, _, _ = c.call("GET", f"/api/v1/group-purchases/{g}", token(user))
        self.count("read_group")
        if r is not None and r.status == 200:
            d = r.data
            total = sum(x.get("quantity", 0) for x in d.get("participants", []) if x.get("status") == "ACTIVE")
            if d.get("status") in ("OPEN", "COMPLETED") and d.get("seatsOccupied") != total:
                with self.lock:
                    self.inconsistent_reads.append(f"group {g}: seatsOccupied {d.get('seatsOccupied')} != participants {total}")

    def read_wallet(self, c, rng):
        r, _, _ = c.call("GET", "/api/v1/wallet", token(rng.choice(self.users)))
        self.count("read_wallet")
        self.check_status(r, "wallet")

    def check_status(self, r, what):
        # A 4xx is a legitimate refusal under concurrency; the final answer of a request
        # that never got one (deadline) is a violation found by the caller's figures.
        if r is None:
            with self.lock:
                self.violations.append(f"{what}: no answer before the deadline")

    OPS = [
        ("pay", 40),
        ("credit", 6),
        ("payout", 2),
        ("transfer", 6),
        ("rename_group", 4),
        ("rename_product", 8),
        ("edit_stock", 3),
        ("fulfil", 4),
        ("preorder", 2),
        ("interest", 8),
        ("read_group", 8),
        ("read_wallet", 3),
    ]

    def worker(self, seed, stop_at):
        rng = random.Random(seed)
        c = self.client(rng)
        names = [n for n, _ in self.OPS]
        weights = [w for _, w in self.OPS]
        while time.monotonic() < stop_at:
            op = rng.choices(names, weights)[0]
            try:
                if op == "credit":
                    self.credit(c, rng.choice(self.users), rng.randint(1000, 5000))
                else:
                    getattr(self, op)(c, rng)
            except Exception as e:  # a harness bug or an unparsable answer: report, go on
                with self.lock:
                    self.violations.append(f"{op}: unexpected {e!r}")
        with self.lock:
            self.server_error_samples.extend(c.server_error_samples)

    def run(self, threads: int, seconds: float) -> None:
        stop_at = time.monotonic() + seconds
        ts = [threading.Thread(target=self.worker, args=(self.seed * 1000 + i, stop_at), daemon=True) for i in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.parked_keys = self.drain()


def expect(r, status, what):
    if r is None or r.status != status:
        raise RuntimeError(f"{what}: expected {status}, got {None if r is None else (r.status, r.raw[:300])}")


# ---------------------------------------------------------------- invariants


def check_invariants(url: str, wl: Workload | None) -> tuple[list[str], dict]:
    """Everything that must hold in the database after a run; returns (violations, figures)."""
    v: list[str] = []
    q = lambda sql, *p: query(url, sql, p)  # noqa: E731

    # Seats: seats_occupied == sum of ACTIVE quantities <= total; a COMPLETED group is full.
    for gid, seats, total, status, active in q(
        """SELECT g.id, g.seats_occupied, g.total_seats, g.status,
                  COALESCE(SUM(p.quantity) FILTER (WHERE p.status = 'ACTIVE'), 0)
           FROM group_instances g LEFT JOIN group_participants p ON p.group_id = g.id
           GROUP BY g.id"""
    ):
        if status in ("OPEN", "COMPLETED") and seats != active:
            v.append(f"group {gid} ({status}): seats_occupied {seats} != sum of ACTIVE quantities {active}")
        if active > total:
            v.append(f"group {gid}: ACTIVE quantities {active} > total seats {total}")
        if status == "COMPLETED" and seats != total:
            v.append(f"group {gid}: COMPLETED with {seats}/{total} seats")
    # Failed or deleted groups have refunded everyone (the sweep finishes what a crash left).
    for gid, n in q(
        """SELECT g.id, COUNT(*) FROM group_instances g JOIN group_participants p ON p.group_id = g.id
           WHERE g.status IN ('FAILED', 'DELETED') AND p.status = 'ACTIVE' GROUP BY g.id"""
    ):
        v.append(f"group {gid}: failed/deleted with {n} ACTIVE participant(s) never refunded")

    # Orders: exactly one per ACTIVE participant of each COMPLETED group, none otherwise.
    for pid, gid, n in q(
        """SELECT p.id, g.id, COUNT(o.id) FROM group_participants p
           JOIN group_instances g ON g.id = p.group_id LEFT JOIN orders o ON o.participant_id = p.id
           WHERE g.status = 'COMPLETED' AND p.status = 'ACTIVE' GROUP BY p.id, g.id HAVING COUNT(o.id) <> 1"""
    ):
        v.append(f"participant {pid} of COMPLETED group {gid}: {n} orders")
    for oid, gstatus, pstatus in q(
        """SELECT o.id, g.status, p.status FROM orders o JOIN group_instances g ON g.id = o.group_id
           JOIN group_participants p ON p.id = o.participant_id
           WHERE g.status <> 'COMPLETED' OR p.status <> 'ACTIVE' OR o.group_id <> p.group_id"""
    ):
        v.append(f"order {oid}: group {gstatus}, participant {pstatus}")
    for oid, total, paid in q(
        """SELECT o.id, o.total_minor, p.total_paid_minor FROM orders o
           JOIN group_participants p ON p.id = o.participant_id WHERE o.total_minor <> p.total_paid_minor"""
    ):
        v.append(f"order {oid}: total {total} != participant paid {paid}")

    # Stock: stock == initial + harness edits - sold + cancelled orders' units (a
    # cancellation gives them back); reserved == seats of OPEN groups.
    sold = dict(q("SELECT product_id, SUM(total_seats) FROM group_instances WHERE status = 'COMPLETED' GROUP BY product_id"))
    restocked = dict(q("SELECT product_id, SUM(quantity) FROM orders WHERE status = 'CANCELLED' GROUP BY product_id"))
    held = dict(q("SELECT product_id, SUM(total_seats) FROM group_instances WHERE status = 'OPEN' GROUP BY product_id"))
    stock_rows = q("SELECT id, stock_quantity, reserved_quantity FROM products")
    deltas = {p.id: p.stock_delta for p in wl.products} if wl else {}
    for pid, stock, reserved in stock_rows:
        if reserved != held.get(pid, 0):
            v.append(f"product {pid}: reserved {reserved} != seats of OPEN groups {held.get(pid, 0)}")
        if wl and pid in deltas:
            want = INITIAL_STOCK + deltas[pid] - sold.get(pid, 0) + restocked.get(pid, 0)
            if stock != want:
                v.append(
                    f"product {pid}: stock {stock} != initial {INITIAL_STOCK} + edits {deltas[pid]:+} - sold {sold.get(pid, 0)}"
                    f" + cancelled {restocked.get(pid, 0)} = {want} (off by {stock - want:+})"
                )

    # Money, to the cent, on the one ledger (docs/LEDGER.md): credits == wallet balances +
    # held by OPEN groups + merchant balances + platform revenue + payouts. A completed
    # order's money is in its shop's balance (less commission, in the platform's); a
    # cancellation gave it back to the buyer's wallet.
    ((credits,),) = q("SELECT COALESCE(SUM(amount_minor), 0) FROM wallet_ledger WHERE kind = 'CREDIT'")
    by_kind = dict(q("SELECT account_kind, COALESCE(SUM(balance_minor), 0) FROM wallets GROUP BY account_kind"))
    balances, merchants, platform = (by_kind.get(k, 0) for k in ("WALLET", "MERCHANT", "PLATFORM"))
    ((held_money,),) = q(
        """SELECT COALESCE(SUM(p.total_paid_minor), 0) FROM group_participants p
           JOIN group_instances g ON g.id = p.group_id WHERE g.status = 'OPEN' AND p.status = 'ACTIVE'"""
    )
    ((paid_out,),) = q("SELECT COALESCE(-SUM(amount_minor), 0) FROM wallet_ledger WHERE kind = 'PAYOUT'")
    accounted = balances + held_money + merchants + platform + paid_out
    if credits != accounted:
        v.append(
            f"money: credits {credits} != wallets {balances} + held {held_money} + merchants {merchants}"
            f" + platform {platform} + payouts {paid_out} (off by {credits - accounted:+} minor units)"
        )
    for kind, owner, cur, bal, ledger in q(
        """SELECT w.account_kind, w.user_id, w.currency, w.balance_minor, COALESCE(SUM(l.amount_minor), 0)
           FROM wallets w LEFT JOIN wallet_ledger l ON l.account_kind = w.account_kind
             AND l.user_id = w.user_id AND l.currency = w.currency
           GROUP BY w.account_kind, w.user_id, w.currency, w.balance_minor
           HAVING w.balance_minor <> COALESCE(SUM(l.amount_minor), 0) OR w.balance_minor < 0"""
    ):
        v.append(f"{kind} {owner} ({cur}): balance {bal} != sum of its ledger {ledger}")
    # Every order settled once into its shop (total in, its commission out); a cancelled
    # one reversed once; none other.
    for oid, status, total, commission, settled, charged, reversed_ in q(
        """SELECT o.id, o.status, o.total_minor, o.commission_minor,
                  COUNT(l.id) FILTER (WHERE l.kind = 'ORDER_SETTLED' AND l.amount_minor = o.total_minor),
                  COALESCE(-SUM(l.amount_minor) FILTER (WHERE l.kind = 'COMMISSION'), 0),
                  COUNT(l.id) FILTER (WHERE l.kind = 'ORDER_CANCELLED' AND l.amount_minor = -o.total_minor)
           FROM orders o LEFT JOIN wallet_ledger l ON l.account_kind = 'MERCHANT'
             AND l.user_id = COALESCE(o.shop_id, 'handle:' || o.handle)
             AND l.reference IN ('order:' || o.id, 'order-cancel:' || o.id)
           GROUP BY o.id, o.status, o.total_minor, o.commission_minor"""
    ):
        if settled != 1 or charged != commission or reversed_ != (1 if status == "CANCELLED" else 0):
            v.append(
                f"order {oid} ({status}, total {total}, commission {commission}): settled {settled}x,"
                f" commission lines {charged}, reversed {reversed_}x"
            )
    # One debit per paid session, one refund per participant of a failed group.
    for ref, n in q("SELECT reference, COUNT(*) FROM wallet_ledger WHERE kind = 'PURCHASE' GROUP BY reference HAVING COUNT(*) > 1"):
        v.append(f"{n} PURCHASE debits for {ref}")
    for user, ref, n in q(
        "SELECT user_id, reference, COUNT(*) FROM wallet_ledger WHERE kind = 'REFUND' GROUP BY user_id, reference HAVING COUNT(*) > 1"
    ):
        v.append(f"{n} REFUNDs of {ref} to {user}")
    for sid, status, n in q(
        """SELECT s.id, s.status, COUNT(l.id) FROM checkout_sessions s
           LEFT JOIN wallet_ledger l ON l.kind = 'PURCHASE' AND l.reference = 'checkout:' || s.id
           GROUP BY s.id, s.status HAVING (s.status = 'COMPLETED') <> (COUNT(l.id) = 1)"""
    ):
        v.append(f"session {sid} ({status}) has {n} PURCHASE debits")
    for sid, n in q(
        """SELECT s.id, COUNT(r.id) FROM checkout_sessions s LEFT JOIN purchase_records r ON r.checkout_session_id = s.id
           GROUP BY s.id, s.status HAVING (s.status = 'COMPLETED') <> (COUNT(r.id) = 1)"""
    ):
        v.append(f"session {sid}: {n} purchase records")

    v += preorders.violations(q)

    # Each cancelled order refunded its total once, under its own reference; no other order
    # was refunded; a shipped or delivered order has its tracking.
    for oid, status, total, n, refunded in q(
        """SELECT o.id, o.status, o.total_minor, COUNT(l.id), COALESCE(SUM(l.amount_minor), 0) FROM orders o
           LEFT JOIN wallet_ledger l ON l.kind = 'REFUND' AND l.reference = 'order-cancel:' || o.id
           GROUP BY o.id, o.status, o.total_minor
           HAVING (o.status = 'CANCELLED') <> (COUNT(l.id) = 1) OR (COUNT(l.id) = 1 AND SUM(l.amount_minor) <> o.total_minor)"""
    ):
        v.append(f"order {oid} ({status}, total {total}): {n} refunds totalling {refunded}")
    for oid, status in q(
        """SELECT id, status FROM orders WHERE status IN ('SHIPPED', 'DELIVERED')
           AND (carrier IS NULL OR tracking_number IS NULL OR shipped_at IS NULL)"""
    ):
        v.append(f"order {oid}: {status} without its carrier, tracking number or shipping time")

    # Campaign counters match the interests.
    for gb, parts, qty, n, s in q(
        """SELECT b.id, b.participants, b.quantity, COUNT(i.id), COALESCE(SUM(i.quantity), 0)
           FROM group_buys b LEFT JOIN group_buy_interests i ON i.group_buy_id = b.id
           GROUP BY b.id, b.participants, b.quantity HAVING b.participants <> COUNT(i.id) OR b.quantity <> COALESCE(SUM(i.quantity), 0)"""
    ):
        v.append(f"group-buy {gb}: counters {parts}/{qty} != interests {n}/{s}")

    figures = {}
    for status, n in q("SELECT status, COUNT(*) FROM group_instances GROUP BY status"):
        figures[f"groups_{status.lower()}"] = n
    ((figures["orders"],),) = q("SELECT COUNT(*) FROM orders")
    ((figures["refunds"],),) = q("SELECT COUNT(*) FROM wallet_ledger WHERE kind = 'REFUND'")
    for status, n in q("SELECT status, COUNT(*) FROM orders GROUP BY status"):
        figures[f"orders_{status.lower()}"] = n
    ((figures["transfers"],),) = q("SELECT COUNT(*) FROM seat_transfers")
    ((figures["payouts"],),) = q("SELECT COUNT(*) FROM wallet_ledger WHERE kind = 'PAYOUT'")
    ((figures["interests"],),) = q("SELECT COUNT(*) FROM group_buy_interests")
    for status, n in q("SELECT status, COUNT(*) FROM campaign_preorders GROUP BY status"):
        figures[f"preorders_{status.lower()}"] = n
    if wl is not None:
        v += check_acknowledged(url, wl)
    return v, figures


def check_acknowledged(url: str, wl: Workload) -> list[str]:
    """Every 2xx the harness received is in the database, and no key took effect twice."""
    v: list[str] = []
    q = lambda sql, *p: query(url, sql, p)  # noqa: E731
    credits = {ref: (n, total) for ref, n, total in q(
        "SELECT reference, COUNT(*), SUM(amount_minor) FROM wallet_ledger WHERE kind = 'CREDIT' GROUP BY reference"
    )}
    payouts = {ref: (n, total) for ref, n, total in q(
        "SELECT reference, COUNT(*), SUM(amount_minor) FROM wallet_ledger WHERE kind = 'PAYOUT' GROUP BY reference"
    )}
    sessions = {sid: (status, tx) for sid, status, tx in q("SELECT id, status, transaction_id FROM checkout_sessions")}
    paid_preorders = preorders.stored(q)
    orders = dict(q("SELECT id, status FROM orders"))
    # What an acknowledged order action left (a later action may have moved it on).
    reached = {"ship": ("SHIPPED", "DELIVERED"), "deliver": ("DELIVERED",), "cancel": ("CANCELLED",)}
    keys_by_kind: dict = {}
    for p in wl.posted:
        keys_by_kind[p.kind] = keys_by_kind.get(p.kind, 0) + 1
        if p.status is None:
            v.append(f"{p.kind} {p.key}: never answered (retried until the deadline)")
        if p.kind == "credit":
            n, total = credits.get(p.info["reference"], (0, 0))
            if n > 1:
                v.append(f"credit {p.key}: applied {n} times")
            if p.status == 201 or p.status == 200:
                if n != 1 or total != p.info["minor"]:
                    v.append(f"credit {p.key} acknowledged {p.status} but the ledger has {n} entries totalling {total}")
            elif p.status is not None and n:
                v.append(f"credit {p.key} answered {p.status} yet applied")
        elif p.kind == "payout":
            n, total = payouts.get(p.info["reference"], (0, 0))
            if n > 1:
                v.append(f"payout {p.key}: applied {n} times")
            if p.status == 201 and (n != 1 or -total != p.info["minor"]):
                v.append(f"payout {p.key} acknowledged but the ledger has {n} lines totalling {total}")
            elif p.status is not None and p.status != 201 and n:
                v.append(f"payout {p.key} answered {p.status} yet applied")
        elif p.kind in reached and p.status == 200:
            if orders.get(p.info["order"]) not in reached[p.kind]:
                v.append(f"{p.kind} of order {p.info['order']} acknowledged but stored {orders.get(p.info['order'])}")
        elif p.kind == "session" and p.status == 201:
            if p.data["sessionId"] not in sessions:
                v.append(f"session {p.data['sessionId']} acknowledged but not in the database")
        elif p.kind == "payment":
            status, tx = sessions.get(p.info["session"], (None, None))
            if p.status == 200:
                if status != "COMPLETED" or tx != p.data.get("transactionId"):
                    v.append(f"payment of {p.info['session']} acknowledged (tx {p.data.get('transactionId')}) but stored {status}/{tx}")
            elif p.status is not None and status == "COMPLETED":
                v.append(
                    f"payment of {p.info['session']} answered {p.status} '{p.info.get('message')}' but the session was paid (tx {tx})"
                    + (" [after retries]" if p.info.get("retried") else "")
                )
        elif p.kind == "preorder_payment":
            v += preorders.acknowledged(p, paid_preorders)
    # No more effects than keys: each created session / transfer came from one key.
    ((n_sessions,),) = q("SELECT COUNT(*) FROM checkout_sessions")
    ((n_transfers,),) = q("SELECT COUNT(*) FROM seat_transfers")
    acked_transfers = sum(1 for p in wl.posted if p.kind == "transfer" and p.status == 200)
    if n_sessions > keys_by_kind.get("session", 0):
        v.append(f"{n_sessions} sessions stored from {keys_by_kind.get('session', 0)} keys")
    if not acked_transfers <= n_transfers <= keys_by_kind.get("transfer", 0):
        v.append(f"transfers: {n_transfers} stored, {acked_transfers} acknowledged, {keys_by_kind.get('transfer', 0)} keys")
    return v


def short(data) -> str:
    return "" if data is None else str(data)[:80]


def wait_healthy(servers) -> None:
    for s in servers:
        request(s.port, "GET", "/healthz")
