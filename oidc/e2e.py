"""groupbuy against a real OpenID provider (oidc-provider, oidc/provider.mjs) on loopback.

Tokens the provider issues are accepted on every surface with roles (Keycloak layout,
realm_access.roles), organisation and scopes mapped; the provider rotates its key mid-run
(new kid accepted, old tokens still valid, cached keys survive the provider being down);
another issuer, another audience, expired, alg none, HS256 keyed with the public key, a
forged kid, an unknown kid and a key set with only an encryption key are all 401.

Standard library only. Usage: python3 oidc/e2e.py <groupbuy binary>
"""

import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
AUDIENCE = "https://groupbuy.test/api"
SECRET = "oidc-e2e-hs256-secret-of-at-least-32-bytes"
ALL = "groupbuy:read groupbuy:write procurement:write"
failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {detail}"), flush=True)
    if not ok:
        failures.append(name)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def node(*args):
    return subprocess.run(
        ["node", os.path.join(HERE, "provider.mjs"), *args],
        check=True, capture_output=True, text=True,
    ).stdout


def wait_for(url, status=200, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == status:
                    return True
        except urllib.error.HTTPError as e:
            if e.code == status:
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


class Provider:
    def __init__(self, directory, name, keys):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.keys_file = os.path.join(directory, f"{name}-keys.json")
        self.write(keys)
        self.process = None
        self.start()

    def write(self, keys):
        with open(self.keys_file, "w") as f:
            json.dump({"keys": keys}, f)

    def start(self):
        self.process = subprocess.Popen(
            ["node", os.path.join(HERE, "provider.mjs"), "serve", str(self.port), self.keys_file],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        assert wait_for(self.issuer + "/.well-known/openid-configuration"), "provider up"

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)

    def token(self, user, scope=ALL, resource=AUDIENCE):
        body = urllib.parse.urlencode(
            {"grant_type": "client_credentials", "scope": scope, "resource": resource}
        ).encode()
        auth = base64.b64encode(f"{user}:{user}-test-secret".encode()).decode()
        request = urllib.request.Request(
            self.issuer + "/token", data=body, headers={"Authorization": f"Basic {auth}"}
        )
        with urllib.request.urlopen(request, timeout=10) as r:
            return json.load(r)["access_token"]

    def sign(self, kid, alg, payload):
        return node("sign", self.keys_file, kid, alg, json.dumps(payload))

    def sign_as(self, fake_kid, payload):
        """RS256 with this provider's key, its header naming `fake_kid`."""
        key = {**json.load(open(self.keys_file))["keys"][0], "kid": fake_kid}
        forged = self.keys_file + ".forged"
        with open(forged, "w") as f:
            json.dump({"keys": [key]}, f)
        return node("sign", forged, fake_kid, "RS256", json.dumps(payload))


def kid_of(token):
    header = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]


class Groupbuy:
    def __init__(self, binary, directory, env):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        database = os.path.join(directory, f"gb-{uuid.uuid4().hex}.db")
        full = {
            **os.environ, "DATABASE_URL": database, "GROUPBUY_BIND": f"127.0.0.1:{self.port}",
            "GROUPBUY_RATE_LIMITS": "off", "GROUPBUY_WORKERS": "2", **env,
        }
        self.process = subprocess.Popen([binary, "serve"], env=full,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_for(self.base + "/healthz"), "groupbuy up"

    def call(self, method, path, token=None, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def surfaces(gb, idp):
    alice, bob = idp.token("alice"), idp.token("bob")
    status, body = gb.call("POST", "/api/v1/shops", alice, {"shopName": "OIDC shop"})
    check("/api/v1: a provider merchant opens a shop as its sub", status == 201
          and json.loads(body)["data"]["ownerId"] == "alice", f"{status} {body}")
    status, body = gb.call("POST", "/api/v1/shops", bob, {"shopName": "Not mine"})
    check("/api/v1: roles mapped (no merchant role: 403)", status == 403
          and "merchant" in body, f"{status} {body}")
    read_only = idp.token("alice", scope="groupbuy:read")
    status, body = gb.call("POST", "/api/v1/shops", read_only, {"shopName": "R"})
    check("/api/v1: scopes mapped (read only: 403)", status == 403 and "scope" in body,
          f"{status} {body}")
    check("/v2: platform admin by mapped role",
          gb.call("GET", "/v2/platform-admin/group-buys", bob)[0] == 200)
    check("/v2: not a platform admin: 403",
          gb.call("GET", "/v2/platform-admin/group-buys", alice)[0] == 403)
    year = time.gmtime().tm_year + 1
    pool = {"title": "Toner", "target_quantity": 10, "min_commitment": 1,
            "items": [{"sku": "T1", "name": "Toner", "unit": "box"}],
            "deadline": f"{year}-06-01T00:00:00Z"}
    status, body = gb.call("POST", "/groupbuy", alice, pool,
                           {"Idempotency-Key": uuid.uuid4().hex})
    check("/groupbuy: organised by the mapped organisation", status == 201 and "org_a" in body,
          f"{status} {body}")
    check("/groupbuy: listed", gb.call("GET", "/groupbuy", alice)[0] == 200)
    check("/webhooks: endpoints listed", gb.call("GET", "/webhooks/endpoints", alice)[0] == 200)
    check("/webhooks: no token is 401", gb.call("GET", "/webhooks/endpoints")[0] == 401)


def hs256_side_by_side(gb, binary):
    token = subprocess.run([binary, "token", "--sub", "service", "--ttl", "600"], check=True,
                           capture_output=True, text=True,
                           env={**os.environ, "GROUPBUY_JWT_SECRET": SECRET}).stdout.strip()
    check("HS256 tokens of `groupbuy token` accepted alongside",
          gb.call("GET", "/api/v1/wallet", token)[0] == 200)


def rotation(gb, idp):
    old = idp.token("alice")
    check("old token accepted", gb.call("GET", "/api/v1/wallet", old)[0] == 200)
    idp.stop()
    check("provider down: cached keys still verify",
          gb.call("GET", "/api/v1/wallet", old)[0] == 200)
    first = json.load(open(idp.keys_file))["keys"]
    idp.write([json.loads(node("key", "k2"))] + first)
    idp.start()
    new = idp.token("alice")
    check("rotated: the provider signs with the new kid", kid_of(new) == "k2", kid_of(new))
    check("rotated: a token with the new kid accepted",
          gb.call("GET", "/api/v1/wallet", new)[0] == 200)
    check("rotated: the old token still valid", gb.call("GET", "/api/v1/wallet", old)[0] == 200)


def b64(value):
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def attacks(gb, idp, other):
    now = int(time.time())
    claims = {"sub": "alice", "iss": idp.issuer, "aud": AUDIENCE, "iat": now, "exp": now + 300,
              "scope": ALL, "realm_access": {"roles": ["merchant"]}}
    kid = kid_of(idp.token("alice"))
    valid = idp.sign(kid, "RS256", claims)
    check("a token signed with the provider's key by hand is accepted (control)",
          gb.call("GET", "/api/v1/wallet", valid)[0] == 200)
    refused = {
        "another issuer": other.token("alice"),
        "another audience": idp.token("alice", resource="https://other.test/api"),
        "expired": idp.sign(kid, "RS256", {**claims, "iat": now - 900, "exp": now - 600}),
        "not yet valid": idp.sign(kid, "RS256", {**claims, "nbf": now + 600}),
        "alg none": f"{b64({'alg': 'none', 'kid': kid})}.{b64(claims)}.",
        "HS256 keyed with the public key": idp.sign(kid, "HS256", claims),
        "forged kid (another key under the provider's kid)": other.sign_as(kid, claims),
        "unknown kid": other.sign_as("nobody", claims),
    }
    for name, token in refused.items():
        status, body = gb.call("GET", "/api/v1/wallet", token)
        check(f"401: {name}", status == 401 and "User not authenticated" in body,
              f"{status} {body}")


def encryption_only(binary, directory, idp):
    key = json.loads(node("key", "enc"))
    public = {k: key[k] for k in ("kty", "n", "e")}
    path = os.path.join(directory, "enc-only.json")
    with open(path, "w") as f:
        json.dump({"keys": [{**public, "kid": "enc", "use": "enc", "alg": "RSA-OAEP"}]}, f)
    gb = Groupbuy(binary, directory, {
        "GROUPBUY_JWKS_URL": path, "GROUPBUY_JWT_ISSUER": idp.issuer,
        "GROUPBUY_JWT_AUDIENCE": AUDIENCE, "GROUPBUY_ENV": "production",
    })
    try:
        check("encryption-only key set: not ready",
              gb.call("GET", "/readyz")[0] == 503)
        check("encryption-only key set: 401",
              gb.call("GET", "/api/v1/wallet", idp.token("alice"))[0] == 401)
    finally:
        gb.stop()


def main():
    binary = sys.argv[1]
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as directory:
        idp = Provider(directory, "idp", [json.loads(node("key", "k1"))])
        other = Provider(directory, "other", [json.loads(node("key", "o1"))])
        gb = None
        try:
            gb = Groupbuy(binary, directory, {
                "GROUPBUY_OIDC_ISSUER": idp.issuer, "GROUPBUY_JWT_AUDIENCE": AUDIENCE,
                "GROUPBUY_JWT_ROLES_CLAIM": "/realm_access/roles",
                "GROUPBUY_JWT_SECRET": SECRET,
            })
            check("ready once the provider's keys loaded", wait_for(gb.base + "/readyz"))
            surfaces(gb, idp)
            hs256_side_by_side(gb, binary)
            rotation(gb, idp)
            attacks(gb, idp, other)
            encryption_only(binary, directory, idp)
        finally:
            if gb:
                gb.stop()
            for p in (idp, other):
                if p.process.poll() is None:
                    p.stop()
    print(f"{'FAILED' if failures else 'passed'} in {time.monotonic() - started:.1f} s")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
