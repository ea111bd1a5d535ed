"""groupbuy against a real OpenID provider (oidc-provider, oidc/provider.mjs) on loopback.

A browser-style sign-in (authorization code with PKCE, the provider's login and consent forms
posted) ends with a session for which /auth/me names the user with mapped roles; a tampered
state, a replayed code, an off-site return_to and forms without the CSRF token are refused;
sign-out ends the session; the development sign-in page exists only in development.

Tokens the provider issues are accepted on every surface with roles (Keycloak layout,
realm_access.roles), organisation and scopes mapped; the provider rotates its key mid-run
(new kid accepted, old tokens still valid, cached keys survive the provider being down);
another issuer, another audience, expired, alg none, HS256 keyed with the public key, a
forged kid, an unknown kid and a key set with only an encryption key are all 401.

Standard library only. Usage: python3 oidc/e2e.py <groupbuy binary>
"""

import base64
import html
import http.cookiejar
import json
import os
import re
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
    def __init__(self, directory, name, keys, groupbuy=""):
        self.groupbuy = groupbuy
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
            ["node", os.path.join(HERE, "provider.mjs"), "serve", str(self.port), self.keys_file,
             self.groupbuy],
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
    def __init__(self, binary, directory, env, port=None):
        self.port = port or free_port()
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
                           env={**os.environ, "GROUPBUY_JWT_SECRET": SECRET,
                                "GROUPBUY_JWT_AUDIENCE": AUDIENCE}).stdout.strip()
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


class Browser:
    """An HTTP client keeping cookies and showing each redirect instead of following it."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect
        )

    def request(self, method, url, form=None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        try:
            with self.opener.open(request, timeout=10) as r:
                return r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode()

    def follow(self, url, stop):
        """GETs `url` and its redirects until one whose target starts with `stop`
        (returned, not followed), or a page (status, url, body)."""
        for _ in range(20):
            status, headers, body = self.request("GET", url)
            if status in (302, 303):
                url = urllib.parse.urljoin(url, headers["Location"])
                if url.startswith(stop):
                    return status, url, body
                continue
            return status, url, body
        raise AssertionError("redirect loop")

    def submit(self, page_url, body, fields):
        """Posts the page's form with its hidden inputs and `fields`; the next location."""
        action = re.search(r'<form[^>]*action="([^"]+)"', body).group(1)
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body))
        status, headers, _ = self.request(
            "POST", urllib.parse.urljoin(page_url, html.unescape(action)), {**hidden, **fields}
        )
        assert status in (302, 303), status
        return urllib.parse.urljoin(page_url, headers["Location"])

    def cookie(self, name):
        return next((c for c in self.jar if c.name == name), None)


def provider_login(browser, gb, user, return_to="/auth/me"):
    """Through the provider's login and consent forms up to groupbuy's callback URL."""
    start = gb.base + "/auth/login?" + urllib.parse.urlencode({"return_to": return_to})
    callback = gb.base + "/auth/callback"
    status, url, body = browser.follow(start, callback)
    for fields in ({"prompt": "login", "login": user, "password": "any"},
                   {"prompt": "consent"}):
        if url.startswith(callback):
            break
        assert status == 200, (status, url, body[:300])
        status, url, body = browser.follow(browser.submit(url, body, fields), callback)
    assert url.startswith(callback), (status, url, body[:300])
    return url


def browser_sign_in(gb, idp):
    browser = Browser()
    status, headers, _ = browser.request("GET", gb.base + "/auth/login?return_to=/auth/me")
    location = headers.get("Location", "")
    check("sign-in: to the provider with PKCE S256, state and nonce",
          status == 303 and location.startswith(idp.issuer + "/auth?")
          and "code_challenge_method=S256" in location and "state=" in location
          and "nonce=" in location, f"{status} {location}")
    for off_site in ("https://evil.test/", "//evil.test/x", "/\\evil.test"):
        status, _, _ = browser.request(
            "GET", gb.base + "/auth/login?" + urllib.parse.urlencode({"return_to": off_site})
        )
        check(f"sign-in: off-site return_to {off_site!r} refused", status == 400, status)
    # a tampered state: refused, and that sign-in is spent
    callback = provider_login(browser, gb, "alice")
    tampered = re.sub(r"state=[^&]+", "state=tampered", callback)
    status, _, body = browser.request("GET", tampered)
    check("sign-in: tampered state refused", status == 400 and "state" in body, f"{status} {body}")
    status, _, _ = browser.request("GET", callback)
    check("sign-in: the spent sign-in cannot complete", status == 400, status)
    # a real sign-in, then its code replayed with the sign-in cookie put back
    callback = provider_login(browser, gb, "alice", "/auth/me?from=test")
    saved = browser.cookie("gb_signin")
    status, headers, _ = browser.request("GET", callback)
    check("sign-in: callback returns to return_to with a session",
          status == 303 and headers.get("Location") == "/auth/me?from=test"
          and browser.cookie("gb_session") is not None, f"{status} {headers.get('Location')}")
    session = browser.cookie("gb_session")
    browser.jar.set_cookie(saved)
    status, _, _ = browser.request("GET", callback)
    check("sign-in: a replayed code refused by the provider", status == 401, status)
    browser.jar.set_cookie(session)
    status, _, body = browser.request("GET", gb.base + "/auth/me")
    me = json.loads(body)["data"] if status == 200 else {}
    check("sign-in: /auth/me names the user with mapped roles, organisation and scopes",
          me.get("sub") == "alice" and me.get("roles") == ["merchant"]
          and me.get("org_id") == "org_a" and "groupbuy:write" in me.get("scopes", []),
          f"{status} {body}")
    check("sign-in: the session is HttpOnly", session.has_nonstandard_attr("HttpOnly"))
    status, _, _ = browser.request("GET", gb.base + "/api/v1/wallet")
    check("sign-in: the API still takes bearer tokens only", status == 401, status)
    status, _, _ = browser.request("POST", gb.base + "/auth/logout", {})
    check("sign-out: a form without the CSRF token refused", status == 403, status)
    status, _, _ = browser.request("POST", gb.base + "/auth/logout", {"csrf": "forged"})
    check("sign-out: a wrong CSRF token refused", status == 403, status)
    status, headers, _ = browser.request("POST", gb.base + "/auth/logout", {"csrf": me["csrf"]})
    check("sign-out: to the provider's end-session endpoint",
          status == 303 and headers["Location"].startswith(idp.issuer + "/session/end"),
          f"{status} {headers.get('Location')}")
    status, _, _ = browser.request("GET", gb.base + "/auth/me")
    check("sign-out: the session is over", status == 401, status)
    status, _, _ = browser.request("GET", gb.base + "/auth/dev")
    check("/auth/dev does not exist with a provider", status == 404, status)


def development_sign_in(binary, directory):
    gb = Groupbuy(binary, directory, {})
    try:
        browser = Browser()
        url = gb.base + "/auth/dev"
        status, _, body = browser.request("GET", url)
        check("development sign-in page says it is for development only",
              status == 200 and "For development only" in body, status)
        status, _, _ = browser.request("POST", url, {"sub": "dev", "roles": "merchant"})
        check("development sign-in: a form without the CSRF token refused", status == 403, status)
        location = browser.submit(url, body, {"sub": "dev", "roles": "merchant vendor",
                                              "org_id": "org_dev"})
        status, _, me = browser.request("GET", location)
        check("development sign-in: /auth/me names the chosen subject, roles, organisation",
              status == 200 and json.loads(me)["data"]["roles"] == ["merchant", "vendor"]
              and json.loads(me)["data"]["org_id"] == "org_dev", f"{status} {me}")
    finally:
        gb.stop()


def main():
    binary = sys.argv[1]
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as directory:
        port = free_port()
        idp = Provider(directory, "idp", [json.loads(node("key", "k1"))],
                       f"http://127.0.0.1:{port}")
        other = Provider(directory, "other", [json.loads(node("key", "o1"))])
        gb = None
        try:
            gb = Groupbuy(binary, directory, {
                "GROUPBUY_OIDC_ISSUER": idp.issuer, "GROUPBUY_JWT_AUDIENCE": AUDIENCE,
                "GROUPBUY_JWT_ROLES_CLAIM": "/realm_access/roles",
                "GROUPBUY_JWT_SECRET": SECRET,
                "GROUPBUY_OIDC_CLIENT_ID": "groupbuy-web",
                "GROUPBUY_OIDC_CLIENT_SECRET": "groupbuy-web-test-secret",
                "GROUPBUY_PUBLIC_URL": f"http://127.0.0.1:{port}",
            }, port)
            check("ready once the provider's keys loaded", wait_for(gb.base + "/readyz"))
            surfaces(gb, idp)
            browser_sign_in(gb, idp)
            hs256_side_by_side(gb, binary)
            rotation(gb, idp)
            attacks(gb, idp, other)
            encryption_only(binary, directory, idp)
            development_sign_in(binary, directory)
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
