"""Schemathesis hooks of scenario 5 (loaded through SCHEMATHESIS_HOOKS).

They give valid generated requests the chance the schema cannot give them, for the rules no
JSON Schema states; invalid (negative) parts are sent as generated, so the refusals stay
exercised. Each rule below is one the server enforces with a 4xx on data the schema allows:

- A client sends a fresh Idempotency-Key with each new request; the schema can say a key's
  shape (1-255 visible ASCII) but not that it is new, so the generator reuses short keys
  ("0", "!") across different bodies and most POSTs end as the documented 422 "already used
  for a different request". A valid generated key becomes a fresh UUID.
- Dates that must lie in the future (a procurement deadline, an RFQ's due date, a vendor
  quote's validity, a campaign's closesAt) depend on the clock: a generated one in the
  past becomes a date one to sixty days ahead.
- SKUs in one group buy and vendors in one RFQ must be unique (after trimming): a repeated
  one gets its position appended.
- If-Match must be the ETag the client read: outside the stateful phase (whose links carry
  the ETag of the response they follow) a generated one can only be stale, a 412, so it is
  left out, as a client that does not use conditional requests does.

A public procurement pool is readable by every organisation by design, and schemathesis's
object-level check cannot tell it from a leak once the pool is off the first page of
`GET /groupbuy` (its "listed to the peer" exemption reads only that page): the pools the
fuzzer creates are made private, the ones with a boundary for Bob to cross.
"""

import datetime
import random
import uuid

import schemathesis
from schemathesis.core.parameters import ParameterLocation

# Body fields whose date must be after now, by operation (method, path).
FUTURE = {
    ("POST", "/groupbuy"): ("deadline",),
    ("POST", "/groupbuy/{id}/rfq"): ("due_date",),
    ("POST", "/groupbuy/{id}/rfq/responses"): ("valid_until",),
    ("POST", "/v2/handles/{handle}/group-buys"): ("closesAt",),
}
# Arrays whose members' field must be unique (trimmed), by operation.
UNIQUE = {
    ("POST", "/groupbuy"): ("items", "sku", 64),
    ("POST", "/groupbuy/{id}/rfq"): ("vendors", "vendor_id", 200),
}


def _negative(case, location) -> bool:
    return case.meta is not None and case.meta.is_negative_at(location)


def _phase(case) -> str:
    phase = getattr(case.meta, "phase", None) if case.meta is not None else None
    return getattr(getattr(phase, "name", None), "value", str(getattr(phase, "name", "")))


def _future(value) -> str | None:
    """A date one to sixty days ahead when `value` is an RFC 3339 date-time in the past."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None
    now = datetime.datetime.now(datetime.timezone.utc)
    if when.tzinfo is None or when > now + datetime.timedelta(minutes=5):
        return None
    ahead = now + datetime.timedelta(days=random.randint(1, 60), seconds=random.randint(0, 86399))
    return ahead.strftime("%Y-%m-%dT%H:%M:%SZ")


def _unique(items, field: str, limit: int) -> None:
    seen = set()
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get(field), str):
            continue
        value = item[field].strip()
        if value in seen:
            suffix = f"-{i}"
            value = (value[: limit - len(suffix)] + suffix).strip()
            item[field] = value
        seen.add(value)


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers or {}
    for name in list(headers):
        lower = name.lower()
        if lower == "idempotency-key" and not _negative(case, ParameterLocation.HEADER):
            headers[name] = str(uuid.uuid4())
        elif lower == "if-match" and _phase(case) != "stateful" and not _negative(case, ParameterLocation.HEADER):
            del headers[name]
    body = case.body
    key = (case.method.upper(), case.path)
    if isinstance(body, dict) and not _negative(case, ParameterLocation.BODY):
        for field in FUTURE.get(key, ()):
            ahead = _future(body.get(field))
            if ahead is not None:
                body[field] = ahead
        if key in UNIQUE:
            array, field, limit = UNIQUE[key]
            if isinstance(body.get(array), list):
                _unique(body[array], field, limit)
    if key == ("POST", "/groupbuy") and isinstance(body, dict):
        rules = body.get("rules")
        if rules is None:
            body["rules"] = {"visibility": "private"}
        elif isinstance(rules, dict):
            rules["visibility"] = "private"
