"""Campaign pre-orders in the reliability workload: one campaign's whole cycle as an
operation (created, published, three pledges, closed into sessions, two paid with a key),
and what must hold after a run: a PAID pre-order was debited its total once and became
exactly one order of its handle; a pending or expired one moved no money and made no order;
every acknowledged payment is stored PAID with the transaction it answered."""

from __future__ import annotations

import time
import uuid

from harness import new_key, token


def cycle(wl, c, rng) -> None:
    """A pre-order campaign's whole cycle: created and published, three users pledge,
    it closes into their payment sessions, and two of them pay with a key (the third
    lets it lapse). A paid session must be in the ledger once, as its order."""
    mt = token(wl.merchant, "merchant")
    slug = f"pre-{uuid.uuid4().hex[:10]}"
    closes = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 7 * 86400))
    gb = {
        "slug": slug,
        "title": "Pre-order",
        "unitPrice": rng.choice([120, 150.5, 275]),
        "thresholds": {"minParticipants": 2},
        "closesAt": closes,
        "preorder": {"paymentWindowHours": 1},
    }
    base = f"/v2/handles/{wl.handle}/group-buys"
    r, _, _ = c.call("POST", base, mt, gb, new_key("pgb"))
    wl.count("preorder_campaign")
    if r is None or r.status != 201:
        wl.check_status(r, "create pre-order campaign")
        return
    r, _, _ = c.call("POST", f"{base}/{slug}/publish", mt, None, new_key("ppub"))
    if r is None or r.status != 200:
        wl.check_status(r, "publish pre-order campaign")
        return
    pledgers = rng.sample(wl.users, 3)
    path = f"/v2/public/group-buys/{wl.handle}/{slug}/my-interest"
    for u in pledgers:
        r, _, _ = c.call("PUT", path, token(u), {"quantity": rng.randint(1, 3)})
        wl.check_status(r, "pledge")
    r, _, _ = c.call("POST", f"{base}/{slug}/close", mt, None, new_key("pclose"))
    if r is None or r.status != 200:
        wl.check_status(r, "close pre-order campaign")
        return
    for u in pledgers[:2]:
        r, _, _ = c.call("GET", path, token(u))
        if r is None or r.status != 200 or not r.data.get("preorder"):
            with wl.lock:
                wl.violations.append(f"pre-order campaign {slug}: {u} has no session after the close")
            continue
        sid = r.data["preorder"]["sessionId"]
        wl.post(
            c,
            "preorder_payment",
            f"/api/v1/checkout-sessions/{sid}/process-payment",
            token(u),
            {"paymentMethod": "WALLET"},
            new_key("prepay"),
            {"user": u, "preorder": sid},
        )


def violations(q) -> list[str]:
    """The pre-order invariants, in SQL (both backends)."""
    v: list[str] = []
    # A PAID pre-order was debited its total once and became exactly one order of its
    # handle; a pending or expired one moved no money and made no order.
    for pid, status, total, debits, debited, orders_n in q(
        """SELECT s.id, s.status, s.total_minor,
                  (SELECT COUNT(*) FROM wallet_ledger l WHERE l.kind = 'PURCHASE' AND l.reference = 'preorder:' || s.id),
                  (SELECT COALESCE(-SUM(l.amount_minor), 0) FROM wallet_ledger l
                     WHERE l.kind = 'PURCHASE' AND l.reference = 'preorder:' || s.id),
                  (SELECT COUNT(*) FROM orders o WHERE o.preorder_id = s.id AND o.id = s.order_id
                     AND o.total_minor = s.total_minor)
           FROM campaign_preorders s"""
    ):
        want = (1, total, 1) if status == "PAID" else (0, 0, 0)
        if (debits, debited, orders_n) != want:
            v.append(f"pre-order {pid} ({status}, total {total}): {debits} debits of {debited}, {orders_n} orders")
    return v


def stored(q) -> dict:
    """Each session's (status, transaction id)."""
    return {sid: (status, tx) for sid, status, tx in q("SELECT id, status, transaction_id FROM campaign_preorders")}


def acknowledged(p, sessions: dict) -> list[str]:
    """A final answer to a pre-order payment against what is stored."""
    status, tx = sessions.get(p.info["preorder"], (None, None))
    if p.status == 200 and (status != "PAID" or tx != p.data.get("transactionId")):
        return [f"pre-order payment of {p.info['preorder']} acknowledged (tx {p.data.get('transactionId')}) but stored {status}/{tx}"]
    if p.status is not None and p.status != 200 and status == "PAID":
        return [f"pre-order payment of {p.info['preorder']} answered {p.status} '{p.info.get('message')}' but it was paid (tx {tx})"]
    return []
