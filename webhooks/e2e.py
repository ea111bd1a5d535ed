"""Webhooks end to end, as an integrator sees them: the real `groupbuy serve`, a receiver
that verifies every delivery with the official Standard Webhooks library, and a SIGKILL of
the server between an event's commit and its delivery.

Usage: python webhooks/e2e.py BINARY   (DATABASE_URL: a fresh SQLite file unless given)
Prints `webhooks: N passed, M failed` and exits non-zero on any failure.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

SECRET = "webhooks-e2e-secret-of-at-least-32-bytes"
HOST = "127.0.0.1"


METRICS_TOKEN = "e2e-metrics-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Receiver:
    """Verifies each delivery with the endpoint's secret; 204 when valid, 400 otherwise."""

    def __init__(self) -> None:
        self.secret = None
        self.verified: list[dict] = []
        self.rejected: list[str] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    payload = Webhook(receiver.secret).verify(body, headers)
                    with receiver.lock:
                        receiver.verified.append(
                            {"payload": payload, "request_id": headers.get("x-request-id")}
                        )
                    self.send_response(204)
                except WebhookVerificationError as e:
                    with receiver.lock:
                        receiver.rejected.append(str(e))
                    self.send_response(400)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.url = f"http://{HOST}:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def types(self) -> list[str]:
        with self.lock:
            return [v["payload"]["type"] for v in self.verified]

    def wait_for(self, wanted: str, seconds: float = 20, subject: str | None = None) -> dict:
        """The first verified event of type `wanted` (about `subject`, when given):
        events of different subjects may arrive in any order."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            with self.lock:
                for v in self.verified:
                    if v["payload"]["type"] == wanted and subject in (None, v["payload"]["subject"]):
                        return v
            time.sleep(0.1)
        raise AssertionError(f"no verified {wanted} within {seconds} s; got {self.types()}")


class Server:
    """The real binary; SIGKILL-able."""

    def __init__(self, binary: str, database_url: str, poll_ms: int) -> None:
        self.port = free_port()
        env = dict(os.environ)
        env.update(
            DATABASE_URL=database_url,
            GROUPBUY_BIND=f"{HOST}:{self.port}",
            GROUPBUY_JWT_SECRET=SECRET,
            GROUPBUY_SWEEP_INTERVAL_MS="300",
            GROUPBUY_WEBHOOK_ALLOW_PRIVATE="1",
            GROUPBUY_WEBHOOK_POLL_MS=str(poll_ms),
            GROUPBUY_WEBHOOK_RETRY_SCHEDULE="0,0.5,1",
            GROUPBUY_RATE_LIMITS="off",
            GROUPBUY_METRICS_TOKEN=METRICS_TOKEN,
            RUST_LOG="warn",
        )
        self.proc = subprocess.Popen([binary, "serve"], env=env, stderr=subprocess.DEVNULL)
        self.base = f"http://{HOST}:{self.port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def wait_first_pass(self, job: str, seconds: float = 10) -> None:
        """Until `job`'s first pass (run at start) has finished: a slow-polling worker then
        sleeps its whole interval, so what commits next waits for the next instance."""
        req = urllib.request.Request(
            self.base + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
        )
        deadline = time.time() + seconds
        while time.time() < deadline:
            with urllib.request.urlopen(req, timeout=5) as res:
                for line in res.read().decode().splitlines():
                    if line.startswith("groupbuy_job_last_pass_timestamp_seconds{") and (
                        f'job="{job}"' in line
                    ) and float(line.rsplit(" ", 1)[1]) > 0:
                        return
            time.sleep(0.05)
        raise RuntimeError(f"{job}: no pass within {seconds} s")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def call(self, method: str, path: str, token: str, body=None, request_id=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {token}")
        req.add_header("Content-Type", "application/json")
        if request_id:
            req.add_header("X-Request-Id", request_id)
        try:
            with urllib.request.urlopen(req, timeout=10) as res:
                return res.status, json.loads(res.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")


def token(binary: str, sub: str, *roles: str) -> str:
    args = [binary, "token", "--sub", sub]
    for r in roles:
        args += ["--role", r]
    out = subprocess.run(
        args, env={**os.environ, "GROUPBUY_JWT_SECRET": SECRET}, capture_output=True, check=True
    )
    return out.stdout.decode().strip()


def main() -> int:
    binary = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="gb-webhooks-")
    database_url = os.environ.get("DATABASE_URL") or os.path.join(tmp, "webhooks.db")
    passed, failed = 0, 0

    def check(name: str, fn) -> None:
        nonlocal passed, failed
        try:
            fn()
            passed += 1
            print(f"  ok   {name}")
        except Exception as e:  # noqa: BLE001 (report every failure, run the rest)
            failed += 1
            print(f"  FAIL {name}: {e}")

    receiver = Receiver()
    merchant = token(binary, "merchant-e2e", "merchant")
    server = Server(binary, database_url, poll_ms=100)
    try:
        status, created = server.call(
            "POST", "/webhooks/endpoints", merchant, {"url": receiver.url, "events": ["*"]}
        )
        assert status == 201, created
        receiver.secret = created["data"]["secret"]
        endpoint = created["data"]["id"]

        def test_event_verifies() -> None:
            status, _ = server.call(
                "POST", f"/webhooks/endpoints/{endpoint}/test", merchant, request_id="e2e-test-1"
            )
            assert status == 202
            got = receiver.wait_for("webhook.test")
            assert got["request_id"] == "e2e-test-1", got
            assert got["payload"]["request_id"] == "e2e-test-1", got

        check("a test event is verified by the official standardwebhooks library", test_event_verifies)

        def killed_between_commit_and_delivery() -> None:
            nonlocal server
            # A slow poll: the event commits, the worker has not sent it yet. The worker's
            # first pass runs at start: once it is over, the next is a minute away (had it
            # claimed the event and died, the lease would hold it for 40 s).
            server.kill()
            server = Server(binary, database_url, poll_ms=60_000)
            server.wait_first_pass("webhook-delivery")
            before = len(receiver.types())
            status, _ = server.call("POST", f"/webhooks/endpoints/{endpoint}/test", merchant)
            assert status == 202
            server.kill()
            assert len(receiver.types()) == before, "delivered before the kill"
            server = Server(binary, database_url, poll_ms=100)
            deadline = time.time() + 20
            while len(receiver.types()) <= before and time.time() < deadline:
                time.sleep(0.1)
            assert len(receiver.types()) == before + 1, receiver.types()

        check("an event committed before a SIGKILL is delivered after the restart", killed_between_commit_and_delivery)

        def rotation_signs_with_both() -> None:
            status, rotated = server.call(
                "POST", f"/webhooks/endpoints/{endpoint}/rotate-secret", merchant
            )
            assert status == 200, rotated
            old = receiver.secret
            before = len(receiver.types())
            for secret in (rotated["data"]["secret"], old):
                receiver.secret = secret
                server.call("POST", f"/webhooks/endpoints/{endpoint}/test", merchant)
                deadline = time.time() + 20
                while len(receiver.types()) <= before and time.time() < deadline:
                    time.sleep(0.1)
                assert len(receiver.types()) == before + 1, f"not verified with {secret[:10]}"
                before += 1

        check("after rotation, deliveries verify with the new and the old secret", rotation_signs_with_both)

        def group_lifecycle_events_verify() -> None:
            admin = token(binary, "admin-e2e", "platform-admin")
            buyers = {b: token(binary, b) for b in ("buyer-a", "buyer-b")}
            for b in buyers:
                status, _ = server.call(
                    "POST", f"/api/v1/platform-admin/wallets/{b}/credit", admin,
                    {"amount": 500000, "reference": "e2e"},
                )
                assert status == 201
            status, shop = server.call("POST", "/api/v1/shops", merchant, {"shopName": "E2E"})
            assert status == 201, shop

            def product(seats: int, hours: float) -> str:
                status, p = server.call(
                    "POST", f"/api/v1/shops/{shop['data']['shopId']}/products", merchant,
                    {"productName": "Headphones", "regularPrice": 150000, "groupPrice": 80000,
                     "stockQuantity": 100, "groupBuyingEnabled": True, "groupMaxSize": seats,
                     "groupTimeLimitHours": hours, "maxPerCustomer": 2},
                )
                assert status == 201, p
                return p["data"]["productId"]

            def pay(buyer: str, product_id: str, group: str | None = None) -> str:
                body: dict = {"sessionType": "GROUP_PURCHASE", "productId": product_id, "quantity": 1}
                if group:
                    body["metadata"] = {"groupInstanceId": group}
                status, session = server.call("POST", "/api/v1/checkout-sessions", buyers[buyer], body)
                assert status == 201, session
                sid = session["data"]["sessionId"]
                status, paid = server.call(
                    "POST", f"/api/v1/checkout-sessions/{sid}/process-payment", buyers[buyer],
                    {"paymentMethod": "WALLET"},
                )
                assert status == 200, paid
                return paid["data"]["groupInstanceId"]

            pair = product(2, 24)
            group = pay("buyer-a", pair)
            pay("buyer-b", pair, group)
            failing = pay("buyer-a", product(5, 0.0005))  # 1.8 s, then the sweep fails it
            created = receiver.wait_for("group.created", subject=f"group:{group}")
            assert created["payload"]["data"]["group_id"] == group, created
            completed = receiver.wait_for("group.completed", subject=f"group:{group}")
            assert len(completed["payload"]["data"]["orders"]) == 2, completed
            failed = receiver.wait_for("group.failed", subject=f"group:{failing}")
            assert failed["payload"]["data"]["group_id"] == failing, failed
            assert failed["payload"]["data"]["refunds"][0]["user_id"] == "buyer-a", failed

        check("group.created, group.completed (orders) and group.failed (refunds) verify", group_lifecycle_events_verify)
    finally:
        server.kill()
        receiver.server.shutdown()
    print(f"webhooks: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
