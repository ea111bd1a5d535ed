"""Schemathesis hooks of scenario 5 (loaded through SCHEMATHESIS_HOOKS).

A client sends a fresh Idempotency-Key with each new request; the schema can say a key's
shape (1-255 visible ASCII) but not that it is new, so the generator reuses short keys
("0", "!") across different bodies and most POSTs end as the documented 422 "already used
for a different request" instead of reaching the operation. A valid generated key becomes
a fresh UUID; an invalid one (negative mode) and an absent one are sent as generated, so
the 400s for bad or missing keys stay exercised.

A public procurement pool is readable by every organisation by design, and schemathesis's
object-level check cannot tell it from a leak once the pool is off the first page of
`GET /groupbuy` (its "listed to the peer" exemption reads only that page): the pools the
fuzzer creates are made private, the ones with a boundary for Bob to cross.
"""

import uuid

import schemathesis
from schemathesis.core.parameters import ParameterLocation


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() != "idempotency-key":
            continue
        if case.meta is None or not case.meta.is_negative_at(ParameterLocation.HEADER):
            headers[name] = str(uuid.uuid4())
    body = case.body
    if case.method.upper() == "POST" and case.path == "/groupbuy" and isinstance(body, dict):
        rules = body.get("rules")
        if rules is None:
            body["rules"] = {"visibility": "private"}
        elif isinstance(rules, dict):
            rules["visibility"] = "private"

