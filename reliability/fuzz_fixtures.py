"""Scenario 5's fixtures: objects the fuzz user alice owns, each left in the state an
operation on its id needs: procurement pools (open, with commitments, quotes in, allocated,
settled), a product with a paid and an unpaid checkout session, campaigns (draft,
published). Their ids reach the hooks (reliability/fuzz_hooks.py) through
GROUPBUY_FUZZ_FIXTURES; the hooks send some valid generated requests to them, so the
operations on a pool are exercised on a pool that exists instead of answering only 404
for ids the fuzzer made up. Everything is created through the public API, as a client
would.
"""

from __future__ import annotations

import datetime
import time

from harness import new_key, request, token

# The vendor invited to every fixture RFQ (a vendor-role token answers it).
VENDOR = "fuzz-vendor"
# A fixture's key for the Authorization header to send instead of the generated case's.
AS = "authorization"
# A fixture's key for body fields to send instead of the generated ones.
BODY = "body"


def _at(days: float) -> str:
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


class Fixtures:
    """Creates the pools as `organiser` (an organisation token with the procurement and
    finance scopes) on the server at `port`."""

    def __init__(self, port: int, organiser: str):
        self.port = port
        self.organiser = organiser
        self.vendor = token(VENDOR, "vendor")
        self.n = 0

    def _send(self, method: str, path: str, body=None, who: str | None = None, status=(200, 201, 202)):
        key = new_key("fx") if method != "GET" else None
        r = request(self.port, method, path, who or self.organiser, body, key)
        if r.status not in status:
            raise RuntimeError(f"fixture {method} {path}: {r.status} {r.raw[:300]!r}")
        return r

    def _wait(self, reply, who: str | None = None) -> None:
        location = reply.headers.get("location")
        for _ in range(100):
            job = self._send("GET", location, who=who).data
            if job.get("status") in ("succeeded", "failed"):
                if job["status"] != "succeeded":
                    raise RuntimeError(f"fixture job {location}: {job}")
                return
            time.sleep(0.1)
        raise RuntimeError(f"fixture job {location} did not finish")

    def pool(self, commit: bool, who: str | None = None) -> str:
        """An open pool of 10 units (its target reached when `commit`), organised by `who`
        (the organiser by default)."""
        self.n += 1
        body = {
            "title": f"Fixture pool {self.n}",
            "items": [{"sku": f"FX-{self.n}-{new_key('s')[-8:]}", "name": "Fixture paper", "unit": "box"}],
            "target_quantity": 10,
            "min_commitment": 1,
            "deadline": _at(30),
            # Prices sent to a pool (commitments, quotes) carry its currency's decimals, which
            # their schema cannot name (the body has no currency): in a three-decimal currency
            # every amount the schema allows below 10^12 is one the pool accepts.
            "currency": "BHD",
            "rules": {"visibility": "private", "allow_partial": True},
        }
        gid = self._send("POST", "/groupbuy", body, who=who).data["id"]
        if commit:
            self._send("POST", f"/groupbuy/{gid}/commit", {"quantity": 10, "price_ceiling": 100}, who=who)
        return gid

    def rfq(self, gid: str, who: str | None = None) -> dict:
        r = self._send("POST", f"/groupbuy/{gid}/rfq", {"vendors": [{"vendor_id": VENDOR, "name": "Fixture vendor"}], "due_date": _at(10)}, who=who)
        self._wait(r, who)
        return {"job_id": r.data["id"]}

    def quote(self, gid: str) -> None:
        body = {"unit_price": 50, "available_quantity": 10, "valid_until": _at(20), "lead_time_days": 5}
        self._send("POST", f"/groupbuy/{gid}/rfq/responses", body, who=self.vendor)

    def allocate(self, gid: str) -> None:
        self._wait(self._send("POST", f"/groupbuy/{gid}/allocate", {}))

    def settle(self, gid: str) -> str:
        self.parties(gid)
        return self._send("POST", f"/groupbuy/{gid}/settle", {}).data["documents"][0]["id"]

    def parties(self, gid: str) -> None:
        """Fills in every party of the pool's allocation (a platform admin), as settling
        needs (issue 22: the invoices name them)."""
        admin = token("fuzz-admin", "platform-admin")
        organiser = self._send("GET", f"/groupbuy/{gid}").data["org_id"]
        lines = self._send("GET", f"/groupbuy/{gid}/allocation").data["results"]
        paths = {f"/groupbuy/organisations/{organiser}"}
        for line in lines:
            paths.add(f"/groupbuy/organisations/{line['member_id']}")
            paths.add(f"/groupbuy/vendors/{line['vendor_id']}")
        body = {"legal_name": "Fixture party SA", "vat_id": "BE0403578495",
                "postal_address": {"street": "Rue Haute 1", "city": "Brussels", "postal_code": "1000", "country": "BE"},
                "electronic_address": {"scheme": "0088", "identifier": "5798000012349"},
                "default_vat": {"category": "S", "rate": 21}}
        for path in sorted(paths):
            self._send("PUT", path, body, who=admin)

    def catalog(self) -> dict:
        """A product of a shop, a paid session (its group and order) and an unpaid one, and
        orders of the shop to ship, deliver and cancel."""
        shop = self._send("POST", "/api/v1/shops", {"shopName": "Fixture shop"}).data["shopId"]

        def product(seats: int) -> str:
            body = {"productName": "Fixture lamp", "regularPrice": 20, "groupPrice": 10, "stockQuantity": 100000,
                    "groupBuyingEnabled": True, "groupMaxSize": seats, "groupTimeLimitHours": 720, "maxPerCustomer": 1000}
            return self._send("POST", f"/api/v1/shops/{shop}/products", body).data["productId"]

        def session(of: str) -> str:
            body = {"sessionType": "GROUP_PURCHASE", "productId": of, "quantity": 1}
            return self._send("POST", "/api/v1/checkout-sessions", body).data["sessionId"]

        def pay(session_id: str) -> dict:
            return self._send("POST", f"/api/v1/checkout-sessions/{session_id}/process-payment", {"paymentMethod": "WALLET"}).data

        product, single = product(1000), product(1)
        paid = session(product)
        group = pay(paid)
        for _ in range(4):
            pay(session(single))  # a group of one completes: its order
        orders = self._send("GET", "/api/v1/orders/my-orders").data["items"]
        # One order each for shipping, delivering (shipped already) and cancelling.
        to_ship, to_deliver, to_cancel = (o["orderId"] for o in orders[1:4])
        self._send("POST", f"/api/v1/orders/{to_deliver}/ship", {"carrier": "Fixture Post", "trackingNumber": "FX1"})
        return {
            "GET /api/v1/products/{productId}": {"productId": product},
            "PATCH /api/v1/products/{productId}": {"productId": product},
            "GET /api/v1/group-purchases/product/{productId}/available": {"productId": product},
            "POST /api/v1/checkout-sessions": {BODY: {"productId": product}},
            "GET /api/v1/checkout-sessions/{sessionId}": {"sessionId": paid},
            "POST /api/v1/checkout-sessions/{sessionId}/process-payment": {"sessionId": session(product)},
            "GET /api/v1/group-purchases/{groupId}": {"groupId": group["groupInstanceId"]},
            "GET /api/v1/group-purchases/code/{groupCode}": {"groupCode": group["groupCode"]},
            "PATCH /api/v1/groups/{groupId}/name": {"groupId": group["groupInstanceId"]},
            "GET /api/v1/orders/{orderId}": {"orderId": orders[0]["orderId"]},
            "GET /api/v1/shops/{shopId}/orders": {"shopId": shop},
            "POST /api/v1/orders/{orderId}/ship": {"orderId": to_ship},
            "POST /api/v1/orders/{orderId}/deliver": {"orderId": to_deliver},
            "POST /api/v1/orders/{orderId}/cancel": {"orderId": to_cancel},
        }

    def campaign(self) -> dict:
        """A handle with a draft, and published campaigns to pause, to close and to show."""
        handle = "fuzzfx" + new_key("h")[-8:]
        self._send("POST", "/v2/handles", {"handle": handle, "displayName": "Fixture merchant"})

        def campaign(slug: str, publish: bool) -> dict:
            body = {"slug": slug, "title": "Fixture campaign", "unitPrice": 5, "thresholds": {"minParticipants": 1}, "closesAt": _at(30)}
            self._send("POST", f"/v2/handles/{handle}/group-buys", body)
            if publish:
                self._send("POST", f"/v2/handles/{handle}/group-buys/{slug}/publish")
            return {"handle": handle, "groupBuySlug": slug}

        shown = campaign("shown", True)
        return {
            "POST /v2/handles/{handle}/group-buys/{groupBuySlug}/publish": campaign("draft", False),
            # An edit keeps a draft a draft: the one fixture serves every edit.
            "PATCH /v2/handles/{handle}/group-buys/{groupBuySlug}": campaign("to-edit", False),
            "POST /v2/handles/{handle}/group-buys/{groupBuySlug}/pause": campaign("to-pause", True),
            "POST /v2/handles/{handle}/group-buys/{groupBuySlug}/close": campaign("to-close", True),
            "GET /v2/handles/{handle}/group-buys/{groupBuySlug}": shown,
            "GET /v2/handles/{handle}/group-buys/{groupBuySlug}/audit": shown,
            "GET /v2/handles/{handle}/group-buys/{groupBuySlug}/interests": shown,
            "GET /v2/public/group-buys/{handle}": {"handle": handle},
            "GET /v2/public/group-buys/{handle}/{groupBuySlug}": shown,
            "PUT /v2/public/group-buys/{handle}/{groupBuySlug}/my-interest": shown,
            "GET /v2/public/group-buys/{handle}/{groupBuySlug}/my-interest": shown,
            "DELETE /v2/public/group-buys/{handle}/{groupBuySlug}/my-interest": shown,
        }

    def create(self) -> dict:
        """Ids by the operation that needs them (`"METHOD path"`): path parameters, and the
        body fields (under `body`) or the Authorization (under `authorization`) to send."""
        return {**self.procurement(), **self.catalog(), **self.campaign()}

    def procurement(self) -> dict:
        """Pool ids by the operation that needs them, with `doc_id` and `job_id` where the
        operation takes one."""
        open_pool = self.pool(commit=False)  # commit
        committed = self.pool(commit=True)  # withdraw
        reached = self.pool(commit=True)  # open an RFQ
        quoted = self.pool(commit=True)  # allocation
        job = self.rfq(quoted)
        self.quote(quoted)
        # The pool the vendor answers belongs to an organisation the fuzzer cannot act for:
        # alice may cancel her own pools, and a cancelled RFQ refuses every later response.
        keeper = token("fuzz-fixture-keeper", org="org-fuzz-keeper", scope="groupbuy:read groupbuy:write procurement:write")
        answered = self.pool(commit=True, who=keeper)
        self.rfq(answered, who=keeper)
        allocated = self.pool(commit=True)  # settlement
        self.rfq(allocated)
        self.quote(allocated)
        self.allocate(allocated)
        settled = self.pool(commit=True)  # every read
        self.rfq(settled)
        self.quote(settled)
        self.allocate(settled)
        doc = self.settle(settled)
        read = {"id": settled, "doc_id": doc}
        return {
            "POST /groupbuy/{id}/commit": {"id": open_pool},
            "DELETE /groupbuy/{id}/commit": {"id": committed},
            "POST /groupbuy/{id}/rfq": {"id": reached},
            # Only an invited vendor answers an RFQ.
            "POST /groupbuy/{id}/rfq/responses": {"id": answered, AS: "Bearer " + self.vendor},
            "POST /groupbuy/{id}/allocate": {"id": quoted},
            "POST /groupbuy/{id}/settle": {"id": allocated},
            "GET /groupbuy/{id}/rfq": read,
            "GET /groupbuy/{id}/allocation": read,
            "GET /groupbuy/{id}/settlement": read,
            "GET /groupbuy/{id}/settlement/documents/{doc_id}": read,
            "GET /groupbuy/jobs/{job_id}": job,
        }
